//! The checks a workflow makes on a callout: the Standard Webhooks signature, the timestamp's
//! age, and the `Authorization` token against Latch's published keys (with the PoP claims bound
//! to this request, or for a Logic App endpoint to a workflow's resource path). Each check ends
//! in `Ok` or a reason a person can read.

use std::time::Duration;

use app::callout::pop::pop_problems;
pub use app::callout::pop::RequestFacts;
use app::callout::signature;
use app::callout::token::{verify_jwt, TokenError, VerifiedJwt};
use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::Mutex;

/// Passed, or why not.
pub type Check = Result<(), String>;

/// How long a fetch of Latch's discovery document or keys may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn webhook_timestamp(headers: &HeaderMap) -> Result<i64, String> {
    let value = header_str(headers, "webhook-timestamp").ok_or("no webhook-timestamp header")?;
    value
        .trim()
        .parse()
        .map_err(|_| "webhook-timestamp is not a number".to_owned())
}

/// `webhook-signature` against each secret in turn.
pub fn check_signature(headers: &HeaderMap, body: &[u8], secrets: &[String]) -> Check {
    if secrets.is_empty() {
        return Err("no secrets configured".to_owned());
    }
    let id = header_str(headers, "webhook-id").ok_or("no webhook-id header")?;
    let timestamp = webhook_timestamp(headers)?;
    let signatures =
        header_str(headers, "webhook-signature").ok_or("no webhook-signature header")?;
    if secrets
        .iter()
        .any(|secret| signature::verify(secret, id, timestamp, body, signatures))
    {
        Ok(())
    } else {
        Err("no secret matches".to_owned())
    }
}

/// `webhook-timestamp` within the tolerance of the reference libraries (5 minutes).
pub fn check_timestamp(headers: &HeaderMap, now: DateTime<Utc>) -> Check {
    let timestamp = webhook_timestamp(headers)?;
    if signature::timestamp_is_fresh(timestamp, now) {
        Ok(())
    } else {
        Err(format!(
            "webhook-timestamp is {} s away from now (more than {} s)",
            now.timestamp().abs_diff(timestamp),
            signature::TIMESTAMP_TOLERANCE_SECS
        ))
    }
}

/// `PoP <jwt>` or `Bearer <jwt>`: signature, lifetime and issuer, and for PoP `m`, `u`, `p`
/// and `bh`.
pub async fn check_token(
    keys: &LatchKeys,
    headers: &HeaderMap,
    request: &RequestFacts<'_>,
    now: DateTime<Utc>,
) -> Check {
    let value =
        header_str(headers, header::AUTHORIZATION.as_str()).ok_or("no Authorization header")?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or("the Authorization header has no scheme")?;
    let pop = if scheme.eq_ignore_ascii_case("PoP") {
        true
    } else if scheme.eq_ignore_ascii_case("Bearer") {
        false
    } else {
        return Err(format!(
            "the Authorization scheme {scheme:?} is neither PoP nor Bearer"
        ));
    };
    let (verified, issuer) = keys.verify(token.trim(), now).await?;
    let mut problems = Vec::new();
    let claim = |name: &str| verified.claims.get(name).and_then(Value::as_str);
    if claim("iss") != Some(issuer.as_str()) {
        problems.push(format!(
            "iss is {:?}, Latch's issuer is {issuer:?}",
            claim("iss").unwrap_or_default()
        ));
    }
    if pop {
        problems.extend(pop_problems(&verified.claims, request));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Latch's issuer and JWKS, fetched through its discovery document on first use, cached, and
/// fetched again once when a token names a key the cache does not hold (a rotation).
pub struct LatchKeys {
    latch: String,
    http: reqwest::Client,
    cached: Mutex<Option<Published>>,
}

#[derive(Clone)]
struct Published {
    issuer: String,
    jwks: Value,
}

impl LatchKeys {
    /// `latch` is Latch's base URL without a trailing slash.
    pub fn new(latch: String) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            latch,
            http,
            cached: Mutex::new(None),
        })
    }

    /// The verified token and Latch's issuer.
    async fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(VerifiedJwt, String), String> {
        // Held while fetching, so that concurrent callouts wait for one fetch.
        let mut cached = self.cached.lock().await;
        let just_fetched = cached.is_none();
        if just_fetched {
            *cached = Some(self.fetch().await?);
        }
        let published = cached.clone().ok_or("Latch's keys are not available")?;
        match verify_jwt(&published.jwks, token, now) {
            Ok(verified) => Ok((verified, published.issuer)),
            Err(TokenError::UnknownKey) if !just_fetched => {
                let published = self.fetch().await?;
                *cached = Some(published.clone());
                let verified =
                    verify_jwt(&published.jwks, token, now).map_err(|e| e.to_string())?;
                Ok((verified, published.issuer))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    async fn fetch(&self) -> Result<Published, String> {
        let discovery_url = format!("{}/.well-known/openid-configuration", self.latch);
        let discovery = self.get_json(&discovery_url).await?;
        let field = |name: &str| {
            discovery
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{discovery_url} has no {name}"))
        };
        let issuer = field("issuer")?;
        let jwks = self.get_json(&field("jwks_uri")?).await?;
        tracing::info!("fetched Latch's keys (issuer {issuer})");
        Ok(Published { issuer, jwks })
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        let failed = |e: &dyn std::fmt::Display| format!("cannot fetch {url}: {e}");
        let response = self
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| failed(&e))?;
        let bytes = response.bytes().await.map_err(|e| failed(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| failed(&e))
    }
}

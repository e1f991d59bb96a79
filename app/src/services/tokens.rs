//! Client-credentials tokens for apps: issued by `POST /oauth2/v2.0/token`, signed with
//! Latch's key (the same JWKS), and turned back into a caller for the REST API.

use crate::auth::authz::Principal;
use crate::auth::password;
use crate::callout::keys::jwks;
use crate::callout::token::{sign_jwt, verify_jwt, Lifetime};
use crate::domain::ids::AppId;
use crate::error::AppError;
use crate::services::throttle::{self, Refused, Subject};
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::{apps, roles};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::net::IpAddr;

pub const TOKEN_LIFETIME: Duration = Duration::hours(1);

/// Why a token request failed, as OAuth 2.0 names it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    #[error("unsupported_grant_type: only client_credentials is supported")]
    UnsupportedGrantType,
    #[error(
        "invalid_client: the client id or secret is wrong, or the secret was revoked or expired"
    )]
    InvalidClient,
    #[error("temporarily_unavailable: too many failed attempts; try again in {} (Retry-After)", crate::domain::throttle::wait_words(*retry_after))]
    Throttled { retry_after: u64 },
    #[error("server_error")]
    Internal,
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::UnsupportedGrantType => "unsupported_grant_type",
            TokenError::InvalidClient => "invalid_client",
            TokenError::Throttled { .. } => "temporarily_unavailable",
            TokenError::Internal => "server_error",
        }
    }
}

impl From<Refused> for TokenError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Throttled { retry_after } => TokenError::Throttled { retry_after },
            Refused::Internal => TokenError::Internal,
        }
    }
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error while issuing a token");
        TokenError::Internal
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
}

fn issuer(state: &AppState) -> String {
    state.settings.public_url.trim_end_matches('/').to_string()
}

/// The app whose live secret this is; `InvalidClient` otherwise, in the same time either way.
/// Repeated failures for one client id or from one `address` are held, then refused.
async fn verify_client(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
    address: Option<IpAddr>,
) -> Result<AppId, TokenError> {
    let admitted = throttle::admit(state, Subject::client(client_id).and_address(address)).await?;
    let app = check_secret(state, client_id, client_secret).await?;
    admitted.succeeded(state).await?;
    Ok(app)
}

async fn check_secret(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
) -> Result<AppId, TokenError> {
    let app: AppId = client_id
        .trim()
        .parse()
        .map_err(|_| TokenError::InvalidClient)?;
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    if apps::get(&mut conn, app).await?.is_none() {
        let secret = client_secret.to_string();
        let _ = tokio::task::spawn_blocking(move || password::verify_nothing(&secret)).await;
        return Err(TokenError::InvalidClient);
    }
    let hashes = apps::live_secret_hashes(&mut conn, app, now).await?;
    drop(conn);
    let secret = client_secret.to_string();
    let matched =
        tokio::task::spawn_blocking(move || hashes.iter().any(|h| password::verify(&secret, h)))
            .await
            .unwrap_or(false);
    if matched {
        Ok(app)
    } else {
        Err(TokenError::InvalidClient)
    }
}

/// Checks the app's credentials and signs a one-hour Bearer token for it.
pub async fn issue(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
    address: Option<IpAddr>,
) -> Result<IssuedToken, TokenError> {
    let app = verify_client(state, client_id, client_secret, address).await?;
    let now = state.clock.now();
    let issuer = issuer(state);
    let claims = json!({
        "iss": issuer,
        "aud": issuer,
        "sub": app.to_string(),
        "appid": app.to_string(),
        "oid": app.to_string(),
        "idtyp": "app",
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": (now + TOKEN_LIFETIME).timestamp(),
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    Ok(IssuedToken {
        access_token: sign_jwt(&state.keys, &claims),
        expires_in: TOKEN_LIFETIME.num_seconds(),
    })
}

/// The app behind a Bearer token, with its roles; `NotSignedIn` for anything not valid now.
pub async fn principal(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let now = state.clock.now();
    let app = match state.callers.token(token, now) {
        Some(app) => app,
        None => {
            let (app, lifetime) = check_token(state, token, now)?;
            state.callers.remember_token(token, app, lifetime, now);
            app
        }
    };
    app_principal(state, app).await
}

/// The app a token of ours names, and the token's lifetime: signature, issuer, audience and
/// kind checked.
fn check_token(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(AppId, Lifetime), AppError> {
    let keys = jwks([state.keys.as_ref()]);
    let verified = verify_jwt(&keys, token, now).map_err(|_| AppError::NotSignedIn)?;
    let issuer = issuer(state);
    let claims = &verified.claims;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(issuer.as_str())
        || claims.get("aud").and_then(|v| v.as_str()) != Some(issuer.as_str())
        || claims.get("idtyp").and_then(|v| v.as_str()) != Some("app")
    {
        return Err(AppError::NotSignedIn);
    }
    let app: AppId = claims
        .get("appid")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or(AppError::NotSignedIn)?;
    let lifetime = Lifetime::of(claims).map_err(|_| AppError::NotSignedIn)?;
    Ok((app, lifetime))
}

/// The app behind a provisioning secret token, `<client id>:<client secret>`: identity
/// providers whose provisioning settings take one long-lived Bearer token (Entra ID's "Secret
/// token", Okta's header auth) send the app's credentials this way. The same secrets as the
/// token endpoint, so they expire, rotate and are revoked on the Apps page.
pub async fn principal_from_secret_token(
    state: &AppState,
    token: &str,
    address: Option<IpAddr>,
) -> Result<Principal, AppError> {
    let (client_id, secret) = token.split_once(':').ok_or(AppError::NotSignedIn)?;
    let app = verify_client(state, client_id, secret, address)
        .await
        .map_err(|e| match e {
            TokenError::Internal => AppError::Internal,
            TokenError::Throttled { retry_after } => AppError::Throttled { retry_after },
            _ => AppError::NotSignedIn,
        })?;
    app_principal(state, app).await
}

/// The app with its roles, as read within the last
/// [`APP_READ_FOR`](crate::services::callers::APP_READ_FOR) or read now.
async fn app_principal(state: &AppState, app: AppId) -> Result<Principal, AppError> {
    let now = state.clock.now();
    if let Some(principal) = state.callers.app(app, now) {
        return Ok(principal);
    }
    let start = state.callers.read_start(now);
    let mut conn = state.db.acquire().await?;
    let (display_name, grants) = roles::app_with_grants(&mut conn, app)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    drop(conn);
    let principal = Principal {
        actor: Actor {
            kind: "app",
            id: Some(app.to_string()),
            name: format!("{display_name} (app)"),
        },
        user_id: None,
        app_id: Some(app),
        display_name,
        user_principal_name: String::new(),
        grants,
    };
    state.callers.remember_app(app, &principal, start);
    Ok(principal)
}

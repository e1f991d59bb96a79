//! The two Latch calls a workflow makes to resume: an app token from the client-credentials
//! grant, kept and shared until shortly before it expires, and the resume POST, retried on
//! connection errors and 5xx.

use std::time::{Duration, Instant};

use app::clock::Clock;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::options::ClientSecret;

/// How long one call to Latch may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// A token is replaced this long before it expires (or at half its life, if that is sooner),
/// so that a resume never goes out with one that expires on the way.
const REFRESH_BEFORE_EXPIRY: chrono::Duration = chrono::Duration::minutes(5);
/// How much of an error answer is kept in the record.
const ERROR_TEXT_LIMIT: usize = 300;

/// What the last attempt of a resume came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// When the first attempt was sent (or, if none was, when the token was asked for).
    pub at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub latency_ms: Option<u64>,
    /// Absent on a 2xx.
    pub error: Option<String>,
}

/// Why an attempt failed, and whether another one may do better.
#[derive(Debug)]
enum Failure {
    Transient(String),
    Final(String),
}

pub struct LatchApi {
    /// Without a trailing slash.
    latch: String,
    client_id: String,
    client_secret: ClientSecret,
    http: reqwest::Client,
    clock: Clock,
    /// The pause before each retry; its length is the number of retries.
    retry_backoff: Vec<Duration>,
    /// Held while a token is fetched, so that concurrent resumes wait for that one fetch.
    token: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    value: String,
    refresh_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

impl LatchApi {
    pub fn new(
        latch: String,
        client_id: String,
        client_secret: ClientSecret,
        clock: Clock,
        retry_backoff: Vec<Duration>,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            // A resume that is redirected elsewhere would carry the token with it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            latch,
            client_id,
            client_secret,
            http,
            clock,
            retry_backoff,
            token: Mutex::new(None),
        })
    }

    /// POSTs `body` to `{latch}/v1.0{callback_path}` until it is answered, refused, or out of
    /// retries.
    pub async fn resume(&self, callback_path: &str, body: &Value) -> Answer {
        let url = format!("{}/v1.0{callback_path}", self.latch);
        let body = body.to_string();
        let mut answer = Answer {
            at: self.clock.now(),
            http_status: None,
            latency_ms: None,
            error: None,
        };
        for attempt in 0..=self.retry_backoff.len() {
            if let Some(pause) = attempt.checked_sub(1).map(|i| self.retry_backoff[i]) {
                tokio::time::sleep(pause).await;
            }
            let token = match self.token().await {
                Ok(token) => token,
                Err(Failure::Transient(error)) => {
                    answer.error = Some(error);
                    continue;
                }
                Err(Failure::Final(error)) => {
                    answer.error = Some(error);
                    return answer;
                }
            };
            // Nothing was sent before this: the token took its time, or could not be had.
            if answer.latency_ms.is_none() {
                answer.at = self.clock.now();
            }
            let sent = Instant::now();
            let response = self
                .http
                .post(&url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await;
            let latency_ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
            answer.latency_ms = Some(latency_ms);
            match response {
                Err(e) => {
                    answer.http_status = None;
                    answer.error = Some(format!("cannot reach {url}: {e}"));
                }
                Ok(response) => {
                    let status = response.status();
                    answer.http_status = Some(status.as_u16());
                    if status.is_success() {
                        answer.error = None;
                        return answer;
                    }
                    answer.error = Some(error_text(status, response).await);
                    if status == StatusCode::UNAUTHORIZED {
                        // Latch no longer takes the token (its key changed, say): the next
                        // resume fetches another rather than failing until it expires.
                        *self.token.lock().await = None;
                    }
                    if !status.is_server_error() {
                        return answer;
                    }
                }
            }
        }
        answer
    }

    /// The shared token, fetched again when it is close to expiring.
    async fn token(&self) -> Result<String, Failure> {
        let mut cached = self.token.lock().await;
        let now = self.clock.now();
        if let Some(token) = cached.as_ref().filter(|token| now < token.refresh_at) {
            return Ok(token.value.clone());
        }
        let fetched = self.fetch_token().await?;
        let life = chrono::Duration::seconds(fetched.expires_in.max(0));
        let refresh_at = now + (life - REFRESH_BEFORE_EXPIRY).max(life / 2);
        let value = fetched.access_token;
        *cached = Some(CachedToken {
            value: value.clone(),
            refresh_at,
        });
        tracing::info!(
            "got a token for app {} (expires in {} s)",
            self.client_id,
            fetched.expires_in
        );
        Ok(value)
    }

    async fn fetch_token(&self) -> Result<TokenAnswer, Failure> {
        let url = format!("{}/oauth2/v2.0/token", self.latch);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let response = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| Failure::Transient(format!("cannot get a token from {url}: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            let error = format!(
                "Latch refused a token to app {}: {}",
                self.client_id,
                error_text(status, response).await
            );
            return Err(if status.is_server_error() {
                Failure::Transient(error)
            } else {
                Failure::Final(error)
            });
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Failure::Transient(format!("cannot read the token from {url}: {e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Final(format!(
                "{url} answered without access_token and expires_in: {e}"
            ))
        })
    }
}

/// `HTTP 409: <Latch's message>`, from Graph's error shape or OAuth's, else the body's start.
async fn error_text(status: StatusCode, response: reqwest::Response) -> String {
    let body = response.bytes().await.unwrap_or_default();
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let message = json.as_ref().and_then(|json| {
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
        text(json.pointer("/error/message")).or_else(|| {
            let code = text(json.get("error"))?;
            Some(match text(json.get("error_description")) {
                Some(description) => format!("{code}: {description}"),
                None => code,
            })
        })
    });
    let message = message.unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_owned());
    let message: String = message.chars().take(ERROR_TEXT_LIMIT).collect();
    if message.is_empty() {
        format!("HTTP {}", status.as_u16())
    } else {
        format!("HTTP {}: {message}", status.as_u16())
    }
}

//! The receiver's HTTP surface and its memory of the callouts it was sent.

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use app::clock::Clock;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::options::check_secret;
use crate::verify::{
    check_signature, check_timestamp, check_token, Check, LatchKeys, RequestFacts,
};

/// Larger callout bodies are refused with 413 (Latch's bodies are a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Older callouts are forgotten.
pub const KEEP: usize = 500;

/// One callout as received, with what its checks found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Callout {
    pub received_at: DateTime<Utc>,
    pub path: String,
    /// `Stage`, or `Event` for legacy extensions.
    pub stage: Option<String>,
    /// `CustomExtensionStageInstanceId`, else the `webhook-id` header.
    pub instance_id: Option<String>,
    /// `AccessPackageAssignmentRequestId`.
    pub request_id: Option<String>,
    /// `"verified"` or why not.
    pub signature: String,
    /// `"fresh"` or why not.
    pub timestamp: String,
    /// `"verified"` or why not.
    pub token: String,
    pub verified: bool,
    /// The `x-ms-workflow-run-id` this receiver answered with.
    pub run_id: Uuid,
    /// The body as JSON, or as a string when it is not JSON.
    pub body: Value,
}

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    secrets: RwLock<Vec<String>>,
    callouts: Mutex<VecDeque<Callout>>,
    keys: LatchKeys,
    clock: Clock,
}

impl Receiver {
    pub fn new(latch: String, secrets: Vec<String>, clock: Clock) -> Result<Self, String> {
        Ok(Self {
            inner: Arc::new(Inner {
                secrets: RwLock::new(secrets),
                callouts: Mutex::new(VecDeque::new()),
                keys: LatchKeys::new(latch)?,
                clock,
            }),
        })
    }

    fn secrets(&self) -> Vec<String> {
        let secrets = self.inner.secrets.read();
        secrets.unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Adds a secret unless it is already known; the number of secrets afterwards.
    fn add_secret(&self, secret: String) -> usize {
        let mut secrets = self
            .inner
            .secrets
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if !secrets.contains(&secret) {
            secrets.push(secret);
        }
        secrets.len()
    }

    pub fn record(&self, callout: Callout) {
        let mut callouts = self
            .inner
            .callouts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if callouts.len() == KEEP {
            callouts.pop_front();
        }
        callouts.push_back(callout);
    }

    /// Oldest first.
    pub fn callouts(&self) -> Vec<Callout> {
        let callouts = self.inner.callouts.lock();
        callouts
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

pub fn router(receiver: Receiver) -> Router {
    Router::new()
        .route("/", get(page).post(receive))
        .route("/_receiver/secrets", post(add_secret))
        .route("/_receiver/callouts", get(list))
        .route("/{*path}", post(receive))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(receiver)
}

/// Every callout is answered 202 with a new run id, as a Logic App does, whatever its checks
/// found: this is a sample that shows what arrived.
async fn receive(
    State(receiver): State<Receiver>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = receiver.inner.clock.now();
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| uri.authority().map(|authority| authority.as_str()));
    let facts = RequestFacts {
        host,
        path: uri.path(),
        body: &body,
    };
    let signature = check_signature(&headers, &body, &receiver.secrets());
    let timestamp = check_timestamp(&headers, now);
    let token = check_token(&receiver.inner.keys, &headers, &facts, now).await;
    let verified = signature.is_ok() && timestamp.is_ok() && token.is_ok();

    let body: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let field = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let callout = Callout {
        received_at: now,
        path: uri.path().to_owned(),
        stage: field("Stage").or_else(|| field("Event")),
        instance_id: field("CustomExtensionStageInstanceId").or_else(|| {
            let id = headers.get("webhook-id")?.to_str().ok()?;
            Some(id.to_owned())
        }),
        request_id: field("AccessPackageAssignmentRequestId"),
        signature: shown(&signature, "verified"),
        timestamp: shown(&timestamp, "fresh"),
        token: shown(&token, "verified"),
        verified,
        run_id: Uuid::new_v4(),
        body,
    };
    let stage = callout.stage.as_deref().unwrap_or("-");
    let instance = callout.instance_id.as_deref().unwrap_or("-");
    if verified {
        tracing::info!("{} {stage} instance {instance}: verified", callout.path);
    } else {
        tracing::warn!(
            "{} {stage} instance {instance}: NOT verified; signature: {}; timestamp: {}; token: {}",
            callout.path,
            callout.signature,
            callout.timestamp,
            callout.token
        );
    }
    let run_id = callout.run_id.to_string();
    receiver.record(callout);
    (StatusCode::ACCEPTED, [("x-ms-workflow-run-id", run_id)]).into_response()
}

fn shown(check: &Check, passed: &str) -> String {
    match check {
        Ok(()) => passed.to_owned(),
        Err(reason) => reason.clone(),
    }
}

#[derive(Deserialize)]
struct NewSecret {
    secret: String,
}

async fn add_secret(State(receiver): State<Receiver>, Json(new): Json<NewSecret>) -> Response {
    let secret = new.secret.trim().to_owned();
    if let Err(reason) = check_secret(&secret) {
        return (StatusCode::BAD_REQUEST, reason).into_response();
    }
    let count = receiver.add_secret(secret);
    tracing::info!("added a signing secret ({count} in all)");
    Json(json!({ "secrets": count })).into_response()
}

async fn list(State(receiver): State<Receiver>) -> Json<Vec<Callout>> {
    Json(receiver.callouts())
}

async fn page(State(receiver): State<Receiver>) -> Response {
    let callouts = receiver.callouts();
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Latch sample receiver</title>\
         <style>body{font-family:sans-serif;margin:1.5rem}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         .bad{color:#a00}pre{margin:0;white-space:pre-wrap}</style></head><body>\
         <h1>Callouts received</h1>",
    );
    let _ = write!(
        html,
        "<p>{} callout(s), newest first (the last {KEEP} are kept); {} signing secret(s). \
         Reload to see new ones.</p>",
        callouts.len(),
        receiver.secrets().len()
    );
    html.push_str(
        "<table><thead><tr><th>Received</th><th>Path</th><th>Stage</th><th>Instance</th>\
         <th>Request</th><th>Signature</th><th>Timestamp</th><th>Token</th><th>Verified</th>\
         <th>Body</th></tr></thead><tbody>",
    );
    for callout in callouts.iter().rev() {
        let optional = |value: &Option<String>| escape(value.as_deref().unwrap_or("-"));
        let body = serde_json::to_string_pretty(&callout.body).unwrap_or_default();
        let _ = write!(
            html,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td><details><summary>JSON</summary>\
             <pre>{}</pre></details></td></tr>",
            if callout.verified {
                ""
            } else {
                " class=\"bad\""
            },
            escape(&callout.received_at.to_rfc3339()),
            escape(&callout.path),
            optional(&callout.stage),
            optional(&callout.instance_id),
            optional(&callout.request_id),
            escape(&callout.signature),
            escape(&callout.timestamp),
            escape(&callout.token),
            if callout.verified { "yes" } else { "no" },
            escape(&body),
        );
    }
    html.push_str("</tbody></table></body></html>\n");
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        )],
        Html(html),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

//! The receiver's HTTP surface: callouts in, the record of them out.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use app::clock::Clock;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::callouts::{Callout, CalloutLog, Resume};
use crate::options::{check_secret, Options};
use crate::page::page;
use crate::resume::{plan, Plan, Proof, Resumer};
use crate::verify::{
    check_signature, check_timestamp, check_token, Check, LatchKeys, RequestFacts,
};

/// Larger callout bodies are refused with 413 (Latch's bodies are a few KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    secrets: RwLock<Vec<String>>,
    log: Arc<CalloutLog>,
    keys: LatchKeys,
    clock: Clock,
    /// `None` unless auto-resume is on.
    resumer: Option<Resumer>,
}

impl Receiver {
    /// `retry_backoff`: the pauses before a failed resume is sent again.
    pub fn new(
        options: &Options,
        clock: Clock,
        retry_backoff: &[Duration],
    ) -> Result<Self, String> {
        let resumer = match &options.resume {
            Some(resume) => Some(Resumer::new(
                options.latch.clone(),
                resume.clone(),
                clock.clone(),
                retry_backoff,
            )?),
            None => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                secrets: RwLock::new(options.secrets.clone()),
                log: Arc::new(CalloutLog::new(options.keep)),
                keys: LatchKeys::new(options.latch.clone())?,
                clock,
                resumer,
            }),
        })
    }

    pub fn secrets(&self) -> Vec<String> {
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

    pub fn log(&self) -> &CalloutLog {
        &self.inner.log
    }

    pub fn resumes(&self) -> bool {
        self.inner.resumer.is_some()
    }

    /// Oldest first.
    pub fn callouts(&self) -> Vec<Callout> {
        self.inner.log.all()
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
    let secrets = receiver.secrets();
    let signature = check_signature(&headers, &body, &secrets);
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
        resume: None,
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
    let proof = Proof {
        token: &token,
        signature: (!secrets.is_empty()).then_some(&signature),
    };
    record_and_resume(&receiver, callout, &proof, now);
    (StatusCode::ACCEPTED, [("x-ms-workflow-run-id", run_id)]).into_response()
}

/// Records the callout and, with auto-resume on, what will be done about resuming it.
fn record_and_resume(
    receiver: &Receiver,
    mut callout: Callout,
    proof: &Proof<'_>,
    now: DateTime<Utc>,
) {
    let log = &receiver.inner.log;
    let Some(resumer) = &receiver.inner.resumer else {
        log.record(callout);
        return;
    };
    let instance = callout
        .instance_id
        .clone()
        .unwrap_or_else(|| "-".to_owned());
    match plan(&callout.body, proof, resumer.words()) {
        None => {
            log.record(callout);
        }
        Some(Plan::Record(state, reason)) => {
            tracing::info!(
                "instance {instance}: not resumed ({}): {reason}",
                state.as_str()
            );
            callout.resume = Some(Resume {
                at: now,
                state,
                reason: Some(reason),
                http_status: None,
                latency_ms: None,
                error: None,
            });
            log.record(callout);
        }
        Some(Plan::Send {
            state,
            reason,
            callback_path,
            body,
        }) => {
            let entry = log.record(callout);
            resumer.start(log.clone(), entry, state, reason, callback_path, body);
        }
    }
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

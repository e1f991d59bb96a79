//! One delivery attempt of a callout: read what to send, commit nothing, call the endpoint,
//! then hand the attempt to `engine::record`, which writes it and its consequence with the
//! other attempts that ended meanwhile, in one short transaction.

use crate::callout::body::body_for;
use crate::callout::signature::signature_header;
use crate::callout::token::{
    authorization_value, bearer_audience, bearer_claims, pop_claims, sign_jwt,
};
use crate::delivery::http::{AttemptResult, Outbound};
use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::CalloutInstanceId;
use crate::domain::kind::ExtensionKind;
use crate::domain::lifecycle::InstanceStatus;
use crate::domain::stage::Stage;
use crate::engine::facts::{self, ToDeliver};
use crate::engine::record::{self, Finished};
use crate::engine::run::DELIVER_JOB;
use crate::state::AppState;
use crate::store::jobs::{self, Job};
use crate::store::parse_db_time;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Headers and body of one attempt, signed at `now`.
fn outbound(
    state: &AppState,
    config: &ExtensionDraft,
    instance: CalloutInstanceId,
    body: Vec<u8>,
    secrets: &[String],
    now: DateTime<Utc>,
) -> Result<Outbound, String> {
    let timestamp = now.timestamp();
    let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = signature_header(&secret_refs, &instance.to_string(), timestamp, &body)
        .map_err(|e| e.to_string())?;
    let issuer = state.settings.public_url.trim_end_matches('/');
    let app_id = &state.settings.callout_app_id;
    let jti = uuid::Uuid::new_v4();
    let claims = match config.kind {
        ExtensionKind::Legacy => {
            let audience = bearer_audience(config.resource_id.as_deref(), &config.endpoint)
                .map_err(|e| e.to_string())?;
            bearer_claims(issuer, app_id, &audience, now, jti)
        }
        _ => pop_claims(issuer, app_id, &config.endpoint, &body, now, jti)
            .map_err(|e| e.to_string())?,
    };
    let token = sign_jwt(&state.keys, &claims);
    Ok(Outbound {
        url: config.endpoint.url().to_string(),
        headers: vec![
            (
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            ),
            (
                "authorization".into(),
                authorization_value(config.kind, &token),
            ),
            ("webhook-id".into(), instance.to_string()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), signature),
            ("client-request-id".into(), uuid::Uuid::new_v4().to_string()),
        ],
        body,
        timeout: Duration::from_millis(u64::from(config.client.timeout_in_milliseconds)),
    })
}

/// Signs and sends one call (`what` names it in the error when it cannot be signed); the
/// attempt's result, never an error of ours: a call that could not be signed is a failed one.
pub async fn send_signed(
    state: &AppState,
    config: &ExtensionDraft,
    instance: CalloutInstanceId,
    body: Vec<u8>,
    secrets: &[String],
    now: DateTime<Utc>,
    what: &str,
) -> AttemptResult {
    match outbound(state, config, instance, body, secrets, now) {
        Ok(call) => state.deliverer.send(call).await,
        Err(reason) => AttemptResult {
            error: Some(format!("could not sign the {what}: {reason}")),
            ..Default::default()
        },
    }
}

/// The instance a delivery job names.
fn instance_of(job: &Job) -> Result<CalloutInstanceId, sqlx::Error> {
    job.payload
        .get("instance")
        .and_then(|v| v.as_str())
        .ok_or_else(|| sqlx::Error::Protocol("deliver job without an instance".into()))?
        .parse()
        .map_err(decode)
}

/// What a claimed batch's deliveries send, read together ([`read_batch`]), by job.
pub struct Ready(HashMap<i64, ToDeliver>);

impl Ready {
    /// What `job` delivers, for [`deliver`]; `None` for another kind of job or an instance
    /// that does not exist.
    pub fn take(&mut self, job: &Job) -> Option<ToDeliver> {
        self.0.remove(&job.id)
    }
}

/// The instances and facts of a claimed batch's delivery jobs, in one read (a job whose
/// payload names no instance is left for [`deliver`] to refuse).
pub async fn read_batch(state: &AppState, batch: &[Job]) -> Result<Ready, sqlx::Error> {
    let wanted: Vec<(i64, CalloutInstanceId)> = batch
        .iter()
        .filter(|job| job.kind == DELIVER_JOB)
        .filter_map(|job| Some((job.id, instance_of(job).ok()?)))
        .collect();
    if wanted.is_empty() {
        return Ok(Ready(HashMap::new()));
    }
    let ids: Vec<CalloutInstanceId> = wanted.iter().map(|(_, id)| *id).collect();
    let mut conn = state.db.acquire().await?;
    let mut found = facts::to_deliver(&mut conn, &ids).await?;
    Ok(Ready(
        wanted
            .into_iter()
            .filter_map(|(job, id)| Some((job, found.remove(&id)?)))
            .collect(),
    ))
}

/// One attempt of the job's callout, `found` as [`read_batch`] read it ([`Ready::take`];
/// `None`: there is no such instance).
pub async fn deliver(
    state: &AppState,
    job: &Job,
    found: Option<ToDeliver>,
) -> Result<(), sqlx::Error> {
    let found = match found {
        Some(found) if found.instance.status == InstanceStatus::Pending.wire_name() => found,
        // Gone, or delivered already (a crash between the call and this job's completion).
        // A payload that names no instance is an error, as it always was, not a job done.
        _ => {
            instance_of(job)?;
            let mut conn = state.db.acquire().await?;
            return jobs::complete(&mut conn, job.id).await;
        }
    };
    let instance_id = found.id;
    let instance = &found.instance;
    let config: ExtensionDraft = serde_json::from_str(&instance.config_snapshot).map_err(decode)?;
    let stage = Stage::parse(&instance.stage).map_err(decode)?;
    let facts = found.facts(stage, config.behaviour.timeout())?;
    let request = facts.request_id;
    let body = body_for(config.kind, &facts).into_bytes();
    let started = state.clock.now();
    let secrets = found
        .sealed
        .open(&state.sealer, &instance.custom_extension_id, started)?;

    let result = send_signed(
        state,
        &config,
        instance_id,
        body,
        &secrets,
        started,
        "callout",
    )
    .await;

    let wait_deadline = instance
        .wait_deadline
        .as_deref()
        .map(parse_db_time)
        .transpose()?;
    let finished = Finished {
        job: job.id,
        earlier_attempts: job
            .payload
            .get("earlierAttempts")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0),
        instance: instance_id,
        request,
        stage,
        waits: instance.waits(),
        wait_deadline,
        maximum_retries: config.client.maximum_retries,
        started,
        result,
    };
    record::record(state, finished).await
}

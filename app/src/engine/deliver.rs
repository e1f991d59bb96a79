//! One delivery attempt of a callout: read what to send, commit nothing, call the endpoint,
//! then record the attempt and its consequence in one short transaction.

use crate::callout::body::body_for;
use crate::callout::retry::{self, Outcome};
use crate::callout::signature::signature_header;
use crate::callout::token::{
    authorization_value, bearer_audience, bearer_claims, pop_claims, sign_jwt,
};
use crate::delivery::http::{AttemptResult, Outbound};
use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::CalloutInstanceId;
use crate::domain::kind::ExtensionKind;
use crate::domain::lifecycle::{Event, InstanceStatus};
use crate::domain::stage::Stage;
use crate::engine::facts;
use crate::engine::run::{run_event_with, RunError};
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::jobs::{self, Job};
use crate::store::requests::{self, NewAttempt};
use crate::store::{extensions, parse_db_time};
use chrono::{DateTime, Utc};
use rand::Rng;
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

pub async fn deliver(state: &AppState, job: &Job) -> Result<(), sqlx::Error> {
    let instance_id: CalloutInstanceId = job
        .payload
        .get("instance")
        .and_then(|v| v.as_str())
        .ok_or_else(|| sqlx::Error::Protocol("deliver job without an instance".into()))?
        .parse()
        .map_err(decode)?;
    let mut conn = state.db.acquire().await?;
    let Some(instance) = requests::get_instance(&mut conn, instance_id).await? else {
        return jobs::complete(&mut conn, job.id).await;
    };
    if instance.status != InstanceStatus::Pending.wire_name() {
        // Delivered already (a crash between the call and this job's completion).
        return jobs::complete(&mut conn, job.id).await;
    }
    let config: ExtensionDraft = serde_json::from_str(&instance.config_snapshot).map_err(decode)?;
    let stage = Stage::parse(&instance.stage).map_err(decode)?;
    let request = instance
        .request_id
        .as_deref()
        .ok_or_else(|| sqlx::Error::Protocol("instance without a request".into()))?
        .parse()
        .map_err(decode)?;
    let assignment = instance
        .assignment_id
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(decode)?;
    let facts = facts::load(
        &mut conn,
        request,
        instance_id,
        stage,
        assignment,
        config.behaviour.timeout(),
    )
    .await?;
    let body = body_for(config.kind, &facts).into_bytes();
    let extension = instance.custom_extension_id.parse().map_err(decode)?;
    let started = state.clock.now();
    let secrets = extensions::signing_secrets(&mut conn, &state.sealer, extension, started).await?;
    drop(conn);

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

    let now = state.clock.now();
    let outcome = retry::classify(result.http_status, result.redirected);
    let new_attempt = NewAttempt {
        instance: instance_id,
        started_at: started,
        http_status: result.http_status,
        latency_ms: result.latency_ms,
        error: result.error.as_deref(),
        excerpt: result.excerpt.as_deref(),
    };
    let mut tx = crate::store::write_tx(&state.writer).await?;
    // What the attempt leaves, sent with the step's own writes; the attempt's row too, unless
    // it is a retry, whose schedule needs the row's number first.
    let along = |then: Option<InstanceStatus>, complete: bool| {
        let mut b = Batch::new();
        if outcome != Outcome::Retry {
            requests::insert_attempt_in(&mut b, &new_attempt);
        }
        if let Some(correlation) = &result.correlation_id {
            requests::set_correlation(&mut b, instance_id, correlation);
        }
        if let Some(status) = then {
            requests::set_instance_status(&mut b, instance_id, status, now);
        }
        if complete {
            jobs::complete_in(&mut b, job.id);
        }
        b
    };
    let waits = instance.waits();
    let give_up = || Event::CalloutFailed {
        instance: instance_id,
        stage,
        waits,
    };
    let event = match outcome {
        Outcome::Success => Some(Event::CalloutDelivered {
            instance: instance_id,
            stage,
            waits,
        }),
        Outcome::Retry => {
            let deadline = instance
                .wait_deadline
                .as_deref()
                .map(parse_db_time)
                .transpose()?;
            let retry_after = result
                .retry_after
                .as_deref()
                .and_then(|h| retry::parse_retry_after(h, now));
            let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
            // A redelivery gets the whole retry schedule again.
            let earlier = job
                .payload
                .get("earlierAttempts")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0);
            let attempt = requests::insert_attempt(&mut tx, &new_attempt).await?;
            let attempt = u32::try_from(attempt - earlier).unwrap_or(1).max(1);
            match retry::next_attempt_at(
                now,
                attempt,
                config.client.maximum_retries,
                jitter,
                retry_after,
                deadline,
            ) {
                Some(at) => {
                    along(None, false).run(&mut tx).await?;
                    jobs::reschedule(&mut tx, job.id, at, result.error.as_deref()).await?;
                    None
                }
                None => Some(give_up()),
            }
        }
        Outcome::Fail => Some(give_up()),
    };
    if let Some(event) = event {
        let delivered = matches!(event, Event::CalloutDelivered { .. });
        // Shown on the instance when its outcome no longer moves the request.
        let left_as = if delivered {
            InstanceStatus::CalloutSent
        } else {
            InstanceStatus::CalloutFailed
        };
        match run_event_with(&mut tx, request, event, now, along(None, true)).await {
            Ok(_) => {}
            Err(RunError::Refused(refusal)) => {
                // The request moved on (canceled, resumed, timed out): the instance still
                // shows what happened to its callout.
                tracing::info!(%instance_id, %refusal, "callout outcome after the request moved on");
                along(Some(left_as), true).run(&mut tx).await?;
            }
            Err(RunError::Db(e)) => return Err(e),
            Err(other) => {
                tracing::error!(%instance_id, error = %other, "could not apply a callout outcome");
                along(Some(InstanceStatus::CalloutFailed), true)
                    .run(&mut tx)
                    .await?;
            }
        }
    }
    tx.commit().await
}

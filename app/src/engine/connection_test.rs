//! Connection tests of custom extensions: one signed test call to the endpoint, its outcome
//! kept on the extension. Queued as a job when an extension is saved, run at once by "Test
//! connection" (`services::connection`, which checks the caller's rights first).

use crate::callout::body::{connection_test_body, Described};
use crate::domain::ids::{CalloutInstanceId, CatalogId, ExtensionId};
use crate::engine::deliver::send_signed;
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::catalogs as catalog_store;
use crate::store::extensions::{self as store, ConnectionTestOutcome};
use crate::store::jobs::{self, Job};
use crate::store::Conn;
use crate::views::ConnectionResult;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;

/// The job kind the worker hands to [`handle_job`]; its payload is `{"extension": id}`.
pub const CONNECTION_TEST_JOB: &str = "connectionTest";

/// Queues a test of `id` in the caller's transaction; the caller wakes the worker after it
/// commits. A test already waiting for the same extension stands for both.
pub async fn queue(
    conn: &mut Conn,
    id: ExtensionId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut b = Batch::new();
    jobs::enqueue(
        &mut b,
        CONNECTION_TEST_JOB,
        &json!({ "extension": id }),
        now,
        Some(&format!("{CONNECTION_TEST_JOB}:{id}")),
        now,
    );
    b.run(conn).await
}

/// Sends one connection test to the extension's endpoint with its timeout, keeps the outcome
/// on the extension and returns it; `None` when the extension (or its catalog) is gone. The
/// call is made with no connection or transaction held.
pub async fn run(
    state: &AppState,
    id: ExtensionId,
) -> Result<Option<ConnectionResult>, sqlx::Error> {
    let mut conn = state.db.acquire().await?;
    let Some(record) = store::get_any(&mut conn, id).await? else {
        return Ok(None);
    };
    let config = record.to_draft()?;
    let catalog_id: CatalogId = record
        .catalog_id
        .parse()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let Some(catalog) = catalog_store::get(&mut conn, catalog_id).await? else {
        return Ok(None);
    };
    let instance = CalloutInstanceId::new();
    let body = connection_test_body(
        config.kind,
        instance,
        &Described {
            id: catalog_id,
            display_name: catalog.display_name,
            description: catalog.description,
        },
    )
    .into_bytes();
    let started = state.clock.now();
    let secrets = store::signing_secrets(&mut conn, &state.sealer, id, started).await?;
    drop(conn);

    let result = send_signed(
        state,
        &config,
        instance,
        body,
        &secrets,
        started,
        "connection test",
    )
    .await;

    let outcome = ConnectionTestOutcome {
        // As stored (microseconds), so the answer equals the row.
        at: started.trunc_subsecs(6),
        ok: result.succeeded(),
        http_status: result.http_status,
        latency_ms: result.latency_ms,
        error: result.error.as_deref(),
    };
    let mut conn = state.db.acquire().await?;
    store::record_test(&mut conn, id, &outcome).await?;
    tracing::info!(extension = %id, ok = outcome.ok, status = ?outcome.http_status, "connection test");
    Ok(Some(ConnectionResult {
        tested_at: outcome.at,
        passed: outcome.ok,
        http_status: outcome.http_status,
        latency_ms: outcome.latency_ms,
        error: result.error,
    }))
}

/// A queued test: one try, never retried; the outcome (pass or fail) is kept on the extension
/// and the admin can run it again. Only a failure to record it leaves the job to run again
/// after its lease.
pub async fn handle_job(state: &AppState, job: &Job) -> Result<(), sqlx::Error> {
    match serde_json::from_value::<ExtensionId>(job.payload["extension"].clone()) {
        Ok(extension) => {
            if run(state, extension).await?.is_none() {
                tracing::info!(%extension, "extension deleted before its connection test ran");
            }
        }
        Err(e) => {
            tracing::error!(job = job.id, error = %e, "connection test job without an extension; dropped")
        }
    }
    let mut conn = state.db.acquire().await?;
    jobs::complete(&mut conn, job.id).await
}

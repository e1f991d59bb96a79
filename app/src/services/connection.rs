//! Connection tests of custom extensions: one test callout, signed and sent exactly like a
//! real one (`engine::deliver::outbound`) but never retried, whose outcome is kept on the
//! extension for the Connection column. Queued when an extension is created or its endpoint
//! changes; run again on demand with "Test connection".

use crate::auth::authz::Principal;
use crate::callout::body::{connection_test_body, Described};
use crate::delivery::http::AttemptResult;
use crate::domain::ids::{CalloutInstanceId, CatalogId, ExtensionId};
use crate::domain::role::Role;
use crate::engine::deliver::outbound;
use crate::error::AppError;
use crate::services::catalogs;
use crate::state::AppState;
use crate::store::extensions::{self as store, ConnectionTestOutcome, ExtensionRecord};
use crate::store::{catalogs as catalog_store, jobs, parse_db_time};
use crate::views::ConnectionResult;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use sqlx::SqliteConnection;

/// The job kind the worker hands to [`run_test`]; its payload is `{"extension": id}`.
pub const CONNECTION_TEST_JOB: &str = "connectionTest";

fn no_such_extension() -> AppError {
    AppError::NotFound("There is no such custom extension in this catalog.".into())
}

/// Queues a test of `id` in the caller's transaction; the caller wakes the worker after it
/// commits. A test already waiting for the same extension stands for both.
pub async fn queue(
    conn: &mut SqliteConnection,
    id: ExtensionId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    jobs::enqueue(
        conn,
        CONNECTION_TEST_JOB,
        &json!({ "extension": id }),
        now,
        Some(&format!("{CONNECTION_TEST_JOB}:{id}")),
        now,
    )
    .await
}

/// "Test connection" on the Custom extensions tab: for those who may manage the catalog's
/// extensions, run now and answered with the result.
pub async fn test(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<ConnectionResult, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(
        catalog,
        Role::may_manage_extensions,
        "test the connection of custom extensions",
    )?;
    let mut conn = state.db.acquire().await?;
    store::get(&mut conn, catalog, id)
        .await?
        .ok_or_else(no_such_extension)?;
    drop(conn);
    run_test(state, id).await
}

/// Sends one connection test to the extension's endpoint with its timeout, keeps the outcome
/// on the extension and returns it. The call is made with no connection or transaction held.
pub async fn run_test(state: &AppState, id: ExtensionId) -> Result<ConnectionResult, AppError> {
    let mut conn = state.db.acquire().await?;
    let record = store::get_any(&mut conn, id)
        .await?
        .ok_or_else(no_such_extension)?;
    let config = record.to_draft()?;
    let catalog_id: CatalogId = record
        .catalog_id
        .parse()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let catalog = catalog_store::get(&mut conn, catalog_id)
        .await?
        .ok_or_else(no_such_extension)?;
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

    let result = match outbound(state, &config, instance, body, &secrets, started) {
        Ok(call) => state.deliverer.send(call).await,
        Err(reason) => AttemptResult {
            error: Some(format!("could not sign the connection test: {reason}")),
            ..Default::default()
        },
    };

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
    Ok(ConnectionResult {
        tested_at: outcome.at,
        passed: outcome.ok,
        http_status: outcome.http_status,
        latency_ms: outcome.latency_ms,
        error: result.error,
    })
}

/// The stored last test of an extension, if one ran.
pub fn last_result(record: &ExtensionRecord) -> Result<Option<ConnectionResult>, sqlx::Error> {
    let Some(at) = record.last_test_at.as_deref() else {
        return Ok(None);
    };
    Ok(Some(ConnectionResult {
        tested_at: parse_db_time(at)?,
        passed: record.last_test_ok.unwrap_or(false),
        http_status: record
            .last_test_http_status
            .and_then(|s| u16::try_from(s).ok()),
        latency_ms: record.last_test_latency_ms.unwrap_or_default(),
        error: record.last_test_error.clone(),
    }))
}

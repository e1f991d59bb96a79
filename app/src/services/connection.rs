//! "Test connection" on the Custom extensions tab and the last result shown in its
//! Connection column. The test itself (signed and sent like a real callout, never retried, its
//! outcome kept on the extension) is the engine's (`engine::connection_test`), which also runs
//! the tests queued when an extension is created or its endpoint changes.

use crate::auth::authz::Principal;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::role::Role;
use crate::engine::connection_test;
use crate::error::AppError;
use crate::services::catalogs;
use crate::state::AppState;
use crate::store::extensions::{self as store, ExtensionRecord};
use crate::store::parse_db_time;
use crate::views::ConnectionResult;

fn no_such_extension() -> AppError {
    AppError::NotFound("There is no such custom extension in this catalog.".into())
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
    connection_test::run(state, id)
        .await?
        .ok_or_else(no_such_extension)
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

//! Server functions of connection tests.

use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::error::AppError;
use crate::views::ConnectionResult;
use leptos::prelude::*;

/// "Test connection": runs the test now and answers with its result (also kept on the row).
#[server(prefix = "/api", endpoint = "test_connection", input = PathJson, output = TextJson)]
pub async fn test_connection(
    catalog: CatalogId,
    extension: ExtensionId,
) -> Result<ConnectionResult, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::connection::test(&state, &p, catalog, extension).await
}

//! `/catalogs` (beta alias `/accessPackageCatalogs`): read for now.

use super::error::{GraphError, GraphResult};
use super::extract::Caller;
use super::paging::{page, PageQuery};
use super::Base;
use app::domain::ids::CatalogId;
use app::services::catalogs;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

pub fn catalog_id(text: &str) -> GraphResult<CatalogId> {
    text.parse()
        .map_err(|_| GraphError::not_found(format!("There is no catalog with id {text:?}.")))
}

pub(super) fn graph(id: CatalogId, name: &str, description: &str) -> Value {
    json!({
        "id": id,
        "displayName": name,
        "description": description,
        "catalogType": "userManaged",
        "state": "published",
        "isExternallyVisible": false,
    })
}

pub async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(q): Query<PageQuery>,
) -> GraphResult<Json<Value>> {
    let items = catalogs::list(&state, &p)
        .await?
        .into_iter()
        .map(|c| graph(c.id, &c.display_name, &c.description))
        .collect();
    Ok(Json(page(
        items,
        &q,
        &base.context("catalogs"),
        &base.url("catalogs"),
    )?))
}

pub async fn get(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<Json<Value>> {
    let id = catalog_id(&id)?;
    let c = catalogs::header(&state, &p, id).await?;
    let mut body = graph(c.id, &c.display_name, &c.description);
    body["@odata.context"] = json!(base.context("catalogs/$entity"));
    Ok(Json(body))
}

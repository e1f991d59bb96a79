//! `/catalogs` (beta alias `/accessPackageCatalogs`): read for now.

use super::error::{GraphError, GraphResult};
use super::extract::{Caller, GraphJson};
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

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogBody {
    display_name: Option<String>,
    description: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    GraphJson(body): GraphJson<CatalogBody>,
) -> GraphResult<(axum::http::StatusCode, Json<Value>)> {
    let name = body
        .display_name
        .ok_or_else(|| GraphError::bad_request("Property 'displayName' is required."))?;
    let c = catalogs::create(&state, &p, &name, body.description.as_deref().unwrap_or("")).await?;
    let mut answer = graph(c.id, &c.display_name, &c.description);
    answer["@odata.context"] = json!(base.context("catalogs/$entity"));
    Ok((axum::http::StatusCode::CREATED, Json(answer)))
}

pub async fn patch(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<CatalogBody>,
) -> GraphResult<Json<Value>> {
    let id = catalog_id(&id)?;
    let c = catalogs::update(
        &state,
        &p,
        id,
        body.display_name.as_deref(),
        body.description.as_deref(),
    )
    .await?;
    Ok(Json(graph(c.id, &c.display_name, &c.description)))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<axum::http::StatusCode> {
    catalogs::delete(&state, &p, catalog_id(&id)?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

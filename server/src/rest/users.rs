//! `GET /v1.0/users` and `/v1.0/users/{id}` (and the same under `/beta`): the directory reads
//! a workflow needs, for callers that hold any administrator or catalog role. These sit outside
//! `/identityGovernance/entitlementManagement`, so the routes carry their full paths.

use super::error::GraphResult;
use super::extract::Caller;
use super::paging::{page, PageQuery};
use super::requests::filter;
use super::Base;
use app::directory::graph_users::{self as directory, DirectoryUser};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/users", get(list))
        .route("/beta/users", get(list))
        .route("/v1.0/users/{id}", get(read))
        .route("/beta/users/{id}", get(read))
}

impl Base {
    fn directory_url(&self, path: &str) -> String {
        format!("{}/{path}", self.root)
    }

    fn directory_context(&self, path: &str) -> String {
        format!("{}/$metadata#{path}", self.root)
    }
}

fn graph(u: &DirectoryUser) -> Value {
    json!({
        "id": u.id,
        "displayName": u.display_name,
        "userPrincipalName": u.user_principal_name,
        "mail": u.user_principal_name,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct UserQuery {
    #[serde(rename = "$filter")]
    filter: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(paging): Query<PageQuery>,
    Query(q): Query<UserQuery>,
) -> GraphResult<Json<Value>> {
    let upn = q
        .filter
        .as_deref()
        .map(|f| filter::equals(f, "userPrincipalName"))
        .transpose()?;
    let items = directory::users(&state, &p, upn.as_deref())
        .await?
        .iter()
        .map(graph)
        .collect();
    let mut body = page(
        items,
        &paging,
        &base.directory_context("users"),
        &base.directory_url("users"),
    )?;
    filter::keep_in_next_link(&mut body, &[("$filter", q.filter.as_deref())]);
    Ok(Json(body))
}

async fn read(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<Json<Value>> {
    let user = directory::user(&state, &p, &id).await?;
    let mut body = graph(&user);
    body["@odata.context"] = json!(base.directory_context("users/$entity"));
    Ok(Json(body))
}

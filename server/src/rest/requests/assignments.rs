//! `/assignments` (beta alias `/accessPackageAssignments`): read only, as in Graph; assignments
//! are made and ended through `/assignmentRequests`.

use super::filter;
use super::graph;
use crate::rest::error::{GraphError, GraphResult};
use crate::rest::extract::Caller;
use crate::rest::paging::{page, PageQuery};
use crate::rest::Base;
use app::domain::ids::AssignmentId;
use app::domain::lifecycle::AssignmentState;
use app::services::manager_views;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assignments", get(list))
        .route("/accessPackageAssignments", get(list))
        .route("/assignments/{id}", get(read))
        .route("/accessPackageAssignments/{id}", get(read))
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignmentQuery {
    #[serde(rename = "$filter")]
    filter: Option<String>,
}

/// `state eq '…'`, in Graph's spelling (`deliverFailed`) or Latch's.
fn state_filter(text: &str) -> GraphResult<AssignmentState> {
    let value = filter::equals(text, "state")?;
    let value = if value.eq_ignore_ascii_case("deliverFailed") {
        "deliveryFailed".to_string()
    } else {
        value
    };
    AssignmentState::parse(&value)
        .map_err(|e| GraphError::bad_request(format!("Query '$filter': {e}")))
}

async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(paging): Query<PageQuery>,
    Query(q): Query<AssignmentQuery>,
) -> GraphResult<Json<Value>> {
    let only = q.filter.as_deref().map(state_filter).transpose()?;
    let items = manager_views::assignments(&state, &p, only)
        .await?
        .iter()
        .map(graph::assignment)
        .collect();
    let mut body = page(
        items,
        &paging,
        &base.context("assignments"),
        &base.url("assignments"),
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
    let id: AssignmentId = id
        .parse()
        .map_err(|_| GraphError::not_found(format!("There is no assignment with id {id:?}.")))?;
    let a = manager_views::assignment(&state, &p, id).await?;
    let mut body = graph::assignment(&a);
    body["@odata.context"] = json!(base.context("assignments/$entity"));
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_filter_takes_both_spellings() {
        assert_eq!(
            state_filter("state eq 'deliverFailed'"),
            Ok(AssignmentState::DeliveryFailed)
        );
        assert_eq!(
            state_filter("state eq 'Delivered'"),
            Ok(AssignmentState::Delivered)
        );
        assert!(state_filter("state eq 'granted'").is_err());
    }
}

//! `/assignments` (beta alias `/accessPackageAssignments`): read only, as in Graph; assignments
//! are made and ended through `/assignmentRequests`.

use super::filter;
use super::graph;
use crate::rest::error::{GraphError, GraphResult};
use crate::rest::extract::Caller;
use crate::rest::paging::{keyset_at, keyset_page, PageQuery};
use crate::rest::Base;
use app::domain::ids::AssignmentId;
use app::domain::lifecycle::AssignmentState;
use app::services::manager_views;
use app::state::AppState;
use app::store::request_views::AssignmentFilter;
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

/// `$filter` of the assignment list: `state`, `target/id` and `accessPackage/id` equal to a
/// value, joined by `and`; anything else is a 400 naming it.
fn assignment_filter(text: &str) -> GraphResult<AssignmentFilter> {
    let mut wanted = AssignmentFilter::default();
    for clause in filter::clauses(text) {
        if filter::equals(clause, "state").is_ok() {
            wanted.state = Some(state_filter(clause)?);
        } else if let Some(target) = filter::id_clause(clause, "target/id") {
            wanted.target = Some(target?);
        } else if let Some(package) = filter::id_clause(clause, "accessPackage/id") {
            wanted.package = Some(package?);
        } else {
            return Err(filter::unsupported_clause(clause));
        }
    }
    Ok(wanted)
}

async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(paging): Query<PageQuery>,
    Query(q): Query<AssignmentQuery>,
) -> GraphResult<Json<Value>> {
    let wanted = match q.filter.as_deref() {
        None => AssignmentFilter::default(),
        Some(f) => assignment_filter(f)?,
    };
    let (top, at) = (paging.top()?, keyset_at(&paging)?);
    let (rows, older) = manager_views::assignment_page(&state, &p, &wanted, &at, top).await?;
    let items = rows.iter().map(graph::assignment).collect();
    let mut body = keyset_page(
        items,
        older,
        top,
        &base.context("assignments"),
        &base.url("assignments"),
    );
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

//! `/assignmentRequests` (beta alias `/accessPackageAssignmentRequests`) and `/assignments`
//! (beta alias `/accessPackageAssignments`), for apps and managers that manage assignments in
//! a catalog. Thin handlers over the services the pages use: a request created here takes the
//! same path through the lifecycle engine as one made in the browser.
//!
//! The REST API has no signed-in user (it takes app tokens only), so of Graph's four request
//! types it creates `adminAdd` and `adminRemove`; `userAdd` and `userRemove` answer 400 saying so.

mod assignments;
pub(super) mod filter;
mod graph;

use super::error::{GraphError, GraphResult};
use super::extract::{Caller, GraphJson};
use super::paging::{keyset_at, keyset_page, PageQuery};
use super::Base;
use app::domain::ids::{AccessPackageId, AssignmentId, PolicyId, RequestId, UserId};
use app::domain::lifecycle::{RequestState, RequestType};
use app::services::manager_requests::{self, keys, DirectAssignment};
use app::services::manager_views;
use app::state::AppState;
use app::store::request_views::RequestFilter;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    let collection = get(list).post(create);
    Router::new()
        .route("/assignmentRequests", collection.clone())
        .route("/accessPackageAssignmentRequests", collection)
        .route("/assignmentRequests/{id}", get(read))
        .route("/accessPackageAssignmentRequests/{id}", get(read))
        .route("/assignmentRequests/{id}/cancel", post(cancel))
        .route("/accessPackageAssignmentRequests/{id}/cancel", post(cancel))
        .merge(assignments::routes())
}

fn request_id(text: &str) -> GraphResult<RequestId> {
    text.parse().map_err(|_| {
        GraphError::not_found(format!("There is no assignment request with id {text:?}."))
    })
}

/// The query options of a request list or item besides paging.
#[derive(Debug, Default, Deserialize)]
pub struct RequestQuery {
    #[serde(rename = "$filter")]
    filter: Option<String>,
    #[serde(rename = "$expand")]
    expand: Option<String>,
}

/// Whether `$expand` asks for the callout instances. The navigation properties Latch always
/// includes may be named too; anything else is a 400.
pub fn wants_instances(expand: Option<&str>) -> GraphResult<bool> {
    let mut instances = false;
    for item in expand.unwrap_or_default().split(',').map(str::trim) {
        match item {
            "" => {}
            i if i.eq_ignore_ascii_case("customExtensionCalloutInstances") => instances = true,
            i if ["accessPackage", "assignment", "requestor", "target"]
                .iter()
                .any(|known| i.eq_ignore_ascii_case(known)) => {}
            other => {
                return Err(GraphError::bad_request(format!(
                    "Query '$expand': {other:?} can't be expanded here; \
                     customExtensionCalloutInstances can."
                )))
            }
        }
    }
    Ok(instances)
}

async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(paging): Query<PageQuery>,
    Query(q): Query<RequestQuery>,
) -> GraphResult<Json<Value>> {
    let wanted = match q.filter.as_deref() {
        None => RequestFilter::default(),
        Some(f) => request_filter(f)?,
    };
    let instances = wants_instances(q.expand.as_deref())?;
    let (top, at) = (paging.top()?, keyset_at(&paging)?);
    let (rows, older) = manager_views::request_page(&state, &p, &wanted, &at, top).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let r = if instances {
            manager_views::request(&state, &p, r.id, true).await?
        } else {
            r
        };
        items.push(graph::request(&r));
    }
    let mut body = keyset_page(
        items,
        older,
        top,
        &base.context("assignmentRequests"),
        &base.url("assignmentRequests"),
    );
    filter::keep_in_next_link(
        &mut body,
        &[
            ("$filter", q.filter.as_deref()),
            ("$expand", q.expand.as_deref()),
        ],
    );
    Ok(Json(body))
}

/// `$filter` of a request list: `state`, `target/id` and `accessPackage/id` equal to a value,
/// joined by `and`; anything else is a 400 naming it.
fn request_filter(text: &str) -> GraphResult<RequestFilter> {
    let mut wanted = RequestFilter::default();
    for clause in filter::clauses(text) {
        if let Ok(state) = filter::equals(clause, "state") {
            wanted.state = Some(
                RequestState::parse(&state)
                    .map_err(|e| GraphError::bad_request(format!("Query '$filter': {e}")))?,
            );
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

async fn read(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Query<RequestQuery>,
) -> GraphResult<Json<Value>> {
    let instances = wants_instances(q.expand.as_deref())?;
    let r = manager_views::request(&state, &p, request_id(&id)?, instances).await?;
    let mut body = graph::request(&r);
    body["@odata.context"] = json!(base.context("assignmentRequests/$entity"));
    Ok(Json(body))
}

/// `POST /assignmentRequests`, as Graph documents it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody {
    request_type: Option<String>,
    assignment: Option<AssignmentRef>,
    justification: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRef {
    id: Option<String>,
    target_id: Option<String>,
    assignment_policy_id: Option<String>,
    access_package_id: Option<String>,
}

fn request_type(body: &RequestBody) -> GraphResult<RequestType> {
    const CHOICES: &str = "adminAdd, adminRemove, userAdd or userRemove";
    let given = body.request_type.as_deref().ok_or_else(|| {
        GraphError::bad_request(format!("Property 'requestType' is required: {CHOICES}."))
    })?;
    let kind = RequestType::parse(given).map_err(|_| {
        GraphError::bad_request(format!(
            "Property 'requestType': {given:?} is not one of {CHOICES}."
        ))
    })?;
    match kind {
        RequestType::AdminAdd | RequestType::AdminRemove => Ok(kind),
        RequestType::UserAdd => Err(GraphError::bad_request(
            "Property 'requestType': userAdd is a signed-in user's request for themselves, and the \
             REST API has no signed-in user (it takes app tokens, not the browser's session). \
             To assign a user, send adminAdd with assignment.targetId.",
        )),
        RequestType::UserRemove => Err(GraphError::bad_request(
            "Property 'requestType': userRemove is a signed-in user giving up their own access, \
             and the REST API has no signed-in user (it takes app tokens, not the browser's \
             session). To remove an assignment, send adminRemove with assignment.id.",
        )),
        RequestType::SystemRemove => Err(GraphError::bad_request(format!(
            "Property 'requestType': systemRemove is made by Latch itself when an assignment \
             expires; send one of {CHOICES}."
        ))),
    }
}

/// A required GUID of the body's `assignment`.
fn guid<T: std::str::FromStr>(value: Option<&String>, field: &str) -> GraphResult<T> {
    let text = value.ok_or_else(|| {
        GraphError::bad_request(format!(
            "Property '{field}' is required for this requestType."
        ))
    })?;
    text.trim().parse().map_err(|_| {
        GraphError::bad_request(format!(
            "Property '{field}': {text:?} is not a GUID (such as 2c1e0d3a-6f1b-4c8e-9a47-0b5d3e2f1a60)."
        ))
    })
}

fn direct_assignment(
    body: &RequestBody,
    assignment: &AssignmentRef,
) -> GraphResult<DirectAssignment> {
    let target: UserId = guid(assignment.target_id.as_ref(), keys::TARGET)?;
    let policy: PolicyId = guid(assignment.assignment_policy_id.as_ref(), keys::POLICY)?;
    let package: AccessPackageId = guid(assignment.access_package_id.as_ref(), keys::PACKAGE)?;
    Ok(DirectAssignment {
        target,
        policy,
        package,
        justification: body.justification.clone().unwrap_or_default(),
    })
}

async fn create(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    GraphJson(body): GraphJson<RequestBody>,
) -> GraphResult<Response> {
    // A caller that manages assignments nowhere learns that before anything about its body.
    manager_views::managed_catalogs(&p)?;
    let kind = request_type(&body)?;
    let assignment = body.assignment.as_ref().ok_or_else(|| {
        GraphError::bad_request(
            "Property 'assignment' is required: {\"targetId\", \"assignmentPolicyId\", \
             \"accessPackageId\"} for adminAdd, {\"id\"} for adminRemove.",
        )
    })?;
    let created = if kind == RequestType::AdminAdd {
        // As committed: the checks and the submission know every field, so no read follows.
        let ask = direct_assignment(&body, assignment)?;
        manager_requests::admin_add(&state, &p, &ask)
            .await
            .map_err(GraphError::from)?
    } else {
        let target: AssignmentId = guid(assignment.id.as_ref(), keys::ASSIGNMENT)?;
        let justification = body.justification.clone().unwrap_or_default();
        let id = manager_requests::admin_remove(&state, &p, target, &justification)
            .await
            .map_err(GraphError::from)?;
        // Read back after the commit: what is stored now, however far the engine carried it.
        manager_views::request(&state, &p, id, false).await?
    };
    let mut answer = graph::request(&created);
    answer["@odata.context"] = json!(base.context("assignmentRequests/$entity"));
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Graph answers a cancel with 200 and no body.
async fn cancel(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<StatusCode> {
    manager_requests::cancel_as_manager(&state, &p, request_id(&id)?).await?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(kind: Option<&str>) -> RequestBody {
        RequestBody {
            request_type: kind.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn request_types_in_any_case() {
        assert_eq!(
            request_type(&body(Some("ADMINADD"))),
            Ok(RequestType::AdminAdd)
        );
        assert_eq!(
            request_type(&body(Some("adminremove"))),
            Ok(RequestType::AdminRemove)
        );
        for refused in [
            None,
            Some("userAdd"),
            Some("UserRemove"),
            Some("systemRemove"),
            Some("grant"),
        ] {
            let err = request_type(&body(refused)).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
            assert!(err.message.contains("'requestType'"), "{err:?}");
        }
    }

    #[test]
    fn expand_knows_its_properties() {
        assert_eq!(wants_instances(None), Ok(false));
        assert_eq!(
            wants_instances(Some("accessPackage, customextensioncalloutinstances")),
            Ok(true)
        );
        assert!(wants_instances(Some("history")).is_err());
    }
}

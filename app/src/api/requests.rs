//! Server functions of My Access (requests, history, cancel, own assignments), approvals, and
//! the managers' requests and assignments screens.

use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::{AssignmentId, CalloutInstanceId, PolicyId, RequestId};
use crate::error::AppError;
use crate::views::lists::{ListPage, ListQuery};
use crate::views::requests::{
    ApprovalItem, AssignmentView, RequestDetails, RequestSummary, RequestablePackage,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "requestable_packages", output = TextJson)]
pub async fn requestable_packages() -> Result<Vec<RequestablePackage>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::requestable(&state, &p).await
}

#[server(prefix = "/api", endpoint = "request_access", input = PathJson, output = TextJson)]
pub async fn request_access(
    policy: PolicyId,
    justification: String,
) -> Result<RequestId, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::requests::submit(&state, &p, policy, &justification).await
}

#[server(prefix = "/api", endpoint = "my_requests", input = PathJson, output = TextJson)]
pub async fn my_requests(query: ListQuery) -> Result<ListPage<RequestSummary>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::my_requests(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "request_details", input = PathJson, output = TextJson)]
pub async fn get_request_details(request: RequestId) -> Result<RequestDetails, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::details(&state, &p, request).await
}

#[server(prefix = "/api", endpoint = "cancel_request", input = PathJson, output = TextJson)]
pub async fn cancel_request(request: RequestId) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::requests::cancel(&state, &p, request).await
}

#[server(prefix = "/api", endpoint = "redeliver_callout", input = PathJson, output = TextJson)]
pub async fn redeliver_callout(
    request: RequestId,
    instance: CalloutInstanceId,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::redeliver::redeliver(&state, &p, request, instance).await
}

#[server(prefix = "/api", endpoint = "my_assignments", input = PathJson, output = TextJson)]
pub async fn my_assignments(query: ListQuery) -> Result<ListPage<AssignmentView>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::my_assignments(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "remove_assignment", input = PathJson, output = TextJson)]
pub async fn remove_assignment(assignment: AssignmentId) -> Result<RequestId, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::requests::remove_assignment(&state, &p, assignment).await
}

#[server(prefix = "/api", endpoint = "pending_approvals", input = PathJson, output = TextJson)]
pub async fn pending_approvals(query: ListQuery) -> Result<ListPage<ApprovalItem>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::approvals(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "approval_history", input = PathJson, output = TextJson)]
pub async fn approval_history(query: ListQuery) -> Result<ListPage<RequestSummary>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::approval_history(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "decide_request", input = PathJson, output = TextJson)]
pub async fn decide_request(
    request: RequestId,
    approve: bool,
    reason: String,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    if approve {
        crate::services::requests::approve(&state, &p, request, &reason).await
    } else {
        crate::services::requests::deny(&state, &p, request, &reason).await
    }
}

#[server(prefix = "/api", endpoint = "managed_requests", input = PathJson, output = TextJson)]
pub async fn managed_requests(query: ListQuery) -> Result<ListPage<RequestSummary>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::managed_request_page(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "managed_assignments", input = PathJson, output = TextJson)]
pub async fn managed_assignments(query: ListQuery) -> Result<ListPage<AssignmentView>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::request_views::managed_assignment_page(&state, &p, &query).await
}

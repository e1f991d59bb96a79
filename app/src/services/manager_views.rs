//! What managers and apps see of requests and assignments through the REST API: every request
//! and assignment of the catalogs where they manage assignments, with the names and addresses
//! of the people (or apps) involved and, on request, the callout instances.
//!
//! A caller that manages assignments nowhere is refused outright (never an empty list that
//! hides the reason); one that manages some catalogs sees theirs, and is refused a single
//! object of another catalog.

use crate::auth::authz::Principal;
use crate::domain::ids::{AccessPackageId, AssignmentId, CatalogId, PolicyId, RequestId};
use crate::domain::lifecycle::{RequestState, RequestStatus, RequestType};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::request_views::{self as views_store, GraphAssignmentRow, GraphRequestRow};

/// Whether a requestor or target is a person or an app (Graph's `user` / `servicePrincipal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    User,
    App,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub id: String,
    pub kind: SubjectKind,
    pub display_name: String,
    /// A user's address (their user principal name); apps have none.
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagedRequest {
    pub id: RequestId,
    pub kind: RequestType,
    pub state: RequestState,
    pub status: RequestStatus,
    /// Stored times (ISO 8601, UTC).
    pub created_at: String,
    pub completed_at: Option<String>,
    pub justification: String,
    pub assignment: Option<AssignmentId>,
    pub package: AccessPackageId,
    pub policy: PolicyId,
    /// `None` when Latch itself asked (a removal at expiry).
    pub requestor: Option<Subject>,
    pub target: Subject,
    /// Filled only when asked for.
    pub instances: Option<Vec<CalloutInstance>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalloutInstance {
    pub id: String,
    pub extension: String,
    pub stage: String,
    pub status: String,
    pub detail: Option<String>,
    pub external_correlation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagedAssignment {
    pub id: AssignmentId,
    pub state: String,
    pub status: String,
    pub package: AccessPackageId,
    pub policy: PolicyId,
    pub target: Subject,
    pub start_at: String,
    pub expires_at: Option<String>,
    pub expired_at: Option<String>,
}

const NO_ROLE: &str =
    "requests and assignments are for administrators, catalog owners and assignment managers.";

/// The catalogs where the caller manages assignments; `None` means every catalog (a tenant
/// administrator). Refused when there are none.
pub fn managed_catalogs(p: &Principal) -> Result<Option<Vec<CatalogId>>, AppError> {
    if p.is_admin() {
        return Ok(None);
    }
    let mut catalogs: Vec<CatalogId> = p
        .grants
        .iter()
        .filter(|g| g.role.may_manage_assignments())
        .filter_map(|g| g.catalog_id)
        .collect();
    catalogs.sort();
    catalogs.dedup();
    if catalogs.is_empty() {
        return Err(AppError::NotPermitted(NO_ROLE.into()));
    }
    Ok(Some(catalogs))
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| {
        tracing::error!(text, "stored id or name does not parse");
        AppError::Internal
    })
}

/// A person a request or assignment names.
pub(super) fn user(id: String, display_name: String, upn: String) -> Subject {
    Subject {
        id,
        kind: SubjectKind::User,
        display_name,
        email: Some(upn),
    }
}

/// Who asked, as a request's requestor columns name them; `None` when Latch itself asked. A
/// requestor deleted since has no name left.
pub(super) fn requestor(
    kind: &str,
    id: Option<String>,
    display_name: Option<String>,
    upn: Option<String>,
) -> Option<Subject> {
    let display_name = display_name.unwrap_or_else(|| "(deleted)".into());
    match (kind, id) {
        ("user", Some(id)) => Some(Subject {
            id,
            kind: SubjectKind::User,
            display_name,
            email: upn,
        }),
        ("app", Some(id)) => Some(Subject {
            id,
            kind: SubjectKind::App,
            display_name,
            email: None,
        }),
        _ => None,
    }
}

fn request_of(r: GraphRequestRow) -> Result<ManagedRequest, AppError> {
    let requestor = requestor(
        &r.requestor_kind,
        r.requestor_id,
        r.requestor_name,
        r.requestor_upn,
    );
    Ok(ManagedRequest {
        id: parse(&r.id)?,
        kind: parse(&r.request_type)?,
        state: parse(&r.state)?,
        status: parse(&r.status)?,
        created_at: r.created_at,
        completed_at: r.completed_at,
        justification: r.justification,
        assignment: r.assignment_id.as_deref().map(parse).transpose()?,
        package: parse(&r.access_package_id)?,
        policy: parse(&r.policy_id)?,
        requestor,
        target: user(r.target_id, r.target_name, r.target_upn),
        instances: None,
    })
}

fn assignment_of(a: GraphAssignmentRow) -> Result<ManagedAssignment, AppError> {
    Ok(ManagedAssignment {
        id: parse(&a.id)?,
        state: a.state,
        status: a.status,
        package: parse(&a.access_package_id)?,
        policy: parse(&a.policy_id)?,
        target: user(a.target_id, a.target_name, a.target_upn),
        start_at: a.start_at,
        expires_at: a.expires_at,
        expired_at: a.expired_at,
    })
}

/// A page of `size` of the requests of the caller's catalogs that `filter` keeps, newest
/// first; with the key of the next (older) page when there is one.
pub async fn request_page(
    state: &AppState,
    p: &Principal,
    filter: &views_store::RequestFilter,
    at: &crate::store::paging::PageAt,
    size: usize,
) -> Result<(Vec<ManagedRequest>, Option<crate::store::paging::Key>), AppError> {
    let catalogs = managed_catalogs(p)?;
    let mut conn = state.db.acquire().await?;
    let page =
        views_store::graph_request_page(&mut conn, catalogs.as_deref(), filter, at, size).await?;
    let rows = page
        .rows
        .into_iter()
        .map(request_of)
        .collect::<Result<_, _>>()?;
    Ok((rows, page.older))
}

/// One request, with its callout instances when `with_instances`.
pub async fn request(
    state: &AppState,
    p: &Principal,
    id: RequestId,
    with_instances: bool,
) -> Result<ManagedRequest, AppError> {
    managed_catalogs(p)?;
    let mut conn = state.db.acquire().await?;
    let row = views_store::graph_request(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no request with id {id}.")))?;
    p.require(
        parse(&row.catalog_id)?,
        Role::may_manage_assignments,
        "see this request",
    )?;
    let mut request = request_of(row)?;
    if with_instances {
        let list = views_store::instances(&mut conn, id)
            .await?
            .into_iter()
            .map(|i| CalloutInstance {
                id: i.id,
                extension: i.custom_extension_id,
                stage: i.stage,
                status: i.status,
                detail: i.detail,
                external_correlation_id: i.external_correlation_id,
            })
            .collect();
        request.instances = Some(list);
    }
    Ok(request)
}

/// Assignments of the caller's catalogs (every state: ended ones are history), newest first.
/// A page of `size` of the assignments of the caller's catalogs that `filter` keeps, newest
/// first; with the key of the next (older) page when there is one.
pub async fn assignment_page(
    state: &AppState,
    p: &Principal,
    filter: &views_store::AssignmentFilter,
    at: &crate::store::paging::PageAt,
    size: usize,
) -> Result<(Vec<ManagedAssignment>, Option<crate::store::paging::Key>), AppError> {
    let catalogs = managed_catalogs(p)?;
    let mut conn = state.db.acquire().await?;
    let page = views_store::graph_assignment_page(&mut conn, catalogs.as_deref(), filter, at, size)
        .await?;
    let rows = page
        .rows
        .into_iter()
        .map(assignment_of)
        .collect::<Result<_, _>>()?;
    Ok((rows, page.older))
}

pub async fn assignment(
    state: &AppState,
    p: &Principal,
    id: AssignmentId,
) -> Result<ManagedAssignment, AppError> {
    managed_catalogs(p)?;
    let mut conn = state.db.acquire().await?;
    let row = views_store::graph_assignment(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no assignment with id {id}.")))?;
    p.require(
        parse(&row.catalog_id)?,
        Role::may_manage_assignments,
        "see this assignment",
    )?;
    assignment_of(row)
}

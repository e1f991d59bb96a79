//! What managers and apps do to requests (the REST API's `POST /assignmentRequests` and
//! `cancel`): assign a package directly (`adminAdd`), remove an assignment (`adminRemove`) and
//! cancel any open request, in catalogs where they manage assignments. Each takes the same
//! path through the lifecycle engine as a user's own request, in one transaction.

use super::manager_views::{managed_catalogs, requestor, user, ManagedRequest};
use super::requests::{actor_of, catalog_of, check_text, remove};
use super::submissions::{store_and_submit, Refusals};
use crate::auth::authz::Principal;
use crate::domain::ids::{AccessPackageId, AssignmentId, CatalogId, PolicyId, RequestId, UserId};
use crate::domain::lifecycle::{RemovalKind, RequestType};
use crate::domain::role::Role;
use crate::engine::run::actor_columns;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::packages;
use crate::store::requests::{self, NewRequest, RequestRow};
use crate::store::{db_time, Conn};

/// A direct assignment (`adminAdd`) as the REST API's `POST /assignmentRequests` asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectAssignment {
    pub target: UserId,
    pub policy: PolicyId,
    pub package: AccessPackageId,
    pub justification: String,
}

/// Field keys of a direct assignment: the Graph property paths of the request body.
pub mod keys {
    pub const TARGET: &str = "assignment.targetId";
    pub const POLICY: &str = "assignment.assignmentPolicyId";
    pub const PACKAGE: &str = "assignment.accessPackageId";
    pub const ASSIGNMENT: &str = "assignment.id";
    pub const JUSTIFICATION: &str = "justification";
}

/// A manager or app assigns a package to a user directly (`adminAdd`). The request takes the
/// same path as a user's own: the target must be in the policy's scope and hold neither the
/// package nor an open request for it; then it is submitted (approval, stages, delivery).
/// Returns the request as committed, built from what the checks read and the submission
/// wrote rather than read again.
pub async fn admin_add(
    state: &AppState,
    p: &Principal,
    ask: &DirectAssignment,
) -> Result<ManagedRequest, AppError> {
    use keys::{PACKAGE, POLICY, TARGET};
    managed_catalogs(p)?;
    check_text(keys::JUSTIFICATION, "The justification", &ask.justification)?;
    let mut conn = state.db.acquire().await?;
    let checks =
        packages::direct_assignment_checks(&mut conn, ask.package, ask.policy, ask.target).await?;
    let catalog = checks.catalog.ok_or_else(|| {
        AppError::invalid(
            PACKAGE,
            format!("There is no access package with id {}.", ask.package),
        )
    })?;
    let catalog: CatalogId = catalog.parse().map_err(|_| AppError::Internal)?;
    p.require(
        catalog,
        Role::may_manage_assignments,
        "assign access packages directly",
    )?;
    let policy = checks.policy.ok_or_else(|| {
        AppError::invalid(
            POLICY,
            format!(
                "There is no assignment policy with id {} in access package {}.",
                ask.policy, ask.package
            ),
        )
    })?;
    let target = checks.target.ok_or_else(|| {
        AppError::invalid(TARGET, format!("There is no user with id {}.", ask.target))
    })?;
    let target_name = &target.display_name;
    let disabled = || {
        AppError::invalid(
            TARGET,
            format!(
                "{}'s account is disabled; a disabled user can't be assigned access.",
                target_name
            ),
        )
    };
    if !target.enabled {
        return Err(disabled());
    }
    if policy.allowed_target_scope == "specificDirectoryUsers"
        && !packages::is_allowed_target(&mut conn, ask.policy, ask.target).await?
    {
        return Err(AppError::invalid(
            TARGET,
            format!(
                "The policy \u{201c}{}\u{201d} is for specific users, and {} is not one of them.",
                policy.display_name, target_name
            ),
        ));
    }
    drop(conn);
    let (requestor_kind, requestor_id) = actor_columns(&actor_of(p));
    // As a read of the stored request names its requestor.
    let requestor = requestor(
        requestor_kind,
        requestor_id.clone(),
        Some(p.display_name.clone()),
        Some(p.user_principal_name.clone()),
    );
    let id = RequestId::new();
    let justification = ask.justification.trim().to_owned();
    let submitted = store_and_submit(
        state,
        p,
        NewRequest {
            id,
            kind: RequestType::AdminAdd,
            package: ask.package,
            policy: ask.policy,
            target: ask.target,
            requestor_kind,
            requestor_id,
            assignment: None,
            justification: justification.clone(),
        },
        Refusals {
            target_disabled: disabled(),
            has_package: format!("{target_name} already has this access package."),
            has_open_request: format!(
                "{target_name} already has an open request for this access package."
            ),
        },
    )
    .await?;
    let request = submitted.request;
    Ok(ManagedRequest {
        id,
        kind: RequestType::AdminAdd,
        state: request.state,
        status: request.status,
        created_at: db_time(submitted.at),
        completed_at: request.completed_at.map(db_time),
        justification,
        assignment: request.assignment,
        package: ask.package,
        policy: ask.policy,
        requestor,
        target: user(
            ask.target.to_string(),
            target.display_name,
            target.user_principal_name,
        ),
        instances: None,
    })
}

/// A manager or app cancels any open request of a catalog where it manages assignments. A
/// caller without that role there is refused (it is a manager's call, not a requestor's, so
/// the refusal names the roles rather than hiding the request).
pub async fn cancel_as_manager(
    state: &AppState,
    p: &Principal,
    request: RequestId,
) -> Result<(), AppError> {
    managed_catalogs(p)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    request_they_manage(&mut tx, p, request, "cancel a request").await?;
    super::requests::cancel_in(&mut tx, p, request, now).await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(())
}

/// The request, if it exists and the caller manages assignments in its catalog (to `action`).
pub(super) async fn request_they_manage(
    conn: &mut Conn,
    p: &Principal,
    request: RequestId,
    action: &str,
) -> Result<RequestRow, AppError> {
    let row = requests::get(&mut *conn, request)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no request with id {request}.")))?;
    let catalog = catalog_of(&mut *conn, row.package).await?;
    p.require(catalog, Role::may_manage_assignments, action)?;
    Ok(row)
}

/// A manager or app removes an assignment (`adminRemove`, the REST API's removal request).
/// An unknown assignment is a mistake in the body (`assignment.id`); one in a catalog where
/// the caller does not manage assignments is refused. The justification is kept on the removal
/// request (and sent in its callouts).
pub async fn admin_remove(
    state: &AppState,
    p: &Principal,
    assignment: AssignmentId,
    justification: &str,
) -> Result<RequestId, AppError> {
    managed_catalogs(p)?;
    check_text(keys::JUSTIFICATION, "The justification", justification)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = requests::get_assignment(&mut tx, assignment)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                keys::ASSIGNMENT,
                format!("There is no assignment with id {assignment}."),
            )
        })?;
    let package = record
        .access_package_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    let catalog = catalog_of(&mut tx, package).await?;
    p.require(
        catalog,
        Role::may_manage_assignments,
        "remove an assignment",
    )?;
    let id = remove(
        &mut tx,
        p,
        &record,
        assignment,
        RemovalKind::Admin,
        justification,
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(id)
}

//! Access requests and removals: who may do what, then one lifecycle event in one transaction.
//!
//! Signed-in users request, cancel and give up their own access; approvers decide. What managers
//! and apps do (assign and remove directly, cancel any request) is in `manager_requests`, on
//! the same helpers. Every entry point also writes one audit event naming the caller (the
//! engine's own events name Latch, which carries the lifecycle out).

use super::submissions::{store_and_submit, Refusals};
use crate::auth::authz::Principal;
use crate::domain::ids::{AccessPackageId, AssignmentId, CatalogId, PolicyId, RequestId, UserId};
use crate::domain::lifecycle::{Actor, Event, RefusalKind, RemovalKind, RequestType};
use crate::domain::role::Role;
use crate::engine::run::{run_event, run_removal, RunError};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::batch::Batch;
use crate::store::packages;
use crate::store::requests::{self, AssignmentRecord, NewRequest};
use crate::store::Conn;
use chrono::{DateTime, Utc};
use serde_json::json;

/// The longest justification or reason accepted.
pub const JUSTIFICATION_MAX: usize = 4000;

pub fn from_run(error: RunError) -> AppError {
    match error {
        RunError::NotFound => AppError::NotFound("There is no such request.".into()),
        RunError::Refused(refusal) => match refusal.kind() {
            RefusalKind::BadRequest => AppError::invalid("state", refusal.to_string()),
            RefusalKind::Conflict => AppError::Conflict(refusal.to_string()),
            RefusalKind::Internal => {
                tracing::error!(%refusal, "stored request contradicts itself");
                AppError::Internal
            }
        },
        RunError::Inconsistent(what) => {
            tracing::error!(%what, "stored request is inconsistent");
            AppError::Internal
        }
        RunError::Db(e) => e.into(),
    }
}

fn user_of(p: &Principal) -> Result<UserId, AppError> {
    p.user_id.ok_or_else(|| {
        AppError::NotPermitted("only a signed-in user can do this for themselves.".into())
    })
}

pub(super) fn check_text(field: &str, label: &str, text: &str) -> Result<(), AppError> {
    let count = text.chars().count();
    if count > JUSTIFICATION_MAX {
        return Err(AppError::invalid(
            field,
            format!("{label} is {count} characters; the limit is {JUSTIFICATION_MAX}."),
        ));
    }
    Ok(())
}

/// The signed-in user asks for an access package under a policy (`userAdd`).
pub async fn submit(
    state: &AppState,
    p: &Principal,
    policy: PolicyId,
    justification: &str,
) -> Result<RequestId, AppError> {
    let me = user_of(p)?;
    check_text("justification", "Justification", justification)?;
    let mut conn = state.db.acquire().await?;
    let record = packages::get_policy(&mut conn, policy)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such policy.".into()))?;
    let package = record
        .access_package_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    if record.allowed_target_scope == "specificDirectoryUsers"
        && !packages::is_allowed_target(&mut conn, policy, me).await?
    {
        return Err(AppError::NotPermitted(format!(
            "the policy \u{201c}{}\u{201d} is for specific users, and you are not one of them.",
            record.display_name
        )));
    }
    drop(conn);
    let id = RequestId::new();
    store_and_submit(
        state,
        p,
        NewRequest {
            id,
            kind: RequestType::UserAdd,
            package,
            policy,
            target: me,
            requestor_kind: "user",
            requestor_id: Some(me.to_string()),
            assignment: None,
            justification: justification.trim().to_owned(),
        },
        Refusals {
            target_disabled: AppError::NotPermitted("your account is disabled.".into()),
            has_package: "You already have this access package.".into(),
            has_open_request: "You already have an open request for this access package.".into(),
        },
    )
    .await?;
    Ok(id)
}

async fn decide(
    state: &AppState,
    p: &Principal,
    request: RequestId,
    approve: bool,
    reason: &str,
) -> Result<(), AppError> {
    let me = user_of(p)?;
    check_text("reason", "Reason", reason)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let row = requests::get_locked(&mut tx, request)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such request.".into()))?;
    if !packages::is_approver(&mut tx, row.policy, me).await? {
        return Err(AppError::NotPermitted(
            "only the approvers of this request's policy can decide it.".into(),
        ));
    }
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    let by = Actor::User(me);
    let (event, action) = if approve {
        (Event::Approve { by, reason }, "approve")
    } else {
        (Event::Deny { by, reason }, "deny")
    };
    run_event(&mut tx, request, event, now)
        .await
        .map_err(from_run)?;
    audit_caller(
        &mut tx,
        p,
        action,
        "assignmentRequest",
        request.to_string(),
        json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(())
}

pub async fn approve(
    state: &AppState,
    p: &Principal,
    request: RequestId,
    reason: &str,
) -> Result<(), AppError> {
    decide(state, p, request, true, reason).await
}

pub async fn deny(
    state: &AppState,
    p: &Principal,
    request: RequestId,
    reason: &str,
) -> Result<(), AppError> {
    decide(state, p, request, false, reason).await
}

/// Runs `Cancel` by the caller and audits it.
pub(super) async fn cancel_in(
    conn: &mut Conn,
    p: &Principal,
    request: RequestId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    run_event(&mut *conn, request, Event::Cancel { by: actor_of(p) }, now)
        .await
        .map_err(from_run)?;
    audit_caller(
        conn,
        p,
        "cancel",
        "assignmentRequest",
        request.to_string(),
        json!({}),
        now,
    )
    .await?;
    Ok(())
}

/// The target cancels their own open request.
pub async fn cancel(state: &AppState, p: &Principal, request: RequestId) -> Result<(), AppError> {
    let me = user_of(p)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let row = requests::get_locked(&mut tx, request)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such request.".into()))?;
    if row.target != me {
        // Another user's request is not shown to a requestor at all.
        return Err(AppError::NotFound("There is no such request.".into()));
    }
    cancel_in(&mut tx, p, request, now).await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(())
}

pub(super) async fn catalog_of(
    conn: &mut Conn,
    package: AccessPackageId,
) -> Result<CatalogId, AppError> {
    packages::catalog_of_package(conn, package)
        .await?
        .and_then(|c| c.parse().ok())
        .ok_or(AppError::Internal)
}

/// Ends a delivered assignment with a removal request of `kind`, and audits who asked.
pub(super) async fn remove(
    conn: &mut Conn,
    p: &Principal,
    record: &AssignmentRecord,
    assignment: AssignmentId,
    kind: RemovalKind,
    justification: &str,
    now: DateTime<Utc>,
) -> Result<RequestId, AppError> {
    if record.state != "delivered" {
        return Err(AppError::Conflict(format!(
            "Only a delivered assignment can be removed; this one is {}.",
            record.state
        )));
    }
    let transition = run_removal(
        &mut *conn,
        assignment,
        kind,
        actor_of(p),
        justification,
        now,
    )
    .await
    .map_err(from_run)?;
    let id = transition.request.id;
    audit_caller(
        conn,
        p,
        kind.request_type().wire_name(),
        "removalRequest",
        id.to_string(),
        json!({ "after": { "requestType": kind.request_type().wire_name(), "assignment": assignment } }),
        now,
    )
    .await?;
    Ok(id)
}

/// Removes an assignment: the target's own (`userRemove`), or any in a catalog where the caller
/// manages assignments (`adminRemove`).
pub async fn remove_assignment(
    state: &AppState,
    p: &Principal,
    assignment: AssignmentId,
) -> Result<RequestId, AppError> {
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = requests::get_assignment(&mut tx, assignment)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such assignment.".into()))?;
    let package = record
        .access_package_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    let catalog = catalog_of(&mut tx, package).await?;
    let own = p
        .user_id
        .is_some_and(|me| me.to_string() == record.target_id);
    let kind = if p.may(catalog, Role::may_manage_assignments) {
        if own {
            RemovalKind::User
        } else {
            RemovalKind::Admin
        }
    } else if own {
        RemovalKind::User
    } else {
        return Err(AppError::NotFound("There is no such assignment.".into()));
    };
    let id = remove(&mut tx, p, &record, assignment, kind, "", now).await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(id)
}

/// Who the lifecycle credits: the user, else the app (history shows its display name).
pub fn actor_of(p: &Principal) -> Actor {
    match (p.user_id, p.app_id) {
        (Some(user), _) => Actor::User(user),
        (None, Some(app)) => Actor::App(app),
        (None, None) => Actor::System,
    }
}

/// One audit event naming the caller for the change it asked for.
pub(super) async fn audit_caller(
    conn: &mut Conn,
    p: &Principal,
    verb: &str,
    object_kind: &str,
    object_id: String,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut b = Batch::new();
    audit_caller_in(&mut b, p, verb, object_kind, object_id, summary, now);
    b.run(conn).await
}

/// [`audit_caller`] as part of a batch.
pub(super) fn audit_caller_in(
    b: &mut Batch<'_>,
    p: &Principal,
    verb: &str,
    object_kind: &str,
    object_id: String,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) {
    audit::push(
        b,
        &p.actor,
        AuditEntry {
            action: &format!("{object_kind}.{verb}"),
            object_kind,
            object_id,
            summary,
        },
        now,
    );
}

//! Access requests and removals: who may do what, then one lifecycle event in one transaction.

use crate::auth::authz::Principal;
use crate::domain::ids::{AssignmentId, PolicyId, RequestId, UserId};
use crate::domain::lifecycle::{Actor, Event, RefusalKind, RemovalKind, RequestType};
use crate::domain::role::Role;
use crate::engine::run::{run_event, run_removal, RunError};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::packages;
use crate::store::requests::{self, NewRequest};

/// The longest justification or reason accepted.
pub const JUSTIFICATION_MAX: usize = 4000;

fn from_run(error: RunError) -> AppError {
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

fn check_text(field: &str, label: &str, text: &str) -> Result<(), AppError> {
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
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.db).await?;
    let record = packages::get_policy(&mut tx, policy)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such policy.".into()))?;
    let package = record
        .access_package_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    if record.allowed_target_scope == "specificDirectoryUsers"
        && !packages::is_allowed_target(&mut tx, policy, me).await?
    {
        return Err(AppError::NotPermitted(format!(
            "the policy \u{201c}{}\u{201d} is for specific users, and you are not one of them.",
            record.display_name
        )));
    }
    if requests::has_active_assignment(&mut tx, me, package).await? {
        return Err(AppError::Conflict(
            "You already have this access package.".into(),
        ));
    }
    if requests::has_open_request(&mut tx, me, package).await? {
        return Err(AppError::Conflict(
            "You already have an open request for this access package.".into(),
        ));
    }
    let id = RequestId::new();
    requests::insert(
        &mut tx,
        &NewRequest {
            id,
            kind: RequestType::UserAdd,
            package,
            policy,
            target: me,
            requestor_kind: "user",
            requestor_id: Some(me.to_string()),
            assignment: None,
            justification: justification.trim(),
        },
        now,
    )
    .await?;
    run_event(
        &mut tx,
        id,
        Event::Submit {
            by: Actor::User(me),
        },
        now,
    )
    .await
    .map_err(from_run)?;
    tx.commit().await?;
    state.wake.notify_one();
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
    let mut tx = crate::store::write_tx(&state.db).await?;
    let row = requests::get(&mut tx, request)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such request.".into()))?;
    if !packages::is_approver(&mut tx, row.policy, me).await? {
        return Err(AppError::NotPermitted(
            "only the approvers of this request's policy can decide it.".into(),
        ));
    }
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    let by = Actor::User(me);
    let event = if approve {
        Event::Approve { by, reason }
    } else {
        Event::Deny { by, reason }
    };
    run_event(&mut tx, request, event, now)
        .await
        .map_err(from_run)?;
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

/// The target cancels their own open request.
pub async fn cancel(state: &AppState, p: &Principal, request: RequestId) -> Result<(), AppError> {
    let me = user_of(p)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.db).await?;
    let row = requests::get(&mut tx, request)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such request.".into()))?;
    if row.target != me {
        // Another user's request is not shown to a requestor at all.
        return Err(AppError::NotFound("There is no such request.".into()));
    }
    run_event(
        &mut tx,
        request,
        Event::Cancel {
            by: Actor::User(me),
        },
        now,
    )
    .await
    .map_err(from_run)?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(())
}

/// Removes an assignment: the target's own (`userRemove`), or any in a catalog where the caller
/// manages assignments (`adminRemove`).
pub async fn remove_assignment(
    state: &AppState,
    p: &Principal,
    assignment: AssignmentId,
) -> Result<RequestId, AppError> {
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.db).await?;
    let record = requests::get_assignment(&mut tx, assignment)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such assignment.".into()))?;
    let package = record
        .access_package_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    let catalog = packages::catalog_of_package(&mut tx, package)
        .await?
        .and_then(|c| c.parse().ok())
        .ok_or(AppError::Internal)?;
    let own = p
        .user_id
        .is_some_and(|me| me.to_string() == record.target_id);
    let (kind, by) = if p.may(catalog, Role::may_manage_assignments) {
        (
            if own {
                RemovalKind::User
            } else {
                RemovalKind::Admin
            },
            actor_of(p),
        )
    } else if own {
        (RemovalKind::User, actor_of(p))
    } else {
        return Err(AppError::NotFound("There is no such assignment.".into()));
    };
    if record.state != "delivered" {
        return Err(AppError::Conflict(format!(
            "Only a delivered assignment can be removed; this one is {}.",
            record.state
        )));
    }
    let transition = run_removal(&mut tx, assignment, kind, by, now)
        .await
        .map_err(from_run)?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(transition.request.id)
}

fn actor_of(p: &Principal) -> Actor {
    match p.user_id {
        Some(u) => Actor::User(u),
        None => Actor::System,
    }
}

//! New requests (`userAdd`, `adminAdd`) written in groups (`engine::group`): those that
//! arrive while a group is being written go together in the next, in one transaction: one
//! query reads what every target already holds of its package, one per distinct policy, one
//! batch stores and submits them all, one `COMMIT`.
//!
//! A group holds each target and package once: a second request for the same pair waits for
//! the next group and is refused there as a duplicate, as it would be one after the other.

use crate::store::Conn;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::requests::{actor_of, audit_caller_in, from_run};
use crate::auth::authz::Principal;
use crate::domain::ids::{AccessPackageId, UserId};
use crate::domain::lifecycle::AccessRequest;
use crate::engine::group::{self, GroupWrite, Groups};
use crate::engine::policy::{Policies, Policy};
use crate::engine::run::{submit_into, RunError};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::requests::{self, Holding, NewRequest};

/// What a refusal up front says, in the words of whoever asked.
#[derive(Debug, Clone)]
pub(super) struct Refusals {
    /// The target was disabled after the caller's checks (a leaver, at the same moment).
    pub(super) target_disabled: AppError,
    pub(super) has_package: String,
    pub(super) has_open_request: String,
}

impl Refusals {
    fn of(&self, holding: Holding) -> Option<AppError> {
        if !holding.target_enabled {
            Some(self.target_disabled.clone())
        } else if holding.assigned {
            Some(AppError::Conflict(self.has_package.clone()))
        } else if holding.open_request {
            Some(AppError::Conflict(self.has_open_request.clone()))
        } else {
            None
        }
    }
}

/// A new request as its turn committed it: where the engine took it on submission, and when.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub request: AccessRequest,
    pub at: DateTime<Utc>,
}

/// A new request waiting for its group, with who asked and how a refusal is worded.
pub struct Submission {
    new: NewRequest,
    caller: Principal,
    refusals: Refusals,
}

/// The one path of `userAdd` and `adminAdd` once the caller and the scope are checked: refuse
/// a duplicate, store the request, submit it (approval, stages, delivery), and audit who
/// asked; returns it as committed.
///
/// The callers check the package, policy and target before, on a reading connection: the one
/// write connection is Latch's narrowest point, and those checks only refuse. What a change
/// made meanwhile could turn (the target disabled as a leaver, the package given or asked
/// for) is read again inside the group's transaction.
pub(super) async fn store_and_submit(
    state: &AppState,
    p: &Principal,
    new: NewRequest,
    refusals: Refusals,
) -> Result<Submitted, AppError> {
    let submission = Submission {
        new,
        caller: p.clone(),
        refusals,
    };
    let submitted = group::submit(state, submission).await.unwrap_or_else(|| {
        tracing::error!("the submitting task ended before answering");
        Err(AppError::Internal)
    })?;
    state.wake.notify_one();
    Ok(submitted)
}

impl GroupWrite for Submission {
    type Answer = Result<Submitted, AppError>;
    type Key = (UserId, AccessPackageId);

    fn key(&self) -> Self::Key {
        (self.new.target, self.new.package)
    }

    fn queue(state: &AppState) -> &Groups<Self> {
        &state.submissions
    }

    /// Every submission's answer; those not refused, stored and submitted in the turn's
    /// transaction `tx`.
    async fn write(
        tx: &mut Conn,
        steps: &[Self],
        now: DateTime<Utc>,
    ) -> Result<Vec<Self::Answer>, sqlx::Error> {
        let asked: Vec<_> = steps.iter().map(Self::key).collect();
        // Another process may be adding a request for the same target: their people's rows,
        // locked, make the two take turns (so the second sees the first as a duplicate).
        let targets: Vec<String> = asked.iter().map(|(target, _)| target.to_string()).collect();
        crate::store::locks::rows(&mut *tx, "users", &targets).await?;
        let held = requests::holding_many(&mut *tx, &asked).await?;
        let mut policies = Policies::new();
        let mut b = Batch::new();
        let mut answers = Vec::with_capacity(steps.len());
        for (step, holding) in steps.iter().zip(held) {
            let Submission {
                new,
                caller,
                refusals,
            } = step;
            if let Some(refusal) = refusals.of(holding) {
                answers.push(Err(refusal));
                continue;
            }
            let policy = Policy::load_once(&mut *tx, &mut policies, new.policy).await?;
            match submit_into(&mut b, new, actor_of(caller), policy, now) {
                Ok(transition) => {
                    audit_caller_in(
                        &mut b,
                        caller,
                        new.kind.wire_name(),
                        "assignmentRequest",
                        new.id.to_string(),
                        json!({ "after": {
                            "requestType": new.kind.wire_name(),
                            "accessPackage": new.package,
                            "assignmentPolicy": new.policy,
                            "target": new.target,
                        }}),
                        now,
                    );
                    b.end_part();
                    answers.push(Ok(Submitted {
                        request: transition.request,
                        at: now,
                    }));
                }
                Err(RunError::Db(e)) => return Err(e),
                Err(other) => answers.push(Err(from_run(other))),
            }
        }
        b.run(tx).await?;
        Ok(answers)
    }

    fn failed(error: &sqlx::Error) -> Self::Answer {
        tracing::error!(%error, "a new request could not be written");
        Err(AppError::Internal)
    }
}

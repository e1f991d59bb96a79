//! Removing an assignment (`userRemove`, `adminRemove`, `systemRemove`). The access ends first,
//! then `assignmentRequestRemoved` fires: a workflow that never answers can delay the removal
//! request's completion, never the removal itself.
//!
//! The removal request is an ordinary request row, so a launch-and-wait removed stage is
//! resumed through the same `resume` endpoint and its later events go through [`super::apply`].
//! While it waits it is `delivering`/`WaitingForCallback`; it ends `delivered`, with status
//! `Delivered` after a resume and `Expired` after a timeout or failed callout.

use chrono::{DateTime, Utc};

use super::effects::{Effect, Transition};
use super::events::Actor;
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::policy::PolicyRules;
use super::request::{AccessRequest, Phase};
use super::states::{AssignmentState, RemovalKind, RequestState, RequestStatus};
use super::steps::Run;
use crate::domain::ids::{AssignmentId, RequestId};
use crate::domain::stage::Stage;

/// Starts the removal request `request` for `assignment`. Whether the assignment may be
/// removed (it is delivered; the caller may remove it) is the service's question, asked before.
pub fn start_removal(
    request: RequestId,
    kind: RemovalKind,
    assignment: AssignmentId,
    by: Actor,
    policy: &PolicyRules,
    now: DateTime<Utc>,
    ids: &mut impl IdSource,
) -> Transition {
    let new = AccessRequest {
        id: request,
        kind: kind.request_type(),
        state: RequestState::Submitted,
        status: RequestStatus::Accepted,
        phase: Phase::New,
        assignment: Some(assignment),
        completed_at: None,
    };
    let mut run = Run::new(&new, policy, now, ids);
    run.start_removal(kind, assignment, by);
    run.finish()
}

impl<I: IdSource> Run<'_, I> {
    pub(super) fn start_removal(&mut self, kind: RemovalKind, assignment: AssignmentId, by: Actor) {
        self.request.assignment = Some(assignment);
        self.history(HistoryEvent::RemovalRequested { by, kind });
        self.effect(Effect::SetAssignmentState {
            assignment,
            state: AssignmentState::Expired,
        });
        self.history(HistoryEvent::AssignmentRemoved);
        self.set(RequestState::Delivering, RequestStatus::Delivering);
        if !self.launch(Stage::AssignmentRequestRemoved) {
            self.removal_completed(RequestStatus::Delivered);
        }
    }

    pub(super) fn removal_completed(&mut self, status: RequestStatus) {
        self.history(HistoryEvent::RemovalCompleted);
        self.end(RequestState::Delivered, status);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::lifecycle::effects::Timer;
    use crate::domain::lifecycle::events::{Event, ResumeOutcome};
    use crate::domain::lifecycle::refusal::{Ending, Refusal, Situation};
    use crate::domain::lifecycle::states::{InstanceStatus, RequestType};
    use crate::domain::lifecycle::{apply, requestor_words, SequentialIds, StageOutcome};

    const REMOVED: Stage = Stage::AssignmentRequestRemoved;

    fn removal_id() -> RequestId {
        RequestId::from_uuid(uuid::Uuid::from_u128(0xBBBB))
    }

    fn remove(policy: &PolicyRules, kind: RemovalKind, by: Actor) -> (Transition, SequentialIds) {
        let mut ids = SequentialIds::new();
        let t = start_removal(
            removal_id(),
            kind,
            assignment(1),
            by,
            policy,
            t0(),
            &mut ids,
        );
        (t, ids)
    }

    #[test]
    fn removal_without_a_hook_completes_at_once() {
        let (t, _) = remove(&rules(false, &[]), RemovalKind::System, Actor::System);
        assert_eq!(
            t.request,
            AccessRequest {
                id: removal_id(),
                kind: RequestType::SystemRemove,
                state: RequestState::Delivered,
                status: RequestStatus::Delivered,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(t0()),
            }
        );
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::RemovalRequested {
                    by: Actor::System,
                    kind: RemovalKind::System
                }),
                Effect::SetAssignmentState {
                    assignment: assignment(1),
                    state: AssignmentState::Expired
                },
                history(HistoryEvent::AssignmentRemoved),
                history(HistoryEvent::RemovalCompleted),
            ]
        );
    }

    #[test]
    fn removal_with_launch_and_continue_fires_the_removed_stage() {
        let (t, _) = remove(
            &rules(false, &[(REMOVED, CONTINUE)]),
            RemovalKind::User,
            requestor(),
        );
        assert_eq!(t.request.kind, RequestType::UserRemove);
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Delivered);
        assert_eq!(t.effects[3], start(1, REMOVED, CONTINUE));
        assert_eq!(
            t.effects[4],
            history(HistoryEvent::CalloutStarted { stage: REMOVED })
        );
    }

    #[test]
    fn removal_with_launch_and_wait_removes_access_first_and_waits() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (t, _) = remove(&policy, RemovalKind::Admin, approver());
        assert_eq!(
            t.request,
            AccessRequest {
                id: removal_id(),
                kind: RequestType::AdminRemove,
                state: RequestState::Delivering,
                status: RequestStatus::WaitingForCallback,
                phase: Phase::Waiting {
                    stage: REMOVED,
                    instance: instance(1)
                },
                assignment: Some(assignment(1)),
                completed_at: None,
            }
        );
        assert_eq!(
            t.effects[1],
            Effect::SetAssignmentState {
                assignment: assignment(1),
                state: AssignmentState::Expired
            }
        );
        assert_eq!(t.effects[3], start(1, REMOVED, WAIT_30M));
        assert_eq!(
            t.effects[4],
            Effect::SetTimer {
                timer: Timer::WaitDeadline {
                    instance: instance(1)
                },
                due: later(30)
            }
        );
    }

    #[test]
    fn a_resume_at_removed_completes_the_removal() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (waiting, mut ids) = remove(&policy, RemovalKind::User, requestor());
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(3),
            &mut ids,
        );
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Delivered);
        assert_eq!(t.request.completed_at, Some(later(3)));
        assert_eq!(t.history().last(), Some(&&HistoryEvent::RemovalCompleted));
        // The access went when the removal started; nothing touches the assignment again.
        assert!(!t
            .effects
            .iter()
            .any(|e| matches!(e, Effect::SetAssignmentState { .. })));
    }

    #[test]
    fn a_timeout_at_removed_completes_the_removal_anyway() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (waiting, mut ids) = remove(&policy, RemovalKind::System, Actor::System);
        let event = Event::WaitTimedOut {
            instance: instance(1),
        };
        let t = step(&waiting.request, &policy, event, later(30), &mut ids);
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Expired);
        assert_eq!(t.request.phase, Phase::Done);
        assert_eq!(
            t.effects,
            [
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::CallbackTimedOut
                },
                history(HistoryEvent::CallbackTimedOut { stage: REMOVED }),
                history(HistoryEvent::ProcessExpired),
                history(HistoryEvent::RemovalCompleted),
            ]
        );
        assert_eq!(
            requestor_words(
                t.request.state,
                t.request.status,
                Some(StageOutcome::Expired)
            ),
            "Process expired"
        );
    }

    #[test]
    fn a_failed_callout_at_removed_completes_the_removal_anyway() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (waiting, mut ids) = remove(&policy, RemovalKind::Admin, approver());
        let event = Event::CalloutFailed {
            instance: instance(1),
            stage: REMOVED,
            waits: true,
        };
        let t = step(&waiting.request, &policy, event, later(11), &mut ids);
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Expired);
        assert!(t.effects.contains(&Effect::SetInstanceStatus {
            instance: instance(1),
            status: InstanceStatus::CalloutFailed
        }));
    }

    #[test]
    fn a_removal_cannot_be_denied_or_canceled() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (waiting, mut ids) = remove(&policy, RemovalKind::User, requestor());
        assert_eq!(
            apply(
                &waiting.request,
                &policy,
                resume(1, ResumeOutcome::Denied),
                later(1),
                &mut ids
            ),
            Err(Refusal::DenyNotAllowed { stage: REMOVED })
        );
        assert_eq!(
            apply(&waiting.request, &policy, cancel(), later(1), &mut ids),
            Err(Refusal::RemovalCannotBeCanceled)
        );
        assert_eq!(
            apply(&waiting.request, &policy, approve(None), later(1), &mut ids),
            Err(Refusal::NotPendingApproval {
                situation: Situation::Waiting { stage: REMOVED }
            })
        );
    }

    #[test]
    fn a_late_resume_after_the_removal_completed_is_refused() {
        let policy = rules(false, &[(REMOVED, WAIT_30M)]);
        let (waiting, mut ids) = remove(&policy, RemovalKind::User, requestor());
        let resumed = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(1),
            &mut ids,
        );
        let refusal = apply(
            &resumed.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(2),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal,
            Refusal::NotWaiting {
                situation: Situation::Ended(Ending::RemovalCompleted)
            }
        );
        assert_eq!(
            refusal.to_string(),
            "This request is no longer waiting: it has completed."
        );
    }

    #[test]
    fn submit_of_a_stored_removal_request_starts_it() {
        let policy = rules(false, &[]);
        let stored = AccessRequest {
            assignment: Some(assignment(1)),
            ..AccessRequest::new(removal_id(), RequestType::UserRemove)
        };
        let t = step(
            &stored,
            &policy,
            Event::Submit { by: requestor() },
            t0(),
            &mut SequentialIds::new(),
        );
        let (direct, _) = remove(&policy, RemovalKind::User, requestor());
        assert_eq!(t, direct);

        let without = AccessRequest::new(removal_id(), RequestType::AdminRemove);
        assert_eq!(
            apply(
                &without,
                &policy,
                Event::Submit { by: approver() },
                t0(),
                &mut SequentialIds::new()
            ),
            Err(Refusal::NoAssignmentToRemove)
        );
    }

    #[test]
    fn an_access_request_then_its_removal() {
        let policy = rules(false, &[]);
        let (granted, _) = submit(&policy);
        let given = granted.request.assignment.expect("an assignment");
        let mut ids = SequentialIds::new();
        let t = start_removal(
            removal_id(),
            RemovalKind::User,
            given,
            requestor(),
            &policy,
            later(60),
            &mut ids,
        );
        assert_eq!(t.request.assignment, Some(given));
        assert!(t.effects.contains(&Effect::SetAssignmentState {
            assignment: given,
            state: AssignmentState::Expired
        }));
    }
}

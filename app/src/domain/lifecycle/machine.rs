//! `apply`: one event on one request, giving the request as it becomes and the effects to carry
//! out, or a refusal that changes nothing. It dispatches each event to its step: submission
//! here, the forward path in `steps.rs`, approval in `approval.rs`, cancel in `cancel.rs`,
//! resumes and wait deadlines in `waiting.rs`, the worker's callout outcomes in `delivery.rs`,
//! removals in `removal.rs`.

use chrono::{DateTime, Utc};

use super::effects::Transition;
use super::events::{Actor, Event};
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::policy::PolicyRules;
use super::refusal::Refusal;
use super::request::{AccessRequest, Phase};
use super::states::{RemovalKind, RequestState, RequestStatus};
use super::steps::Run;
use crate::domain::stage::Stage;

/// `now` is the time of the event (the clock's, or the timer's due time when a worker runs
/// late and wants the history to say when it should have happened). `ids` hands out the ids of
/// instances and assignments the transition creates.
pub fn apply(
    request: &AccessRequest,
    policy: &PolicyRules,
    event: Event,
    now: DateTime<Utc>,
    ids: &mut impl IdSource,
) -> Result<Transition, Refusal> {
    if request.phase == Phase::New && !matches!(event, Event::Submit { .. }) {
        return Err(Refusal::NotSubmitted);
    }
    let mut run = Run::new(request, policy, now, ids);
    match event {
        Event::Submit { by } => run.submit(by)?,
        Event::Approve { by, reason } => run.approve(by, reason)?,
        Event::Deny { by, reason } => run.deny(by, reason)?,
        Event::ApprovalTimedOut => run.approval_timed_out()?,
        Event::Cancel { by } => run.cancel(by)?,
        Event::Resumed {
            instance,
            outcome,
            source,
            detail,
            by,
        } => run.resume(instance, outcome, source, detail, by)?,
        Event::WaitTimedOut { instance } => run.wait_timed_out(instance)?,
        Event::CalloutDelivered {
            instance,
            stage,
            waits,
        } => run.callout_delivered(instance, stage, waits)?,
        Event::CalloutFailed {
            instance,
            stage,
            waits,
        } => run.callout_failed(instance, stage, waits)?,
    }
    Ok(run.finish())
}

impl<I: IdSource> Run<'_, I> {
    /// Steps 1 and 2. The checks that refuse a request up front (scope, an active assignment or
    /// open request) need the database and run before; here the request is already valid.
    fn submit(&mut self, by: Actor) -> Result<(), Refusal> {
        if self.request.phase != Phase::New {
            return Err(Refusal::AlreadySubmitted);
        }
        if let Some(kind) = RemovalKind::of(self.request.kind) {
            let assignment = self
                .request
                .assignment
                .ok_or(Refusal::NoAssignmentToRemove)?;
            self.start_removal(kind, assignment, by);
            return Ok(());
        }
        self.set(RequestState::Submitted, RequestStatus::Accepted);
        self.history(HistoryEvent::Submitted { by });
        if !self.launch(Stage::AssignmentRequestCreated) {
            self.after_created();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::lifecycle::effects::{Effect, Timer};
    use crate::domain::lifecycle::states::{AssignmentState, RequestType};
    use crate::domain::lifecycle::SequentialIds;

    const CREATED: Stage = Stage::AssignmentRequestCreated;
    const APPROVED: Stage = Stage::AssignmentRequestApproved;
    const GRANTED: Stage = Stage::AssignmentRequestGranted;
    #[test]
    fn submit_without_stages_or_approval_delivers_at_once() {
        let (t, _) = submit(&rules(false, &[]));
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Delivered,
                status: RequestStatus::Delivered,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(t0()),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::Submitted { by: requestor() }),
                Effect::CreateAssignment {
                    assignment: assignment(1),
                    state: AssignmentState::Delivering
                },
                history(HistoryEvent::Delivering),
                Effect::SetAssignmentState {
                    assignment: assignment(1),
                    state: AssignmentState::Delivered
                },
                history(HistoryEvent::Delivered),
            ]
        );
    }

    #[test]
    fn submit_with_approval_waits_for_an_approver() {
        let (t, _) = submit(&rules(true, &[]));
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::PendingApproval,
                status: RequestStatus::PendingApproval,
                phase: Phase::AwaitingApproval,
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::Submitted { by: requestor() }),
                Effect::SetTimer {
                    timer: Timer::ApprovalDeadline,
                    due: t0() + chrono::Duration::days(14)
                },
                history(HistoryEvent::PendingApproval),
            ]
        );
    }

    #[test]
    fn created_stage_launch_and_continue_moves_on_at_once() {
        let (t, _) = submit(&rules(true, &[(CREATED, CONTINUE)]));
        assert_eq!(t.request.state, RequestState::PendingApproval);
        assert_eq!(t.request.phase, Phase::AwaitingApproval);
        assert_eq!(
            t.effects[..3],
            [
                history(HistoryEvent::Submitted { by: requestor() }),
                start(1, CREATED, CONTINUE),
                history(HistoryEvent::CalloutStarted { stage: CREATED }),
            ]
        );
        assert_eq!(
            t.history(),
            [
                &HistoryEvent::Submitted { by: requestor() },
                &HistoryEvent::CalloutStarted { stage: CREATED },
                &HistoryEvent::PendingApproval,
            ]
        );
    }

    #[test]
    fn created_stage_launch_and_wait_holds_the_request() {
        let (t, _) = submit(&rules(true, &[(CREATED, WAIT_30M)]));
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Submitted,
                status: RequestStatus::WaitingForCallback,
                phase: Phase::Waiting {
                    stage: CREATED,
                    instance: instance(1)
                },
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::Submitted { by: requestor() }),
                start(1, CREATED, WAIT_30M),
                Effect::SetTimer {
                    timer: Timer::WaitDeadline {
                        instance: instance(1)
                    },
                    due: t0() + chrono::Duration::minutes(30)
                },
                history(HistoryEvent::WaitingForCallback { stage: CREATED }),
            ]
        );
        let Effect::StartCallout { wait_until, .. } = &t.effects[1] else {
            panic!("expected a callout")
        };
        assert_eq!(*wait_until, Some(t0() + chrono::Duration::minutes(30)));
    }

    #[test]
    fn approved_stage_never_fires_without_an_approval() {
        let (t, _) = submit(&rules(false, &[(APPROVED, WAIT_30M)]));
        assert_eq!(t.request.state, RequestState::Delivered);
        assert!(
            !t.effects
                .iter()
                .any(|e| matches!(e, Effect::StartCallout { .. })),
            "{:?}",
            t.effects
        );
    }

    #[test]
    fn granted_stage_launch_and_continue_delivers() {
        let (t, _) = submit(&rules(false, &[(GRANTED, CONTINUE)]));
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Delivered);
        assert_eq!(
            t.effects[1..],
            [
                Effect::CreateAssignment {
                    assignment: assignment(1),
                    state: AssignmentState::Delivering
                },
                history(HistoryEvent::Delivering),
                start(1, GRANTED, CONTINUE),
                history(HistoryEvent::CalloutStarted { stage: GRANTED }),
                Effect::SetAssignmentState {
                    assignment: assignment(1),
                    state: AssignmentState::Delivered
                },
                history(HistoryEvent::Delivered),
            ]
        );
    }

    #[test]
    fn granted_stage_launch_and_wait_keeps_request_and_assignment_delivering() {
        let (t, _) = submit(&rules(false, &[(GRANTED, WAIT_30M)]));
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Delivering,
                status: RequestStatus::WaitingForCallback,
                phase: Phase::Waiting {
                    stage: GRANTED,
                    instance: instance(1)
                },
                assignment: Some(assignment(1)),
                ..fresh()
            }
        );
        assert!(!t
            .effects
            .iter()
            .any(|e| matches!(e, Effect::SetAssignmentState { .. })));
    }

    #[test]
    fn submit_once_and_nothing_before_it() {
        let policy = rules(true, &[]);
        let (pending, mut ids) = submit(&policy);
        let event = Event::Submit { by: requestor() };
        assert_eq!(
            apply(&pending.request, &policy, event, later(1), &mut ids),
            Err(Refusal::AlreadySubmitted)
        );
        assert_eq!(
            apply(&fresh(), &policy, approve(None), t0(), &mut ids),
            Err(Refusal::NotSubmitted)
        );
        assert_eq!(
            apply(&fresh(), &policy, cancel(), t0(), &mut ids),
            Err(Refusal::NotSubmitted)
        );
    }

    #[test]
    fn admin_add_follows_the_same_path() {
        let policy = rules(false, &[]);
        let request = AccessRequest::new(request_id(), RequestType::AdminAdd);
        let manager = Actor::User(user(9));
        let t = step(
            &request,
            &policy,
            Event::Submit { by: manager },
            t0(),
            &mut SequentialIds::new(),
        );
        assert_eq!(t.request.kind, RequestType::AdminAdd);
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.history()[0], &HistoryEvent::Submitted { by: manager });
    }

    #[test]
    fn the_whole_way_through_every_waiting_stage() {
        use crate::domain::lifecycle::events::ResumeOutcome::Continue;
        let policy = rules(
            true,
            &[
                (CREATED, WAIT_30M),
                (APPROVED, WAIT_30M),
                (GRANTED, WAIT_30M),
            ],
        );
        let (t, mut ids) = submit(&policy);
        let t = step(&t.request, &policy, resume(1, Continue), later(1), &mut ids);
        assert_eq!(t.request.state, RequestState::PendingApproval);
        let t = step(&t.request, &policy, approve(None), later(2), &mut ids);
        assert_eq!(t.request.waiting_on(), Some((APPROVED, instance(2))));
        let t = step(&t.request, &policy, resume(2, Continue), later(3), &mut ids);
        assert_eq!(t.request.state, RequestState::Delivering);
        assert_eq!(t.request.waiting_on(), Some((GRANTED, instance(3))));
        let last = step(&t.request, &policy, resume(3, Continue), later(4), &mut ids);
        assert_eq!(
            last.request,
            AccessRequest {
                state: RequestState::Delivered,
                status: RequestStatus::Delivered,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(later(4)),
                ..fresh()
            }
        );
        let words: Vec<String> = [&t, &last]
            .iter()
            .flat_map(|t| t.history())
            .map(HistoryEvent::words)
            .collect();
        assert_eq!(
            words,
            [
                "Resumed by Contoso.SodCheckProcess at “Request is approved”: process continues",
                "Delivering access",
                "Waiting for the custom extension at “Assignment is granted” to resume the request",
                "Resumed by Contoso.SodCheckProcess at “Assignment is granted”: process continues",
                "Access delivered",
            ]
        );
    }
}

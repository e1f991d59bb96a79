//! The way out of a launch-and-wait stage: the workflow resumes, or the wait deadline passes.
//! (A callout that fails for good ends the wait too: see `delivery.rs`.)

use super::effects::{Effect, Timer};
use super::events::{Actor, ResumeOutcome};
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::refusal::Refusal;
use super::states::{InstanceStatus, RequestState, RequestStatus};
use super::steps::Run;
use crate::domain::ids::CalloutInstanceId;

impl<I: IdSource> Run<'_, I> {
    pub(super) fn resume(
        &mut self,
        instance: CalloutInstanceId,
        outcome: ResumeOutcome,
        source: Option<String>,
        detail: Option<String>,
        by: Actor,
    ) -> Result<(), Refusal> {
        let stage = self.waiting_for(instance)?;
        if outcome == ResumeOutcome::Denied && !stage.allows_deny() {
            return Err(Refusal::DenyNotAllowed { stage });
        }
        self.effect(Effect::CancelTimer {
            timer: Timer::WaitDeadline { instance },
        });
        self.effect(Effect::RecordResume {
            instance,
            outcome,
            source: source.clone(),
            detail: detail.clone(),
        });
        self.effect(Effect::SetInstanceStatus {
            instance,
            status: InstanceStatus::CallbackReceived,
        });
        self.history_with(
            HistoryEvent::Resumed {
                stage,
                outcome,
                source,
                by,
            },
            detail,
        );
        match outcome {
            ResumeOutcome::Continue => self.continue_after(stage),
            ResumeOutcome::Denied => {
                self.end(RequestState::Denied, RequestStatus::Denied);
                Ok(())
            }
        }
    }

    pub(super) fn wait_timed_out(&mut self, instance: CalloutInstanceId) -> Result<(), Refusal> {
        let stage = self.waiting_for(instance)?;
        self.effect(Effect::SetInstanceStatus {
            instance,
            status: InstanceStatus::CallbackTimedOut,
        });
        self.history(HistoryEvent::CallbackTimedOut { stage });
        self.stage_expired(stage)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::domain::lifecycle::effects::{Effect, Timer};
    use crate::domain::lifecycle::events::{Event, ResumeOutcome};
    use crate::domain::lifecycle::history::HistoryEvent;
    use crate::domain::lifecycle::refusal::{Ending, Refusal, Situation};
    use crate::domain::lifecycle::request::{AccessRequest, Phase};
    use crate::domain::lifecycle::states::{
        AssignmentState, InstanceStatus, RequestState, RequestStatus,
    };
    use crate::domain::lifecycle::{apply, requestor_words, StageOutcome};
    use crate::domain::stage::Stage;

    const CREATED: Stage = Stage::AssignmentRequestCreated;
    const APPROVED: Stage = Stage::AssignmentRequestApproved;
    const GRANTED: Stage = Stage::AssignmentRequestGranted;

    fn resume_effects(n: u32, stage: Stage, outcome: ResumeOutcome) -> [Effect; 4] {
        [
            Effect::CancelTimer {
                timer: Timer::WaitDeadline {
                    instance: instance(n),
                },
            },
            Effect::RecordResume {
                instance: instance(n),
                outcome,
                source: Some("Contoso.SodCheckProcess".to_owned()),
                detail: Some("This user is all verified".to_owned()),
            },
            Effect::SetInstanceStatus {
                instance: instance(n),
                status: InstanceStatus::CallbackReceived,
            },
            Effect::History {
                event: HistoryEvent::Resumed {
                    stage,
                    outcome,
                    source: Some("Contoso.SodCheckProcess".to_owned()),
                    by: workflow_app(),
                },
                detail: Some("This user is all verified".to_owned()),
            },
        ]
    }
    #[test]
    fn resume_at_created_continues_to_approval() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(4),
            &mut ids,
        );
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
            t.effects[..4],
            resume_effects(1, CREATED, ResumeOutcome::Continue)
        );
        assert_eq!(
            t.effects[4],
            Effect::SetTimer {
                timer: Timer::ApprovalDeadline,
                due: later(4) + chrono::Duration::days(14)
            }
        );
        assert_eq!(
            requestor_words(
                t.request.state,
                t.request.status,
                Some(StageOutcome::Continued)
            ),
            "Process continues"
        );
    }

    #[test]
    fn resume_at_created_without_approval_delivers() {
        let policy = rules(false, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        assert_eq!(
            requestor_words(
                waiting.request.state,
                waiting.request.status,
                Some(StageOutcome::Waiting)
            ),
            "Waiting for information before proceeding"
        );
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(4),
            &mut ids,
        );
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.request.status, RequestStatus::Delivered);
        assert_eq!(t.request.assignment, Some(assignment(1)));
        assert_eq!(t.request.completed_at, Some(later(4)));
    }

    #[test]
    fn resume_at_approved_delivers_and_fires_granted() {
        let policy = rules(true, &[(APPROVED, WAIT_30M), (GRANTED, CONTINUE)]);
        let (pending, mut ids) = submit(&policy);
        let waiting = step(&pending.request, &policy, approve(None), later(1), &mut ids);
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(2),
            &mut ids,
        );
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(
            t.effects[..4],
            resume_effects(1, APPROVED, ResumeOutcome::Continue)
        );
        assert!(t
            .effects
            .contains(&start_at(2, GRANTED, CONTINUE, later(2))));
    }

    #[test]
    fn resume_at_granted_delivers_the_assignment() {
        let policy = rules(false, &[(GRANTED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(7),
            &mut ids,
        );
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Delivered,
                status: RequestStatus::Delivered,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(later(7)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects[4..],
            [
                Effect::SetAssignmentState {
                    assignment: assignment(1),
                    state: AssignmentState::Delivered
                },
                history(HistoryEvent::Delivered),
            ]
        );
    }

    #[test]
    fn resume_denied_at_created_or_approved_denies() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Denied),
            later(4),
            &mut ids,
        );
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Denied,
                status: RequestStatus::Denied,
                phase: Phase::Done,
                completed_at: Some(later(4)),
                ..fresh()
            }
        );
        assert_eq!(t.effects, resume_effects(1, CREATED, ResumeOutcome::Denied));
        assert_eq!(
            requestor_words(
                t.request.state,
                t.request.status,
                Some(StageOutcome::Denied)
            ),
            "Request denied"
        );

        let policy = rules(true, &[(APPROVED, WAIT_30M)]);
        let (pending, mut ids) = submit(&policy);
        let waiting = step(&pending.request, &policy, approve(None), later(1), &mut ids);
        let t = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Denied),
            later(2),
            &mut ids,
        );
        assert_eq!(t.request.state, RequestState::Denied);
        assert_eq!(t.request.status, RequestStatus::Denied);
        assert_eq!(t.request.assignment, None);
    }

    #[test]
    fn resume_denied_is_refused_at_granted() {
        let policy = rules(false, &[(GRANTED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let refusal = apply(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Denied),
            later(1),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(refusal, Refusal::DenyNotAllowed { stage: GRANTED });
    }

    #[test]
    fn resume_of_another_instance_or_phase_is_refused() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let refusal = apply(
            &waiting.request,
            &policy,
            resume(7, ResumeOutcome::Continue),
            later(1),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal,
            Refusal::NotWaiting {
                situation: Situation::Waiting { stage: CREATED }
            }
        );
        let pending = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(1),
            &mut ids,
        );
        // The same instance again, after the request moved on to approval.
        let refusal = apply(
            &pending.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(2),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "This request is not waiting for a custom extension: it is pending approval."
        );
    }

    #[test]
    fn resume_after_cancel_names_the_cancel() {
        let policy = rules(false, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let canceled = step(&waiting.request, &policy, cancel(), later(1), &mut ids);
        let refusal = apply(
            &canceled.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(2),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "This request is no longer waiting: it was canceled."
        );
        assert_eq!(
            refusal,
            Refusal::NotWaiting {
                situation: Situation::Ended(Ending::Canceled)
            }
        );
    }

    #[test]
    fn wait_timeout_at_created_or_approved_expires_the_request() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let event = Event::WaitTimedOut {
            instance: instance(1),
        };
        let t = step(&waiting.request, &policy, event, later(30), &mut ids);
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Denied,
                status: RequestStatus::Expired,
                phase: Phase::Done,
                completed_at: Some(later(30)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::CallbackTimedOut
                },
                history(HistoryEvent::CallbackTimedOut { stage: CREATED }),
                history(HistoryEvent::ProcessExpired),
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

        let policy = rules(true, &[(APPROVED, WAIT_30M)]);
        let (pending, mut ids) = submit(&policy);
        let waiting = step(&pending.request, &policy, approve(None), later(1), &mut ids);
        let event = Event::WaitTimedOut {
            instance: instance(1),
        };
        let t = step(&waiting.request, &policy, event, later(31), &mut ids);
        assert_eq!(t.request.state, RequestState::Denied);
        assert_eq!(t.request.status, RequestStatus::Expired);
    }

    #[test]
    fn wait_timeout_at_granted_fails_delivery_and_removes_the_assignment() {
        let policy = rules(false, &[(GRANTED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let event = Event::WaitTimedOut {
            instance: instance(1),
        };
        let t = step(&waiting.request, &policy, event, later(30), &mut ids);
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::DeliveryFailed,
                status: RequestStatus::Expired,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(later(30)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::CallbackTimedOut
                },
                history(HistoryEvent::CallbackTimedOut { stage: GRANTED }),
                Effect::SetAssignmentState {
                    assignment: assignment(1),
                    state: AssignmentState::DeliveryFailed
                },
                history(HistoryEvent::AssignmentRemoved),
                history(HistoryEvent::ProcessExpired),
            ]
        );
    }

    #[test]
    fn a_timer_that_fires_after_the_resume_is_refused() {
        let policy = rules(false, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let done = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(1),
            &mut ids,
        );
        let event = Event::WaitTimedOut {
            instance: instance(1),
        };
        assert_eq!(
            apply(&done.request, &policy, event, later(30), &mut ids),
            Err(Refusal::NotWaiting {
                situation: Situation::Ended(Ending::Delivered)
            })
        );
    }
}

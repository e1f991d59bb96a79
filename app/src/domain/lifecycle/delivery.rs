//! What the worker reports about a callout: it landed (2xx) or it failed for good. Only the
//! instance a request waits on can move the request; a launch-and-continue callout changes its
//! own status and nothing else.

use super::effects::{Effect, Timer};
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::refusal::Refusal;
use super::states::InstanceStatus;
use super::steps::Run;
use crate::domain::ids::CalloutInstanceId;
use crate::domain::stage::Stage;

impl<I: IdSource> Run<'_, I> {
    /// A waiting instance becomes `waitingForCallback` (the request already says
    /// WaitingForCallback from the start of the wait); a continue instance `calloutSent`.
    /// A waiting instance the request no longer waits on keeps the status its resume or
    /// timeout gave it, so a slow worker can't turn "callbackReceived" back into "waiting".
    pub(super) fn callout_delivered(
        &mut self,
        instance: CalloutInstanceId,
        stage: Stage,
        waits: bool,
    ) -> Result<(), Refusal> {
        let status = if waits {
            let stage = self.waiting_for(instance)?;
            self.history(HistoryEvent::CalloutSent { stage });
            InstanceStatus::WaitingForCallback
        } else {
            self.history(HistoryEvent::CalloutSent { stage });
            InstanceStatus::CalloutSent
        };
        self.effect(Effect::SetInstanceStatus { instance, status });
        Ok(())
    }

    /// Delivery failing after every retry ends a waiting stage as a timeout would (the
    /// workflow will never answer a call it never got); for launch and continue it is only
    /// recorded, whatever the request is doing by then.
    pub(super) fn callout_failed(
        &mut self,
        instance: CalloutInstanceId,
        stage: Stage,
        waits: bool,
    ) -> Result<(), Refusal> {
        if !waits {
            self.effect(Effect::SetInstanceStatus {
                instance,
                status: InstanceStatus::CalloutFailed,
            });
            self.history(HistoryEvent::CalloutFailed { stage });
            return Ok(());
        }
        let stage = self.waiting_for(instance)?;
        self.effect(Effect::CancelTimer {
            timer: Timer::WaitDeadline { instance },
        });
        self.effect(Effect::SetInstanceStatus {
            instance,
            status: InstanceStatus::CalloutFailed,
        });
        self.history(HistoryEvent::CalloutFailed { stage });
        self.stage_expired(stage)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::domain::lifecycle::apply;
    use crate::domain::lifecycle::effects::{Effect, Timer};
    use crate::domain::lifecycle::events::{Event, ResumeOutcome};
    use crate::domain::lifecycle::history::HistoryEvent;
    use crate::domain::lifecycle::refusal::{Ending, Refusal, Situation};
    use crate::domain::lifecycle::states::{
        AssignmentState, InstanceStatus, RequestState, RequestStatus,
    };
    use crate::domain::stage::Stage;

    const CREATED: Stage = Stage::AssignmentRequestCreated;
    const GRANTED: Stage = Stage::AssignmentRequestGranted;

    #[test]
    fn failed_delivery_of_a_waiting_callout_expires_the_stage() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let event = Event::CalloutFailed {
            instance: instance(1),
            stage: CREATED,
            waits: true,
        };
        let t = step(&waiting.request, &policy, event, later(12), &mut ids);
        assert_eq!(t.request.state, RequestState::Denied);
        assert_eq!(t.request.status, RequestStatus::Expired);
        assert_eq!(t.request.completed_at, Some(later(12)));
        assert_eq!(
            t.effects,
            [
                Effect::CancelTimer {
                    timer: Timer::WaitDeadline {
                        instance: instance(1)
                    }
                },
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::CalloutFailed
                },
                history(HistoryEvent::CalloutFailed { stage: CREATED }),
                history(HistoryEvent::ProcessExpired),
            ]
        );

        let policy = rules(false, &[(GRANTED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let event = Event::CalloutFailed {
            instance: instance(1),
            stage: GRANTED,
            waits: true,
        };
        let t = step(&waiting.request, &policy, event, later(12), &mut ids);
        assert_eq!(t.request.state, RequestState::DeliveryFailed);
        assert_eq!(t.request.status, RequestStatus::Expired);
        assert!(t.effects.contains(&Effect::SetAssignmentState {
            assignment: assignment(1),
            state: AssignmentState::DeliveryFailed
        }));
    }

    #[test]
    fn failed_delivery_of_a_continue_callout_leaves_the_request_alone() {
        let policy = rules(true, &[(CREATED, CONTINUE)]);
        let (pending, mut ids) = submit(&policy);
        let event = Event::CalloutFailed {
            instance: instance(1),
            stage: CREATED,
            waits: false,
        };
        let t = step(
            &pending.request,
            &policy,
            event.clone(),
            later(12),
            &mut ids,
        );
        assert_eq!(t.request, pending.request);
        assert_eq!(
            t.effects,
            [
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::CalloutFailed
                },
                history(HistoryEvent::CalloutFailed { stage: CREATED }),
            ]
        );
        // Also once the request has finished.
        let denied = step(
            &pending.request,
            &policy,
            Event::Deny {
                by: approver(),
                reason: None,
            },
            later(1),
            &mut ids,
        );
        let t = step(&denied.request, &policy, event, later(60), &mut ids);
        assert_eq!(t.request, denied.request);
        assert_eq!(t.effects.len(), 2);
    }

    #[test]
    fn delivery_sets_the_instance_status() {
        let policy = rules(false, &[(CREATED, WAIT_30M), (GRANTED, CONTINUE)]);
        let (waiting, mut ids) = submit(&policy);
        let delivered = Event::CalloutDelivered {
            instance: instance(1),
            stage: CREATED,
            waits: true,
        };
        let t = step(
            &waiting.request,
            &policy,
            delivered.clone(),
            later(1),
            &mut ids,
        );
        assert_eq!(t.request, waiting.request);
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::CalloutSent { stage: CREATED }),
                Effect::SetInstanceStatus {
                    instance: instance(1),
                    status: InstanceStatus::WaitingForCallback
                },
            ]
        );

        let done = step(
            &waiting.request,
            &policy,
            resume(1, ResumeOutcome::Continue),
            later(2),
            &mut ids,
        );
        // The granted callout (launch and continue) lands after the request finished.
        let granted = Event::CalloutDelivered {
            instance: instance(2),
            stage: GRANTED,
            waits: false,
        };
        let t = step(&done.request, &policy, granted, later(3), &mut ids);
        assert_eq!(t.request, done.request);
        assert_eq!(
            t.effects,
            [
                history(HistoryEvent::CalloutSent { stage: GRANTED }),
                Effect::SetInstanceStatus {
                    instance: instance(2),
                    status: InstanceStatus::CalloutSent
                },
            ]
        );
        // The waiting callout's delivery recorded after its resume changes nothing.
        assert_eq!(
            apply(&done.request, &policy, delivered, later(3), &mut ids),
            Err(Refusal::NotWaiting {
                situation: Situation::Ended(Ending::Delivered)
            })
        );
    }

    #[test]
    fn the_wait_deadline_is_fixed_when_the_wait_starts() {
        let policy = rules(false, &[(CREATED, Mode::WaitMinutes(24 * 60))]);
        let (waiting, mut ids) = submit(&policy);
        assert!(waiting.effects.contains(&Effect::SetTimer {
            timer: Timer::WaitDeadline {
                instance: instance(1)
            },
            due: t0() + chrono::Duration::days(1)
        }));
        // A delivery that lands late (after retries) sets no timer of its own.
        let event = Event::CalloutDelivered {
            instance: instance(1),
            stage: CREATED,
            waits: true,
        };
        let t = step(&waiting.request, &policy, event, later(180), &mut ids);
        assert!(!t
            .effects
            .iter()
            .any(|e| matches!(e, Effect::SetTimer { .. } | Effect::CancelTimer { .. })));
    }
}

//! Cancelling an open request, by its requestor or a manager.

use super::effects::{Effect, Timer};
use super::events::Actor;
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::refusal::Refusal;
use super::request::Phase;
use super::states::{RequestState, RequestStatus};
use super::steps::Run;
use crate::domain::stage::Stage;

impl<I: IdSource> Run<'_, I> {
    /// Cancelable: pending approval, or waiting at created or approved. Not while the granted
    /// stage waits: the assignment exists and the workflow may be provisioning it, and a cancel
    /// would fire no removal callout to undo that; the requestor removes the access once it is
    /// delivered (or the wait times out and the assignment goes). A removal is never
    /// cancelable: its access is gone the moment it starts.
    pub(super) fn cancel(&mut self, by: Actor) -> Result<(), Refusal> {
        if self.request.kind.is_removal() {
            return Err(Refusal::RemovalCannotBeCanceled);
        }
        let timer = match self.request.phase {
            Phase::AwaitingApproval => Timer::ApprovalDeadline,
            Phase::Waiting {
                stage: Stage::AssignmentRequestCreated | Stage::AssignmentRequestApproved,
                instance,
            } => Timer::WaitDeadline { instance },
            Phase::Waiting { .. } | Phase::Done | Phase::New => {
                return Err(Refusal::CannotCancel {
                    situation: self.situation(),
                })
            }
        };
        // The waiting instance keeps its status: Graph has no "canceled" one, and the request
        // itself says why nothing waits any more. A late resume gets the machine's refusal.
        self.effect(Effect::CancelTimer { timer });
        self.history(HistoryEvent::Canceled { by });
        self.end(RequestState::Canceled, RequestStatus::Canceled);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::domain::lifecycle::effects::{Effect, Timer};
    use crate::domain::lifecycle::history::HistoryEvent;
    use crate::domain::lifecycle::refusal::{Refusal, Situation};
    use crate::domain::lifecycle::request::{AccessRequest, Phase};
    use crate::domain::lifecycle::states::{RequestState, RequestStatus};
    use crate::domain::lifecycle::{apply, SequentialIds};
    use crate::domain::stage::Stage;

    const CREATED: Stage = Stage::AssignmentRequestCreated;
    const APPROVED: Stage = Stage::AssignmentRequestApproved;
    const GRANTED: Stage = Stage::AssignmentRequestGranted;

    #[test]
    fn cancel_while_pending_approval() {
        let policy = rules(true, &[]);
        let (pending, mut ids) = submit(&policy);
        let t = step(&pending.request, &policy, cancel(), later(3), &mut ids);
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Canceled,
                status: RequestStatus::Canceled,
                phase: Phase::Done,
                completed_at: Some(later(3)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                Effect::CancelTimer {
                    timer: Timer::ApprovalDeadline
                },
                history(HistoryEvent::Canceled { by: requestor() }),
            ]
        );
    }

    #[test]
    fn cancel_while_waiting_at_created_or_approved() {
        let policy = rules(false, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let t = step(&waiting.request, &policy, cancel(), later(3), &mut ids);
        assert_eq!(t.request.state, RequestState::Canceled);
        assert_eq!(t.request.status, RequestStatus::Canceled);
        assert_eq!(t.request.completed_at, Some(later(3)));
        assert_eq!(
            t.effects,
            [
                Effect::CancelTimer {
                    timer: Timer::WaitDeadline {
                        instance: instance(1)
                    }
                },
                history(HistoryEvent::Canceled { by: requestor() }),
            ]
        );

        let policy = rules(true, &[(APPROVED, WAIT_30M)]);
        let (pending, mut ids) = submit(&policy);
        let waiting = step(&pending.request, &policy, approve(None), later(1), &mut ids);
        let t = step(&waiting.request, &policy, cancel(), later(3), &mut ids);
        assert_eq!(t.request.state, RequestState::Canceled);
        assert_eq!(
            t.effects[0],
            Effect::CancelTimer {
                timer: Timer::WaitDeadline {
                    instance: instance(1)
                }
            }
        );
    }

    #[test]
    fn cancel_is_refused_while_the_granted_stage_waits() {
        let policy = rules(false, &[(GRANTED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        let refusal = apply(&waiting.request, &policy, cancel(), later(1), &mut ids).unwrap_err();
        assert_eq!(
            refusal,
            Refusal::CannotCancel {
                situation: Situation::Waiting { stage: GRANTED }
            }
        );
    }

    #[test]
    fn cancel_is_refused_once_finished() {
        let cases = [
            (
                RequestState::Delivered,
                RequestStatus::Delivered,
                "has been delivered",
            ),
            (RequestState::Denied, RequestStatus::Denied, "was denied"),
            (RequestState::Denied, RequestStatus::Expired, "expired"),
            (
                RequestState::Canceled,
                RequestStatus::Canceled,
                "was canceled",
            ),
            (
                RequestState::DeliveryFailed,
                RequestStatus::Expired,
                "expired",
            ),
        ];
        for (state, status, why) in cases {
            let done = AccessRequest {
                state,
                status,
                phase: Phase::Done,
                completed_at: Some(t0()),
                ..fresh()
            };
            let refusal = apply(
                &done,
                &rules(true, &[]),
                cancel(),
                later(1),
                &mut SequentialIds::new(),
            )
            .unwrap_err();
            assert_eq!(
                refusal.to_string(),
                format!(
                    "Only a request that is submitted, pending approval or waiting can be \
                     canceled; this one {why}."
                )
            );
        }
    }
}

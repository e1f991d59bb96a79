//! Step 3 and the way out of it: an approver approves or denies, or nobody decides in time.

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
    pub(super) fn expect_approval(&self) -> Result<(), Refusal> {
        if self.request.phase == Phase::AwaitingApproval {
            Ok(())
        } else {
            Err(Refusal::NotPendingApproval {
                situation: self.situation(),
            })
        }
    }

    /// Step 4 and on. While the approved stage waits the request is `submitted` again ("as in
    /// step 2"): no longer pending approval, not yet delivering.
    pub(super) fn approve(&mut self, by: Actor, reason: Option<String>) -> Result<(), Refusal> {
        self.expect_approval()?;
        self.effect(Effect::CancelTimer {
            timer: Timer::ApprovalDeadline,
        });
        self.history_with(HistoryEvent::Approved { by }, reason);
        self.set(RequestState::Submitted, RequestStatus::Accepted);
        if !self.launch(Stage::AssignmentRequestApproved) {
            self.deliver();
        }
        Ok(())
    }

    pub(super) fn deny(&mut self, by: Actor, reason: Option<String>) -> Result<(), Refusal> {
        self.expect_approval()?;
        self.effect(Effect::CancelTimer {
            timer: Timer::ApprovalDeadline,
        });
        self.history_with(HistoryEvent::Denied { by }, reason);
        self.end(RequestState::Denied, RequestStatus::Denied);
        Ok(())
    }

    pub(super) fn approval_timed_out(&mut self) -> Result<(), Refusal> {
        self.expect_approval()?;
        self.history(HistoryEvent::ApprovalExpired);
        self.end(RequestState::Denied, RequestStatus::Expired);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::domain::lifecycle::apply;
    use crate::domain::lifecycle::effects::{Effect, Timer};
    use crate::domain::lifecycle::events::Event;
    use crate::domain::lifecycle::history::HistoryEvent;
    use crate::domain::lifecycle::refusal::{Ending, Refusal, Situation};
    use crate::domain::lifecycle::request::{AccessRequest, Phase};
    use crate::domain::lifecycle::states::{RequestState, RequestStatus};
    use crate::domain::stage::Stage;

    const CREATED: Stage = Stage::AssignmentRequestCreated;
    const APPROVED: Stage = Stage::AssignmentRequestApproved;

    #[test]
    fn approve_delivers_when_no_approved_stage_is_mapped() {
        let policy = rules(true, &[]);
        let (pending, mut ids) = submit(&policy);
        let t = step(
            &pending.request,
            &policy,
            approve(Some("Fine by me")),
            later(60),
            &mut ids,
        );
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Delivered,
                status: RequestStatus::Delivered,
                phase: Phase::Done,
                assignment: Some(assignment(1)),
                completed_at: Some(later(60)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects[..2],
            [
                Effect::CancelTimer {
                    timer: Timer::ApprovalDeadline
                },
                Effect::History {
                    event: HistoryEvent::Approved { by: approver() },
                    detail: Some("Fine by me".to_owned())
                },
            ]
        );
        assert_eq!(
            t.history()[1..],
            [&HistoryEvent::Delivering, &HistoryEvent::Delivered]
        );
    }

    #[test]
    fn approve_fires_the_approved_stage() {
        let policy = rules(true, &[(APPROVED, CONTINUE)]);
        let (pending, mut ids) = submit(&policy);
        let t = step(&pending.request, &policy, approve(None), later(5), &mut ids);
        assert_eq!(t.request.state, RequestState::Delivered);
        assert_eq!(t.effects[2], start(1, APPROVED, CONTINUE));

        let policy = rules(true, &[(APPROVED, WAIT_30M)]);
        let (pending, mut ids) = submit(&policy);
        let t = step(&pending.request, &policy, approve(None), later(5), &mut ids);
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Submitted,
                status: RequestStatus::WaitingForCallback,
                phase: Phase::Waiting {
                    stage: APPROVED,
                    instance: instance(1)
                },
                ..fresh()
            }
        );
        assert_eq!(
            t.effects[3],
            Effect::SetTimer {
                timer: Timer::WaitDeadline {
                    instance: instance(1)
                },
                due: later(5) + chrono::Duration::minutes(30)
            }
        );
    }

    #[test]
    fn deny_by_an_approver() {
        let policy = rules(true, &[(APPROVED, WAIT_30M)]);
        let (pending, mut ids) = submit(&policy);
        let event = Event::Deny {
            by: approver(),
            reason: Some("Not in this team".to_owned()),
        };
        let t = step(&pending.request, &policy, event, later(9), &mut ids);
        assert_eq!(
            t.request,
            AccessRequest {
                state: RequestState::Denied,
                status: RequestStatus::Denied,
                phase: Phase::Done,
                completed_at: Some(later(9)),
                ..fresh()
            }
        );
        assert_eq!(
            t.effects,
            [
                Effect::CancelTimer {
                    timer: Timer::ApprovalDeadline
                },
                Effect::History {
                    event: HistoryEvent::Denied { by: approver() },
                    detail: Some("Not in this team".to_owned())
                },
            ]
        );
    }

    #[test]
    fn approval_timeout_expires_the_request() {
        let policy = rules(true, &[]);
        let (pending, mut ids) = submit(&policy);
        let due = t0() + chrono::Duration::days(14);
        let t = step(
            &pending.request,
            &policy,
            Event::ApprovalTimedOut,
            due,
            &mut ids,
        );
        assert_eq!(t.request.state, RequestState::Denied);
        assert_eq!(t.request.status, RequestStatus::Expired);
        assert_eq!(t.request.completed_at, Some(due));
        assert_eq!(t.effects, [history(HistoryEvent::ApprovalExpired)]);
    }

    #[test]
    fn approval_events_are_refused_unless_pending_approval() {
        let policy = rules(true, &[(CREATED, WAIT_30M)]);
        let (waiting, mut ids) = submit(&policy);
        for event in [
            approve(None),
            Event::Deny {
                by: approver(),
                reason: None,
            },
            Event::ApprovalTimedOut,
        ] {
            let refusal = apply(&waiting.request, &policy, event, later(1), &mut ids).unwrap_err();
            assert_eq!(
                refusal,
                Refusal::NotPendingApproval {
                    situation: Situation::Waiting { stage: CREATED }
                }
            );
        }
        let canceled = step(&waiting.request, &policy, cancel(), later(1), &mut ids);
        let refusal = apply(
            &canceled.request,
            &policy,
            approve(None),
            later(2),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "This request is no longer pending approval: it was canceled."
        );
        // A stale approval timer after the approver already decided.
        let policy = rules(true, &[]);
        let (pending, mut ids) = submit(&policy);
        let approved = step(&pending.request, &policy, approve(None), later(1), &mut ids);
        let refusal = apply(
            &approved.request,
            &policy,
            Event::ApprovalTimedOut,
            later(2),
            &mut ids,
        )
        .unwrap_err();
        assert_eq!(
            refusal,
            Refusal::NotPendingApproval {
                situation: Situation::Ended(Ending::Delivered)
            }
        );
    }
}

//! The forward path of an access request (domain.md, Request lifecycle, steps 1–5), as steps
//! on a transition being built. Each step either holds the request (a wait, an approval) or
//! runs the next one, so one event carries the request as far as it can go without waiting.

use chrono::{DateTime, Utc};

use super::effects::{Effect, Timer, Transition};
use super::history::HistoryEvent;
use super::id_source::IdSource;
use super::policy::PolicyRules;
use super::refusal::{Refusal, Situation};
use super::request::{AccessRequest, Phase};
use super::states::{AssignmentState, RequestState, RequestStatus};
use crate::domain::ids::CalloutInstanceId;
use crate::domain::stage::Stage;

/// A transition under construction: the request as it becomes, and the effects so far. Thrown
/// away whole when a step refuses, so a refusal never leaves half its effects behind.
pub(super) struct Run<'a, I: IdSource> {
    pub policy: &'a PolicyRules,
    pub now: DateTime<Utc>,
    pub ids: &'a mut I,
    pub request: AccessRequest,
    pub effects: Vec<Effect>,
}

impl<'a, I: IdSource> Run<'a, I> {
    pub fn new(
        request: &AccessRequest,
        policy: &'a PolicyRules,
        now: DateTime<Utc>,
        ids: &'a mut I,
    ) -> Self {
        Self {
            policy,
            now,
            ids,
            request: *request,
            effects: Vec::new(),
        }
    }

    pub fn finish(self) -> Transition {
        Transition {
            request: self.request,
            effects: self.effects,
        }
    }

    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn history(&mut self, event: HistoryEvent) {
        self.history_with(event, None);
    }

    pub fn history_with(&mut self, event: HistoryEvent, detail: Option<String>) {
        self.effects.push(Effect::History { event, detail });
    }

    pub fn situation(&self) -> Situation {
        Situation::of(&self.request)
    }

    pub fn set(&mut self, state: RequestState, status: RequestStatus) {
        self.request.state = state;
        self.request.status = status;
    }

    pub fn end(&mut self, state: RequestState, status: RequestStatus) {
        self.set(state, status);
        self.request.phase = Phase::Done;
        self.request.completed_at = Some(self.now);
    }

    /// The stage the request waits at, if it waits for exactly this instance.
    pub fn waiting_for(&self, instance: CalloutInstanceId) -> Result<Stage, Refusal> {
        match self.request.phase {
            Phase::Waiting {
                stage,
                instance: waited,
            } if waited == instance => Ok(stage),
            _ => Err(Refusal::NotWaiting {
                situation: self.situation(),
            }),
        }
    }

    /// Fires the stage's hook, if the policy maps one. Returns whether the request now waits.
    /// The wait starts now and its deadline is fixed now: delivery retries never extend it.
    pub fn launch(&mut self, stage: Stage) -> bool {
        let Some(hook) = self.policy.hook(stage).copied() else {
            return false;
        };
        let instance = self.ids.callout_instance();
        let wait_until = hook
            .behaviour
            .timeout()
            .map(|timeout| self.now + timeout.as_duration());
        self.effect(Effect::StartCallout {
            instance,
            stage,
            extension: hook.extension,
            behaviour: hook.behaviour,
            wait_until,
        });
        match wait_until {
            None => {
                self.history(HistoryEvent::CalloutStarted { stage });
                false
            }
            Some(due) => {
                self.effect(Effect::SetTimer {
                    timer: Timer::WaitDeadline { instance },
                    due,
                });
                self.request.status = RequestStatus::WaitingForCallback;
                self.request.phase = Phase::Waiting { stage, instance };
                self.history(HistoryEvent::WaitingForCallback { stage });
                true
            }
        }
    }

    /// Step 2 is behind us: approval if the policy wants one, else delivery.
    pub fn after_created(&mut self) {
        if self.policy.approval_required {
            self.await_approval();
        } else {
            self.deliver();
        }
    }

    /// Step 3.
    pub fn await_approval(&mut self) {
        self.set(
            RequestState::PendingApproval,
            RequestStatus::PendingApproval,
        );
        self.request.phase = Phase::AwaitingApproval;
        self.effect(Effect::SetTimer {
            timer: Timer::ApprovalDeadline,
            due: self.now + self.policy.approval_timeout,
        });
        self.history(HistoryEvent::PendingApproval);
    }

    /// Step 5: create the assignment, then the granted stage.
    pub fn deliver(&mut self) {
        let assignment = self.ids.assignment();
        self.request.assignment = Some(assignment);
        self.set(RequestState::Delivering, RequestStatus::Delivering);
        self.effect(Effect::CreateAssignment {
            assignment,
            state: AssignmentState::Delivering,
        });
        self.history(HistoryEvent::Delivering);
        if !self.launch(Stage::AssignmentRequestGranted) {
            self.delivered();
        }
    }

    pub fn delivered(&mut self) {
        if let Some(assignment) = self.request.assignment {
            self.effect(Effect::SetAssignmentState {
                assignment,
                state: AssignmentState::Delivered,
            });
        }
        self.history(HistoryEvent::Delivered);
        self.end(RequestState::Delivered, RequestStatus::Delivered);
    }

    /// What follows a stage the workflow let through.
    pub fn continue_after(&mut self, stage: Stage) -> Result<(), Refusal> {
        match stage {
            Stage::AssignmentRequestCreated => self.after_created(),
            Stage::AssignmentRequestApproved => self.deliver(),
            Stage::AssignmentRequestGranted => self.delivered(),
            Stage::AssignmentRequestRemoved => self.removal_completed(RequestStatus::Delivered),
            Stage::AssignmentFourteenDaysBeforeExpiration
            | Stage::AssignmentOneDayBeforeExpiration => {
                return Err(Refusal::StageCannotWait { stage })
            }
        }
        Ok(())
    }

    /// What follows a waiting stage that timed out or whose callout failed: the request ends
    /// as Expired. At granted the half-made assignment goes (`deliveryFailed`: it never held
    /// access in full, and that frees the target to ask again); at removed the access is
    /// already gone, so only the removal request completes.
    pub fn stage_expired(&mut self, stage: Stage) -> Result<(), Refusal> {
        match stage {
            Stage::AssignmentRequestCreated | Stage::AssignmentRequestApproved => {
                self.history(HistoryEvent::ProcessExpired);
                self.end(RequestState::Denied, RequestStatus::Expired);
            }
            Stage::AssignmentRequestGranted => {
                if let Some(assignment) = self.request.assignment {
                    self.effect(Effect::SetAssignmentState {
                        assignment,
                        state: AssignmentState::DeliveryFailed,
                    });
                    self.history(HistoryEvent::AssignmentRemoved);
                }
                self.history(HistoryEvent::ProcessExpired);
                self.end(RequestState::DeliveryFailed, RequestStatus::Expired);
            }
            Stage::AssignmentRequestRemoved => {
                self.history(HistoryEvent::ProcessExpired);
                self.removal_completed(RequestStatus::Expired);
            }
            Stage::AssignmentFourteenDaysBeforeExpiration
            | Stage::AssignmentOneDayBeforeExpiration => {
                return Err(Refusal::StageCannotWait { stage })
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::lifecycle::events::{Event, ResumeOutcome};
    use crate::domain::lifecycle::refusal::RefusalKind;
    use crate::domain::lifecycle::{apply, SequentialIds};

    const CREATED: Stage = Stage::AssignmentRequestCreated;

    #[test]
    fn launch_without_a_hook_does_nothing() {
        let policy = rules(false, &[(Stage::AssignmentRequestGranted, WAIT_30M)]);
        let mut ids = SequentialIds::new();
        let mut run = Run::new(&fresh(), &policy, t0(), &mut ids);
        assert!(!run.launch(CREATED));
        let t = run.finish();
        assert_eq!(t.request, fresh());
        assert_eq!(t.effects, []);
    }

    #[test]
    fn launch_and_wait_holds_without_touching_the_state() {
        let policy = rules(false, &[(CREATED, Mode::WaitMinutes(90))]);
        let mut ids = SequentialIds::new();
        let mut run = Run::new(&fresh(), &policy, later(10), &mut ids);
        run.set(RequestState::Delivering, RequestStatus::Delivering);
        assert!(run.launch(CREATED));
        let t = run.finish();
        assert_eq!(t.request.state, RequestState::Delivering);
        assert_eq!(t.request.status, RequestStatus::WaitingForCallback);
        assert_eq!(t.request.waiting_on(), Some((CREATED, instance(1))));
        assert_eq!(
            t.effects[..2],
            [
                start_at(1, CREATED, Mode::WaitMinutes(90), later(10)),
                Effect::SetTimer {
                    timer: Timer::WaitDeadline {
                        instance: instance(1)
                    },
                    due: later(100)
                },
            ]
        );
    }

    #[test]
    fn end_stamps_completion() {
        let policy = rules(false, &[]);
        let mut ids = SequentialIds::new();
        let mut run = Run::new(&fresh(), &policy, later(5), &mut ids);
        run.end(RequestState::Canceled, RequestStatus::Canceled);
        let request = run.finish().request;
        assert_eq!(request.phase, Phase::Done);
        assert_eq!(request.completed_at, Some(later(5)));
        assert_eq!(request.state, RequestState::Canceled);
    }

    #[test]
    fn a_request_stored_waiting_at_a_pre_expiry_stage_is_refused() {
        let stage = Stage::AssignmentOneDayBeforeExpiration;
        let stored = AccessRequest {
            status: RequestStatus::WaitingForCallback,
            phase: Phase::Waiting {
                stage,
                instance: instance(1),
            },
            ..fresh()
        };
        let policy = rules(false, &[]);
        let mut ids = SequentialIds::new();
        for event in [
            resume(1, ResumeOutcome::Continue),
            Event::WaitTimedOut {
                instance: instance(1),
            },
        ] {
            let refusal = apply(&stored, &policy, event, t0(), &mut ids).unwrap_err();
            assert_eq!(refusal, Refusal::StageCannotWait { stage });
            assert_eq!(refusal.kind(), RefusalKind::Internal);
            assert_eq!(
                refusal.to_string(),
                "The stage “1 day before assignment expiry” cannot hold a request."
            );
        }
    }
}

//! The steps of a request's history, as the "Request history details" screen and the approver
//! view show them.

use serde::{Deserialize, Serialize};

use super::events::{Actor, ResumeOutcome};
use super::states::RemovalKind;
use super::words::{PROCESS_CONTINUES, PROCESS_EXPIRED, REQUEST_DENIED, WAITING};
use crate::domain::ids::{AppId, UserId};
use crate::domain::stage::Stage;

/// Serializes as `{"event": "resumed", …fields}`, so a store that keeps the whole step as JSON
/// can rebuild the sentence later; [`HistoryEvent::wire_name`] is the bare name for the `event`
/// column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum HistoryEvent {
    Submitted {
        by: Actor,
    },
    RemovalRequested {
        by: Actor,
        kind: RemovalKind,
    },
    /// A launch-and-continue callout was queued.
    CalloutStarted {
        stage: Stage,
    },
    /// A launch-and-wait callout was queued and the request now waits for it.
    WaitingForCallback {
        stage: Stage,
    },
    /// The workflow's endpoint accepted the callout.
    CalloutSent {
        stage: Stage,
    },
    CalloutFailed {
        stage: Stage,
    },
    /// A manager sent a failed launch-and-continue callout again.
    CalloutRedelivered {
        stage: Stage,
        by: Actor,
    },
    Resumed {
        stage: Stage,
        outcome: ResumeOutcome,
        source: Option<String>,
        by: Actor,
    },
    CallbackTimedOut {
        stage: Stage,
    },
    /// The request ended because a waiting stage did not answer.
    ProcessExpired,
    PendingApproval,
    Approved {
        by: Actor,
    },
    Denied {
        by: Actor,
    },
    ApprovalExpired,
    Delivering,
    Delivered,
    Canceled {
        by: Actor,
    },
    AssignmentRemoved,
    RemovalCompleted,
}

/// Who a history step names. A resume is shown under the workflow's `source` (what admins
/// recognise), not under the app credential it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryActor {
    User(UserId),
    App(AppId),
    System,
    Workflow { source: String },
}

impl HistoryActor {
    /// The `actor_kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            HistoryActor::User(_) => "user",
            HistoryActor::App(_) => "app",
            HistoryActor::System => "system",
            HistoryActor::Workflow { .. } => "workflow",
        }
    }
}

impl From<Actor> for HistoryActor {
    fn from(actor: Actor) -> Self {
        match actor {
            Actor::User(id) => HistoryActor::User(id),
            Actor::App(id) => HistoryActor::App(id),
            Actor::System => HistoryActor::System,
        }
    }
}

impl HistoryEvent {
    pub fn wire_name(&self) -> &'static str {
        match self {
            HistoryEvent::Submitted { .. } => "submitted",
            HistoryEvent::RemovalRequested { .. } => "removalRequested",
            HistoryEvent::CalloutStarted { .. } => "calloutStarted",
            HistoryEvent::WaitingForCallback { .. } => "waitingForCallback",
            HistoryEvent::CalloutSent { .. } => "calloutSent",
            HistoryEvent::CalloutFailed { .. } => "calloutFailed",
            HistoryEvent::CalloutRedelivered { .. } => "calloutRedelivered",
            HistoryEvent::Resumed { .. } => "resumed",
            HistoryEvent::CallbackTimedOut { .. } => "callbackTimedOut",
            HistoryEvent::ProcessExpired => "processExpired",
            HistoryEvent::PendingApproval => "pendingApproval",
            HistoryEvent::Approved { .. } => "approved",
            HistoryEvent::Denied { .. } => "denied",
            HistoryEvent::ApprovalExpired => "approvalExpired",
            HistoryEvent::Delivering => "delivering",
            HistoryEvent::Delivered => "delivered",
            HistoryEvent::Canceled { .. } => "canceled",
            HistoryEvent::AssignmentRemoved => "assignmentRemoved",
            HistoryEvent::RemovalCompleted => "removalCompleted",
        }
    }

    pub fn actor(&self) -> HistoryActor {
        match self {
            HistoryEvent::Submitted { by }
            | HistoryEvent::RemovalRequested { by, .. }
            | HistoryEvent::Approved { by }
            | HistoryEvent::Denied { by }
            | HistoryEvent::Canceled { by }
            | HistoryEvent::CalloutRedelivered { by, .. } => (*by).into(),
            HistoryEvent::Resumed { source, by, .. } => match source {
                Some(source) if !source.trim().is_empty() => HistoryActor::Workflow {
                    source: source.clone(),
                },
                _ => (*by).into(),
            },
            _ => HistoryActor::System,
        }
    }

    /// The sentence the history screen shows for this step.
    pub fn words(&self) -> String {
        match self {
            HistoryEvent::Submitted { .. } => "Request submitted".to_owned(),
            HistoryEvent::RemovalRequested { kind, .. } => match kind {
                RemovalKind::User => "Removal requested".to_owned(),
                RemovalKind::Admin => "Removal requested by a manager".to_owned(),
                RemovalKind::System => "Assignment reached its expiration".to_owned(),
            },
            HistoryEvent::CalloutStarted { stage } => {
                format!("Custom extension launched at {}", quoted(*stage))
            }
            HistoryEvent::WaitingForCallback { stage } => format!(
                "Waiting for the custom extension at {} to resume the request",
                quoted(*stage)
            ),
            HistoryEvent::CalloutSent { stage } => {
                format!("Custom extension called at {}", quoted(*stage))
            }
            HistoryEvent::CalloutFailed { stage } => format!(
                "Custom extension at {} could not be called, after every retry",
                quoted(*stage)
            ),
            HistoryEvent::CalloutRedelivered { stage, .. } => {
                format!("Custom extension at {} sent again", quoted(*stage))
            }
            HistoryEvent::Resumed {
                stage,
                outcome,
                source,
                ..
            } => {
                let by = match source {
                    Some(source) if !source.trim().is_empty() => format!(" by {}", source.trim()),
                    _ => String::new(),
                };
                let then = match outcome {
                    ResumeOutcome::Continue => "process continues",
                    ResumeOutcome::Denied => "request denied",
                };
                format!("Resumed{by} at {}: {then}", quoted(*stage))
            }
            HistoryEvent::CallbackTimedOut { stage } => format!(
                "No resume from the custom extension at {} before its timeout",
                quoted(*stage)
            ),
            HistoryEvent::ProcessExpired => "Process expired".to_owned(),
            HistoryEvent::PendingApproval => "Waiting for approval".to_owned(),
            HistoryEvent::Approved { .. } => "Approved".to_owned(),
            HistoryEvent::Denied { .. } => "Denied by an approver".to_owned(),
            HistoryEvent::ApprovalExpired => {
                "No approver decided in time: request expired".to_owned()
            }
            HistoryEvent::Delivering => "Delivering access".to_owned(),
            HistoryEvent::Delivered => "Access delivered".to_owned(),
            HistoryEvent::Canceled { .. } => "Request canceled".to_owned(),
            HistoryEvent::AssignmentRemoved => "Access removed".to_owned(),
            HistoryEvent::RemovalCompleted => "Removal completed".to_owned(),
        }
    }
}

/// How the requestor's timeline shows a step. The sentence of [`HistoryEvent::words`] names the
/// custom extension and its stage: that belongs in the troubleshooting view of administrators
/// and assignment managers, under the step's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestorStep {
    /// Named by its sentence for everyone.
    AsWords,
    /// Named in the requestor's words, those My Access shows as the status while a custom
    /// extension stage is involved ("Waiting for information before proceeding").
    Named(&'static str),
    /// Only in the troubleshooting view: a step the requestor sees under another name next.
    TroubleshootingOnly,
}

impl HistoryEvent {
    pub fn requestor_step(&self) -> RequestorStep {
        match self {
            HistoryEvent::WaitingForCallback { .. } => RequestorStep::Named(WAITING),
            HistoryEvent::Resumed {
                outcome: ResumeOutcome::Continue,
                ..
            } => RequestorStep::Named(PROCESS_CONTINUES),
            HistoryEvent::Resumed {
                outcome: ResumeOutcome::Denied,
                ..
            } => RequestorStep::Named(REQUEST_DENIED),
            // "Process expired" follows as a step of its own.
            HistoryEvent::CallbackTimedOut { .. } => RequestorStep::TroubleshootingOnly,
            HistoryEvent::ProcessExpired => RequestorStep::Named(PROCESS_EXPIRED),
            _ => RequestorStep::AsWords,
        }
    }

    /// For steps stored before their requestor step was kept with them: what the bare event
    /// name tells (a resume's outcome is not in it, so a resume keeps its sentence).
    pub fn requestor_step_of_wire_name(event: &str) -> RequestorStep {
        match event {
            "waitingForCallback" => RequestorStep::Named(WAITING),
            "callbackTimedOut" => RequestorStep::TroubleshootingOnly,
            _ => RequestorStep::AsWords,
        }
    }
}

fn quoted(stage: Stage) -> String {
    format!("“{}”", stage.portal_label())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATED: Stage = Stage::AssignmentRequestCreated;

    fn resumed(outcome: ResumeOutcome, source: Option<&str>, by: Actor) -> HistoryEvent {
        HistoryEvent::Resumed {
            stage: CREATED,
            outcome,
            source: source.map(str::to_owned),
            by,
        }
    }

    #[test]
    fn the_requestor_sees_the_seed_words_for_custom_extension_steps() {
        let waiting = HistoryEvent::WaitingForCallback { stage: CREATED };
        assert_eq!(
            waiting.requestor_step(),
            RequestorStep::Named("Waiting for information before proceeding")
        );
        assert_eq!(
            resumed(ResumeOutcome::Continue, Some("Contoso.Sod"), Actor::System).requestor_step(),
            RequestorStep::Named("Process continues")
        );
        assert_eq!(
            resumed(ResumeOutcome::Denied, None, Actor::System).requestor_step(),
            RequestorStep::Named("Request denied")
        );
        assert_eq!(
            HistoryEvent::CallbackTimedOut { stage: CREATED }.requestor_step(),
            RequestorStep::TroubleshootingOnly
        );
        assert_eq!(
            HistoryEvent::ProcessExpired.requestor_step(),
            RequestorStep::Named("Process expired")
        );
        assert_eq!(
            HistoryEvent::Delivered.requestor_step(),
            RequestorStep::AsWords
        );
        // The bare event name agrees where it can tell.
        for event in [waiting, HistoryEvent::CallbackTimedOut { stage: CREATED }] {
            assert_eq!(
                HistoryEvent::requestor_step_of_wire_name(event.wire_name()),
                event.requestor_step()
            );
        }
    }

    #[test]
    fn words_name_the_stage_by_its_portal_label() {
        assert_eq!(
            HistoryEvent::WaitingForCallback { stage: CREATED }.words(),
            "Waiting for the custom extension at “Request is created” to resume the request"
        );
        assert_eq!(
            HistoryEvent::CalloutStarted {
                stage: Stage::AssignmentRequestGranted
            }
            .words(),
            "Custom extension launched at “Assignment is granted”"
        );
        assert_eq!(
            HistoryEvent::CallbackTimedOut {
                stage: Stage::AssignmentRequestApproved
            }
            .words(),
            "No resume from the custom extension at “Request is approved” before its timeout"
        );
        assert_eq!(
            HistoryEvent::CalloutFailed {
                stage: Stage::AssignmentRequestRemoved
            }
            .words(),
            "Custom extension at “Assignment is removed” could not be called, after every retry"
        );
        assert_eq!(
            HistoryEvent::CalloutSent { stage: CREATED }.words(),
            "Custom extension called at “Request is created”"
        );
    }

    #[test]
    fn resume_words_and_actor_name_the_source() {
        let app = Actor::App(AppId::new());
        let step = resumed(
            ResumeOutcome::Continue,
            Some("Contoso.SodCheckProcess"),
            app,
        );
        assert_eq!(
            step.words(),
            "Resumed by Contoso.SodCheckProcess at “Request is created”: process continues"
        );
        assert_eq!(
            step.actor(),
            HistoryActor::Workflow {
                source: "Contoso.SodCheckProcess".to_owned()
            }
        );
        assert_eq!(step.actor().kind(), "workflow");

        let anonymous = resumed(ResumeOutcome::Denied, Some("  "), app);
        assert_eq!(
            anonymous.words(),
            "Resumed at “Request is created”: request denied"
        );
        assert_eq!(anonymous.actor(), app.into());
        assert_eq!(anonymous.actor().kind(), "app");
    }

    #[test]
    fn people_and_latch_as_actors() {
        let user = UserId::new();
        assert_eq!(
            HistoryEvent::Approved {
                by: Actor::User(user)
            }
            .actor(),
            HistoryActor::User(user)
        );
        assert_eq!(HistoryEvent::ApprovalExpired.actor(), HistoryActor::System);
        assert_eq!(HistoryEvent::Delivered.actor().kind(), "system");
    }

    #[test]
    fn plain_words() {
        let by = Actor::System;
        let table = [
            (HistoryEvent::Submitted { by }, "Request submitted"),
            (
                HistoryEvent::RemovalRequested {
                    by,
                    kind: RemovalKind::User,
                },
                "Removal requested",
            ),
            (
                HistoryEvent::RemovalRequested {
                    by,
                    kind: RemovalKind::Admin,
                },
                "Removal requested by a manager",
            ),
            (
                HistoryEvent::RemovalRequested {
                    by,
                    kind: RemovalKind::System,
                },
                "Assignment reached its expiration",
            ),
            (HistoryEvent::ProcessExpired, "Process expired"),
            (HistoryEvent::PendingApproval, "Waiting for approval"),
            (HistoryEvent::Approved { by }, "Approved"),
            (HistoryEvent::Denied { by }, "Denied by an approver"),
            (
                HistoryEvent::ApprovalExpired,
                "No approver decided in time: request expired",
            ),
            (HistoryEvent::Delivering, "Delivering access"),
            (HistoryEvent::Delivered, "Access delivered"),
            (HistoryEvent::Canceled { by }, "Request canceled"),
            (HistoryEvent::AssignmentRemoved, "Access removed"),
            (HistoryEvent::RemovalCompleted, "Removal completed"),
        ];
        for (event, words) in table {
            assert_eq!(event.words(), words, "{event:?}");
        }
    }

    #[test]
    fn serializes_with_the_wire_name_as_tag() {
        let step = resumed(ResumeOutcome::Denied, Some("Sod"), Actor::System);
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "event": "resumed",
                "stage": "assignmentRequestCreated",
                "outcome": "denied",
                "source": "Sod",
                "by": {"kind": "system"}
            })
        );
        assert_eq!(json["event"], step.wire_name());
        let back: HistoryEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
        assert_eq!(
            serde_json::to_value(HistoryEvent::ProcessExpired).unwrap()["event"],
            HistoryEvent::ProcessExpired.wire_name()
        );
    }
}

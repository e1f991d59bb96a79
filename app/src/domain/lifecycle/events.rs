//! What can happen to a request: people decide, workflows resume, callouts land or fail,
//! timers fire.

use serde::{Deserialize, Serialize};

use crate::domain::ids::{AppId, CalloutInstanceId, UserId};
use crate::domain::stage::Stage;

/// Who caused an event. Names are resolved by the store when it writes the history, so the
/// domain keeps only ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "camelCase")]
pub enum Actor {
    User(UserId),
    /// An API client, such as the app a workflow resumes with.
    App(AppId),
    /// Latch itself: timers, expiry.
    System,
}

/// What a resume asks for. The database column `resume_outcome` holds these wire names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResumeOutcome {
    Continue,
    /// `data.state: "denied"`; allowed at created and approved only.
    Denied,
}

impl ResumeOutcome {
    /// From the resume body: `state: "denied"` (any case) denies, anything absent continues.
    /// The API checks that a present `state` says nothing else before it gets here.
    pub fn from_denied(denied: bool) -> Self {
        if denied {
            ResumeOutcome::Denied
        } else {
            ResumeOutcome::Continue
        }
    }

    pub fn wire_name(self) -> &'static str {
        match self {
            ResumeOutcome::Continue => "continue",
            ResumeOutcome::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ResumeOutcome::Continue, ResumeOutcome::Denied]
            .into_iter()
            .find(|outcome| outcome.wire_name().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The request has been validated (scope, no duplicate) and stored; start it moving.
    Submit {
        by: Actor,
    },
    Approve {
        by: Actor,
        reason: Option<String>,
    },
    Deny {
        by: Actor,
        reason: Option<String>,
    },
    /// The approval deadline timer fired.
    ApprovalTimedOut,
    Cancel {
        by: Actor,
    },
    /// A workflow called `resume`. Run [`super::classify_resume`] on the stored instance first:
    /// only an `Apply` verdict should reach the machine.
    Resumed {
        instance: CalloutInstanceId,
        outcome: ResumeOutcome,
        /// The body's `source`, shown as who resumed; `by` is the caller's credential.
        source: Option<String>,
        /// `customExtensionStageInstanceDetail`, shown to approvers and admins.
        detail: Option<String>,
        by: Actor,
    },
    /// The wait deadline timer of a launch-and-wait instance fired.
    WaitTimedOut {
        instance: CalloutInstanceId,
    },
    /// The worker got a 2xx for this instance's callout.
    CalloutDelivered {
        instance: CalloutInstanceId,
        stage: Stage,
        /// The behaviour the instance started with: a continue instance only changes its own
        /// status, a waiting one may hold the request.
        waits: bool,
    },
    /// The worker gave up on this instance's callout: every retry used, or a refusing 4xx.
    CalloutFailed {
        instance: CalloutInstanceId,
        stage: Stage,
        waits: bool,
    },
}

impl Event {
    /// A short name for logs and for refusals that need to say what was refused.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Submit { .. } => "submit",
            Event::Approve { .. } => "approve",
            Event::Deny { .. } => "deny",
            Event::ApprovalTimedOut => "approval timeout",
            Event::Cancel { .. } => "cancel",
            Event::Resumed { .. } => "resume",
            Event::WaitTimedOut { .. } => "wait timeout",
            Event::CalloutDelivered { .. } => "callout delivered",
            Event::CalloutFailed { .. } => "callout failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_outcome_names() {
        assert_eq!(ResumeOutcome::from_denied(true), ResumeOutcome::Denied);
        assert_eq!(ResumeOutcome::from_denied(false), ResumeOutcome::Continue);
        assert_eq!(ResumeOutcome::Continue.wire_name(), "continue");
        assert_eq!(ResumeOutcome::parse("DENIED"), Some(ResumeOutcome::Denied));
        assert_eq!(ResumeOutcome::parse("approved"), None);
        assert_eq!(
            serde_json::to_string(&ResumeOutcome::Denied).unwrap(),
            "\"denied\""
        );
    }

    #[test]
    fn actor_serializes_with_its_kind() {
        let user = UserId::new();
        let json = serde_json::to_value(Actor::User(user)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "user", "id": user.to_string()})
        );
        assert_eq!(
            serde_json::to_value(Actor::System).unwrap(),
            serde_json::json!({"kind": "system"})
        );
    }

    #[test]
    fn event_names() {
        assert_eq!(Event::ApprovalTimedOut.name(), "approval timeout");
        assert_eq!(Event::Cancel { by: Actor::System }.name(), "cancel");
    }
}

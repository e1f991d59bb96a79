//! What the store must carry out, in one transaction, after a transition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::ResumeOutcome;
use super::history::HistoryEvent;
use super::request::AccessRequest;
use super::states::{AssignmentState, InstanceStatus};
use crate::domain::extension::Behaviour;
use crate::domain::ids::{AssignmentId, CalloutInstanceId, ExtensionId, RequestId};
use crate::domain::stage::Stage;

/// A durable timer of one request. Setting the same timer twice must leave one row (the key is
/// [`Timer::dedupe_key`]), and a timer that fires after its request moved on is refused by the
/// machine, so cancelling is tidiness rather than a correctness need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "timer",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Timer {
    /// Fires [`super::Event::WaitTimedOut`].
    WaitDeadline { instance: CalloutInstanceId },
    /// Fires [`super::Event::ApprovalTimedOut`].
    ApprovalDeadline,
}

impl Timer {
    /// Unique across all requests, for the job table's `dedupe_key`.
    pub fn dedupe_key(&self, request: RequestId) -> String {
        match self {
            Timer::WaitDeadline { instance } => format!("waitDeadline:{instance}"),
            Timer::ApprovalDeadline => format!("approvalDeadline:{request}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "effect",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Effect {
    /// Create the instance row (status `pending`, with the behaviour and `wait_until` as its wait
    /// deadline) and a delivery job. The HTTP call happens later, outside the transaction.
    StartCallout {
        instance: CalloutInstanceId,
        stage: Stage,
        extension: ExtensionId,
        behaviour: Behaviour,
        /// Launch and wait only: the start of the wait plus the timeout. Retries never move it.
        wait_until: Option<DateTime<Utc>>,
    },
    SetTimer {
        timer: Timer,
        due: DateTime<Utc>,
    },
    CancelTimer {
        timer: Timer,
    },
    /// Create the request's assignment (target, package and policy come from the request row).
    CreateAssignment {
        assignment: AssignmentId,
        state: AssignmentState,
    },
    /// `expired` and `deliveryFailed` also stamp `expiredDateTime` with the transition's time.
    SetAssignmentState {
        assignment: AssignmentId,
        state: AssignmentState,
    },
    SetInstanceStatus {
        instance: CalloutInstanceId,
        status: InstanceStatus,
    },
    /// Store what the workflow sent on the instance: a later identical resume is recognised
    /// from `outcome` (see [`super::classify_resume`]); `source` and `detail` are shown.
    RecordResume {
        instance: CalloutInstanceId,
        outcome: ResumeOutcome,
        source: Option<String>,
        detail: Option<String>,
    },
    /// One step of the request's history, at the transition's time. The actor is
    /// [`HistoryEvent::actor`]; `detail` is a justification or a resume's detail.
    History {
        event: HistoryEvent,
        detail: Option<String>,
    },
}

/// The request after an event, and the effects that go with it. Write both in one transaction:
/// the new request row alone would lose a callout, the effects alone a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub request: AccessRequest,
    pub effects: Vec<Effect>,
}

impl Transition {
    /// The history steps in order, for tests and logs.
    pub fn history(&self) -> Vec<&HistoryEvent> {
        self.effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::History { event, .. } => Some(event),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn timer_keys_are_distinct_per_kind_and_object() {
        let request = RequestId::from_uuid(Uuid::from_u128(1));
        let instance = CalloutInstanceId::from_uuid(Uuid::from_u128(2));
        assert_eq!(
            Timer::WaitDeadline { instance }.dedupe_key(request),
            "waitDeadline:00000000-0000-0000-0000-000000000002"
        );
        assert_eq!(
            Timer::ApprovalDeadline.dedupe_key(request),
            "approvalDeadline:00000000-0000-0000-0000-000000000001"
        );
    }

    #[test]
    fn effects_serialize_with_a_tag() {
        let instance = CalloutInstanceId::from_uuid(Uuid::from_u128(2));
        let effect = Effect::SetInstanceStatus {
            instance,
            status: InstanceStatus::CallbackReceived,
        };
        assert_eq!(
            serde_json::to_value(&effect).unwrap(),
            serde_json::json!({
                "effect": "setInstanceStatus",
                "instance": instance.to_string(),
                "status": "callbackReceived"
            })
        );
        let timer = serde_json::to_value(Timer::WaitDeadline { instance }).unwrap();
        assert_eq!(
            timer,
            serde_json::json!({"timer": "waitDeadline", "instance": instance.to_string()})
        );
    }
}

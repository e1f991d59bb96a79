//! Sending a failed launch-and-continue callout again, when a manager asks.
//!
//! Only launch and continue: a launch-and-wait stage whose callout failed has already ended its
//! request ("Process expired"), and sending the call again could not bring the request back.

use super::events::Actor;
use super::history::HistoryEvent;
use super::states::InstanceStatus;
use crate::domain::stage::Stage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeliverRefusal {
    /// The instance belongs to a launch-and-wait stage.
    Waits,
    /// Only a failed callout is sent again; this one is in another status.
    NotFailed(InstanceStatus),
}

impl std::fmt::Display for RedeliverRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedeliverRefusal::Waits => f.write_str(
                "Only a launch-and-continue callout can be redelivered: a launch-and-wait stage \
                 whose callout failed has already ended its request.",
            ),
            RedeliverRefusal::NotFailed(status) => write!(
                f,
                "Only a failed callout can be redelivered; this one is {}.",
                status.wire_name()
            ),
        }
    }
}

/// Whether the callout may be sent again and, if so, the history step that says who asked.
/// The instance goes back to `pending` and is delivered with a fresh set of retries.
pub fn redeliver(
    status: InstanceStatus,
    waits: bool,
    stage: Stage,
    by: Actor,
) -> Result<HistoryEvent, RedeliverRefusal> {
    if waits {
        return Err(RedeliverRefusal::Waits);
    }
    if status != InstanceStatus::CalloutFailed {
        return Err(RedeliverRefusal::NotFailed(status));
    }
    Ok(HistoryEvent::CalloutRedelivered { stage, by })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    const GRANTED: Stage = Stage::AssignmentRequestGranted;

    #[test]
    fn a_failed_launch_and_continue_callout_is_sent_again_in_the_managers_name() {
        let by = Actor::User(UserId::new());
        assert_eq!(
            redeliver(InstanceStatus::CalloutFailed, false, GRANTED, by),
            Ok(HistoryEvent::CalloutRedelivered { stage: GRANTED, by })
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        let by = Actor::System;
        assert_eq!(
            redeliver(InstanceStatus::CalloutFailed, true, GRANTED, by),
            Err(RedeliverRefusal::Waits)
        );
        for status in [
            InstanceStatus::Pending,
            InstanceStatus::CalloutSent,
            InstanceStatus::WaitingForCallback,
            InstanceStatus::CallbackReceived,
            InstanceStatus::CallbackTimedOut,
        ] {
            let refusal = redeliver(status, false, GRANTED, by).unwrap_err();
            assert_eq!(refusal, RedeliverRefusal::NotFailed(status));
            assert!(
                refusal.to_string().contains(status.wire_name()),
                "{refusal}"
            );
        }
    }
}

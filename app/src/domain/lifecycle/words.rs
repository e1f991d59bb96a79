//! The status words a requestor sees in My Access → Request history (ui.md), which are not
//! Graph's `state` or `status` but read from both and from the last waiting stage.

use super::events::ResumeOutcome;
use super::resume::InstanceSnapshot;
use super::states::{InstanceStatus, RequestState, RequestStatus};

/// How the request's latest launch-and-wait stage went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageOutcome {
    Waiting,
    /// Resumed to continue.
    Continued,
    /// Resumed with `state: denied`.
    Denied,
    /// Timed out, or its callout failed after every retry.
    Expired,
}

impl StageOutcome {
    /// The outcome a stored instance stands for. Launch-and-continue instances have none: they
    /// never change what the requestor sees, even when their callout fails.
    pub fn of(instance: &InstanceSnapshot) -> Option<StageOutcome> {
        if !instance.waits {
            return None;
        }
        match instance.resumed_outcome {
            Some(ResumeOutcome::Continue) => return Some(StageOutcome::Continued),
            Some(ResumeOutcome::Denied) => return Some(StageOutcome::Denied),
            None => {}
        }
        match instance.status {
            InstanceStatus::Pending | InstanceStatus::WaitingForCallback => {
                Some(StageOutcome::Waiting)
            }
            InstanceStatus::CallbackTimedOut | InstanceStatus::CalloutFailed => {
                Some(StageOutcome::Expired)
            }
            InstanceStatus::CallbackReceived => Some(StageOutcome::Continued),
            InstanceStatus::CalloutSent => None,
        }
    }
}

pub(super) const WAITING: &str = "Waiting for information before proceeding";
pub(super) const PROCESS_CONTINUES: &str = "Process continues";
pub(super) const PROCESS_EXPIRED: &str = "Process expired";
pub(super) const REQUEST_DENIED: &str = "Request denied";

/// The stage words win while a stage is involved (ui.md): the request waits, a stage ended it,
/// or a workflow let it continue and it is still open, also while it then waits for an approver
/// (Entra's My Access shows "Process continues" there too). Once the request ends otherwise
/// (delivered, denied by an approver, canceled) that end has its own name.
pub fn requestor_words(
    state: RequestState,
    status: RequestStatus,
    last_stage_outcome: Option<StageOutcome>,
) -> &'static str {
    use RequestStatus as T;
    match (status, last_stage_outcome) {
        (T::WaitingForCallback, _) => return WAITING,
        (T::Expired, Some(StageOutcome::Expired)) => return PROCESS_EXPIRED,
        (T::Denied, Some(StageOutcome::Denied)) => return REQUEST_DENIED,
        _ => {}
    }
    match state {
        RequestState::Submitted | RequestState::PendingApproval | RequestState::Delivering
            if last_stage_outcome == Some(StageOutcome::Continued) =>
        {
            PROCESS_CONTINUES
        }
        RequestState::PendingApproval => "Pending approval",
        RequestState::Delivered => "Delivered",
        RequestState::Canceled => "Canceled",
        // An approver who never decided: Entra's "Expired" rather than a denial nobody made.
        RequestState::Denied if status == T::Expired => "Expired",
        RequestState::Denied => "Denied",
        RequestState::DeliveryFailed => "Delivery failed",
        RequestState::Submitted => "Submitted",
        RequestState::Delivering => "Delivering",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use RequestState as S;
    use RequestStatus as T;
    use StageOutcome as O;

    #[test]
    fn words_while_a_stage_is_involved() {
        // Waiting at created, approved (submitted) and granted (delivering).
        assert_eq!(
            requestor_words(S::Submitted, T::WaitingForCallback, Some(O::Waiting)),
            "Waiting for information before proceeding"
        );
        assert_eq!(
            requestor_words(S::Delivering, T::WaitingForCallback, Some(O::Waiting)),
            "Waiting for information before proceeding"
        );
        // Timed out or failed: at created/approved, at granted, at removed.
        assert_eq!(
            requestor_words(S::Denied, T::Expired, Some(O::Expired)),
            "Process expired"
        );
        assert_eq!(
            requestor_words(S::DeliveryFailed, T::Expired, Some(O::Expired)),
            "Process expired"
        );
        assert_eq!(
            requestor_words(S::Delivered, T::Expired, Some(O::Expired)),
            "Process expired"
        );
        assert_eq!(
            requestor_words(S::Denied, T::Denied, Some(O::Denied)),
            "Request denied"
        );
        assert_eq!(
            requestor_words(S::Submitted, T::Accepted, Some(O::Continued)),
            "Process continues"
        );
        assert_eq!(
            requestor_words(S::Delivering, T::Delivering, Some(O::Continued)),
            "Process continues"
        );
    }

    #[test]
    fn ends_name_themselves() {
        // Still open after the workflow's answer: the stage words stay.
        assert_eq!(
            requestor_words(S::PendingApproval, T::PendingApproval, Some(O::Continued)),
            "Process continues"
        );
        assert_eq!(
            requestor_words(S::Delivered, T::Delivered, Some(O::Continued)),
            "Delivered"
        );
        // An approver denied after the workflow let it through.
        assert_eq!(
            requestor_words(S::Denied, T::Denied, Some(O::Continued)),
            "Denied"
        );
        // Canceled while waiting.
        assert_eq!(
            requestor_words(S::Canceled, T::Canceled, Some(O::Waiting)),
            "Canceled"
        );
        // No approver decided after the stage continued.
        assert_eq!(
            requestor_words(S::Denied, T::Expired, Some(O::Continued)),
            "Expired"
        );
    }

    #[test]
    fn words_without_any_stage() {
        let table = [
            (S::Submitted, T::Accepted, "Submitted"),
            (S::PendingApproval, T::PendingApproval, "Pending approval"),
            (S::Delivering, T::Delivering, "Delivering"),
            (S::Delivered, T::Delivered, "Delivered"),
            (S::Denied, T::Denied, "Denied"),
            (S::Denied, T::Expired, "Expired"),
            (S::Canceled, T::Canceled, "Canceled"),
            (S::DeliveryFailed, T::DeliveryFailed, "Delivery failed"),
        ];
        for (state, status, words) in table {
            assert_eq!(requestor_words(state, status, None), words, "{state:?}");
        }
    }

    #[test]
    fn stage_outcome_of_stored_instances() {
        let wait = |status, resumed_outcome| InstanceSnapshot {
            status,
            waits: true,
            resumed_outcome,
        };
        use InstanceStatus as I;
        assert_eq!(StageOutcome::of(&wait(I::Pending, None)), Some(O::Waiting));
        assert_eq!(
            StageOutcome::of(&wait(I::WaitingForCallback, None)),
            Some(O::Waiting)
        );
        assert_eq!(
            StageOutcome::of(&wait(I::CallbackReceived, Some(ResumeOutcome::Continue))),
            Some(O::Continued)
        );
        assert_eq!(
            StageOutcome::of(&wait(I::CallbackReceived, Some(ResumeOutcome::Denied))),
            Some(O::Denied)
        );
        assert_eq!(
            StageOutcome::of(&wait(I::CallbackTimedOut, None)),
            Some(O::Expired)
        );
        assert_eq!(
            StageOutcome::of(&wait(I::CalloutFailed, None)),
            Some(O::Expired)
        );
        let continued = InstanceSnapshot {
            status: I::CalloutFailed,
            waits: false,
            resumed_outcome: None,
        };
        assert_eq!(StageOutcome::of(&continued), None);
    }
}

//! A request as the machine sees it: its Graph state and status, and where it stands.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::states::{RequestState, RequestStatus, RequestType};
use crate::domain::ids::{AssignmentId, CalloutInstanceId, RequestId};
use crate::domain::stage::Stage;

/// Where a request stands, which `state` and `status` alone don't say: which callout holds it.
/// A launch-and-continue stage never holds a request, so the only stage phase is a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "phase",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Phase {
    /// Stored but not yet submitted to the machine.
    New,
    /// Held by a launch-and-wait callout until a resume, its deadline or a failed delivery.
    Waiting {
        stage: Stage,
        instance: CalloutInstanceId,
    },
    AwaitingApproval,
    /// Finished; `state` says how.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRequest {
    pub id: RequestId,
    pub kind: RequestType,
    pub state: RequestState,
    pub status: RequestStatus,
    pub phase: Phase,
    /// The assignment this request made (adds, from delivery on) or removes (removals, always).
    pub assignment: Option<AssignmentId>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl AccessRequest {
    /// A new add request (`userAdd` or `adminAdd`), before [`super::Event::Submit`]. Removals
    /// start with [`super::start_removal`], which needs the assignment.
    pub fn new(id: RequestId, kind: RequestType) -> Self {
        Self {
            id,
            kind,
            state: RequestState::Submitted,
            status: RequestStatus::Accepted,
            phase: Phase::New,
            assignment: None,
            completed_at: None,
        }
    }

    /// Rebuilds the phase from what the database holds: the row's `state` and `status`, and
    /// the request's callout instance that still waits, if any (launch and wait, not resumed,
    /// not timed out, not failed). `None` when they contradict each other.
    pub fn phase_from_stored(
        state: RequestState,
        status: RequestStatus,
        live_wait: Option<(Stage, CalloutInstanceId)>,
    ) -> Option<Phase> {
        match (state.is_open(), status, live_wait) {
            (false, _, _) => Some(Phase::Done),
            (true, RequestStatus::WaitingForCallback, Some((stage, instance))) => {
                Some(Phase::Waiting { stage, instance })
            }
            (true, RequestStatus::PendingApproval, None)
                if state == RequestState::PendingApproval =>
            {
                Some(Phase::AwaitingApproval)
            }
            // Submit runs in the transaction that stores the request, so an open request is
            // otherwise never at rest; this is a row written before it was submitted.
            (true, RequestStatus::Accepted, None) if state == RequestState::Submitted => {
                Some(Phase::New)
            }
            _ => None,
        }
    }

    /// The stage and instance the request waits on, if it waits.
    pub fn waiting_on(&self) -> Option<(Stage, CalloutInstanceId)> {
        match self.phase {
            Phase::Waiting { stage, instance } => Some((stage, instance)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_request_is_submitted_and_accepted() {
        let id = RequestId::new();
        let request = AccessRequest::new(id, RequestType::UserAdd);
        assert_eq!(request.state, RequestState::Submitted);
        assert_eq!(request.status, RequestStatus::Accepted);
        assert_eq!(request.phase, Phase::New);
        assert_eq!(request.assignment, None);
        assert_eq!(request.completed_at, None);
        assert_eq!(request.waiting_on(), None);
    }

    #[test]
    fn phase_from_stored_rows() {
        let instance = CalloutInstanceId::new();
        let created = Stage::AssignmentRequestCreated;
        use RequestState as S;
        use RequestStatus as T;
        assert_eq!(
            AccessRequest::phase_from_stored(
                S::Submitted,
                T::WaitingForCallback,
                Some((created, instance))
            ),
            Some(Phase::Waiting {
                stage: created,
                instance
            })
        );
        assert_eq!(
            AccessRequest::phase_from_stored(
                S::Delivering,
                T::WaitingForCallback,
                Some((Stage::AssignmentRequestGranted, instance))
            ),
            Some(Phase::Waiting {
                stage: Stage::AssignmentRequestGranted,
                instance
            })
        );
        assert_eq!(
            AccessRequest::phase_from_stored(S::PendingApproval, T::PendingApproval, None),
            Some(Phase::AwaitingApproval)
        );
        assert_eq!(
            AccessRequest::phase_from_stored(S::Submitted, T::Accepted, None),
            Some(Phase::New)
        );
        for closed in [S::Delivered, S::Denied, S::Canceled, S::DeliveryFailed] {
            assert_eq!(
                AccessRequest::phase_from_stored(closed, T::Expired, None),
                Some(Phase::Done)
            );
        }
        // Contradictions: waiting without a live instance, delivering at rest.
        assert_eq!(
            AccessRequest::phase_from_stored(S::Submitted, T::WaitingForCallback, None),
            None
        );
        assert_eq!(
            AccessRequest::phase_from_stored(S::Delivering, T::Delivering, None),
            None
        );
        assert_eq!(
            AccessRequest::phase_from_stored(
                S::PendingApproval,
                T::PendingApproval,
                Some((created, instance))
            ),
            None
        );
    }

    #[test]
    fn serializes_camel_case_with_a_tagged_phase() {
        let mut request = AccessRequest::new(RequestId::new(), RequestType::AdminAdd);
        let instance = CalloutInstanceId::new();
        request.phase = Phase::Waiting {
            stage: Stage::AssignmentRequestApproved,
            instance,
        };
        let json = serde_json::to_value(request).unwrap();
        assert_eq!(json["kind"], "adminAdd");
        assert_eq!(json["state"], "submitted");
        assert_eq!(json["status"], "Accepted");
        assert_eq!(
            json["phase"],
            serde_json::json!({
                "phase": "waiting",
                "stage": "assignmentRequestApproved",
                "instance": instance.to_string()
            })
        );
        assert_eq!(json["completedAt"], serde_json::Value::Null);
        let back: AccessRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, request);
    }
}

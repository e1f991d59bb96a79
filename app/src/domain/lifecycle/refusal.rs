//! Why the machine refused an event, in sentences a requestor, approver or workflow author can
//! act on. The API answers most of them with 409.

use std::fmt;

use super::request::{AccessRequest, Phase};
use super::states::{RequestState, RequestStatus};
use crate::domain::stage::Stage;

/// How a finished request ended, as the end of a sentence ("it was canceled").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Canceled,
    Denied,
    /// Nobody answered in time: an approver or a waiting workflow.
    Expired,
    Delivered,
    DeliveryFailed,
    /// A removal that has run its course.
    RemovalCompleted,
    /// A finished phase with an open state: a stored row that contradicts itself.
    Unknown,
}

impl Ending {
    pub fn of(request: &AccessRequest) -> Ending {
        if request.status == RequestStatus::Expired {
            return Ending::Expired;
        }
        match request.state {
            RequestState::Canceled => Ending::Canceled,
            RequestState::Denied => Ending::Denied,
            RequestState::DeliveryFailed => Ending::DeliveryFailed,
            RequestState::Delivered if request.kind.is_removal() => Ending::RemovalCompleted,
            RequestState::Delivered => Ending::Delivered,
            RequestState::Submitted | RequestState::PendingApproval | RequestState::Delivering => {
                Ending::Unknown
            }
        }
    }

    fn predicate(self) -> &'static str {
        match self {
            Ending::Canceled => "was canceled",
            Ending::Denied => "was denied",
            Ending::Expired => "expired",
            Ending::Delivered => "has been delivered",
            Ending::DeliveryFailed => "could not be delivered",
            Ending::RemovalCompleted => "has completed",
            Ending::Unknown => "has ended",
        }
    }
}

/// Where a request stands, for the second half of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    NotSubmitted,
    Waiting { stage: Stage },
    PendingApproval,
    Ended(Ending),
}

impl Situation {
    pub fn of(request: &AccessRequest) -> Situation {
        match request.phase {
            Phase::New => Situation::NotSubmitted,
            Phase::Waiting { stage, .. } => Situation::Waiting { stage },
            Phase::AwaitingApproval => Situation::PendingApproval,
            Phase::Done => Situation::Ended(Ending::of(request)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    AlreadySubmitted,
    NotSubmitted,
    /// A removal request stored without the assignment it removes.
    NoAssignmentToRemove,
    /// A resume, wait timeout or failed delivery for a callout the request no longer waits on.
    NotWaiting {
        situation: Situation,
    },
    /// An approval, denial or approval timeout for a request that isn't awaiting one.
    NotPendingApproval {
        situation: Situation,
    },
    CannotCancel {
        situation: Situation,
    },
    RemovalCannotBeCanceled,
    /// A resume with `state: denied` at a stage where Latch doesn't allow it (a 400: the body
    /// is wrong whatever the request's state).
    DenyNotAllowed {
        stage: Stage,
    },
    /// A stored request waits at a stage that can't hold one (a pre-expiry stage).
    StageCannotWait {
        stage: Stage,
    },
}

/// Which answer a refusal deserves at the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 409: the request is not in a state for this.
    Conflict,
    /// 400: the input itself is wrong.
    BadRequest,
    /// 500: the stored request contradicts itself or the caller broke the machine's contract.
    Internal,
}

impl Refusal {
    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::AlreadySubmitted
            | Refusal::NotWaiting { .. }
            | Refusal::NotPendingApproval { .. }
            | Refusal::CannotCancel { .. }
            | Refusal::RemovalCannotBeCanceled => RefusalKind::Conflict,
            Refusal::DenyNotAllowed { .. } => RefusalKind::BadRequest,
            Refusal::NotSubmitted
            | Refusal::NoAssignmentToRemove
            | Refusal::StageCannotWait { .. } => RefusalKind::Internal,
        }
    }
}

const NOT_SUBMITTED: &str = "This request has not been submitted yet.";

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::AlreadySubmitted => f.write_str("This request has already been submitted."),
            Refusal::NotSubmitted => f.write_str(NOT_SUBMITTED),
            Refusal::NoAssignmentToRemove => {
                f.write_str("A removal request must name the assignment it removes.")
            }
            Refusal::NotWaiting { situation } => match situation {
                Situation::Ended(ending) => write!(
                    f,
                    "This request is no longer waiting: it {}.",
                    ending.predicate()
                ),
                Situation::Waiting { stage } => write!(
                    f,
                    "This request is not waiting for that custom extension instance: it is \
                     waiting at “{}”.",
                    stage.portal_label()
                ),
                Situation::PendingApproval => f.write_str(
                    "This request is not waiting for a custom extension: it is pending approval.",
                ),
                Situation::NotSubmitted => f.write_str(NOT_SUBMITTED),
            },
            Refusal::NotPendingApproval { situation } => match situation {
                Situation::Ended(ending) => write!(
                    f,
                    "This request is no longer pending approval: it {}.",
                    ending.predicate()
                ),
                Situation::Waiting { stage } => write!(
                    f,
                    "This request is not pending approval: it is waiting for the custom \
                     extension at “{}”.",
                    stage.portal_label()
                ),
                Situation::PendingApproval => f.write_str("This request is pending approval."),
                Situation::NotSubmitted => f.write_str(NOT_SUBMITTED),
            },
            Refusal::CannotCancel { situation } => match situation {
                Situation::Ended(ending) => write!(
                    f,
                    "Only a request that is submitted, pending approval or waiting can be \
                     canceled; this one {}.",
                    ending.predicate()
                ),
                Situation::Waiting { .. } => f.write_str(
                    "This request is being delivered and can no longer be canceled; once it is \
                     delivered, the access can be removed.",
                ),
                Situation::PendingApproval => {
                    f.write_str("This request is pending approval and can be canceled.")
                }
                Situation::NotSubmitted => f.write_str(NOT_SUBMITTED),
            },
            Refusal::RemovalCannotBeCanceled => {
                f.write_str("A removal cannot be canceled: the access has already been removed.")
            }
            Refusal::DenyNotAllowed { stage } => write!(
                f,
                "A custom extension can deny a request only at “{}” or “{}”, not at “{}”.",
                Stage::AssignmentRequestCreated.portal_label(),
                Stage::AssignmentRequestApproved.portal_label(),
                stage.portal_label()
            ),
            Refusal::StageCannotWait { stage } => write!(
                f,
                "The stage “{}” cannot hold a request.",
                stage.portal_label()
            ),
        }
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::RequestId;
    use crate::domain::lifecycle::states::RequestType;

    fn done(kind: RequestType, state: RequestState, status: RequestStatus) -> AccessRequest {
        AccessRequest {
            state,
            status,
            phase: Phase::Done,
            ..AccessRequest::new(RequestId::new(), kind)
        }
    }

    fn ending(state: RequestState, status: RequestStatus) -> Ending {
        Ending::of(&done(RequestType::UserAdd, state, status))
    }

    #[test]
    fn endings_from_state_and_status() {
        use RequestState as S;
        use RequestStatus as T;
        assert_eq!(ending(S::Canceled, T::Canceled), Ending::Canceled);
        assert_eq!(ending(S::Denied, T::Denied), Ending::Denied);
        assert_eq!(ending(S::Denied, T::Expired), Ending::Expired);
        assert_eq!(ending(S::DeliveryFailed, T::Expired), Ending::Expired);
        assert_eq!(
            ending(S::DeliveryFailed, T::DeliveryFailed),
            Ending::DeliveryFailed
        );
        assert_eq!(ending(S::Delivered, T::Delivered), Ending::Delivered);
        assert_eq!(ending(S::Submitted, T::Accepted), Ending::Unknown);
        assert_eq!(
            Ending::of(&done(RequestType::SystemRemove, S::Delivered, T::Delivered)),
            Ending::RemovalCompleted
        );
    }

    #[test]
    fn resume_refusals_say_why() {
        let canceled = Refusal::NotWaiting {
            situation: Situation::Ended(Ending::Canceled),
        };
        assert_eq!(
            canceled.to_string(),
            "This request is no longer waiting: it was canceled."
        );
        assert_eq!(canceled.kind(), RefusalKind::Conflict);
        assert_eq!(
            Refusal::NotWaiting {
                situation: Situation::Ended(Ending::Expired)
            }
            .to_string(),
            "This request is no longer waiting: it expired."
        );
        assert_eq!(
            Refusal::NotWaiting {
                situation: Situation::Waiting {
                    stage: Stage::AssignmentRequestApproved
                }
            }
            .to_string(),
            "This request is not waiting for that custom extension instance: it is waiting at \
             “Request is approved”."
        );
        assert_eq!(
            Refusal::NotWaiting {
                situation: Situation::PendingApproval
            }
            .to_string(),
            "This request is not waiting for a custom extension: it is pending approval."
        );
    }

    #[test]
    fn cancel_and_approval_refusals() {
        assert_eq!(
            Refusal::CannotCancel {
                situation: Situation::Ended(Ending::Delivered)
            }
            .to_string(),
            "Only a request that is submitted, pending approval or waiting can be canceled; this \
             one has been delivered."
        );
        assert_eq!(
            Refusal::CannotCancel {
                situation: Situation::Waiting {
                    stage: Stage::AssignmentRequestGranted
                }
            }
            .to_string(),
            "This request is being delivered and can no longer be canceled; once it is \
             delivered, the access can be removed."
        );
        assert_eq!(
            Refusal::NotPendingApproval {
                situation: Situation::Ended(Ending::Denied)
            }
            .to_string(),
            "This request is no longer pending approval: it was denied."
        );
        assert_eq!(
            Refusal::NotPendingApproval {
                situation: Situation::Waiting {
                    stage: Stage::AssignmentRequestCreated
                }
            }
            .to_string(),
            "This request is not pending approval: it is waiting for the custom extension at \
             “Request is created”."
        );
        assert_eq!(
            Refusal::RemovalCannotBeCanceled.to_string(),
            "A removal cannot be canceled: the access has already been removed."
        );
    }

    #[test]
    fn deny_refusal_is_a_bad_request() {
        let refusal = Refusal::DenyNotAllowed {
            stage: Stage::AssignmentRequestGranted,
        };
        assert_eq!(
            refusal.to_string(),
            "A custom extension can deny a request only at “Request is created” or “Request is \
             approved”, not at “Assignment is granted”."
        );
        assert_eq!(refusal.kind(), RefusalKind::BadRequest);
        assert_eq!(Refusal::NotSubmitted.kind(), RefusalKind::Internal);
        assert_eq!(
            Refusal::NotSubmitted.to_string(),
            "This request has not been submitted yet."
        );
    }
}

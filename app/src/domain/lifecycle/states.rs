//! The string-valued states of requests, assignments and callout instances, spelled as Graph
//! and the database spell them.

use super::wire::wire_enum;

wire_enum! {
    /// Graph's `accessPackageRequestState`.
    pub enum RequestState("request state") {
        Submitted => "submitted",
        PendingApproval => "pendingApproval",
        Delivering => "delivering",
        Delivered => "delivered",
        DeliveryFailed => "deliveryFailed",
        Denied => "denied",
        Canceled => "canceled",
    }
}

impl RequestState {
    /// Still moving: a requestor may have only one open add-request per package, and only an
    /// open request reacts to approvals, resumes and timers.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestState::Submitted | RequestState::PendingApproval | RequestState::Delivering
        )
    }
}

wire_enum! {
    /// The finer `requestStatus` string. PascalCase, as Graph and the callout body send it.
    pub enum RequestStatus("request status") {
        Accepted => "Accepted",
        WaitingForCallback => "WaitingForCallback",
        PendingApproval => "PendingApproval",
        Delivering => "Delivering",
        Delivered => "Delivered",
        Denied => "Denied",
        Canceled => "Canceled",
        /// Nobody answered in time: an approver, or a launch-and-wait workflow.
        Expired => "Expired",
        DeliveryFailed => "DeliveryFailed",
    }
}

wire_enum! {
    /// Graph's `accessPackageRequestType`.
    pub enum RequestType("request type") {
        UserAdd => "userAdd",
        AdminAdd => "adminAdd",
        UserRemove => "userRemove",
        AdminRemove => "adminRemove",
        SystemRemove => "systemRemove",
    }
}

impl RequestType {
    pub fn is_removal(self) -> bool {
        RemovalKind::of(self).is_some()
    }

    /// The PascalCase spelling the callout body's `RequestType` uses (`UserAdd`).
    pub fn pascal_name(self) -> &'static str {
        match self {
            RequestType::UserAdd => "UserAdd",
            RequestType::AdminAdd => "AdminAdd",
            RequestType::UserRemove => "UserRemove",
            RequestType::AdminRemove => "AdminRemove",
            RequestType::SystemRemove => "SystemRemove",
        }
    }
}

/// The three request types that end an assignment, so that starting a removal can't be handed an
/// add type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RemovalKind {
    /// The target gives the access up.
    User,
    /// A manager takes it away.
    Admin,
    /// The assignment reached its expiration.
    System,
}

impl RemovalKind {
    pub fn of(request_type: RequestType) -> Option<RemovalKind> {
        match request_type {
            RequestType::UserRemove => Some(RemovalKind::User),
            RequestType::AdminRemove => Some(RemovalKind::Admin),
            RequestType::SystemRemove => Some(RemovalKind::System),
            RequestType::UserAdd | RequestType::AdminAdd => None,
        }
    }

    pub fn request_type(self) -> RequestType {
        match self {
            RemovalKind::User => RequestType::UserRemove,
            RemovalKind::Admin => RequestType::AdminRemove,
            RemovalKind::System => RequestType::SystemRemove,
        }
    }
}

wire_enum! {
    /// Graph's `accessPackageAssignmentState`.
    pub enum AssignmentState("assignment state") {
        Delivering => "delivering",
        Delivered => "delivered",
        Expired => "expired",
        DeliveryFailed => "deliveryFailed",
    }
}

impl AssignmentState {
    /// Holds (or is about to hold) access: at most one such assignment per target and package.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            AssignmentState::Delivering | AssignmentState::Delivered
        )
    }
}

wire_enum! {
    /// A callout instance's `status`. Graph knows the first five; `pending` is Latch's own for an
    /// instance whose first delivery has not yet succeeded or finally failed, so that the admin
    /// view never claims a callout was sent before it was.
    pub enum InstanceStatus("callout instance status") {
        CalloutSent => "calloutSent",
        CallbackReceived => "callbackReceived",
        CalloutFailed => "calloutFailed",
        CallbackTimedOut => "callbackTimedOut",
        WaitingForCallback => "waitingForCallback",
        Pending => "pending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_state_names_and_openness() {
        let table = [
            (RequestState::Submitted, "submitted", true),
            (RequestState::PendingApproval, "pendingApproval", true),
            (RequestState::Delivering, "delivering", true),
            (RequestState::Delivered, "delivered", false),
            (RequestState::DeliveryFailed, "deliveryFailed", false),
            (RequestState::Denied, "denied", false),
            (RequestState::Canceled, "canceled", false),
        ];
        assert_eq!(RequestState::ALL.len(), table.len());
        for (state, name, open) in table {
            assert_eq!(state.wire_name(), name);
            assert_eq!(state.is_open(), open, "{state:?}");
            assert_eq!(RequestState::parse(&name.to_uppercase()), Ok(state));
        }
    }

    #[test]
    fn request_status_is_pascal_case() {
        let names: Vec<_> = RequestStatus::ALL.iter().map(|s| s.wire_name()).collect();
        assert_eq!(
            names,
            [
                "Accepted",
                "WaitingForCallback",
                "PendingApproval",
                "Delivering",
                "Delivered",
                "Denied",
                "Canceled",
                "Expired",
                "DeliveryFailed"
            ]
        );
        assert_eq!(
            RequestStatus::parse("waitingforcallback"),
            Ok(RequestStatus::WaitingForCallback)
        );
        assert_eq!(
            serde_json::to_string(&RequestStatus::Expired).unwrap(),
            "\"Expired\""
        );
    }

    #[test]
    fn request_types_and_removal_kinds() {
        let names: Vec<_> = RequestType::ALL.iter().map(|t| t.wire_name()).collect();
        assert_eq!(
            names,
            [
                "userAdd",
                "adminAdd",
                "userRemove",
                "adminRemove",
                "systemRemove"
            ]
        );
        assert!(!RequestType::UserAdd.is_removal());
        assert!(!RequestType::AdminAdd.is_removal());
        for kind in [RemovalKind::User, RemovalKind::Admin, RemovalKind::System] {
            assert!(kind.request_type().is_removal());
            assert_eq!(RemovalKind::of(kind.request_type()), Some(kind));
        }
        assert_eq!(RequestType::SystemRemove.pascal_name(), "SystemRemove");
        for t in RequestType::ALL {
            assert_eq!(t.pascal_name().to_lowercase(), t.wire_name().to_lowercase());
        }
    }

    #[test]
    fn assignment_states() {
        let table = [
            (AssignmentState::Delivering, "delivering", true),
            (AssignmentState::Delivered, "delivered", true),
            (AssignmentState::Expired, "expired", false),
            (AssignmentState::DeliveryFailed, "deliveryFailed", false),
        ];
        assert_eq!(AssignmentState::ALL.len(), table.len());
        for (state, name, active) in table {
            assert_eq!(state.wire_name(), name);
            assert_eq!(state.is_active(), active, "{state:?}");
        }
    }

    #[test]
    fn instance_statuses_match_the_database_check() {
        let names: Vec<_> = InstanceStatus::ALL.iter().map(|s| s.wire_name()).collect();
        assert_eq!(
            names,
            [
                "calloutSent",
                "callbackReceived",
                "calloutFailed",
                "callbackTimedOut",
                "waitingForCallback",
                "pending"
            ]
        );
        let read: InstanceStatus = serde_json::from_str("\"CallbackTimedOut\"").unwrap();
        assert_eq!(read, InstanceStatus::CallbackTimedOut);
        assert!(InstanceStatus::parse("sent").is_err());
    }
}

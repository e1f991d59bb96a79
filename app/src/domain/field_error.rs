//! The error a form shows beside one input.

use serde::{Deserialize, Serialize};

/// A rule broken by one input. `field` is the stable key the UI uses to put `message` beside the
/// right control (see [`keys`]); `message` is a whole sentence a user can act on, so the same
/// text can go to the browser and into a REST `BadRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// The field keys, spelled once so a typo is a compile error rather than a message that never
/// finds its input. They match the Graph property names where Graph has one.
pub mod keys {
    pub const DISPLAY_NAME: &str = "displayName";
    pub const DESCRIPTION: &str = "description";
    pub const KIND: &str = "kind";
    pub const BEHAVIOUR: &str = "behaviour";
    pub const TIMEOUT_AMOUNT: &str = "timeoutAmount";
    pub const TIMEOUT_UNIT: &str = "timeoutUnit";
    pub const ENDPOINT_TYPE: &str = "endpointType";
    pub const SUBSCRIPTION_ID: &str = "subscriptionId";
    pub const RESOURCE_GROUP_NAME: &str = "resourceGroupName";
    pub const LOGIC_APP_WORKFLOW_NAME: &str = "logicAppWorkflowName";
    pub const URL: &str = "url";
    pub const TIMEOUT_IN_MILLISECONDS: &str = "timeoutInMilliseconds";
    pub const MAXIMUM_RETRIES: &str = "maximumRetries";
    pub const RESOURCE_ID: &str = "resourceId";
    pub const CATALOG: &str = "catalog";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_only_the_message() {
        let error = FieldError::new(keys::DISPLAY_NAME, "Name is required.");
        assert_eq!(error.to_string(), "Name is required.");
        assert_eq!(error.field, "displayName");
    }

    #[test]
    fn accepts_owned_and_borrowed_messages() {
        let owned = FieldError::new("url", String::from("URL is required."));
        let borrowed = FieldError::new("url", "URL is required.");
        assert_eq!(owned, borrowed);
    }
}

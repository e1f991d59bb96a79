//! A custom extension as an admin edits it, and the rules the whole form must pass.

use serde::{Deserialize, Serialize};

use super::endpoint::Endpoint;
use super::field_error::{keys, FieldError};
use super::kind::ExtensionKind;
use super::limits::{DESCRIPTION_MAX, NAME_MAX};
use super::timeout::WaitTimeout;

pub const RESOURCE_ID_MAX: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "timeout", rename_all = "camelCase")]
pub enum Behaviour {
    LaunchAndContinue,
    /// The stage holds the request until the workflow resumes it or the timeout passes.
    LaunchAndWait(WaitTimeout),
}

impl Behaviour {
    pub fn label(&self) -> &'static str {
        match self {
            Behaviour::LaunchAndContinue => "Launch and continue",
            Behaviour::LaunchAndWait(_) => "Launch and wait",
        }
    }

    pub fn timeout(&self) -> Option<WaitTimeout> {
        match self {
            Behaviour::LaunchAndContinue => None,
            Behaviour::LaunchAndWait(timeout) => Some(*timeout),
        }
    }
}

/// Graph's `customExtensionClientConfiguration`: how long one HTTP attempt may take and how
/// many times a failed one is repeated. Latch's ranges are wider than Entra's (2000 ms, 1 retry)
/// so slow test receivers and flaky networks can be simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfiguration {
    pub timeout_in_milliseconds: u32,
    pub maximum_retries: u32,
}

impl ClientConfiguration {
    pub const TIMEOUT_MIN_MS: u32 = 200;
    pub const TIMEOUT_MAX_MS: u32 = 30_000;
    pub const RETRIES_MAX: u32 = 5;

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let ms = self.timeout_in_milliseconds;
        if !(Self::TIMEOUT_MIN_MS..=Self::TIMEOUT_MAX_MS).contains(&ms) {
            let verdict = if ms < Self::TIMEOUT_MIN_MS {
                "too short"
            } else {
                "too long"
            };
            errors.push(FieldError::new(
                keys::TIMEOUT_IN_MILLISECONDS,
                format!(
                    "Call timeout must be between {} and {} milliseconds; {ms} is {verdict}.",
                    Self::TIMEOUT_MIN_MS,
                    Self::TIMEOUT_MAX_MS
                ),
            ));
        }
        if self.maximum_retries > Self::RETRIES_MAX {
            errors.push(FieldError::new(
                keys::MAXIMUM_RETRIES,
                format!(
                    "Retries must be between 0 and {}; {} is too many.",
                    Self::RETRIES_MAX,
                    self.maximum_retries
                ),
            ));
        }
        errors
    }
}

impl Default for ClientConfiguration {
    fn default() -> Self {
        Self {
            timeout_in_milliseconds: 1000,
            maximum_retries: 3,
        }
    }
}

/// Everything an admin sets on a custom extension; what the wizard builds and what create and
/// edit receive. Server-assigned parts (id, catalog, secret, audit stamps) live elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionDraft {
    pub display_name: String,
    pub description: String,
    pub kind: ExtensionKind,
    pub behaviour: Behaviour,
    pub endpoint: Endpoint,
    pub client: ClientConfiguration,
    /// The audience of a legacy extension's token (`azureAdTokenAuthentication.resourceId`).
    /// The new kinds use PoP tokens bound to the endpoint, so it is ignored for them.
    pub resource_id: Option<String>,
}

impl ExtensionDraft {
    /// Every broken rule at once, so the form can mark all its fields and the API can name them.
    pub fn validate(&self, allow_hosts: &[String]) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = [
            validate_display_name(&self.display_name),
            validate_description(&self.description),
            validate_behaviour(self.kind, &self.behaviour),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        errors.extend(self.endpoint.validate(allow_hosts));
        errors.extend(self.client.validate());
        if self.kind == ExtensionKind::Legacy {
            if let Some(resource_id) = &self.resource_id {
                errors.extend(validate_resource_id(resource_id).err());
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

pub fn validate_display_name(name: &str) -> Result<(), FieldError> {
    if name.trim().is_empty() {
        return Err(FieldError::new(keys::DISPLAY_NAME, "Name is required."));
    }
    let length = name.chars().count();
    if length > NAME_MAX {
        return Err(FieldError::new(
            keys::DISPLAY_NAME,
            format!("Name is {length} characters; the limit is {NAME_MAX}."),
        ));
    }
    Ok(())
}

pub fn validate_description(description: &str) -> Result<(), FieldError> {
    let length = description.chars().count();
    if length > DESCRIPTION_MAX {
        return Err(FieldError::new(
            keys::DESCRIPTION,
            format!("Description is {length} characters; the limit is {DESCRIPTION_MAX}."),
        ));
    }
    Ok(())
}

pub fn validate_behaviour(kind: ExtensionKind, behaviour: &Behaviour) -> Result<(), FieldError> {
    if matches!(behaviour, Behaviour::LaunchAndWait(_)) && !kind.allows_wait() {
        let message = match kind {
            ExtensionKind::PreExpiration => {
                "Pre-expiration workflows can only launch and continue."
            }
            _ => "Custom access package extensions can only launch and continue.",
        };
        return Err(FieldError::new(keys::BEHAVIOUR, message));
    }
    Ok(())
}

/// Only the length is checked: an app id URI may be a GUID, an `api://` URI or a plain URL, and
/// Azure itself accepts all of them.
fn validate_resource_id(resource_id: &str) -> Result<(), FieldError> {
    let length = resource_id.chars().count();
    if length > RESOURCE_ID_MAX {
        return Err(FieldError::new(
            keys::RESOURCE_ID,
            format!("Resource ID is {length} characters; the limit is {RESOURCE_ID_MAX}."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::endpoint::LogicAppEndpoint;
    use super::super::timeout::TimeUnit;
    use super::*;

    fn draft(kind: ExtensionKind) -> ExtensionDraft {
        ExtensionDraft {
            display_name: "SodCheck".to_owned(),
            description: "Separation of duties check".to_owned(),
            kind,
            behaviour: Behaviour::LaunchAndContinue,
            endpoint: Endpoint::Http {
                url: "https://hooks.example.com/sod".to_owned(),
            },
            client: ClientConfiguration::default(),
            resource_id: None,
        }
    }

    fn wait(minutes: u32) -> Behaviour {
        Behaviour::LaunchAndWait(WaitTimeout::new(minutes, TimeUnit::Minutes).unwrap())
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn behaviour_labels_and_timeout() {
        assert_eq!(Behaviour::LaunchAndContinue.label(), "Launch and continue");
        assert_eq!(wait(10).label(), "Launch and wait");
        assert_eq!(Behaviour::LaunchAndContinue.timeout(), None);
        assert_eq!(wait(10).timeout().map(|t| t.total_minutes()), Some(10));
    }

    #[test]
    fn client_configuration_defaults() {
        let client = ClientConfiguration::default();
        assert_eq!(client.timeout_in_milliseconds, 1000);
        assert_eq!(client.maximum_retries, 3);
        assert_eq!(client.validate(), []);
    }

    #[test]
    fn client_timeout_edges() {
        let with_ms = |ms| ClientConfiguration {
            timeout_in_milliseconds: ms,
            maximum_retries: 0,
        };
        assert_eq!(with_ms(200).validate(), []);
        assert_eq!(with_ms(30_000).validate(), []);
        let errors = with_ms(199).validate();
        assert_eq!(
            errors,
            [FieldError::new(
                "timeoutInMilliseconds",
                "Call timeout must be between 200 and 30000 milliseconds; 199 is too short."
            )]
        );
        assert_eq!(
            with_ms(30_001).validate()[0].message,
            "Call timeout must be between 200 and 30000 milliseconds; 30001 is too long."
        );
    }

    #[test]
    fn client_retries_edges() {
        let with_retries = |retries| ClientConfiguration {
            timeout_in_milliseconds: 1000,
            maximum_retries: retries,
        };
        assert_eq!(with_retries(0).validate(), []);
        assert_eq!(with_retries(5).validate(), []);
        assert_eq!(
            with_retries(6).validate(),
            [FieldError::new(
                "maximumRetries",
                "Retries must be between 0 and 5; 6 is too many."
            )]
        );
    }

    #[test]
    fn display_name_edges() {
        assert_eq!(validate_display_name(&"n".repeat(256)), Ok(()));
        assert_eq!(
            validate_display_name(&"n".repeat(257)),
            Err(FieldError::new(
                "displayName",
                "Name is 257 characters; the limit is 256."
            ))
        );
        assert_eq!(validate_display_name(&"é".repeat(256)), Ok(()));
        for empty in ["", "   ", "\t\n"] {
            assert_eq!(
                validate_display_name(empty),
                Err(FieldError::new("displayName", "Name is required.")),
                "{empty:?}"
            );
        }
    }

    #[test]
    fn description_edges() {
        assert_eq!(validate_description(""), Ok(()));
        assert_eq!(validate_description(&"d".repeat(1024)), Ok(()));
        assert_eq!(validate_description(&"ü".repeat(1024)), Ok(()));
        assert_eq!(
            validate_description(&"d".repeat(1025)),
            Err(FieldError::new(
                "description",
                "Description is 1025 characters; the limit is 1024."
            ))
        );
    }

    #[test]
    fn a_good_draft_passes_for_every_kind() {
        for kind in ExtensionKind::ALL {
            assert_eq!(draft(kind).validate(&[]), Ok(()), "{kind:?}");
        }
        let mut waiting = draft(ExtensionKind::AssignmentRequest);
        waiting.behaviour = wait(30);
        assert_eq!(waiting.validate(&[]), Ok(()));
    }

    #[test]
    fn only_assignment_request_may_wait() {
        let mut pre_expiry = draft(ExtensionKind::PreExpiration);
        pre_expiry.behaviour = wait(30);
        let errors = pre_expiry.validate(&[]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "behaviour");
        assert_eq!(
            errors[0].message,
            "Pre-expiration workflows can only launch and continue."
        );

        let mut legacy = draft(ExtensionKind::Legacy);
        legacy.behaviour = wait(30);
        assert_eq!(
            legacy.validate(&[]).unwrap_err()[0].message,
            "Custom access package extensions can only launch and continue."
        );
    }

    #[test]
    fn collects_every_error_in_form_order() {
        let bad = ExtensionDraft {
            display_name: " ".to_owned(),
            description: "d".repeat(1025),
            kind: ExtensionKind::PreExpiration,
            behaviour: wait(10),
            endpoint: Endpoint::LogicApp(LogicAppEndpoint {
                subscription_id: "x".to_owned(),
                resource_group_name: "rg".to_owned(),
                logic_app_workflow_name: "wf".to_owned(),
                url: "ftp://example.com".to_owned(),
            }),
            client: ClientConfiguration {
                timeout_in_milliseconds: 100,
                maximum_retries: 9,
            },
            resource_id: None,
        };
        assert_eq!(
            fields(bad.validate(&[])),
            [
                "displayName",
                "description",
                "behaviour",
                "subscriptionId",
                "url",
                "timeoutInMilliseconds",
                "maximumRetries"
            ]
        );
    }

    #[test]
    fn resource_id_is_checked_only_for_legacy() {
        let mut legacy = draft(ExtensionKind::Legacy);
        legacy.resource_id = Some("api://latch-workflows".to_owned());
        assert_eq!(legacy.validate(&[]), Ok(()));
        legacy.resource_id = Some(String::new());
        assert_eq!(legacy.validate(&[]), Ok(()));
        legacy.resource_id = Some("r".repeat(256));
        assert_eq!(legacy.validate(&[]), Ok(()));
        legacy.resource_id = Some("r".repeat(257));
        assert_eq!(
            legacy.validate(&[]),
            Err(vec![FieldError::new(
                "resourceId",
                "Resource ID is 257 characters; the limit is 256."
            )])
        );

        let mut request = draft(ExtensionKind::AssignmentRequest);
        request.resource_id = Some("r".repeat(257));
        assert_eq!(request.validate(&[]), Ok(()));
    }

    #[test]
    fn endpoint_allow_list_is_passed_through() {
        let mut local = draft(ExtensionKind::AssignmentRequest);
        local.endpoint = Endpoint::Http {
            url: "http://127.0.0.1:9000/hook".to_owned(),
        };
        assert_eq!(fields(local.validate(&[])), ["url"]);
        assert_eq!(local.validate(&["127.0.0.1".to_owned()]), Ok(()));
    }
}

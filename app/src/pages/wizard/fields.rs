//! The wizard's inputs as signals, and their translation into the domain's draft. The same
//! domain rules run here as one types and again on the server when saving.

use crate::domain::endpoint::{Endpoint, LogicAppEndpoint};
use crate::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use crate::domain::field_error::{keys, FieldError};
use crate::domain::kind::ExtensionKind;
use crate::domain::timeout::{TimeUnit, WaitTimeout};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointType {
    LogicApp,
    Http,
}

/// The five tabs and the fields each holds, so an error can send the user to its tab.
pub const TABS: [(&str, &[&str]); 5] = [
    ("Basics", &[keys::DISPLAY_NAME, keys::DESCRIPTION]),
    ("Extension Type", &[keys::KIND]),
    (
        "Extension Configuration",
        &[keys::BEHAVIOUR, keys::TIMEOUT_AMOUNT, keys::TIMEOUT_UNIT],
    ),
    (
        "Details",
        &[
            keys::ENDPOINT_TYPE,
            keys::SUBSCRIPTION_ID,
            keys::RESOURCE_GROUP_NAME,
            keys::LOGIC_APP_WORKFLOW_NAME,
            keys::URL,
            keys::TIMEOUT_IN_MILLISECONDS,
            keys::MAXIMUM_RETRIES,
            keys::RESOURCE_ID,
        ],
    ),
    ("Review + Create", &[keys::CATALOG]),
];

pub fn tab_of(field: &str) -> usize {
    TABS.iter()
        .position(|(_, fields)| fields.contains(&field))
        .unwrap_or(TABS.len() - 1)
}

#[derive(Clone, Copy)]
pub struct Fields {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub kind: RwSignal<ExtensionKind>,
    pub wait: RwSignal<bool>,
    pub amount: RwSignal<String>,
    pub unit: RwSignal<TimeUnit>,
    pub endpoint_type: RwSignal<EndpointType>,
    pub subscription_id: RwSignal<String>,
    pub resource_group: RwSignal<String>,
    pub workflow_name: RwSignal<String>,
    pub url: RwSignal<String>,
    pub timeout_ms: RwSignal<String>,
    pub retries: RwSignal<String>,
    /// Kept as it was (legacy extensions only); not edited in the wizard.
    pub resource_id: RwSignal<Option<String>>,
}

impl Fields {
    pub fn new(current: Option<&ExtensionDraft>) -> Self {
        let defaults = ClientConfiguration::default();
        let d = current;
        let (wait, amount, unit) = match d.map(|d| &d.behaviour) {
            Some(Behaviour::LaunchAndWait(t)) => (true, t.amount().to_string(), t.unit()),
            _ => (false, "1".to_string(), TimeUnit::Hours),
        };
        let logic_app = match d.map(|d| &d.endpoint) {
            Some(Endpoint::LogicApp(l)) => Some(l.clone()),
            _ => None,
        };
        let endpoint_type = match d.map(|d| &d.endpoint) {
            Some(Endpoint::Http { .. }) => EndpointType::Http,
            _ => EndpointType::LogicApp,
        };
        let client = d.map(|d| d.client).unwrap_or(defaults);
        Fields {
            name: RwSignal::new(d.map(|d| d.display_name.clone()).unwrap_or_default()),
            description: RwSignal::new(d.map(|d| d.description.clone()).unwrap_or_default()),
            kind: RwSignal::new(
                d.map(|d| d.kind)
                    .unwrap_or(ExtensionKind::AssignmentRequest),
            ),
            wait: RwSignal::new(wait),
            amount: RwSignal::new(amount),
            unit: RwSignal::new(unit),
            endpoint_type: RwSignal::new(endpoint_type),
            subscription_id: RwSignal::new(
                logic_app
                    .as_ref()
                    .map(|l| l.subscription_id.clone())
                    .unwrap_or_default(),
            ),
            resource_group: RwSignal::new(
                logic_app
                    .as_ref()
                    .map(|l| l.resource_group_name.clone())
                    .unwrap_or_default(),
            ),
            workflow_name: RwSignal::new(
                logic_app
                    .as_ref()
                    .map(|l| l.logic_app_workflow_name.clone())
                    .unwrap_or_default(),
            ),
            url: RwSignal::new(d.map(|d| d.endpoint.url().to_string()).unwrap_or_default()),
            timeout_ms: RwSignal::new(client.timeout_in_milliseconds.to_string()),
            retries: RwSignal::new(client.maximum_retries.to_string()),
            resource_id: RwSignal::new(d.and_then(|d| d.resource_id.clone())),
        }
    }

    pub fn logic_app(&self) -> LogicAppEndpoint {
        LogicAppEndpoint {
            subscription_id: self.subscription_id.get().trim().to_string(),
            resource_group_name: self.resource_group.get().trim().to_string(),
            logic_app_workflow_name: self.workflow_name.get().trim().to_string(),
            url: self.url.get().trim().to_string(),
        }
    }

    /// The draft these inputs describe, or every error in them (numbers that don't parse,
    /// then the domain's rules).
    pub fn draft(&self, allow_hosts: &[String]) -> Result<ExtensionDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |text: String, field: &str, what: &str| -> Option<u32> {
            let parsed = text.trim().parse::<u32>().ok();
            if parsed.is_none() {
                errors.push(FieldError::new(
                    field,
                    format!("{what} must be a whole number."),
                ));
            }
            parsed
        };
        let kind = self.kind.get();
        let behaviour = if self.wait.get() && kind.allows_wait() {
            number(self.amount.get(), keys::TIMEOUT_AMOUNT, "Response timeout").map(|amount| {
                WaitTimeout::new(amount, self.unit.get()).map(Behaviour::LaunchAndWait)
            })
        } else {
            Some(Ok(Behaviour::LaunchAndContinue))
        };
        let timeout_ms = number(
            self.timeout_ms.get(),
            keys::TIMEOUT_IN_MILLISECONDS,
            "Call timeout",
        );
        let retries = number(self.retries.get(), keys::MAXIMUM_RETRIES, "Maximum retries");
        let behaviour = match behaviour {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            None => None,
        };
        let endpoint = match self.endpoint_type.get() {
            EndpointType::LogicApp => Endpoint::LogicApp(self.logic_app()),
            EndpointType::Http => Endpoint::Http {
                url: self.url.get().trim().to_string(),
            },
        };
        let draft = ExtensionDraft {
            display_name: self.name.get(),
            description: self.description.get(),
            kind,
            behaviour: behaviour.unwrap_or(Behaviour::LaunchAndContinue),
            endpoint,
            client: ClientConfiguration {
                timeout_in_milliseconds: timeout_ms.unwrap_or(1000),
                maximum_retries: retries.unwrap_or(0),
            },
            resource_id: self.resource_id.get(),
        };
        if let Err(rule_errors) = draft.validate(allow_hosts) {
            // A field whose text didn't parse already has its message.
            let parsed_badly: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(
                rule_errors
                    .into_iter()
                    .filter(|e| !parsed_badly.contains(&e.field)),
            );
        }
        if errors.is_empty() && behaviour.is_some() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> Fields {
        let f = Fields::new(None);
        f.name.set("Contoso.SodCheckProcess".into());
        f.subscription_id
            .set("3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f".into());
        f.resource_group.set("rg".into());
        f.workflow_name.set("sod".into());
        f.url.set("https://prod.logic.azure.com/workflows/x".into());
        f
    }

    #[test]
    fn a_complete_form_makes_a_valid_draft() {
        let owner = Owner::new();
        owner.with(|| {
            let f = filled();
            f.wait.set(true);
            f.amount.set("3".into());
            f.unit.set(TimeUnit::Days);
            let draft = f.draft(&[]).expect("valid");
            assert_eq!(draft.behaviour.timeout().unwrap().to_iso8601(), "P3D");
        });
    }

    #[test]
    fn unparsable_numbers_and_rules_are_all_reported_by_field() {
        let owner = Owner::new();
        owner.with(|| {
            let f = filled();
            f.wait.set(true);
            f.amount.set("20".into());
            f.unit.set(TimeUnit::Days);
            f.timeout_ms.set("fast".into());
            f.resource_group.set("r".repeat(91));
            let errors = f.draft(&[]).unwrap_err();
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert!(fields.contains(&keys::TIMEOUT_AMOUNT), "{errors:?}");
            assert!(fields.contains(&keys::RESOURCE_GROUP_NAME), "{errors:?}");
            let timeout = errors
                .iter()
                .find(|e| e.field == keys::TIMEOUT_IN_MILLISECONDS)
                .unwrap();
            assert_eq!(timeout.message, "Call timeout must be a whole number.");
            assert_eq!(tab_of(keys::TIMEOUT_AMOUNT), 2);
            assert_eq!(tab_of(keys::URL), 3);
        });
    }

    #[test]
    fn pre_expiration_ignores_a_wait_left_selected() {
        let owner = Owner::new();
        owner.with(|| {
            let f = filled();
            f.wait.set(true);
            f.kind.set(ExtensionKind::PreExpiration);
            assert_eq!(
                f.draft(&[]).unwrap().behaviour,
                Behaviour::LaunchAndContinue
            );
        });
    }
}

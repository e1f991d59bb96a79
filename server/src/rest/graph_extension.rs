//! Custom extensions in Graph's shape, both ways. Durations are read from `timeoutDuration`
//! or `durationBeforeTimeout` and written back in both; a trigger URL's query is masked.

use super::error::GraphError;
use app::domain::endpoint::{Endpoint, LogicAppEndpoint};
use app::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use app::domain::field_error::keys;
use app::domain::kind::{ExtensionKind, TokenSecurity};
use app::domain::timeout::WaitTimeout;
use app::error::AppError;
use app::store::extensions::ExtensionRecord;
use serde::Deserialize;
use serde_json::{json, Value};

/// The Graph property a rule of `domain::extension` is about (its field key), for refusals.
fn graph_property(field: &str) -> &str {
    match field {
        keys::KIND => "@odata.type",
        keys::BEHAVIOUR => "callbackConfiguration",
        keys::TIMEOUT_AMOUNT | keys::TIMEOUT_UNIT => "callbackConfiguration.timeoutDuration",
        keys::ENDPOINT_TYPE => "endpointConfiguration.@odata.type",
        keys::SUBSCRIPTION_ID => "endpointConfiguration.subscriptionId",
        keys::RESOURCE_GROUP_NAME => "endpointConfiguration.resourceGroupName",
        keys::LOGIC_APP_WORKFLOW_NAME => "endpointConfiguration.logicAppWorkflowName",
        // `url` of a Logic App trigger, `targetUrl` of an HTTP endpoint.
        keys::URL => "endpointConfiguration",
        keys::TIMEOUT_IN_MILLISECONDS => "clientConfiguration.timeoutInMilliseconds",
        keys::MAXIMUM_RETRIES => "clientConfiguration.maximumRetries",
        keys::RESOURCE_ID => "authenticationConfiguration.resourceId",
        other => other,
    }
}

/// A refused save: each rule's message, prefixed by the Graph property it is about.
pub fn refused(error: AppError) -> GraphError {
    match error {
        AppError::Invalid(errors) => {
            GraphError::invalid(&errors, |f| graph_property(f).to_string())
        }
        other => other.into(),
    }
}

pub const LOGIC_APP: &str = "#microsoft.graph.logicAppTriggerEndpointConfiguration";
pub const HTTP_ENDPOINT: &str = "#microsoft.graph.httpRequestEndpoint";

pub fn to_graph(record: &ExtensionRecord, draft: &ExtensionDraft) -> Value {
    let endpoint = match &draft.endpoint {
        Endpoint::LogicApp(l) => json!({
            "@odata.type": LOGIC_APP,
            "subscriptionId": l.subscription_id,
            "resourceGroupName": l.resource_group_name,
            "logicAppWorkflowName": l.logic_app_workflow_name,
            "url": l.url,
        }),
        Endpoint::Http { url } => json!({ "@odata.type": HTTP_ENDPOINT, "targetUrl": url }),
    };
    let authentication = match draft.kind.token_security() {
        TokenSecurity::ProofOfPossession => {
            json!({ "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication" })
        }
        TokenSecurity::Regular => json!({
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": draft.resource_id,
        }),
    };
    let callback = match &draft.behaviour {
        Behaviour::LaunchAndWait(t) => json!({
            "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
            "timeoutDuration": t.to_iso8601(),
            "durationBeforeTimeout": t.to_iso8601(),
        }),
        Behaviour::LaunchAndContinue => Value::Null,
    };
    json!({
        "@odata.type": draft.kind.odata_type(),
        "id": record.id,
        "displayName": draft.display_name,
        "description": draft.description,
        "createdBy": record.created_by,
        "lastModifiedBy": record.last_modified_by,
        "createdDateTime": record.created_at,
        "lastModifiedDateTime": record.modified_at,
        "endpointConfiguration": endpoint,
        "authenticationConfiguration": authentication,
        "clientConfiguration": {
            "@odata.type": "#microsoft.graph.customExtensionClientConfiguration",
            "timeoutInMilliseconds": draft.client.timeout_in_milliseconds,
            "maximumRetries": draft.client.maximum_retries,
        },
        "callbackConfiguration": callback,
    })
}

/// A body as a client sends it: every property optional, so PATCH can change a few.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub endpoint_configuration: Option<EndpointBody>,
    pub authentication_configuration: Option<AuthenticationBody>,
    pub client_configuration: Option<ClientBody>,
    /// `null` switches a launch-and-wait extension to launch and continue.
    #[serde(default, deserialize_with = "present")]
    pub callback_configuration: Option<Option<CallbackBody>>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointBody {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group_name: Option<String>,
    pub logic_app_workflow_name: Option<String>,
    pub url: Option<String>,
    pub target_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationBody {
    pub resource_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientBody {
    pub timeout_in_milliseconds: Option<u32>,
    pub maximum_retries: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackBody {
    pub timeout_duration: Option<String>,
    pub duration_before_timeout: Option<String>,
}

fn same_type(given: &str, expected: &str) -> bool {
    given
        .trim_start_matches('#')
        .eq_ignore_ascii_case(expected.trim_start_matches('#'))
}

/// The kind a create names with `@odata.type`.
pub fn kind_of(body: &ExtensionBody) -> Result<ExtensionKind, GraphError> {
    let given = body.odata_type.as_deref().ok_or_else(|| {
        GraphError::bad_request(
            "Property '@odata.type' is required: it names the kind of custom extension.",
        )
    })?;
    ExtensionKind::from_odata_type(given).ok_or_else(|| {
        GraphError::bad_request(format!(
            "Property '@odata.type': {given:?} is not a custom extension type."
        ))
    })
}

/// Applies `body` on top of `base` (a new extension's defaults, or the stored one for PATCH).
pub fn apply(mut draft: ExtensionDraft, body: ExtensionBody) -> Result<ExtensionDraft, GraphError> {
    if let Some(name) = body.display_name {
        draft.display_name = name;
    }
    if let Some(description) = body.description {
        draft.description = description;
    }
    if let Some(endpoint) = body.endpoint_configuration {
        let kind = endpoint
            .odata_type
            .as_deref()
            .unwrap_or(match &draft.endpoint {
                Endpoint::LogicApp(_) => LOGIC_APP,
                Endpoint::Http { .. } => HTTP_ENDPOINT,
            });
        draft.endpoint = if same_type(kind, LOGIC_APP) {
            let current = match &draft.endpoint {
                Endpoint::LogicApp(l) => l.clone(),
                Endpoint::Http { url } => LogicAppEndpoint {
                    subscription_id: String::new(),
                    resource_group_name: String::new(),
                    logic_app_workflow_name: String::new(),
                    url: url.clone(),
                },
            };
            Endpoint::LogicApp(LogicAppEndpoint {
                subscription_id: endpoint.subscription_id.unwrap_or(current.subscription_id),
                resource_group_name: endpoint
                    .resource_group_name
                    .unwrap_or(current.resource_group_name),
                logic_app_workflow_name: endpoint
                    .logic_app_workflow_name
                    .unwrap_or(current.logic_app_workflow_name),
                url: endpoint.url.unwrap_or(current.url),
            })
        } else if same_type(kind, HTTP_ENDPOINT) {
            Endpoint::Http {
                url: endpoint
                    .target_url
                    .or(endpoint.url)
                    .unwrap_or_else(|| draft.endpoint.url().to_string()),
            }
        } else {
            return Err(GraphError::bad_request(format!(
                "Property 'endpointConfiguration.@odata.type': {kind:?} is not supported; use {LOGIC_APP} or {HTTP_ENDPOINT}."
            )));
        };
    }
    if let Endpoint::LogicApp(logic_app) = &mut draft.endpoint {
        if logic_app.url.trim().is_empty() {
            logic_app.url = arm_trigger_url(logic_app);
        }
    }
    if let Some(auth) = body.authentication_configuration {
        if auth.resource_id.is_some() {
            draft.resource_id = auth.resource_id;
        }
    }
    if let Some(client) = body.client_configuration {
        draft.client = ClientConfiguration {
            timeout_in_milliseconds: client
                .timeout_in_milliseconds
                .unwrap_or(draft.client.timeout_in_milliseconds),
            maximum_retries: client
                .maximum_retries
                .unwrap_or(draft.client.maximum_retries),
        };
    }
    match body.callback_configuration {
        Some(Some(callback)) => {
            let text = callback
                .duration_before_timeout
                .or(callback.timeout_duration)
                .ok_or_else(|| {
                    GraphError::bad_request(
                        "Property 'callbackConfiguration': give the wait as 'durationBeforeTimeout' (or 'timeoutDuration'), e.g. \"PT1H\".",
                    )
                })?;
            let timeout = WaitTimeout::parse_iso8601(&text).map_err(|e| {
                GraphError::bad_request(format!(
                    "Property 'callbackConfiguration.durationBeforeTimeout': {}",
                    e.message
                ))
            })?;
            draft.behaviour = Behaviour::LaunchAndWait(timeout);
        }
        Some(None) => draft.behaviour = Behaviour::LaunchAndContinue,
        None => {}
    }
    Ok(draft)
}

/// Graph's own example names a Logic App by its coordinates alone: Entra finds the trigger
/// through Azure Resource Manager. Latch then calls the workflow's ARM trigger-run address
/// (which a PoP token for management.azure.com is meant for); give `url` to call the
/// trigger's callback URL instead.
pub fn arm_trigger_url(logic_app: &LogicAppEndpoint) -> String {
    format!(
        "https://management.azure.com{}/triggers/manual/run?api-version=2016-06-01",
        logic_app.resource_path()
    )
}

/// What a new extension starts from before the body is applied.
pub fn blank(kind: ExtensionKind) -> ExtensionDraft {
    ExtensionDraft {
        display_name: String::new(),
        description: String::new(),
        kind,
        behaviour: Behaviour::LaunchAndContinue,
        endpoint: Endpoint::Http { url: String::new() },
        client: ClientConfiguration::default(),
        resource_id: None,
    }
}

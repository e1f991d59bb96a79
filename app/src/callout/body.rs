//! The JSON bodies Latch POSTs to a workflow, in the flat PascalCase shape that Logic Apps built
//! for Entra read (`triggerBody()?['CustomExtensionStageInstanceId']`), with keys in the order
//! `callout.md` shows them.
//!
//! A body is serialized once into a [`CalloutBody`]: the webhook signature, the token's `bh`
//! claim and the request all use those exact bytes. The bodies are built from `Serialize`
//! structs rather than `serde_json::Value`, whose map sorts keys unless serde_json's
//! `preserve_order` feature is on for the whole build.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::ids::{
    AccessPackageId, AssignmentId, CalloutInstanceId, CatalogId, PolicyId, RequestId, UserId,
};
use crate::domain::kind::ExtensionKind;
use crate::domain::stage::Stage;
use crate::domain::timeout::WaitTimeout;

/// What a connection test sends in place of a stage (`Stage` or, for legacy, `Event`).
pub const CONNECTION_TEST_STAGE: &str = "CustomExtensionConnectionTest";

/// An access package or catalog as the workflow sees it: `{Id, DisplayName, Description}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described<Id> {
    pub id: Id,
    pub display_name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFacts {
    pub id: PolicyId,
    pub display_name: String,
}

/// Who asked: a user, or an app (its service principal) for requests made over the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: uuid::Uuid,
    pub display_name: String,
}

/// The user who gets (or loses) the access. Known from the request before any assignment
/// exists, which the legacy body needs at the created and approved stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    pub id: UserId,
    pub display_name: String,
    pub email: Option<String>,
}

/// The assignment's own facts; its target and policy are the request's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub id: AssignmentId,
    /// Graph's word, such as `delivering`; sent PascalCase.
    pub state: String,
    pub status: String,
}

/// Everything any callout body says about one stage of one request or assignment. Each body
/// takes the fields its shape has and ignores the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutFacts {
    pub stage: Stage,
    pub instance_id: CalloutInstanceId,
    /// For pre-expiration stages, the request that made the assignment.
    pub request_id: RequestId,
    /// Graph's words (`userAdd`, `submitted`, `WaitingForCallback`); the bodies send them
    /// PascalCase, as Entra does.
    pub request_type: String,
    pub request_state: String,
    pub request_status: String,
    pub justification: String,
    pub request_created: DateTime<Utc>,
    pub access_package: Described<AccessPackageId>,
    pub catalog: Described<CatalogId>,
    pub policy: PolicyFacts,
    pub target: TargetFacts,
    pub requestor: Person,
    /// None before the assignment exists (created and approved stages).
    pub assignment: Option<AssignmentFacts>,
    /// `Some` only for launch and wait (`Behaviour::timeout()`): it adds `CallbackConfiguration`.
    pub wait_timeout: Option<WaitTimeout>,
    /// The assignment's expiration, sent by pre-expiration stages.
    pub expiration: Option<DateTime<Utc>>,
}

/// A body serialized once; sign, hash and send these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutBody(Vec<u8>);

impl CalloutBody {
    fn of(body: &impl Serialize) -> Self {
        // Every body is made of strings, ids, nulls and nested structs: nothing that serde_json
        // can refuse (non-string map keys, failing custom serializers).
        Self(serde_json::to_vec(body).expect("callout bodies always serialize"))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// serde_json writes UTF-8, so the text view always exists.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("serde_json writes UTF-8")
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0).expect("a CalloutBody is JSON")
    }
}

/// The path a workflow appends to `{base}/v1.0` or `{base}/beta` to resume the request.
pub fn callback_uri_path(request_id: RequestId) -> String {
    format!("/identityGovernance/entitlementManagement/assignmentRequests/{request_id}/resume")
}

/// The body for the kind's shape: request stages, pre-expiration stages, or legacy.
pub fn body_for(kind: ExtensionKind, facts: &CalloutFacts) -> CalloutBody {
    match kind {
        ExtensionKind::AssignmentRequest => request_stage_body(facts),
        ExtensionKind::PreExpiration => pre_expiration_body(facts),
        ExtensionKind::Legacy => legacy_body(facts),
    }
}

pub fn request_stage_body(facts: &CalloutFacts) -> CalloutBody {
    CalloutBody::of(&RequestStageBody {
        stage: facts.stage.wire_name(),
        custom_extension_stage_instance_id: facts.instance_id,
        access_package_assignment_request_id: facts.request_id,
        callback_uri_path: callback_uri_path(facts.request_id),
        callback_configuration: facts.wait_timeout.map(|timeout| CallbackConfiguration {
            duration_before_timeout: timeout.to_iso8601(),
        }),
        request_type: pascal_word(&facts.request_type),
        state: pascal_word(&facts.request_state),
        status: pascal_word(&facts.request_status),
        justification: &facts.justification,
        answers: &[],
        access_package: DescribedBody::of(&facts.access_package),
        access_package_catalog: DescribedBody::of(&facts.catalog),
        assignment: facts
            .assignment
            .as_ref()
            .map(|assignment| AssignmentBody::of(facts, assignment, true)),
        requestor: PersonBody::of(&facts.requestor),
    })
}

pub fn pre_expiration_body(facts: &CalloutFacts) -> CalloutBody {
    CalloutBody::of(&PreExpirationBody {
        stage: facts.stage.wire_name(),
        custom_extension_stage_instance_id: facts.instance_id,
        access_package_assignment_request_id: facts.request_id,
        access_package: DescribedBody::of(&facts.access_package),
        access_package_catalog: DescribedBody::of(&facts.catalog),
        assignment: facts
            .assignment
            .as_ref()
            .map(|assignment| AssignmentBody::of(facts, assignment, false)),
        requestor: PersonBody::of(&facts.requestor),
        expiration_date_time: facts.expiration.map(graph_date_time),
    })
}

pub fn legacy_body(facts: &CalloutFacts) -> CalloutBody {
    CalloutBody::of(&LegacyBody {
        event: facts.stage.pascal_name(),
        access_package_id: facts.access_package.id,
        access_package_name: &facts.access_package.display_name,
        access_package_policy_id: facts.policy.id,
        access_package_policy_name: &facts.policy.display_name,
        access_package_assignment_request_id: facts.request_id,
        access_package_assignment_id: facts.assignment.as_ref().map(|a| a.id),
        catalog_id: facts.catalog.id,
        catalog_name: &facts.catalog.display_name,
        connected_organization_name: None,
        request_created_date_time: graph_date_time(facts.request_created),
        target_id: facts.target.id,
        target_email: facts.target.email.as_deref(),
        target_display_name: &facts.target.display_name,
        custom_extension_stage_instance_id: facts.instance_id,
    })
}

/// Sent when an extension is created or its endpoint changes.
pub fn connection_test_body(
    kind: ExtensionKind,
    instance_id: CalloutInstanceId,
    catalog: &Described<CatalogId>,
) -> CalloutBody {
    match kind {
        ExtensionKind::AssignmentRequest | ExtensionKind::PreExpiration => {
            CalloutBody::of(&ConnectionTestBody {
                stage: CONNECTION_TEST_STAGE,
                custom_extension_stage_instance_id: instance_id,
                access_package_catalog: DescribedBody::of(catalog),
            })
        }
        ExtensionKind::Legacy => CalloutBody::of(&LegacyConnectionTestBody {
            event: CONNECTION_TEST_STAGE,
            catalog_id: catalog.id,
            catalog_name: &catalog.display_name,
        }),
    }
}

/// Graph words are camelCase (`userAdd`, `submitted`) where Entra's callouts send PascalCase
/// (`UserAdd`, `Submitted`); words that are already PascalCase pass unchanged.
fn pascal_word(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// ISO 8601 in UTC with a `Z`, fractional seconds only when there are some.
fn graph_date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RequestStageBody<'a> {
    stage: &'static str,
    custom_extension_stage_instance_id: CalloutInstanceId,
    access_package_assignment_request_id: RequestId,
    callback_uri_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_configuration: Option<CallbackConfiguration>,
    request_type: String,
    state: String,
    status: String,
    justification: &'a str,
    /// Latch's policies ask no questions, so there are never answers.
    answers: &'static [()],
    access_package: DescribedBody<'a>,
    access_package_catalog: DescribedBody<'a>,
    assignment: Option<AssignmentBody<'a>>,
    requestor: PersonBody<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PreExpirationBody<'a> {
    stage: &'static str,
    custom_extension_stage_instance_id: CalloutInstanceId,
    access_package_assignment_request_id: RequestId,
    access_package: DescribedBody<'a>,
    access_package_catalog: DescribedBody<'a>,
    assignment: Option<AssignmentBody<'a>>,
    requestor: PersonBody<'a>,
    expiration_date_time: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyBody<'a> {
    event: &'static str,
    access_package_id: AccessPackageId,
    access_package_name: &'a str,
    access_package_policy_id: PolicyId,
    access_package_policy_name: &'a str,
    access_package_assignment_request_id: RequestId,
    access_package_assignment_id: Option<AssignmentId>,
    catalog_id: CatalogId,
    catalog_name: &'a str,
    /// Latch has no connected organizations.
    connected_organization_name: Option<&'a str>,
    request_created_date_time: String,
    target_id: UserId,
    target_email: Option<&'a str>,
    target_display_name: &'a str,
    custom_extension_stage_instance_id: CalloutInstanceId,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConnectionTestBody<'a> {
    stage: &'static str,
    custom_extension_stage_instance_id: CalloutInstanceId,
    access_package_catalog: DescribedBody<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyConnectionTestBody<'a> {
    event: &'static str,
    catalog_id: CatalogId,
    catalog_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CallbackConfiguration {
    duration_before_timeout: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribedBody<'a> {
    id: String,
    display_name: &'a str,
    description: &'a str,
}

impl<'a> DescribedBody<'a> {
    fn of<Id: std::fmt::Display>(described: &'a Described<Id>) -> Self {
        Self {
            id: described.id.to_string(),
            display_name: &described.display_name,
            description: &described.description,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssignmentBody<'a> {
    id: AssignmentId,
    state: String,
    status: String,
    target: TargetBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignment_policy: Option<PolicyBody<'a>>,
}

impl<'a> AssignmentBody<'a> {
    fn of(facts: &'a CalloutFacts, assignment: &'a AssignmentFacts, with_policy: bool) -> Self {
        Self {
            id: assignment.id,
            state: pascal_word(&assignment.state),
            status: pascal_word(&assignment.status),
            target: TargetBody {
                id: facts.target.id,
                object_id: facts.target.id,
                display_name: &facts.target.display_name,
                connected_organization: NoConnectedOrganization::default(),
            },
            assignment_policy: with_policy.then_some(PolicyBody {
                id: facts.policy.id,
                display_name: &facts.policy.display_name,
            }),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TargetBody<'a> {
    id: UserId,
    object_id: UserId,
    display_name: &'a str,
    connected_organization: NoConnectedOrganization,
}

/// Entra sends the object with null fields for a user from the home tenant; Latch has no other.
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
struct NoConnectedOrganization {
    id: Option<()>,
    display_name: Option<()>,
    description: Option<()>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyBody<'a> {
    id: PolicyId,
    display_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PersonBody<'a> {
    id: uuid::Uuid,
    object_id: uuid::Uuid,
    display_name: &'a str,
}

impl<'a> PersonBody<'a> {
    fn of(person: &'a Person) -> Self {
        Self {
            id: person.id,
            object_id: person.id,
            display_name: &person.display_name,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::domain::timeout::TimeUnit;

    const INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";
    const REQUEST: &str = "2409f9d5-3a1c-4b7e-9b1e-7f89378c2d73";
    const PACKAGE: &str = "4a1d6f0e-8c2b-4f3a-9d5e-6b7c8d9e0f1a";
    const CATALOG: &str = "b3c4d5e6-f708-4192-a3b4-c5d6e7f80912";
    const POLICY: &str = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
    const ADELE: &str = "6e7b768e-07e2-4810-8459-485f84f8f204";
    const MEGAN: &str = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f60";
    const ASSIGNMENT: &str = "e8f9a0b1-c2d3-4e4f-8a5b-6c7d8e9f0a1b";

    fn id<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        s.parse().unwrap()
    }

    fn facts(stage: Stage) -> CalloutFacts {
        CalloutFacts {
            stage,
            instance_id: id(INSTANCE),
            request_id: id(REQUEST),
            request_type: "userAdd".to_owned(),
            request_state: "submitted".to_owned(),
            request_status: "WaitingForCallback".to_owned(),
            justification: "Need it for the Q3 campaign".to_owned(),
            request_created: Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap(),
            access_package: Described {
                id: id(PACKAGE),
                display_name: "Marketing tools".to_owned(),
                description: "Design and campaign tools".to_owned(),
            },
            catalog: Described {
                id: id(CATALOG),
                display_name: "Marketing".to_owned(),
                description: "Everything marketing uses".to_owned(),
            },
            policy: PolicyFacts {
                id: id(POLICY),
                display_name: "Employees, manager approval".to_owned(),
            },
            target: TargetFacts {
                id: id(ADELE),
                display_name: "Adele Vance".to_owned(),
                email: Some("adele@contoso.example".to_owned()),
            },
            requestor: Person {
                id: id(MEGAN),
                display_name: "Megan Bowen".to_owned(),
            },
            assignment: None,
            wait_timeout: None,
            expiration: None,
        }
    }

    fn assignment() -> AssignmentFacts {
        AssignmentFacts {
            id: id(ASSIGNMENT),
            state: "delivering".to_owned(),
            status: "Delivering".to_owned(),
        }
    }

    fn package_json() -> serde_json::Value {
        json!({ "Id": PACKAGE, "DisplayName": "Marketing tools",
                "Description": "Design and campaign tools" })
    }

    fn catalog_json() -> serde_json::Value {
        json!({ "Id": CATALOG, "DisplayName": "Marketing",
                "Description": "Everything marketing uses" })
    }

    fn target_json() -> serde_json::Value {
        json!({
            "Id": ADELE, "ObjectId": ADELE, "DisplayName": "Adele Vance",
            "ConnectedOrganization": { "Id": null, "DisplayName": null, "Description": null }
        })
    }

    fn requestor_json() -> serde_json::Value {
        json!({ "Id": MEGAN, "ObjectId": MEGAN, "DisplayName": "Megan Bowen" })
    }

    #[test]
    fn created_stage_waiting_has_callback_configuration_and_no_assignment() {
        let mut facts = facts(Stage::AssignmentRequestCreated);
        facts.wait_timeout = Some(WaitTimeout::new(1, TimeUnit::Hours).unwrap());
        assert_eq!(
            request_stage_body(&facts).to_value(),
            json!({
                "Stage": "assignmentRequestCreated",
                "CustomExtensionStageInstanceId": INSTANCE,
                "AccessPackageAssignmentRequestId": REQUEST,
                "CallbackUriPath": format!(
                    "/identityGovernance/entitlementManagement/assignmentRequests/{REQUEST}/resume"
                ),
                "CallbackConfiguration": { "DurationBeforeTimeout": "PT1H" },
                "RequestType": "UserAdd",
                "State": "Submitted",
                "Status": "WaitingForCallback",
                "Justification": "Need it for the Q3 campaign",
                "Answers": [],
                "AccessPackage": package_json(),
                "AccessPackageCatalog": catalog_json(),
                "Assignment": null,
                "Requestor": requestor_json(),
            })
        );
    }

    #[test]
    fn granted_stage_continuing_has_assignment_and_no_callback_configuration() {
        let mut facts = facts(Stage::AssignmentRequestGranted);
        facts.request_state = "delivering".to_owned();
        facts.request_status = "Delivering".to_owned();
        facts.assignment = Some(assignment());
        assert_eq!(
            request_stage_body(&facts).to_value(),
            json!({
                "Stage": "assignmentRequestGranted",
                "CustomExtensionStageInstanceId": INSTANCE,
                "AccessPackageAssignmentRequestId": REQUEST,
                "CallbackUriPath": callback_uri_path(id(REQUEST)),
                "RequestType": "UserAdd",
                "State": "Delivering",
                "Status": "Delivering",
                "Justification": "Need it for the Q3 campaign",
                "Answers": [],
                "AccessPackage": package_json(),
                "AccessPackageCatalog": catalog_json(),
                "Assignment": {
                    "Id": ASSIGNMENT, "State": "Delivering", "Status": "Delivering",
                    "Target": target_json(),
                    "AssignmentPolicy": { "Id": POLICY, "DisplayName": "Employees, manager approval" }
                },
                "Requestor": requestor_json(),
            })
        );
    }

    #[test]
    fn keys_are_written_in_the_spec_order() {
        let mut facts = facts(Stage::AssignmentRequestCreated);
        facts.wait_timeout = Some(WaitTimeout::new(3, TimeUnit::Days).unwrap());
        let body = request_stage_body(&facts);
        let text = body.as_str();
        let order = [
            "\"Stage\"",
            "\"CustomExtensionStageInstanceId\"",
            "\"AccessPackageAssignmentRequestId\"",
            "\"CallbackUriPath\"",
            "\"CallbackConfiguration\":{\"DurationBeforeTimeout\":\"P3D\"}",
            "\"RequestType\"",
            "\"State\"",
            "\"Status\"",
            "\"Justification\"",
            "\"Answers\":[]",
            "\"AccessPackage\"",
            "\"AccessPackageCatalog\"",
            "\"Assignment\":null",
            "\"Requestor\"",
        ];
        let positions: Vec<_> = order
            .iter()
            .map(|key| text.find(key).unwrap_or_else(|| panic!("{key} in {text}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.starts_with("{\"Stage\":\"assignmentRequestCreated\","));
        assert_eq!(body.as_bytes(), text.as_bytes());
        assert_eq!(body.clone().into_bytes(), text.as_bytes());
    }

    #[test]
    fn pre_expiration_body_has_expiry_and_no_callback_or_policy() {
        let mut facts = facts(Stage::AssignmentFourteenDaysBeforeExpiration);
        facts.assignment = Some(AssignmentFacts {
            id: id(ASSIGNMENT),
            state: "delivered".to_owned(),
            status: "Delivered".to_owned(),
        });
        facts.expiration = Some(Utc.with_ymd_and_hms(2026, 6, 30, 17, 0, 0).unwrap());
        // Ignored by this shape even when set.
        facts.wait_timeout = Some(WaitTimeout::new(10, TimeUnit::Minutes).unwrap());
        assert_eq!(
            pre_expiration_body(&facts).to_value(),
            json!({
                "Stage": "assignmentFourteenDaysBeforeExpiration",
                "CustomExtensionStageInstanceId": INSTANCE,
                "AccessPackageAssignmentRequestId": REQUEST,
                "AccessPackage": package_json(),
                "AccessPackageCatalog": catalog_json(),
                "Assignment": {
                    "Id": ASSIGNMENT, "State": "Delivered", "Status": "Delivered",
                    "Target": target_json(),
                },
                "Requestor": requestor_json(),
                "ExpirationDateTime": "2026-06-30T17:00:00Z",
            })
        );
    }

    #[test]
    fn legacy_body_before_and_after_the_assignment() {
        let facts_before = facts(Stage::AssignmentRequestCreated);
        let expected_before = json!({
            "Event": "AssignmentRequestCreated",
            "AccessPackageId": PACKAGE,
            "AccessPackageName": "Marketing tools",
            "AccessPackagePolicyId": POLICY,
            "AccessPackagePolicyName": "Employees, manager approval",
            "AccessPackageAssignmentRequestId": REQUEST,
            "AccessPackageAssignmentId": null,
            "CatalogId": CATALOG,
            "CatalogName": "Marketing",
            "ConnectedOrganizationName": null,
            "RequestCreatedDateTime": "2026-03-02T09:30:00Z",
            "TargetId": ADELE,
            "TargetEmail": "adele@contoso.example",
            "TargetDisplayName": "Adele Vance",
            "CustomExtensionStageInstanceId": INSTANCE,
        });
        assert_eq!(legacy_body(&facts_before).to_value(), expected_before);

        let mut facts_after = facts(Stage::AssignmentRequestGranted);
        facts_after.assignment = Some(assignment());
        facts_after.target.email = None;
        facts_after.request_created = Utc.timestamp_millis_opt(1_772_443_800_250).unwrap();
        let mut expected_after = expected_before;
        expected_after["Event"] = json!("AssignmentRequestGranted");
        expected_after["AccessPackageAssignmentId"] = json!(ASSIGNMENT);
        expected_after["TargetEmail"] = json!(null);
        expected_after["RequestCreatedDateTime"] = json!("2026-03-02T09:30:00.250Z");
        assert_eq!(legacy_body(&facts_after).to_value(), expected_after);
    }

    #[test]
    fn body_for_picks_the_kind_shape() {
        let mut facts = facts(Stage::AssignmentOneDayBeforeExpiration);
        facts.assignment = Some(assignment());
        assert_eq!(
            body_for(ExtensionKind::AssignmentRequest, &facts),
            request_stage_body(&facts)
        );
        assert_eq!(
            body_for(ExtensionKind::PreExpiration, &facts),
            pre_expiration_body(&facts)
        );
        assert_eq!(body_for(ExtensionKind::Legacy, &facts), legacy_body(&facts));
        assert_eq!(
            body_for(ExtensionKind::Legacy, &facts).to_value()["Event"],
            "AssignmentOneDayBeforeExpiration"
        );
    }

    #[test]
    fn connection_test_bodies() {
        let catalog = facts(Stage::AssignmentRequestCreated).catalog;
        for kind in [
            ExtensionKind::AssignmentRequest,
            ExtensionKind::PreExpiration,
        ] {
            let body = connection_test_body(kind, id(INSTANCE), &catalog);
            assert_eq!(
                body.to_value(),
                json!({
                    "Stage": "CustomExtensionConnectionTest",
                    "CustomExtensionStageInstanceId": INSTANCE,
                    "AccessPackageCatalog": catalog_json(),
                })
            );
            assert!(body.as_str().starts_with(
                "{\"Stage\":\"CustomExtensionConnectionTest\",\"CustomExtensionStageInstanceId\""
            ));
        }
        let legacy = connection_test_body(ExtensionKind::Legacy, id(INSTANCE), &catalog);
        assert_eq!(
            legacy.as_str(),
            format!(
                r#"{{"Event":"CustomExtensionConnectionTest","CatalogId":"{CATALOG}","CatalogName":"Marketing"}}"#
            )
        );
    }

    #[test]
    fn text_is_escaped_json() {
        let mut facts = facts(Stage::AssignmentRequestApproved);
        facts.justification = "Quote \" and newline\n and é".to_owned();
        let body = request_stage_body(&facts);
        assert!(body
            .as_str()
            .contains(r#""Justification":"Quote \" and newline\n and é""#));
        assert_eq!(
            body.to_value()["Justification"],
            "Quote \" and newline\n and é"
        );
    }

    #[test]
    fn pascal_words() {
        assert_eq!(pascal_word("userAdd"), "UserAdd");
        assert_eq!(pascal_word("pendingApproval"), "PendingApproval");
        assert_eq!(pascal_word("WaitingForCallback"), "WaitingForCallback");
        assert_eq!(pascal_word(""), "");
    }
}

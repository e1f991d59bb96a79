//! `/assignmentPolicies` (beta alias `/accessPackageAssignmentPolicies`): list, create, read,
//! replace (PUT) and delete. A Graph body becomes the policy editor's `PolicyDraft` and goes
//! through the same service and rules as the editor's save; a broken rule answers 400 with
//! the rule's own message, prefixed by the Graph property it is about.

mod subjects;

use super::error::{GraphError, GraphResult};
use super::extract::{Caller, GraphJson};
use super::graph_extension;
use super::packages::{
    self as rest_packages, package_id, unknown_expansion, ODataQuery, Reference,
};
use super::paging::{page, PageQuery};
use super::Base;
use app::auth::authz::Principal;
use app::domain::extension::ExtensionDraft;
use app::domain::ids::{CatalogId, ExtensionId, PolicyId};
use app::domain::policy_rules::{
    iso_days, keys, Approval, Expiration, PolicyDraft, Requestors, StageRule,
    DEFAULT_APPROVAL_TIMEOUT_DAYS,
};
use app::domain::stage::Stage;
use app::error::AppError;
use app::services::policies::{self, PolicyNames, PolicyView};
use app::services::{extensions, packages};
use app::state::AppState;
use app::store::extensions::ExtensionRecord;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use subjects::{target_subjects, targets, user_subjects, users, SubjectBody};

pub fn routes() -> Router<AppState> {
    let collection = get(list).post(create);
    let item = get(read).put(put).delete(delete);
    Router::new()
        .route("/assignmentPolicies", collection.clone())
        .route("/accessPackageAssignmentPolicies", collection)
        .route("/assignmentPolicies/{policy}", item.clone())
        .route("/accessPackageAssignmentPolicies/{policy}", item)
}

fn policy_id(text: &str) -> GraphResult<PolicyId> {
    text.parse().map_err(|_| {
        GraphError::not_found(format!("There is no assignment policy with id {text:?}."))
    })
}

// ---- Graph → PolicyDraft ----

/// A policy as a client sends it. Properties Latch doesn't model (`requestorSettings`,
/// `reviewSettings`, `automaticRequestSettings`, …) are accepted and ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyBody {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub access_package: Option<Reference>,
    /// The beta spelling of `accessPackage.id`.
    pub access_package_id: Option<String>,
    pub allowed_target_scope: Option<String>,
    pub specific_allowed_targets: Option<Vec<SubjectBody>>,
    pub expiration: Option<ExpirationBody>,
    pub request_approval_settings: Option<ApprovalBody>,
    pub custom_extension_stage_settings: Option<Vec<StageSettingBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpirationBody {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub duration: Option<String>,
    pub end_date_time: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalBody {
    pub is_approval_required_for_add: Option<bool>,
    pub stages: Option<Vec<ApprovalStageBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStageBody {
    pub duration_before_automatic_denial: Option<String>,
    pub primary_approvers: Option<Vec<SubjectBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageSettingBody {
    pub stage: Option<String>,
    /// `{"@odata.type": …, "id": …}`; the id decides, the type is not checked against it.
    pub custom_extension: Option<Reference>,
}

impl PolicyBody {
    fn access_package(&self) -> Option<&str> {
        self.access_package
            .as_ref()
            .and_then(|r| r.id.as_deref())
            .or(self.access_package_id.as_deref())
    }

    fn names(&self) -> PolicyNames {
        PolicyNames {
            display_name: self.display_name.clone().unwrap_or_default(),
            description: self.description.clone().unwrap_or_default(),
        }
    }
}

fn bad(property: &str, message: impl std::fmt::Display) -> GraphError {
    GraphError::bad_request(format!("Property '{property}': {message}"))
}

/// "Property 'x' is required: …".
fn required(property: &str, hint: &str) -> GraphError {
    GraphError::bad_request(format!("Property '{property}' is required{hint}"))
}

/// Whole days, as `P14D` (or weeks, `P2W`): the only durations policies keep.
pub fn days(text: &str, property: &str) -> GraphResult<u32> {
    let refused = || {
        bad(
            property,
            format!("{text:?} is not a number of days such as \"P14D\"."),
        )
    };
    let body = text.trim().strip_prefix('P').ok_or_else(refused)?;
    if let Some(n) = body.strip_suffix('D') {
        n.parse().map_err(|_| refused())
    } else if let Some(n) = body.strip_suffix('W') {
        n.parse::<u32>()
            .ok()
            .and_then(|w| w.checked_mul(7))
            .ok_or_else(refused)
    } else {
        Err(refused())
    }
}

/// The UTC day an `endDateTime` falls on: assignments end at the end of that day.
fn end_day(text: &str) -> GraphResult<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc).date_naive())
        .or_else(|_| text.parse::<NaiveDate>())
        .map_err(|_| {
            bad(
                "expiration.endDateTime",
                format!("{text:?} is not a date and time such as \"2026-12-31T23:59:59Z\"."),
            )
        })
}

fn requestors(body: &PolicyBody) -> GraphResult<Requestors> {
    let scope = body.allowed_target_scope.as_deref().ok_or_else(|| {
        required(
            "allowedTargetScope",
            ": allMemberUsers, or specificDirectoryUsers with specificAllowedTargets.",
        )
    })?;
    if scope.eq_ignore_ascii_case("allMemberUsers")
        || scope.eq_ignore_ascii_case("allDirectoryUsers")
    {
        Ok(Requestors::AllUsers)
    } else if scope.eq_ignore_ascii_case("specificDirectoryUsers") {
        let given = body.specific_allowed_targets.as_deref().unwrap_or_default();
        let (users, groups) = targets(given, "specificAllowedTargets")?;
        Ok(Requestors::SpecificUsers { users, groups })
    } else {
        Err(bad(
            "allowedTargetScope",
            format!("{scope:?} is not supported; use allMemberUsers or specificDirectoryUsers."),
        ))
    }
}

fn approval(body: &PolicyBody) -> GraphResult<Approval> {
    let Some(settings) = &body.request_approval_settings else {
        return Ok(Approval {
            required: false,
            approvers: Vec::new(),
            timeout_days: DEFAULT_APPROVAL_TIMEOUT_DAYS,
        });
    };
    let stages = settings.stages.as_deref().unwrap_or_default();
    if stages.len() > 1 {
        return Err(bad(
            "requestApprovalSettings.stages",
            format!(
                "Latch has one approval stage; this body has {}.",
                stages.len()
            ),
        ));
    }
    let stage = stages.first();
    let approvers = match stage.and_then(|s| s.primary_approvers.as_deref()) {
        Some(subjects) => users(
            subjects,
            "requestApprovalSettings.stages[0].primaryApprovers",
        )?,
        None => Vec::new(),
    };
    let timeout_days = match stage.and_then(|s| s.duration_before_automatic_denial.as_deref()) {
        Some(text) => days(
            text,
            "requestApprovalSettings.stages[0].durationBeforeAutomaticDenial",
        )?,
        None => DEFAULT_APPROVAL_TIMEOUT_DAYS,
    };
    Ok(Approval {
        required: settings.is_approval_required_for_add.unwrap_or(false),
        approvers,
        timeout_days,
    })
}

fn expiration(body: &PolicyBody) -> GraphResult<Expiration> {
    let Some(e) = &body.expiration else {
        return Ok(Expiration::Never);
    };
    let kind = e.kind.as_deref().unwrap_or(if e.duration.is_some() {
        "afterDuration"
    } else if e.end_date_time.is_some() {
        "afterDateTime"
    } else {
        "noExpiration"
    });
    if kind.eq_ignore_ascii_case("noExpiration") || kind.eq_ignore_ascii_case("notSpecified") {
        Ok(Expiration::Never)
    } else if kind.eq_ignore_ascii_case("afterDuration") {
        let text = e.duration.as_deref().ok_or_else(|| {
            required("expiration.duration", " with afterDuration, e.g. \"P30D\".")
        })?;
        Ok(Expiration::AfterDays(days(text, "expiration.duration")?))
    } else if kind.eq_ignore_ascii_case("afterDateTime") {
        let text = e
            .end_date_time
            .as_deref()
            .ok_or_else(|| required("expiration.endDateTime", " with afterDateTime."))?;
        Ok(Expiration::OnDate(end_day(text)?))
    } else {
        Err(bad(
            "expiration.type",
            format!("{kind:?} is not one of noExpiration, afterDuration, afterDateTime."),
        ))
    }
}

fn stage_rules(settings: &[StageSettingBody]) -> GraphResult<Vec<StageRule>> {
    settings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let property = format!("customExtensionStageSettings[{i}]");
            let text = s
                .stage
                .as_deref()
                .ok_or_else(|| required(&format!("{property}.stage"), "."))?;
            let stage = Stage::parse(text).map_err(|_| {
                let names: Vec<&str> = Stage::ALL.iter().map(|s| s.wire_name()).collect();
                bad(
                    &format!("{property}.stage"),
                    format!("{text:?} is not a stage; use one of {}.", names.join(", ")),
                )
            })?;
            let id = s
                .custom_extension
                .as_ref()
                .and_then(|r| r.id.as_deref())
                .ok_or_else(|| {
                    required(
                        &format!("{property}.customExtension"),
                        ": {\"id\": \"<custom extension id>\"}.",
                    )
                })?;
            let extension: ExtensionId = id.parse().map_err(|_| {
                bad(
                    &format!("{property}.customExtension.id"),
                    format!("{id:?} is not a custom extension id."),
                )
            })?;
            Ok(StageRule {
                stage,
                extension: Some(extension),
            })
        })
        .collect()
}

/// The editor's draft from a Graph body; `rules` when the body has no stage settings.
pub fn draft(body: &PolicyBody, rules: Vec<StageRule>) -> GraphResult<PolicyDraft> {
    Ok(PolicyDraft {
        requestors: requestors(body)?,
        approval: approval(body)?,
        expiration: expiration(body)?,
        rules: match &body.custom_extension_stage_settings {
            Some(settings) => stage_rules(settings)?,
            None => rules,
        },
    })
}

/// The Graph property a policy editor field key stands for.
fn graph_property(field: &str) -> String {
    match field {
        keys::ALLOWED_TARGETS | keys::ALLOWED_GROUPS => "specificAllowedTargets".into(),
        keys::APPROVERS => "requestApprovalSettings.stages[0].primaryApprovers".into(),
        keys::APPROVAL_TIMEOUT => {
            "requestApprovalSettings.stages[0].durationBeforeAutomaticDenial".into()
        }
        keys::EXPIRATION_DAYS => "expiration.duration".into(),
        keys::EXPIRATION_DATE => "expiration.endDateTime".into(),
        other => match other
            .strip_prefix(keys::RULES)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.split_once('.'))
        {
            Some((index, leaf)) => format!("{}[{index}].{leaf}", keys::RULES),
            None => other.to_string(),
        },
    }
}

/// A refused save: each rule's message, prefixed by the Graph property it is about.
fn refused(error: AppError) -> GraphError {
    match error {
        AppError::Invalid(errors) => GraphError::invalid(&errors, graph_property),
        other => other.into(),
    }
}

// ---- PolicyView → Graph ----

/// The catalog's extensions by id, read once per catalog an answer needs.
#[derive(Default)]
struct Extensions(HashMap<CatalogId, HashMap<ExtensionId, (ExtensionRecord, ExtensionDraft)>>);

impl Extensions {
    async fn of(
        &mut self,
        state: &AppState,
        p: &Principal,
        catalog: CatalogId,
    ) -> GraphResult<&HashMap<ExtensionId, (ExtensionRecord, ExtensionDraft)>> {
        Ok(match self.0.entry(catalog) {
            Entry::Occupied(seen) => seen.into_mut(),
            Entry::Vacant(slot) => slot.insert(
                extensions::list(state, p, catalog)
                    .await?
                    .into_iter()
                    .map(|(record, draft)| (record.extension_id(), (record, draft)))
                    .collect(),
            ),
        })
    }
}

/// What `$expand` asked of a policy.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expansion {
    access_package: bool,
    /// Each stage setting's `customExtension` as the whole Graph object, not `{@odata.type, id}`.
    custom_extension: bool,
}

pub fn expansion(query: &ODataQuery) -> GraphResult<Expansion> {
    let mut wanted = Expansion::default();
    for (name, options) in query.expand_items()? {
        if name.eq_ignore_ascii_case("accessPackage") && options.is_empty() {
            wanted.access_package = true;
        } else if name.eq_ignore_ascii_case("customExtensionStageSettings") {
            let inner = options.strip_prefix("$expand=").map(str::trim);
            match inner {
                None if options.is_empty() => {}
                Some(inner) if inner.eq_ignore_ascii_case("customExtension") => {
                    wanted.custom_extension = true;
                }
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Query '$expand': customExtensionStageSettings({options}) is not supported; use customExtensionStageSettings($expand=customExtension)."
                    )))
                }
            }
        } else {
            return Err(unknown_expansion(
                &name,
                &[
                    "accessPackage",
                    "customExtensionStageSettings($expand=customExtension)",
                ],
            ));
        }
    }
    Ok(wanted)
}

async fn to_graph(
    state: &AppState,
    p: &Principal,
    policy: &PolicyView,
    wanted: Expansion,
    known: &mut Extensions,
) -> GraphResult<Value> {
    let s = &policy.settings;
    let (scope, targets) = match &s.requestors {
        Requestors::AllUsers => ("allMemberUsers", Vec::new()),
        Requestors::SpecificUsers { users, .. } => (
            "specificDirectoryUsers",
            target_subjects(users, &policy.groups),
        ),
    };
    let end = match s.expiration {
        Expiration::OnDate(date) => Some(format!("{date}T23:59:59Z")),
        _ => None,
    };
    let stages = if s.approval.required {
        vec![json!({
            "durationBeforeAutomaticDenial": iso_days(s.approval.timeout_days),
            "primaryApprovers": user_subjects(&s.approval.approvers),
        })]
    } else {
        Vec::new()
    };
    let extensions = known.of(state, p, policy.catalog).await?;
    let settings: Vec<Value> = s
        .rules
        .iter()
        .filter_map(|r| r.extension.map(|id| (r.stage, id)))
        .map(|(stage, id)| {
            let extension = match extensions.get(&id) {
                Some((record, draft)) if wanted.custom_extension => {
                    graph_extension::to_graph(record, draft)
                }
                Some((_, draft)) => json!({ "@odata.type": draft.kind.odata_type(), "id": id }),
                None => json!({ "id": id }),
            };
            json!({ "stage": stage.wire_name(), "customExtension": extension })
        })
        .collect();
    let access_package = if wanted.access_package {
        let package = packages::get(state, p, policy.access_package).await?;
        rest_packages::to_graph(&package)
    } else {
        json!({ "id": policy.access_package })
    };
    Ok(json!({
        "id": policy.id,
        "displayName": policy.display_name,
        "description": policy.description,
        "createdDateTime": policy.created_at,
        "modifiedDateTime": policy.modified_at,
        "allowedTargetScope": scope,
        "specificAllowedTargets": targets,
        "expiration": {
            "type": s.expiration.type_name(),
            "duration": s.expiration.iso_duration(),
            "endDateTime": end,
        },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": s.approval.required,
            "isApprovalRequiredForUpdate": false,
            "stages": stages,
        },
        "accessPackage": access_package,
        "customExtensionStageSettings": settings,
    }))
}

async fn one(
    state: &AppState,
    base: &Base,
    p: &Principal,
    id: PolicyId,
    query: &ODataQuery,
) -> GraphResult<Value> {
    let wanted = expansion(query)?;
    let policy = policies::view(state, p, id).await?;
    let mut body = to_graph(state, p, &policy, wanted, &mut Extensions::default()).await?;
    body["@odata.context"] = json!(base.context("assignmentPolicies/$entity"));
    Ok(body)
}

// ---- handlers ----

pub async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(q): Query<PageQuery>,
    Query(o): Query<ODataQuery>,
) -> GraphResult<Json<Value>> {
    let wanted = expansion(&o)?;
    let package = match o.eq_filter("accessPackage/id")? {
        // A package the caller may not see is refused, not answered with an empty list.
        Some(id) => Some(packages::get(&state, &p, package_id(&id)?).await?.id),
        None => None,
    };
    let mut known = Extensions::default();
    let mut items = Vec::new();
    for policy in policies::list(&state, &p).await? {
        if package.is_none_or(|id| id == policy.access_package) {
            items.push(to_graph(&state, &p, &policy, wanted, &mut known).await?);
        }
    }
    let mut body = page(
        items,
        &q,
        &base.context("assignmentPolicies"),
        &base.url("assignmentPolicies"),
    )?;
    o.carry_into(&mut body);
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(o): Query<ODataQuery>,
    GraphJson(body): GraphJson<PolicyBody>,
) -> GraphResult<Response> {
    let package = body.access_package().ok_or_else(|| {
        required(
            "accessPackage",
            ": {\"id\": \"<access package id>\"} names the package the policy is for.",
        )
    })?;
    let package = package_id(package)?;
    let draft = draft(&body, Vec::new())?;
    let id = policies::create(&state, &p, package, body.names(), draft)
        .await
        .map_err(refused)?;
    let answer = one(&state, &base, &p, id, &o).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

pub async fn read(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(o): Query<ODataQuery>,
) -> GraphResult<Json<Value>> {
    Ok(Json(one(&state, &base, &p, policy_id(&id)?, &o).await?))
}

/// PUT replaces the policy: what the body leaves out returns to its default, except
/// `customExtensionStageSettings`, which Graph treats as a relationship: absent keeps the
/// current ones, `[]` removes them all.
pub async fn put(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(o): Query<ODataQuery>,
    GraphJson(body): GraphJson<PolicyBody>,
) -> GraphResult<Json<Value>> {
    let id = policy_id(&id)?;
    let current = policies::view(&state, &p, id).await?;
    if let Some(given) = body.id.as_deref() {
        if !given.eq_ignore_ascii_case(&id.to_string()) {
            return Err(bad("id", "differs from the policy in the address."));
        }
    }
    if let Some(package) = body.access_package() {
        if !package.eq_ignore_ascii_case(&current.access_package.to_string()) {
            return Err(bad(
                "accessPackage",
                "a policy doesn't move to another access package; create one there instead.",
            ));
        }
    }
    let draft = draft(&body, current.settings.rules)?;
    policies::replace(&state, &p, id, body.names(), draft)
        .await
        .map_err(refused)?;
    Ok(Json(one(&state, &base, &p, id, &o).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<StatusCode> {
    policies::delete(&state, &p, policy_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::subjects::{GROUP_MEMBERS, SINGLE_USER};
    use super::*;
    use app::domain::ids::{GroupId, UserId};

    fn body(value: Value) -> PolicyBody {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn editor_keys_become_graph_properties() {
        assert_eq!(
            graph_property(keys::ALLOWED_TARGETS),
            "specificAllowedTargets"
        );
        assert_eq!(
            graph_property(keys::ALLOWED_GROUPS),
            "specificAllowedTargets"
        );
        assert_eq!(
            graph_property(&keys::rule_extension(2)),
            "customExtensionStageSettings[2].customExtension"
        );
        assert_eq!(
            graph_property(&keys::rule_stage(0)),
            "customExtensionStageSettings[0].stage"
        );
        assert_eq!(graph_property(keys::RULES), "customExtensionStageSettings");
        assert_eq!(graph_property("displayName"), "displayName");
    }

    #[test]
    fn durations_are_whole_days() {
        assert_eq!(days("P14D", "x").unwrap(), 14);
        assert_eq!(days("P2W", "x").unwrap(), 14);
        for bad in ["PT12H", "14", "P1Y", "P-1D", "P99999999999D"] {
            let error = days(bad, "expiration.duration").unwrap_err();
            assert!(
                error.message.starts_with("Property 'expiration.duration'"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_graph_body_becomes_the_editors_draft() {
        let alan = UserId::new();
        let team = GroupId::new();
        let welcome = ExtensionId::new();
        let b = body(json!({
            "displayName": "p",
            "allowedTargetScope": "specificDirectoryUsers",
            "specificAllowedTargets": [
                { "@odata.type": SINGLE_USER, "userId": alan },
                { "@odata.type": GROUP_MEMBERS, "groupId": team, "description": "Campaign team" }
            ],
            "expiration": { "type": "afterDateTime", "endDateTime": "2027-01-31T10:00:00+02:00" },
            "requestApprovalSettings": { "isApprovalRequiredForAdd": true, "stages": [
                { "durationBeforeAutomaticDenial": "P3D", "primaryApprovers": [{ "userId": alan }] }
            ] },
            "customExtensionStageSettings": [
                { "stage": "AssignmentRequestCreated", "customExtension": { "id": welcome } }
            ],
            "requestorSettings": { "enableTargetsToSelfAddAccess": true }
        }));
        let d = draft(&b, Vec::new()).unwrap();
        assert_eq!(
            d.requestors,
            Requestors::SpecificUsers {
                users: vec![alan],
                groups: vec![team]
            }
        );
        assert_eq!(
            d.approval,
            Approval {
                required: true,
                approvers: vec![alan],
                timeout_days: 3
            }
        );
        assert_eq!(
            d.expiration,
            Expiration::OnDate(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap())
        );
        assert_eq!(
            d.rules,
            [StageRule {
                stage: Stage::AssignmentRequestCreated,
                extension: Some(welcome)
            }]
        );
    }

    #[test]
    fn what_latch_does_not_model_is_refused_by_name() {
        let cases = [
            (
                json!({ "allowedTargetScope": "allExternalUsers" }),
                "allowedTargetScope",
            ),
            (json!({}), "allowedTargetScope"),
            (
                json!({ "allowedTargetScope": "allMemberUsers", "requestApprovalSettings": { "stages": [
                    { "primaryApprovers": [{ "@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1 }] }
                ] } }),
                "requestApprovalSettings.stages[0].primaryApprovers[0].@odata.type",
            ),
            (
                json!({ "allowedTargetScope": "allMemberUsers", "requestApprovalSettings": { "stages": [{}, {}] } }),
                "requestApprovalSettings.stages",
            ),
            (
                json!({ "allowedTargetScope": "allMemberUsers", "customExtensionStageSettings": [{ "stage": "later", "customExtension": { "id": ExtensionId::new() } }] }),
                "customExtensionStageSettings[0].stage",
            ),
            (
                json!({ "allowedTargetScope": "allMemberUsers", "expiration": { "type": "afterDuration" } }),
                "expiration.duration",
            ),
        ];
        for (value, property) in cases {
            let error = draft(&body(value.clone()), Vec::new()).unwrap_err();
            assert!(
                error.message.starts_with(&format!("Property '{property}'")),
                "{value}: {}",
                error.message
            );
        }
    }
}

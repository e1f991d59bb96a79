//! Policy settings and the policy's custom extension rules (stage → extension): the catalog's
//! package list, the editor's form, and one save that checks everything again. The REST API
//! creates, reads, replaces and deletes whole policies here, through the same checks and the
//! same write as the editor's save.

use crate::auth::authz::Principal;
use crate::domain::extension::{validate_description, validate_display_name};
use crate::domain::field_error::FieldError;
use crate::domain::ids::{AccessPackageId, CatalogId, ExtensionId, GroupId, PolicyId, UserId};
use crate::domain::policy_rules::{
    iso_days, Approval, Expiration, ExtensionFacts, PolicyContext, PolicyDraft, Requestors,
    StageRule, DEFAULT_APPROVAL_TIMEOUT_DAYS,
};
use crate::domain::role::Role;
use crate::domain::stage::Stage;
use crate::engine::policy::iso_days as read_days;
use crate::error::AppError;
use crate::services::packages::counted;
use crate::services::{catalogs, name_lists};
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::extensions::{self, ExtensionRecord};
use crate::store::groups;
use crate::store::packages::{
    self, NewPolicy, PackageRecord, PolicyPlaceRecord, PolicySettingsRecord, PolicySettingsUpdate,
    PolicyUsers,
};
use crate::store::paging::PAGE_SIZE;
use crate::store::{db_time, parse_db_time};
use crate::store::{name_pages, Conn};
use crate::views::lists::NameQuery;
use crate::views::{
    GroupChoice, PackageList, PackagePolicies, PolicyLink, PolicySetup, UserChoice,
};
use chrono::{DateTime, NaiveTime, Utc};
use serde_json::json;
use std::collections::HashMap;

const EDIT: &str = "edit policies";

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("policies: bad {what}").into())
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, sqlx::Error> {
    text.parse().map_err(|_| corrupt(what))
}

/// A page of the catalog's packages (in name order, those named `q.name…`) with their
/// policies; "Edit policy" only for those who may.
pub async fn catalog_policies(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    q: &NameQuery,
) -> Result<PackageList, AppError> {
    catalogs::header(state, p, catalog).await?;
    let (at, name) = name_lists::page_at(q)?;
    let mut conn = state.db.acquire().await?;
    let within = [catalog.to_string()];
    let list = packages::named(&within, name);
    let (page, total) = name_pages::page(&mut conn, &list, &at, PAGE_SIZE, |r: &PackageRecord| {
        (&r.display_name, &r.id)
    })
    .await?;
    let pages = name_lists::pages(&page, total);
    let ids: Vec<String> = page.rows.iter().map(|r| r.id.clone()).collect();
    let mut by_package: HashMap<String, Vec<PolicyLink>> = HashMap::new();
    for policy in packages::policies_of_packages(&mut conn, &ids).await? {
        by_package
            .entry(policy.access_package_id.clone())
            .or_default()
            .push(PolicyLink {
                id: parse(&policy.id, "id")?,
                display_name: policy.display_name,
                description: policy.description,
            });
    }
    let packages = page
        .rows
        .into_iter()
        .map(|r| PackagePolicies {
            policies: by_package.remove(&r.id).unwrap_or_default(),
            display_name: r.display_name,
            description: r.description,
            is_hidden: r.is_hidden,
        })
        .collect();
    Ok(PackageList {
        may_edit: p.may(catalog, Role::may_attach_extensions),
        packages,
        pages,
    })
}

/// Role first (so a caller without one learns why), then the policy, which must be in the
/// catalog: a policy of another catalog is "not found".
async fn authorize(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
) -> Result<String, AppError> {
    let header = catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_attach_extensions, EDIT)?;
    Ok(header.display_name)
}

async fn load(
    conn: &mut Conn,
    catalog: CatalogId,
    policy: PolicyId,
) -> Result<PolicySettingsRecord, AppError> {
    packages::get_policy_in_catalog(conn, catalog, policy)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such policy in this catalog.".into()))
}

fn user_ids(ids: Vec<String>) -> Result<Vec<UserId>, sqlx::Error> {
    ids.iter().map(|id| parse(id, "user id")).collect()
}

fn group_ids(ids: Vec<String>) -> Result<Vec<GroupId>, sqlx::Error> {
    ids.iter().map(|id| parse(id, "group id")).collect()
}

/// The stored policy as the editor's draft.
async fn current_draft(
    conn: &mut Conn,
    policy: PolicyId,
    record: &PolicySettingsRecord,
) -> Result<PolicyDraft, sqlx::Error> {
    let requestors = match record.allowed_target_scope.as_str() {
        "specificDirectoryUsers" => Requestors::SpecificUsers {
            users: user_ids(packages::policy_allowed_targets(&mut *conn, policy).await?)?,
            groups: group_ids(groups::of_policy(&mut *conn, policy).await?)?,
        },
        _ => Requestors::AllUsers,
    };
    let days = |text: &str| read_days(text).and_then(|d| u32::try_from(d).ok());
    let expiration = match record.expiration_type.as_str() {
        // A duration not in days (none is written so) reads as 0 days: the editor then asks
        // for a valid number rather than silently changing it.
        "afterDuration" => Expiration::AfterDays(
            record
                .expiration_duration
                .as_deref()
                .and_then(days)
                .unwrap_or(0),
        ),
        "afterDateTime" => Expiration::OnDate(
            parse_db_time(
                record
                    .expiration_end
                    .as_deref()
                    .ok_or_else(|| corrupt("end"))?,
            )?
            .date_naive(),
        ),
        _ => Expiration::Never,
    };
    let mut rules = packages::stage_settings(&mut *conn, policy)
        .await?
        .into_iter()
        .map(|(stage, extension)| {
            Ok(StageRule {
                stage: Stage::parse(&stage).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                extension: Some(parse(&extension, "extension id")?),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    rules.sort_by_key(|r| r.stage);
    Ok(PolicyDraft {
        requestors,
        approval: Approval {
            required: record.is_approval_required,
            approvers: user_ids(packages::policy_approvers(&mut *conn, policy).await?)?,
            timeout_days: days(&record.approval_timeout).unwrap_or(DEFAULT_APPROVAL_TIMEOUT_DAYS),
        },
        expiration,
        rules,
    })
}

fn facts(record: &ExtensionRecord) -> Result<ExtensionFacts, sqlx::Error> {
    Ok(ExtensionFacts {
        id: record.extension_id(),
        display_name: record.display_name.clone(),
        kind: record.kind()?,
        catalog: parse(&record.catalog_id, "catalog id")?,
    })
}

/// The catalog's extensions, and any other the rules name (so the rules can say that one
/// is in another catalog rather than that it doesn't exist).
async fn extension_facts(
    conn: &mut Conn,
    catalog: CatalogId,
    rules: &[StageRule],
) -> Result<Vec<ExtensionFacts>, sqlx::Error> {
    let mut known = extensions::list_in_catalog(&mut *conn, catalog)
        .await?
        .iter()
        .map(facts)
        .collect::<Result<Vec<_>, _>>()?;
    for id in rules.iter().filter_map(|r| r.extension) {
        if !known.iter().any(|e| e.id == id) {
            if let Some(record) = extensions::get_any(&mut *conn, id).await? {
                known.push(facts(&record)?);
            }
        }
    }
    Ok(known)
}

async fn users(conn: &mut Conn) -> Result<Vec<UserChoice>, sqlx::Error> {
    packages::user_choices(conn)
        .await?
        .into_iter()
        .map(|u| {
            Ok(UserChoice {
                id: parse(&u.id, "user id")?,
                display_name: u.display_name,
                user_principal_name: u.user_principal_name,
                enabled: u.enabled,
            })
        })
        .collect()
}

/// Every group, by name.
async fn group_choices(conn: &mut Conn) -> Result<Vec<GroupChoice>, sqlx::Error> {
    groups::list_all(conn)
        .await?
        .into_iter()
        .map(|g| {
            Ok(GroupChoice {
                id: parse(&g.id, "group id")?,
                display_name: g.display_name,
            })
        })
        .collect()
}

/// The editor's form: the policy's current settings and what it may choose from.
pub async fn form(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    policy: PolicyId,
) -> Result<PolicySetup, AppError> {
    let catalog_name = authorize(state, p, catalog).await?;
    let mut conn = state.db.acquire().await?;
    let record = load(&mut conn, catalog, policy).await?;
    let current = current_draft(&mut conn, policy, &record).await?;
    let extensions = extension_facts(&mut conn, catalog, &[]).await?;
    Ok(PolicySetup {
        catalog_name,
        package_name: record.package_name,
        policy_name: record.display_name,
        description: record.description,
        today: state.clock.now().date_naive(),
        users: users(&mut conn).await?,
        groups: group_choices(&mut conn).await?,
        extensions,
        current,
    })
}

/// The audit log's picture of a policy's settings, in Graph's words.
fn summary(draft: &PolicyDraft) -> serde_json::Value {
    let (scope, users, groups) = match &draft.requestors {
        Requestors::AllUsers => ("allMemberUsers", &[][..], &[][..]),
        Requestors::SpecificUsers { users, groups } => {
            ("specificDirectoryUsers", &users[..], &groups[..])
        }
    };
    json!({
        "allowedTargetScope": scope,
        "specificAllowedTargets": users,
        "specificAllowedGroups": groups,
        "isApprovalRequiredForAdd": draft.approval.required,
        "primaryApprovers": draft.approval.approvers,
        "durationBeforeAutomaticDenial": iso_days(draft.approval.timeout_days),
        "expiration": {
            "type": draft.expiration.type_name(),
            "duration": draft.expiration.iso_duration(),
            "endDate": match draft.expiration { Expiration::OnDate(d) => Some(d.to_string()), _ => None },
        },
        "customExtensionStageSettings": draft.rules.iter().map(|r| json!({
            "stage": r.stage.wire_name(),
            "customExtensionId": r.extension,
        })).collect::<Vec<_>>(),
    })
}

/// A policy's name and description: the editor leaves them alone, the REST API sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyNames {
    pub display_name: String,
    pub description: String,
}

impl PolicyNames {
    /// Trimmed, as every name is.
    fn trimmed(&self) -> PolicyNames {
        PolicyNames {
            display_name: self.display_name.trim().to_string(),
            description: self.description.trim().to_string(),
        }
    }

    fn errors(&self) -> Vec<FieldError> {
        [
            validate_display_name(&self.display_name),
            validate_description(&self.description),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect()
    }
}

/// Checks `draft` (and `names`, when given) with the editor's rules, every error at once, and
/// writes all of it into `tx`. Returns the draft as stored.
async fn write(
    tx: &mut Conn,
    catalog: CatalogId,
    policy: PolicyId,
    names: Option<&PolicyNames>,
    draft: PolicyDraft,
    now: DateTime<Utc>,
) -> Result<PolicyDraft, AppError> {
    let known = extension_facts(&mut *tx, catalog, &draft.rules).await?;
    let people: Vec<UserId> = users(&mut *tx).await?.into_iter().map(|u| u.id).collect();
    let teams: Vec<GroupId> = group_choices(&mut *tx)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let mut errors = names.map(PolicyNames::errors).unwrap_or_default();
    if let Err(rules) = draft.validate(&PolicyContext {
        catalog,
        today: now.date_naive(),
        extensions: &known,
        users: &people,
        groups: &teams,
    }) {
        errors.extend(rules);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let after = draft.normalized();

    let (scope, targets, target_groups): (&str, &[UserId], &[GroupId]) = match &after.requestors {
        Requestors::AllUsers => ("allMemberUsers", &[], &[]),
        Requestors::SpecificUsers { users, groups } => ("specificDirectoryUsers", users, groups),
    };
    let duration = after.expiration.iso_duration();
    let end = match after.expiration {
        Expiration::OnDate(date) => {
            let last_second = NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time");
            Some(db_time(date.and_time(last_second).and_utc()))
        }
        _ => None,
    };
    let timeout = iso_days(after.approval.timeout_days);
    packages::update_policy_settings(
        &mut *tx,
        policy,
        &PolicySettingsUpdate {
            allowed_target_scope: scope,
            is_approval_required: after.approval.required,
            approval_timeout: &timeout,
            expiration_type: after.expiration.type_name(),
            expiration_duration: duration.as_deref(),
            expiration_end: end.as_deref(),
        },
        now,
    )
    .await?;
    packages::replace_users(&mut *tx, PolicyUsers::AllowedTargets, policy, targets).await?;
    groups::set_policy_groups(&mut *tx, policy, target_groups).await?;
    packages::replace_users(
        &mut *tx,
        PolicyUsers::Approvers,
        policy,
        &after.approval.approvers,
    )
    .await?;
    let stages: Vec<(Stage, ExtensionId)> = after
        .rules
        .iter()
        .filter_map(|r| r.extension.map(|e| (r.stage, e)))
        .collect();
    packages::replace_stage_settings(&mut *tx, policy, &stages).await?;
    if let Some(names) = names {
        packages::rename_policy(
            &mut *tx,
            policy,
            &names.display_name,
            &names.description,
            now,
        )
        .await?;
    }
    Ok(after)
}

/// Saves every tab of the editor at once: checked again with the same rules the page used,
/// written in one transaction with an audit event; a refused save writes nothing.
pub async fn update(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    policy: PolicyId,
    draft: PolicyDraft,
) -> Result<(), AppError> {
    authorize(state, p, catalog).await?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, policy).await?;
    let before = current_draft(&mut tx, policy, &record).await?;
    let after = write(&mut tx, catalog, policy, None, draft, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "assignmentPolicy.update",
            object_kind: "assignmentPolicy",
            object_id: policy.to_string(),
            summary: json!({
                "displayName": record.display_name,
                "before": summary(&before),
                "after": summary(&after),
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- the whole policy, as the REST API creates, reads, replaces and deletes it ----

/// A policy with everything Graph shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyView {
    pub id: PolicyId,
    pub access_package: AccessPackageId,
    pub catalog: CatalogId,
    pub display_name: String,
    pub description: String,
    /// Database times (fixed-width UTC text).
    pub created_at: String,
    pub modified_at: String,
    pub settings: PolicyDraft,
    /// The groups `settings` names, with their names (Graph's `groupMembers.description`).
    pub groups: Vec<GroupChoice>,
}

/// The policy's catalog and package; "not found" when there is no such policy.
async fn place(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<(CatalogId, PolicyPlaceRecord), AppError> {
    let place = packages::policy_place(conn, policy)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such assignment policy.".into()))?;
    Ok((parse(&place.catalog_id, "catalog id")?, place))
}

async fn read(
    conn: &mut Conn,
    policy: PolicyId,
    catalog: CatalogId,
    place: PolicyPlaceRecord,
) -> Result<PolicyView, AppError> {
    let record = load(&mut *conn, catalog, policy).await?;
    let settings = current_draft(&mut *conn, policy, &record).await?;
    let mut named = Vec::new();
    if let Requestors::SpecificUsers { groups: ids, .. } = &settings.requestors {
        for id in ids {
            // A group is taken out of its policies when it is deleted, so each one is found.
            let group = groups::get(&mut *conn, *id)
                .await?
                .ok_or_else(|| corrupt("allowed group"))?;
            named.push(GroupChoice {
                id: *id,
                display_name: group.display_name,
            });
        }
    }
    Ok(PolicyView {
        id: policy,
        access_package: parse(&place.access_package_id, "package id")?,
        catalog,
        display_name: record.display_name,
        description: record.description,
        created_at: place.created_at,
        modified_at: place.modified_at,
        settings,
        groups: named,
    })
}

/// One policy, for any role in its catalog.
pub async fn view(
    state: &AppState,
    p: &Principal,
    policy: PolicyId,
) -> Result<PolicyView, AppError> {
    let mut conn = state.db.acquire().await?;
    let (catalog, place) = place(&mut conn, policy).await?;
    p.require(catalog, |_| true, "see this assignment policy")?;
    read(&mut conn, policy, catalog, place).await
}

/// The policies of every catalog the caller holds a role in.
pub async fn list(state: &AppState, p: &Principal) -> Result<Vec<PolicyView>, AppError> {
    if !p.has_governance_role() {
        return Err(AppError::NotPermitted(
            "assignment policies are for administrators and catalog roles; you hold neither."
                .into(),
        ));
    }
    let mut conn = state.db.acquire().await?;
    let mut found = Vec::new();
    for id in packages::all_policy_ids(&mut conn).await? {
        let policy: PolicyId = parse(&id, "id")?;
        let (catalog, place) = place(&mut conn, policy).await?;
        if p.may_see_catalog(catalog) {
            found.push(read(&mut conn, policy, catalog, place).await?);
        }
    }
    Ok(found)
}

/// A new policy for an access package, checked with the editor's rules.
pub async fn create(
    state: &AppState,
    p: &Principal,
    package: AccessPackageId,
    names: PolicyNames,
    draft: PolicyDraft,
) -> Result<PolicyId, AppError> {
    let catalog: CatalogId = {
        let mut conn = state.db.acquire().await?;
        let catalog = packages::catalog_of_package(&mut conn, package)
            .await?
            .ok_or_else(|| AppError::NotFound("There is no such access package.".into()))?;
        parse(&catalog, "catalog id")?
    };
    authorize(state, p, catalog).await?;
    let names = names.trimmed();
    let now = state.clock.now();
    let id = PolicyId::new();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    packages::insert_policy(
        &mut tx,
        &NewPolicy {
            id,
            package,
            display_name: &names.display_name,
            description: &names.description,
            approvers: &[],
            expiration: None,
        },
        now,
    )
    .await?;
    let after = write(&mut tx, catalog, id, Some(&names), draft, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "assignmentPolicy.create",
            object_kind: "assignmentPolicy",
            object_id: id.to_string(),
            summary: json!({
                "accessPackageId": package,
                "displayName": names.display_name,
                "description": names.description,
                "after": summary(&after),
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces the whole policy (names and settings) in one checked save.
pub async fn replace(
    state: &AppState,
    p: &Principal,
    policy: PolicyId,
    names: PolicyNames,
    draft: PolicyDraft,
) -> Result<(), AppError> {
    let (catalog, _) = place(&mut *state.db.acquire().await?, policy).await?;
    authorize(state, p, catalog).await?;
    let names = names.trimmed();
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, policy).await?;
    let before = current_draft(&mut tx, policy, &record).await?;
    let after = write(&mut tx, catalog, policy, Some(&names), draft, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "assignmentPolicy.update",
            object_kind: "assignmentPolicy",
            object_id: policy.to_string(),
            summary: json!({
                "displayName": names.display_name,
                "before": { "displayName": record.display_name, "description": record.description,
                            "settings": summary(&before) },
                "after": { "displayName": names.display_name, "description": names.description,
                           "settings": summary(&after) },
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refused while any request or assignment was made through the policy: they are history
/// that names it.
pub async fn delete(state: &AppState, p: &Principal, policy: PolicyId) -> Result<(), AppError> {
    let (catalog, _) = place(&mut *state.db.acquire().await?, policy).await?;
    authorize(state, p, catalog).await?;
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, policy).await?;
    let usage = packages::policy_usage(&mut tx, policy).await?;
    if usage.requests > 0 || usage.assignments > 0 {
        return Err(AppError::Conflict(format!(
            "\u{201c}{}\u{201d} can't be deleted: {} and {} were made through it, and they stay in the history.",
            record.display_name,
            counted(usage.requests, "request", "requests"),
            counted(usage.assignments, "assignment", "assignments"),
        )));
    }
    let before = current_draft(&mut tx, policy, &record).await?;
    packages::delete_policy(&mut tx, policy).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "assignmentPolicy.delete",
            object_kind: "assignmentPolicy",
            object_id: policy.to_string(),
            summary: json!({
                "displayName": record.display_name,
                "before": summary(&before),
            }),
        },
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "policies_tests.rs"]
mod tests;

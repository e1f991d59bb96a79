//! SCIM 2.0 provisioning: what an identity provider's pushes do to the directory. The
//! protocol's parsing lives in `scim`; here each operation checks the caller (an app or user
//! with User Administrator), runs in one transaction, and answers with SCIM's shapes and
//! errors. A user set `active: false` or deleted takes the leaver path.

use super::leaver::off_board;
use super::people::refuse_last_admin;
use super::scim::filter::{EqFilter, FilterAttribute};
use super::scim::group::{ScimGroupInput, ScimGroupMemberOut, ScimGroupOut};
use super::scim::patch::GroupChange;
use super::scim::patch::UserChange;
use super::scim::protocol::Paging;
use super::scim::user::{ScimUserInput, ScimUserOut};
use super::scim::ScimError;
use crate::auth::authz::Principal;
use crate::domain::ids::{GroupId, UserId};
use crate::error::AppError;
use crate::services::requests::actor_of;
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::groups::{self, GroupMatch, GroupRecord};
use crate::store::users::{self, PersonMatch, PersonRecord, Profile};
use crate::store::{parse_db_time, write_tx};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Sqlite, SqliteConnection, Transaction};

/// A database failure: logged here, answered without detail.
#[track_caller]
fn internal(error: sqlx::Error) -> ScimError {
    let at = std::panic::Location::caller();
    tracing::error!(%error, %at, "database error in SCIM provisioning");
    ScimError::new(
        500,
        None,
        "Something went wrong on the server; it has been logged.",
    )
}

fn from_app(error: AppError) -> ScimError {
    match error {
        AppError::Conflict(m) => ScimError::new(409, None, m),
        AppError::NotFound(m) => ScimError::not_found(m),
        AppError::NotPermitted(m) => ScimError::new(403, None, m),
        AppError::NotSignedIn => ScimError::new(401, None, "A Bearer token is required."),
        AppError::Invalid(e) => ScimError::invalid_value(
            e.iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        AppError::Internal | AppError::Transport(_) => ScimError::new(
            500,
            None,
            "Something went wrong on the server; it has been logged.",
        ),
    }
}

fn require(p: &Principal) -> Result<(), ScimError> {
    p.require_user_administrator("provision users and groups")
        .map_err(from_app)
}

fn time(text: &str) -> Result<DateTime<Utc>, ScimError> {
    parse_db_time(text).map_err(internal)
}

fn user_out(r: &PersonRecord) -> Result<ScimUserOut, ScimError> {
    Ok(ScimUserOut {
        id: r.id.clone(),
        user_name: r.user_principal_name.clone(),
        external_id: r.external_id.clone(),
        display_name: Some(r.display_name.clone()),
        given_name: r.given_name.clone(),
        family_name: r.family_name.clone(),
        active: r.enabled,
        department: r.department.clone(),
        job_title: r.job_title.clone(),
        manager_id: r.manager_id.clone(),
        created: time(&r.created_at)?,
        last_modified: time(&r.modified_at)?,
    })
}

fn no_user(id: &str) -> ScimError {
    ScimError::not_found(format!("User {id} not found"))
}

fn no_group(id: &str) -> ScimError {
    ScimError::not_found(format!("Group {id} not found"))
}

/// A live (not deleted) user by SCIM id.
async fn live_user(conn: &mut SqliteConnection, id: &str) -> Result<PersonRecord, ScimError> {
    let Ok(user) = id.parse::<UserId>() else {
        return Err(no_user(id));
    };
    users::person(conn, user)
        .await
        .map_err(internal)?
        .filter(|r| !r.deleted)
        .ok_or_else(|| no_user(id))
}

/// The display name when the body has none: the name parts, else the user name.
fn display_name_of(input: &ScimUserInput) -> String {
    input
        .display_name
        .clone()
        .filter(|d| !d.trim().is_empty())
        .or_else(|| {
            let parts: Vec<&str> = [&input.given_name, &input.family_name]
                .into_iter()
                .filter_map(|p| p.as_deref())
                .filter(|p| !p.trim().is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .unwrap_or_else(|| input.user_name.clone())
}

/// The manager named by a body, if they exist. An unknown manager is left unset rather than
/// refused: identity providers push managers and their reports in any order.
async fn manager(
    conn: &mut SqliteConnection,
    id: Option<&str>,
) -> Result<Option<UserId>, ScimError> {
    let Some(id) = id.and_then(|i| i.parse::<UserId>().ok()) else {
        return Ok(None);
    };
    Ok(users::person(conn, id)
        .await
        .map_err(internal)?
        .filter(|m| !m.deleted)
        .map(|m| m.user_id()))
}

async fn unique_user_name(
    conn: &mut SqliteConnection,
    user_name: &str,
    except: Option<&str>,
) -> Result<Option<PersonRecord>, ScimError> {
    let found = users::find_by_upn(&mut *conn, user_name)
        .await
        .map_err(internal)?;
    match found {
        Some(other) if Some(other.id.as_str()) != except => {
            let other = users::person(conn, other.user_id())
                .await
                .map_err(internal)?;
            match other {
                // A deleted person provisioned again under the same name is brought back.
                Some(o) if o.deleted => Ok(Some(o)),
                _ => Err(ScimError::uniqueness(format!(
                    "userName {user_name:?} is already taken by another user"
                ))),
            }
        }
        _ => Ok(None),
    }
}

/// `uniqueness` when the external id belongs to another resource than `except`.
fn taken_by_other(
    holder: Option<&str>,
    except: Option<&str>,
    external_id: &str,
    kind: &str,
) -> Result<(), ScimError> {
    match holder {
        Some(other) if Some(other) != except => Err(ScimError::uniqueness(format!(
            "externalId {external_id:?} is already taken by another {kind}"
        ))),
        _ => Ok(()),
    }
}

async fn unique_external_id(
    conn: &mut SqliteConnection,
    external_id: Option<&str>,
    except: Option<&str>,
) -> Result<(), ScimError> {
    let Some(external_id) = external_id else {
        return Ok(());
    };
    let found = users::find_people(conn, &PersonMatch::ExternalId(external_id), 0, 1)
        .await
        .map_err(internal)?;
    taken_by_other(
        found.first().map(|o| o.id.as_str()),
        except,
        external_id,
        "user",
    )
}

async fn audit(
    tx: &mut Transaction<'static, Sqlite>,
    p: &Principal,
    object_kind: &str,
    action: &str,
    id: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), ScimError> {
    audit::record(
        tx,
        &p.actor,
        AuditEntry {
            action,
            object_kind,
            object_id: id.to_string(),
            summary,
        },
        now,
    )
    .await
    .map_err(internal)
}

/// Applies an `active` value: false takes the leaver path, true restores sign-in only.
async fn set_active(
    tx: &mut SqliteConnection,
    p: &Principal,
    before: &PersonRecord,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ScimError> {
    match (before.enabled, active) {
        (true, false) => {
            refuse_last_admin(&mut *tx, before)
                .await
                .map_err(from_app)?;
            off_board(&mut *tx, before.user_id(), actor_of(p), now)
                .await
                .map_err(|e| from_app(crate::services::requests::from_run(e)))?;
        }
        (false, true) => users::set_enabled(tx, before.user_id(), true, now)
            .await
            .map_err(internal)?,
        _ => {}
    }
    Ok(())
}

fn profile_from(input: &ScimUserInput, manager: Option<UserId>) -> Profile {
    Profile {
        user_principal_name: input.user_name.trim().to_lowercase(),
        display_name: display_name_of(input),
        external_id: input.external_id.clone(),
        given_name: input.given_name.clone(),
        family_name: input.family_name.clone(),
        department: input.department.clone(),
        job_title: input.job_title.clone(),
        manager_id: manager,
    }
}

/// POST /Users.
pub async fn create_user(
    state: &AppState,
    p: &Principal,
    input: &ScimUserInput,
) -> Result<ScimUserOut, ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let revived = unique_user_name(&mut tx, &input.user_name, None).await?;
    unique_external_id(&mut tx, input.external_id.as_deref(), None).await?;
    let manager = manager(&mut tx, input.manager_id.as_deref()).await?;
    let profile = profile_from(input, manager);
    let active = input.active.unwrap_or(true);
    let id = match revived {
        Some(old) => {
            let id = old.user_id();
            users::undelete(&mut tx, id).await.map_err(internal)?;
            users::update_profile(&mut tx, id, &profile, now)
                .await
                .map_err(internal)?;
            users::set_enabled(&mut tx, id, active, now)
                .await
                .map_err(internal)?;
            id
        }
        None => {
            let id = UserId::new();
            users::insert_person(&mut tx, id, &profile, active, now)
                .await
                .map_err(internal)?;
            id
        }
    };
    audit(
        &mut tx,
        p,
        "user",
        "user.provision",
        &id.to_string(),
        json!({ "after": { "userName": profile.user_principal_name, "externalId": profile.external_id, "active": active } }),
        now,
    )
    .await?;
    let out = live_user(&mut tx, &id.to_string()).await?;
    tx.commit().await.map_err(internal)?;
    user_out(&out)
}

/// GET /Users/{id}.
pub async fn get_user(state: &AppState, p: &Principal, id: &str) -> Result<ScimUserOut, ScimError> {
    require(p)?;
    let mut conn = state.db.acquire().await.map_err(internal)?;
    user_out(&live_user(&mut conn, id).await?)
}

/// GET /Users with an optional `eq` filter.
pub async fn list_users(
    state: &AppState,
    p: &Principal,
    filter: Option<&EqFilter>,
    paging: Paging,
) -> Result<(u64, Vec<ScimUserOut>), ScimError> {
    require(p)?;
    let m = match filter {
        None => PersonMatch::Provisioned,
        Some(f) => match f.attribute {
            FilterAttribute::UserName => PersonMatch::UserName(&f.value),
            FilterAttribute::ExternalId => PersonMatch::ExternalId(&f.value),
            FilterAttribute::DisplayName => PersonMatch::DisplayName(&f.value),
        },
    };
    let mut conn = state.db.acquire().await.map_err(internal)?;
    let total = users::count_people(&mut conn, &m).await.map_err(internal)?;
    let rows = if paging.count == 0 {
        Vec::new()
    } else {
        users::find_people(&mut conn, &m, paging.offset() as i64, paging.count as i64)
            .await
            .map_err(internal)?
    };
    let users = rows.iter().map(user_out).collect::<Result<_, _>>()?;
    Ok((total as u64, users))
}

/// PUT /Users/{id}: the body replaces what Latch keeps.
pub async fn replace_user(
    state: &AppState,
    p: &Principal,
    id: &str,
    input: &ScimUserInput,
) -> Result<ScimUserOut, ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_user(&mut tx, id).await?;
    if unique_user_name(&mut tx, &input.user_name, Some(id))
        .await?
        .is_some()
    {
        return Err(ScimError::uniqueness(format!(
            "userName {:?} belongs to a deleted user",
            input.user_name
        )));
    }
    unique_external_id(&mut tx, input.external_id.as_deref(), Some(id)).await?;
    let manager = manager(&mut tx, input.manager_id.as_deref()).await?;
    let profile = profile_from(input, manager);
    users::update_profile(&mut tx, before.user_id(), &profile, now)
        .await
        .map_err(internal)?;
    set_active(
        &mut tx,
        p,
        &before,
        input.active.unwrap_or(before.enabled),
        now,
    )
    .await?;
    audit(
        &mut tx,
        p,
        "user",
        "user.provisionReplace",
        id,
        json!({ "after": { "userName": profile.user_principal_name, "active": input.active } }),
        now,
    )
    .await?;
    let after = live_user(&mut tx, id).await?;
    tx.commit().await.map_err(internal)?;
    state.wake.notify_one();
    user_out(&after)
}

/// PATCH /Users/{id}.
pub async fn patch_user(
    state: &AppState,
    p: &Principal,
    id: &str,
    changes: &[UserChange],
) -> Result<ScimUserOut, ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_user(&mut tx, id).await?;
    let mut input = ScimUserInput {
        user_name: before.user_principal_name.clone(),
        external_id: before.external_id.clone(),
        display_name: Some(before.display_name.clone()),
        given_name: before.given_name.clone(),
        family_name: before.family_name.clone(),
        active: Some(before.enabled),
        emails: vec![],
        department: before.department.clone(),
        job_title: before.job_title.clone(),
        manager_id: before.manager_id.clone(),
    };
    for change in changes {
        match change.clone() {
            UserChange::SetUserName(v) => input.user_name = v,
            UserChange::SetExternalId(v) => input.external_id = v,
            UserChange::SetDisplayName(v) => input.display_name = v,
            UserChange::SetGivenName(v) => input.given_name = v,
            UserChange::SetFamilyName(v) => input.family_name = v,
            UserChange::SetActive(v) => input.active = Some(v),
            // Latch reaches people at their user name.
            UserChange::SetWorkEmail(_) => {}
            UserChange::SetDepartment(v) => input.department = v,
            UserChange::SetJobTitle(v) => input.job_title = v,
            UserChange::SetManager(v) => input.manager_id = v,
        }
    }
    if input.user_name != before.user_principal_name
        && unique_user_name(&mut tx, &input.user_name, Some(id))
            .await?
            .is_some()
    {
        return Err(ScimError::uniqueness(format!(
            "userName {:?} belongs to a deleted user",
            input.user_name
        )));
    }
    unique_external_id(&mut tx, input.external_id.as_deref(), Some(id)).await?;
    let manager = manager(&mut tx, input.manager_id.as_deref()).await?;
    let profile = profile_from(&input, manager);
    users::update_profile(&mut tx, before.user_id(), &profile, now)
        .await
        .map_err(internal)?;
    set_active(
        &mut tx,
        p,
        &before,
        input.active.unwrap_or(before.enabled),
        now,
    )
    .await?;
    audit(
        &mut tx,
        p,
        "user",
        "user.provisionPatch",
        id,
        json!({ "operations": changes.len(), "active": input.active }),
        now,
    )
    .await?;
    let after = live_user(&mut tx, id).await?;
    tx.commit().await.map_err(internal)?;
    state.wake.notify_one();
    user_out(&after)
}

/// DELETE /Users/{id}: the leaver path, then SCIM no longer sees the user.
pub async fn delete_user(state: &AppState, p: &Principal, id: &str) -> Result<(), ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_user(&mut tx, id).await?;
    set_active(&mut tx, p, &before, false, now).await?;
    users::mark_deleted(&mut tx, before.user_id(), now)
        .await
        .map_err(internal)?;
    audit(
        &mut tx,
        p,
        "user",
        "user.deprovision",
        id,
        json!({ "before": { "userName": before.user_principal_name } }),
        now,
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    state.wake.notify_one();
    Ok(())
}

// ---- groups ----

async fn group_out(
    conn: &mut SqliteConnection,
    g: &GroupRecord,
) -> Result<ScimGroupOut, ScimError> {
    let members = groups::members(conn, g.group_id())
        .await
        .map_err(internal)?
        .into_iter()
        .map(|m| ScimGroupMemberOut {
            value: m.id,
            display: Some(m.display_name),
        })
        .collect();
    Ok(ScimGroupOut {
        id: g.id.clone(),
        display_name: g.display_name.clone(),
        external_id: g.external_id.clone(),
        members,
        created: time(&g.created_at)?,
        last_modified: time(&g.modified_at)?,
    })
}

async fn live_group(conn: &mut SqliteConnection, id: &str) -> Result<GroupRecord, ScimError> {
    let Ok(group) = id.parse::<GroupId>() else {
        return Err(no_group(id));
    };
    groups::get(conn, group)
        .await
        .map_err(internal)?
        .ok_or_else(|| no_group(id))
}

/// Every id must name a live user; the first unknown one is refused by name.
async fn member_users(
    conn: &mut SqliteConnection,
    ids: &[String],
) -> Result<Vec<UserId>, ScimError> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let record = live_user(&mut *conn, id).await.map_err(|_| {
            ScimError::invalid_value(format!("members: there is no user with id {id:?}"))
        })?;
        found.push(record.user_id());
    }
    Ok(found)
}

async fn unique_group_external_id(
    conn: &mut SqliteConnection,
    external_id: Option<&str>,
    except: Option<&str>,
) -> Result<(), ScimError> {
    let Some(external_id) = external_id else {
        return Ok(());
    };
    let found = groups::find(conn, &GroupMatch::ExternalId(external_id), 0, 1)
        .await
        .map_err(internal)?;
    taken_by_other(
        found.first().map(|o| o.id.as_str()),
        except,
        external_id,
        "group",
    )
}

fn require_name(name: &str) -> Result<(), ScimError> {
    let length = name.trim().chars().count();
    if length == 0 || length > 256 {
        return Err(ScimError::invalid_value(
            "displayName is required and must be 1 to 256 characters",
        ));
    }
    Ok(())
}

/// POST /Groups.
pub async fn create_group(
    state: &AppState,
    p: &Principal,
    input: &ScimGroupInput,
) -> Result<ScimGroupOut, ScimError> {
    require(p)?;
    require_name(&input.display_name)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    unique_group_external_id(&mut tx, input.external_id.as_deref(), None).await?;
    let members = member_users(&mut tx, &input.members).await?;
    let id = GroupId::new();
    groups::insert(
        &mut tx,
        id,
        &input.display_name,
        input.external_id.as_deref(),
        now,
    )
    .await
    .map_err(internal)?;
    for m in &members {
        groups::add_member(&mut tx, id, *m)
            .await
            .map_err(internal)?;
    }
    audit(
        &mut tx,
        p,
        "group",
        "group.provision",
        &id.to_string(),
        json!({ "after": { "displayName": input.display_name, "members": members.len() } }),
        now,
    )
    .await?;
    let record = live_group(&mut tx, &id.to_string()).await?;
    let out = group_out(&mut tx, &record).await?;
    tx.commit().await.map_err(internal)?;
    Ok(out)
}

/// GET /Groups/{id}.
pub async fn get_group(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<ScimGroupOut, ScimError> {
    require(p)?;
    let mut conn = state.db.acquire().await.map_err(internal)?;
    let record = live_group(&mut conn, id).await?;
    group_out(&mut conn, &record).await
}

/// GET /Groups with an optional `eq` filter.
pub async fn list_groups(
    state: &AppState,
    p: &Principal,
    filter: Option<&EqFilter>,
    paging: Paging,
) -> Result<(u64, Vec<ScimGroupOut>), ScimError> {
    require(p)?;
    let m = match filter {
        None => GroupMatch::All,
        Some(f) => match f.attribute {
            FilterAttribute::ExternalId => GroupMatch::ExternalId(&f.value),
            _ => GroupMatch::DisplayName(&f.value),
        },
    };
    let mut conn = state.db.acquire().await.map_err(internal)?;
    let total = groups::count(&mut conn, &m).await.map_err(internal)?;
    let rows = if paging.count == 0 {
        Vec::new()
    } else {
        groups::find(&mut conn, &m, paging.offset() as i64, paging.count as i64)
            .await
            .map_err(internal)?
    };
    let mut out = Vec::with_capacity(rows.len());
    for g in &rows {
        out.push(group_out(&mut conn, g).await?);
    }
    Ok((total as u64, out))
}

/// PUT /Groups/{id}.
pub async fn replace_group(
    state: &AppState,
    p: &Principal,
    id: &str,
    input: &ScimGroupInput,
) -> Result<ScimGroupOut, ScimError> {
    require(p)?;
    require_name(&input.display_name)?;
    let changes = vec![
        GroupChange::SetDisplayName(input.display_name.clone()),
        GroupChange::SetExternalId(input.external_id.clone()),
        GroupChange::ReplaceMembers(input.members.clone()),
    ];
    patch_group(state, p, id, &changes).await
}

/// PATCH /Groups/{id}.
pub async fn patch_group(
    state: &AppState,
    p: &Principal,
    id: &str,
    changes: &[GroupChange],
) -> Result<ScimGroupOut, ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_group(&mut tx, id).await?;
    let group = before.group_id();
    let mut name = before.display_name.clone();
    let mut external_id = before.external_id.clone();
    for change in changes {
        match change {
            GroupChange::SetDisplayName(n) => {
                require_name(n)?;
                name = n.clone();
            }
            GroupChange::SetExternalId(e) => external_id = e.clone(),
            GroupChange::AddMembers(ids) => {
                for m in member_users(&mut tx, ids).await? {
                    groups::add_member(&mut tx, group, m)
                        .await
                        .map_err(internal)?;
                }
            }
            GroupChange::RemoveMembers(ids) => {
                // Removing someone who is not a member (or not a user) changes nothing.
                for m in ids.iter().filter_map(|i| i.parse::<UserId>().ok()) {
                    groups::remove_member(&mut tx, group, m)
                        .await
                        .map_err(internal)?;
                }
            }
            GroupChange::ReplaceMembers(ids) => {
                let members = member_users(&mut tx, ids).await?;
                groups::remove_all_members(&mut tx, group)
                    .await
                    .map_err(internal)?;
                for m in members {
                    groups::add_member(&mut tx, group, m)
                        .await
                        .map_err(internal)?;
                }
            }
            GroupChange::RemoveAllMembers => groups::remove_all_members(&mut tx, group)
                .await
                .map_err(internal)?,
        }
    }
    unique_group_external_id(&mut tx, external_id.as_deref(), Some(id)).await?;
    groups::update(&mut tx, group, &name, external_id.as_deref(), now)
        .await
        .map_err(internal)?;
    audit(
        &mut tx,
        p,
        "group",
        "group.provisionPatch",
        id,
        json!({ "operations": changes.len() }),
        now,
    )
    .await?;
    let after = live_group(&mut tx, id).await?;
    let out = group_out(&mut tx, &after).await?;
    tx.commit().await.map_err(internal)?;
    Ok(out)
}

/// DELETE /Groups/{id}: policies that named the group no longer do.
pub async fn delete_group(state: &AppState, p: &Principal, id: &str) -> Result<(), ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_group(&mut tx, id).await?;
    groups::delete(&mut tx, before.group_id())
        .await
        .map_err(internal)?;
    audit(
        &mut tx,
        p,
        "group",
        "group.deprovision",
        id,
        json!({ "before": { "displayName": before.display_name } }),
        now,
    )
    .await?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

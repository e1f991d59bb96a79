//! SCIM Users: provisioning, changes, and the leaver path for `active: false` and DELETE.

use super::{audit, from_app, internal, require, taken_by_other, time};
use crate::auth::authz::Principal;
use crate::directory::leaver::off_board;
use crate::directory::people::refuse_last_admin;
use crate::directory::scim::filter::{EqFilter, FilterAttribute};
use crate::directory::scim::patch::UserChange;
use crate::directory::scim::protocol::Paging;
use crate::directory::scim::user::{ScimUserInput, ScimUserOut};
use crate::directory::scim::ScimError;
use crate::domain::ids::UserId;
use crate::services::requests::actor_of;
use crate::state::AppState;
use crate::store::users::{self, PersonMatch, PersonRecord, Profile};
use crate::store::write_tx;
use crate::store::Conn;
use chrono::{DateTime, Utc};
use serde_json::json;

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

/// A live (not deleted) user by SCIM id.
pub(super) async fn live_user(conn: &mut Conn, id: &str) -> Result<PersonRecord, ScimError> {
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
async fn manager(conn: &mut Conn, id: Option<&str>) -> Result<Option<UserId>, ScimError> {
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
    conn: &mut Conn,
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

async fn unique_external_id(
    conn: &mut Conn,
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

/// Applies an `active` value: false takes the leaver path, true restores sign-in only.
async fn set_active(
    tx: &mut Conn,
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
    rewrite_user(state, p, id, "user.provisionReplace", |_| input.clone()).await
}

/// PATCH /Users/{id}: the changes, in order, over what Latch keeps.
pub async fn patch_user(
    state: &AppState,
    p: &Principal,
    id: &str,
    changes: &[UserChange],
) -> Result<ScimUserOut, ScimError> {
    rewrite_user(state, p, id, "user.provisionPatch", |before| {
        patched(before, changes)
    })
    .await
}

/// The stored user as a SCIM body, with `changes` applied.
fn patched(before: &PersonRecord, changes: &[UserChange]) -> ScimUserInput {
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
    input
}

/// Replaces a live user's profile with what `make` builds from it, in one transaction: the
/// same uniqueness checks as a create, and `active` through the leaver path.
async fn rewrite_user(
    state: &AppState,
    p: &Principal,
    id: &str,
    action: &str,
    make: impl FnOnce(&PersonRecord) -> ScimUserInput,
) -> Result<ScimUserOut, ScimError> {
    require(p)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await.map_err(internal)?;
    let before = live_user(&mut tx, id).await?;
    let input = make(&before);
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
    let profile = profile_from(&input, manager);
    users::update_profile(&mut tx, before.user_id(), &profile, now)
        .await
        .map_err(internal)?;
    let active = input.active.unwrap_or(before.enabled);
    set_active(&mut tx, p, &before, active, now).await?;
    audit(
        &mut tx,
        p,
        "user",
        action,
        id,
        json!({ "after": { "userName": profile.user_principal_name, "active": active } }),
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

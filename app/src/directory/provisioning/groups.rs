//! SCIM Groups and their members.

use super::users::live_user;
use super::{audit, internal, require, taken_by_other, time};
use crate::auth::authz::Principal;
use crate::directory::scim::filter::{EqFilter, FilterAttribute};
use crate::directory::scim::group::{ScimGroupInput, ScimGroupMemberOut, ScimGroupOut};
use crate::directory::scim::patch::GroupChange;
use crate::directory::scim::protocol::Paging;
use crate::directory::scim::ScimError;
use crate::domain::ids::{GroupId, UserId};
use crate::state::AppState;
use crate::store::groups::{self, GroupMatch, GroupRecord};
use crate::store::write_tx;
use crate::store::Conn;
use serde_json::json;

fn no_group(id: &str) -> ScimError {
    ScimError::not_found(format!("Group {id} not found"))
}

async fn group_out(conn: &mut Conn, g: &GroupRecord) -> Result<ScimGroupOut, ScimError> {
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

async fn live_group(conn: &mut Conn, id: &str) -> Result<GroupRecord, ScimError> {
    let Ok(group) = id.parse::<GroupId>() else {
        return Err(no_group(id));
    };
    groups::get(conn, group)
        .await
        .map_err(internal)?
        .ok_or_else(|| no_group(id))
}

/// Every id must name a live user; the first unknown one is refused by name.
async fn member_users(conn: &mut Conn, ids: &[String]) -> Result<Vec<UserId>, ScimError> {
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
    conn: &mut Conn,
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

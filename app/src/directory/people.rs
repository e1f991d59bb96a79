//! The Users page and the command line: add, change, find, disable and enable local users, and
//! hand out setup links. Only User Administrators (and Identity Governance Administrators)
//! may; every change is one transaction with its audit event.

use super::leaver::off_board;
use crate::auth::authz::Principal;
use crate::domain::field_error::FieldError;
use crate::domain::ids::UserId;
use crate::domain::lifecycle::AssignmentState;
use crate::domain::person::{keys, validate_person, PersonDraft};
use crate::error::AppError;
use crate::services::requests::{actor_of, from_run};
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::paging::{self, PageAt};
use crate::store::users::{self, PersonMatch, PersonRecord, Profile};
use crate::store::Conn;
use crate::store::{catalogs, groups, request_views, roles, sessions, setup_links, write_tx};
use crate::views::people::{LeaverSummary, PeoplePage, PersonDetails, PersonRow, SetupLink};
use chrono::{DateTime, Utc};
use serde_json::json;

pub fn row(record: &PersonRecord) -> PersonRow {
    PersonRow {
        id: record.user_id(),
        display_name: record.display_name.clone(),
        email: record.user_principal_name.clone(),
        department: record.department.clone().unwrap_or_default(),
        job_title: record.job_title.clone().unwrap_or_default(),
        enabled: record.enabled,
        provisioned: record.external_id.is_some(),
    }
}

fn profile_of(draft: &PersonDraft, keep: Option<&PersonRecord>) -> Profile {
    let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
    Profile {
        user_principal_name: draft.email.trim().to_lowercase(),
        display_name: draft.display_name.trim().to_string(),
        department: text(&draft.department),
        job_title: text(&draft.job_title),
        // What the page does not edit stays as provisioning left it.
        external_id: keep.and_then(|k| k.external_id.clone()),
        given_name: keep.and_then(|k| k.given_name.clone()),
        family_name: keep.and_then(|k| k.family_name.clone()),
        manager_id: keep.and_then(|k| k.manager_id.as_deref()?.parse().ok()),
    }
}

fn check(draft: &PersonDraft) -> Result<(), AppError> {
    let errors = validate_person(draft);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn email_taken() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        keys::EMAIL,
        "Another user already has this e-mail address.",
    )])
}

pub(super) async fn load(conn: &mut Conn, id: UserId) -> Result<PersonRecord, AppError> {
    users::person(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no user with id {id}.")))
}

/// The page's link for a setup token.
pub fn setup_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/setup/{token}",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// Issues a setup link for `user` in the caller's transaction.
pub(super) async fn issue_link(
    conn: &mut Conn,
    state: &AppState,
    record: &PersonRecord,
    now: DateTime<Utc>,
) -> Result<SetupLink, AppError> {
    let token = setup_links::issue(&mut *conn, record.user_id(), now).await?;
    Ok(SetupLink {
        user: record.user_id(),
        display_name: record.display_name.clone(),
        email: record.user_principal_name.clone(),
        url: setup_url(state, &token),
        expires_at: crate::store::db_time(now + setup_links::SETUP_LINK_LIFETIME),
    })
}

async fn record_audit(
    conn: &mut Conn,
    p: &Principal,
    action: &str,
    user: UserId,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        &p.actor,
        AuditEntry {
            action,
            object_kind: "user",
            object_id: user.to_string(),
            summary,
        },
        now,
    )
    .await
}

/// Adds a local user, who chooses a password on the setup link in the answer.
pub async fn add(
    state: &AppState,
    p: &Principal,
    draft: &PersonDraft,
) -> Result<SetupLink, AppError> {
    p.require_user_administrator("add users")?;
    check(draft)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    if users::find_by_upn(&mut tx, &draft.email).await?.is_some() {
        return Err(email_taken());
    }
    let id = UserId::new();
    let profile = profile_of(draft, None);
    users::insert_person(&mut tx, id, &profile, true, now).await?;
    let record = load(&mut tx, id).await?;
    let link = issue_link(&mut tx, state, &record, now).await?;
    record_audit(
        &mut tx,
        p,
        "user.add",
        id,
        json!({ "after": { "userPrincipalName": profile.user_principal_name, "displayName": profile.display_name } }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(link)
}

/// Changes a user's e-mail address, name, department and job title.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: UserId,
    draft: &PersonDraft,
) -> Result<PersonRow, AppError> {
    p.require_user_administrator("change users")?;
    check(draft)?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let before = load(&mut tx, id).await?;
    if let Some(other) = users::find_by_upn(&mut tx, &draft.email).await? {
        if other.id != before.id {
            return Err(email_taken());
        }
    }
    let profile = profile_of(draft, Some(&before));
    users::update_profile(&mut tx, id, &profile, now).await?;
    record_audit(
        &mut tx,
        p,
        "user.update",
        id,
        json!({ "before": { "userPrincipalName": before.user_principal_name, "displayName": before.display_name },
                "after": { "userPrincipalName": profile.user_principal_name, "displayName": profile.display_name } }),
        now,
    )
    .await?;
    let after = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row(&after))
}

/// Refuses to disable the last enabled Identity Governance Administrator: nobody could then
/// manage Latch from the pages.
pub(super) async fn refuse_last_admin(
    conn: &mut Conn,
    record: &PersonRecord,
) -> Result<(), AppError> {
    let is_admin = roles::of_user(&mut *conn, record.user_id())
        .await?
        .iter()
        .any(|g| g.role == crate::domain::role::Role::IdentityGovernanceAdministrator);
    if record.enabled && is_admin && users::other_enabled_admins(conn, record.user_id()).await? == 0
    {
        return Err(AppError::Conflict(format!(
            "{} is the last enabled Identity Governance Administrator; make someone else an \
             administrator before disabling them.",
            record.display_name
        )));
    }
    Ok(())
}

/// Disables a user (the leaver path) in the caller's transaction, with its audit event.
pub async fn disable_in(
    conn: &mut Conn,
    p: &Principal,
    record: &PersonRecord,
    now: DateTime<Utc>,
) -> Result<LeaverSummary, AppError> {
    refuse_last_admin(&mut *conn, record).await?;
    let summary = off_board(&mut *conn, record.user_id(), actor_of(p), now)
        .await
        .map_err(from_run)?;
    record_audit(
        conn,
        p,
        "user.disable",
        record.user_id(),
        json!({ "before": { "enabled": record.enabled }, "after": { "enabled": false },
                "sessionsEnded": summary.sessions_ended, "requestsCanceled": summary.requests_canceled,
                "assignmentsRemoved": summary.assignments_removed, "requestsLeft": summary.requests_left }),
        now,
    )
    .await?;
    Ok(summary)
}

/// Disables a user: sign-in ends and their access goes (see `leaver`).
pub async fn disable(
    state: &AppState,
    p: &Principal,
    id: UserId,
) -> Result<LeaverSummary, AppError> {
    p.require_user_administrator("disable users")?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let record = load(&mut tx, id).await?;
    if !record.enabled {
        return Err(AppError::Conflict(format!(
            "{} is already disabled.",
            record.display_name
        )));
    }
    let summary = disable_in(&mut tx, p, &record, now).await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(summary)
}

/// Enables a user again: sign-in comes back, access does not.
pub async fn enable(state: &AppState, p: &Principal, id: UserId) -> Result<(), AppError> {
    p.require_user_administrator("enable users")?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let record = load(&mut tx, id).await?;
    if record.enabled {
        return Err(AppError::Conflict(format!(
            "{} is already enabled.",
            record.display_name
        )));
    }
    users::set_enabled(&mut tx, id, true, now).await?;
    record_audit(
        &mut tx,
        p,
        "user.enable",
        id,
        json!({ "before": { "enabled": false }, "after": { "enabled": true } }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new setup link; the old password stops working and every session ends.
pub async fn reset_password(
    state: &AppState,
    p: &Principal,
    id: UserId,
) -> Result<SetupLink, AppError> {
    p.require_user_administrator("reset passwords")?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let record = load(&mut tx, id).await?;
    if !record.enabled {
        return Err(AppError::Conflict(format!(
            "{} is disabled; enable them before resetting their password.",
            record.display_name
        )));
    }
    users::set_password_hash(&mut tx, id, None, now).await?;
    sessions::delete_for_user(&mut tx, id).await?;
    let link = issue_link(&mut tx, state, &record, now).await?;
    record_audit(&mut tx, p, "user.resetPassword", id, json!({}), now).await?;
    tx.commit().await?;
    Ok(link)
}

/// A page of users whose name or e-mail address starts with `search` (all when empty), in
/// name order: the first, or the one after or before a key from a link.
pub async fn list(
    state: &AppState,
    p: &Principal,
    search: &str,
    after: &str,
    before: &str,
) -> Result<PeoplePage, AppError> {
    p.require_user_administrator("see users")?;
    let nonempty = |t: &str| Some(t.to_owned()).filter(|t| !t.is_empty());
    let at = PageAt::from_tokens_with(
        nonempty(after).as_deref(),
        nonempty(before).as_deref(),
        paging::Key::from_name_token,
    )
    .map_err(|e| AppError::invalid("page", e.to_string()))?;
    let m = if search.trim().is_empty() {
        PersonMatch::All
    } else {
        PersonMatch::Prefix(search)
    };
    let mut conn = state.db.acquire().await?;
    let page = users::people_page(&mut conn, &m, &at, paging::PAGE_SIZE).await?;
    let total = users::count_people(&mut conn, &m).await?;
    Ok(PeoplePage {
        rows: page.rows.iter().map(row).collect(),
        total,
        previous: page.newer.map(|k| k.token()),
        next: page.older.map(|k| k.token()),
    })
}

/// A user with their roles, groups, access and open requests.
pub async fn details(
    state: &AppState,
    p: &Principal,
    id: UserId,
) -> Result<PersonDetails, AppError> {
    p.require_user_administrator("see users")?;
    let mut conn = state.db.acquire().await?;
    let record = load(&mut conn, id).await?;
    let catalogs = catalogs::list_all(&mut conn).await?;
    let mut role_labels = Vec::new();
    for grant in roles::of_user(&mut conn, id).await? {
        let scope = match grant.catalog_id {
            None => "Tenant".to_string(),
            Some(c) => catalogs
                .iter()
                .find(|k| k.catalog_id() == c)
                .map(|k| k.display_name.clone())
                .unwrap_or_else(|| c.to_string()),
        };
        role_labels.push(format!("{} · {scope}", grant.role.label()));
    }
    let groups = groups::of_user(&mut conn, id)
        .await?
        .into_iter()
        .map(|g| g.display_name)
        .collect();
    // The newest of each, as a glance: the Assignments and Requests pages hold the rest.
    let delivered = request_views::AssignmentFilter {
        target: Some(id),
        state: Some(AssignmentState::Delivered),
        ..Default::default()
    };
    let access = request_views::assignment_page(
        &mut conn,
        None,
        &delivered,
        &PageAt::First,
        paging::PAGE_SIZE,
    )
    .await?
    .rows
    .into_iter()
    .map(|a| match a.expires_at {
        Some(end) => format!("{} (until {})", a.package, &end[..10.min(end.len())]),
        None => a.package,
    })
    .collect();
    let open = request_views::RequestFilter {
        target: Some(id),
        open: true,
        ..Default::default()
    };
    let open_requests =
        request_views::request_page(&mut conn, None, &open, &PageAt::First, paging::PAGE_SIZE)
            .await?
            .rows
            .into_iter()
            .map(|r| format!("{} · {}", r.package, r.status))
            .collect();
    Ok(PersonDetails {
        person: row(&record),
        external_id: record.external_id.clone(),
        has_password: record.has_password,
        roles: role_labels,
        groups,
        access,
        open_requests,
    })
}

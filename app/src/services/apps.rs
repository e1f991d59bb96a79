//! The Apps screen: register API clients, their client secrets (shown once, stored as argon2id
//! hashes) and their role assignments. Only Identity Governance Administrators manage apps.

use crate::auth::authz::Principal;
use crate::auth::password;
use crate::domain::extension::validate_display_name;
use crate::domain::field_error::keys;
use crate::domain::ids::{AppId, CatalogId};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::name_lists;
use crate::state::AppState;
use crate::store::apps::{self as store, AppRecord, SecretRecord};
use crate::store::audit::{self, AuditEntry};
use crate::store::catalogs::CatalogRecord;
use crate::store::paging::PAGE_SIZE;
use crate::store::{catalogs, parse_db_time, roles};
use crate::store::{name_pages, Conn};
use crate::views::lists::NameQuery;
use crate::views::{
    role_scope_error, AppList, AppRoleRow, AppSecretRow, AppSummary, CatalogChoice, CatalogChoices,
    NewClientSecret, SecretLifetime, SecretStatus,
};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;

/// Every generated client secret starts with this, so a leaked one is easy to recognise.
pub const SECRET_PREFIX: &str = "latch_";
/// How many characters after the prefix a secret's hint keeps (the prefix alone tells
/// nothing apart).
const HINT_CHARS: usize = 6;

/// `latch_` + base64url (no padding) of 32 random bytes.
pub fn new_client_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The first characters of a secret, stored to tell secrets apart in lists: the prefix and
/// the next six characters.
pub fn secret_hint(secret: &str) -> String {
    secret
        .chars()
        .take(SECRET_PREFIX.len() + HINT_CHARS)
        .collect()
}

/// The argon2id hash of a secret, computed off the async threads.
pub async fn hash_secret(secret: &str) -> Result<String, AppError> {
    password::hash_off_thread(secret).await
}

fn require_admin(p: &Principal, doing: &str) -> Result<(), AppError> {
    if p.is_admin() {
        Ok(())
    } else {
        Err(AppError::NotPermitted(format!(
            "to {doing} you need the Identity Governance Administrator role."
        )))
    }
}

async fn load(conn: &mut Conn, app: AppId) -> Result<AppRecord, AppError> {
    store::get(conn, app)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such app.".into()))
}

fn secret_row(record: SecretRecord, now: DateTime<Utc>) -> Result<AppSecretRow, sqlx::Error> {
    let time = |t: Option<String>| t.as_deref().map(parse_db_time).transpose();
    let expires_at = time(record.expires_at)?;
    let revoked_at = time(record.revoked_at)?;
    let status = if revoked_at.is_some() {
        SecretStatus::Revoked
    } else if expires_at.is_some_and(|e| e <= now) {
        SecretStatus::Expired
    } else {
        SecretStatus::Active
    };
    Ok(AppSecretRow {
        id: record
            .id
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        hint: record.hint,
        created_at: parse_db_time(&record.created_at)?,
        expires_at,
        revoked_at,
        status,
    })
}

/// A page of the apps (in name order, those named `q.name…`) with their secrets (hints only)
/// and roles.
pub async fn list(state: &AppState, p: &Principal, q: &NameQuery) -> Result<AppList, AppError> {
    require_admin(p, "manage apps")?;
    let (at, name) = name_lists::page_at(q)?;
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let (page, total) = name_pages::page(
        &mut conn,
        &store::named(name),
        &at,
        PAGE_SIZE,
        |r: &AppRecord| (&r.display_name, &r.id),
    )
    .await?;
    let pages = name_lists::pages(&page, total);
    let mut apps = Vec::new();
    for record in page.rows {
        let id: AppId = record
            .id
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let secrets = store::secrets(&mut conn, id)
            .await?
            .into_iter()
            .map(|s| secret_row(s, now))
            .collect::<Result<Vec<_>, _>>()?;
        let mut grants = roles::of_app(&mut conn, id).await?;
        grants.sort_by_key(|g| (Role::ALL.iter().position(|r| *r == g.role), g.catalog_id));
        let mut roles = Vec::with_capacity(grants.len());
        for g in grants {
            let catalog_name = match g.catalog_id {
                Some(catalog) => catalogs::get(&mut conn, catalog)
                    .await?
                    .map(|c| c.display_name),
                None => None,
            };
            roles.push(AppRoleRow {
                role: g.role,
                catalog_name,
                catalog_id: g.catalog_id,
            });
        }
        apps.push(AppSummary {
            id,
            display_name: record.display_name,
            created_at: parse_db_time(&record.created_at)?,
            secrets,
            roles,
        });
    }
    Ok(AppList { apps, pages })
}

/// The catalogs an app's role can be assigned on: the first page of those named `q.name…`,
/// and how many there are.
pub async fn catalog_choices(
    state: &AppState,
    p: &Principal,
    q: &NameQuery,
) -> Result<CatalogChoices, AppError> {
    require_admin(p, "assign roles to apps")?;
    let (at, name) = name_lists::page_at(q)?;
    let mut conn = state.db.acquire().await?;
    let (page, total) = name_pages::page(
        &mut conn,
        &catalogs::named(None, name),
        &at,
        PAGE_SIZE,
        |c: &CatalogRecord| (&c.display_name, &c.id),
    )
    .await?;
    let rows = page
        .rows
        .into_iter()
        .map(|c| CatalogChoice {
            id: c.catalog_id(),
            display_name: c.display_name,
        })
        .collect();
    Ok(CatalogChoices { rows, total })
}

/// Registers an app with its first client secret; the answer is the only place the secret
/// appears.
pub async fn register(
    state: &AppState,
    p: &Principal,
    display_name: &str,
    lifetime: SecretLifetime,
) -> Result<NewClientSecret, AppError> {
    require_admin(p, "register an app")?;
    validate_display_name(display_name).map_err(|e| AppError::Invalid(vec![e]))?;
    let display_name = display_name.trim().to_string();
    let secret = new_client_secret();
    let hash = hash_secret(&secret).await?;
    let hint = secret_hint(&secret);
    let now = state.clock.now();
    let expires_at = now + Duration::days(lifetime.days());
    let app = AppId::new();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    store::insert(&mut tx, app, &display_name, now).await?;
    let secret_id = store::add_secret(&mut tx, app, &hash, &hint, Some(expires_at), now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "app.register",
            object_kind: "app",
            object_id: app.to_string(),
            summary: json!({ "after": { "displayName": display_name,
                                        "secret": { "id": secret_id, "hint": hint, "expiresDateTime": expires_at } } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewClientSecret {
        app_id: app,
        display_name,
        client_secret: secret,
        hint,
        expires_at: Some(expires_at),
    })
}

/// Adds a client secret to an app (for rotation); shown once, like the first.
pub async fn add_secret(
    state: &AppState,
    p: &Principal,
    app: AppId,
    lifetime: SecretLifetime,
) -> Result<NewClientSecret, AppError> {
    require_admin(p, "add a client secret")?;
    let secret = new_client_secret();
    let hash = hash_secret(&secret).await?;
    let hint = secret_hint(&secret);
    let now = state.clock.now();
    let expires_at = now + Duration::days(lifetime.days());
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, app).await?;
    let secret_id = store::add_secret(&mut tx, app, &hash, &hint, Some(expires_at), now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "app.addSecret",
            object_kind: "app",
            object_id: app.to_string(),
            summary: json!({ "before": null,
                             "after": { "secret": { "id": secret_id, "hint": hint, "expiresDateTime": expires_at } } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewClientSecret {
        app_id: app,
        display_name: record.display_name,
        client_secret: secret,
        hint,
        expires_at: Some(expires_at),
    })
}

/// Revokes a client secret: from now on it gets no tokens (tokens already issued run out
/// within their hour).
pub async fn revoke_secret(
    state: &AppState,
    p: &Principal,
    app: AppId,
    secret: uuid::Uuid,
) -> Result<(), AppError> {
    require_admin(p, "revoke a client secret")?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    load(&mut tx, app).await?;
    let id = secret.to_string();
    let record = store::secrets(&mut tx, app)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| AppError::NotFound("This app has no such client secret.".into()))?;
    if record.revoked_at.is_some() {
        return Err(AppError::Conflict(format!(
            "The secret {}\u{2026} is already revoked.",
            record.hint
        )));
    }
    store::revoke_secret(&mut tx, app, &id, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "app.revokeSecret",
            object_kind: "app",
            object_id: app.to_string(),
            summary: json!({ "before": { "secret": { "id": id, "hint": record.hint, "revokedDateTime": null } },
                             "after": { "secret": { "id": id, "hint": record.hint, "revokedDateTime": now } } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The catalog's name for a catalog role (which needs an existing catalog); `None` for the
/// tenant role.
pub(crate) async fn check_scope(
    conn: &mut Conn,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<Option<String>, AppError> {
    if let Some(error) = role_scope_error(role, catalog) {
        return Err(AppError::Invalid(vec![error]));
    }
    match catalog {
        None => Ok(None),
        Some(id) => catalogs::get(conn, id)
            .await?
            .map(|c| Some(c.display_name))
            .ok_or_else(|| AppError::invalid(keys::CATALOG, "There is no such catalog.")),
    }
}

fn role_summary(
    role: Role,
    catalog: Option<CatalogId>,
    catalog_name: Option<&str>,
) -> serde_json::Value {
    json!({ "role": role.db_name(), "catalogId": catalog.map(|c| c.to_string()), "catalog": catalog_name })
}

pub async fn assign_role(
    state: &AppState,
    p: &Principal,
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<(), AppError> {
    require_admin(p, "assign roles to apps")?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, app).await?;
    let catalog_name = check_scope(&mut tx, role, catalog).await?;
    let held = roles::of_app(&mut tx, app).await?;
    if held
        .iter()
        .any(|g| g.role == role && g.catalog_id == catalog)
    {
        return Err(AppError::Conflict(format!(
            "\u{201c}{}\u{201d} already holds {}{}.",
            record.display_name,
            role.label(),
            catalog_name
                .as_deref()
                .map(|c| format!(" on {c}"))
                .unwrap_or_default()
        )));
    }
    roles::grant_to_app(&mut tx, app, role, catalog, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "app.assignRole",
            object_kind: "app",
            object_id: app.to_string(),
            summary: json!({ "before": null, "after": role_summary(role, catalog, catalog_name.as_deref()) }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.callers.forget_apps();
    Ok(())
}

pub async fn remove_role(
    state: &AppState,
    p: &Principal,
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<(), AppError> {
    require_admin(p, "remove roles from apps")?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    load(&mut tx, app).await?;
    let catalog_name = match catalog {
        Some(id) => catalogs::get(&mut tx, id).await?.map(|c| c.display_name),
        None => None,
    };
    if !roles::revoke_from_app(&mut tx, app, role, catalog).await? {
        return Err(AppError::NotFound(
            "The app does not hold that role there.".into(),
        ));
    }
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "app.removeRole",
            object_kind: "app",
            object_id: app.to_string(),
            summary: json!({ "before": role_summary(role, catalog, catalog_name.as_deref()), "after": null }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.callers.forget_apps();
    Ok(())
}

#[cfg(test)]
#[path = "apps_tests.rs"]
mod tests;

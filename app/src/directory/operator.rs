//! What an operator does from the command line (`server admin add`, `server app add`,
//! `server user disable`): the first administrator on a fresh database, an app for scripts
//! and provisioning, and the leaver path for scripts. The command line is trusted like the
//! database file it opens; its changes are audited as "Latch command line".

use super::people::{disable_in, issue_link, load};
use crate::auth::authz::Principal;
use crate::auth::password;
use crate::domain::field_error::FieldError;
use crate::domain::ids::{CatalogId, UserId};
use crate::domain::person::{self, validate_new_password, PersonDraft};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::apps;
use crate::state::AppState;
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::roles::RoleGrant;
use crate::store::users::{self, Profile};
use crate::store::{catalogs, roles, write_tx};
use crate::views::people::{LeaverSummary, SetupLink};
use crate::views::{NewClientSecret, SecretLifetime};
use serde_json::json;

/// The command line as a caller: Latch itself, with the administrator's rights.
pub fn operator() -> Principal {
    Principal {
        actor: Actor {
            kind: "system",
            id: None,
            name: "Latch command line".into(),
        },
        user_id: None,
        app_id: None,
        display_name: "Latch command line".into(),
        user_principal_name: String::new(),
        grants: vec![RoleGrant {
            role: Role::IdentityGovernanceAdministrator,
            catalog_id: None,
        }],
    }
}

/// What `admin add` did.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAdded {
    pub user: UserId,
    pub created: bool,
    /// The setup link, unless a password was given.
    pub link: Option<SetupLink>,
}

/// Creates the user (or finds them by e-mail address, enabling them if disabled), grants
/// Identity Governance Administrator, and either sets `password` or issues a setup link.
pub async fn add_admin(
    state: &AppState,
    email: &str,
    display_name: &str,
    password: Option<&str>,
) -> Result<AdminAdded, AppError> {
    let draft = PersonDraft {
        email: email.into(),
        display_name: display_name.into(),
        ..PersonDraft::default()
    };
    let mut errors = person::validate_person(&draft);
    if let Some(pw) = password {
        errors.extend(validate_new_password(pw, pw));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = match password {
        Some(pw) => Some(password::hash_off_thread(pw).await?),
        None => None,
    };
    let p = operator();
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let (id, created) = match users::find_by_upn(&mut tx, email).await? {
        Some(existing) => {
            if !existing.enabled {
                users::set_enabled(&mut tx, existing.user_id(), true, now).await?;
            }
            (existing.user_id(), false)
        }
        None => {
            let id = UserId::new();
            let profile = Profile {
                user_principal_name: email.trim().to_lowercase(),
                display_name: display_name.trim().into(),
                ..Profile::default()
            };
            users::insert_person(&mut tx, id, &profile, true, now).await?;
            (id, true)
        }
    };
    roles::grant_to_user(
        &mut tx,
        id,
        Role::IdentityGovernanceAdministrator,
        None,
        now,
    )
    .await?;
    let link = match &hash {
        Some(hash) => {
            users::set_password_hash(&mut tx, id, Some(hash), now).await?;
            None
        }
        None => {
            let record = load(&mut tx, id).await?;
            Some(issue_link(&mut tx, state, &record, now).await?)
        }
    };
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "user.addAdministrator",
            object_kind: "user",
            object_id: id.to_string(),
            summary: json!({ "created": created, "role": Role::IdentityGovernanceAdministrator.db_name(),
                             "password": if hash.is_some() { "set from standard input" } else { "setup link" } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(AdminAdded {
        user: id,
        created,
        link,
    })
}

/// The role named as the API names it (`userAdministrator`, `catalogOwner`, …), any case.
pub fn parse_role(name: &str) -> Result<Role, AppError> {
    Role::ALL
        .into_iter()
        .find(|r| r.db_name().eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.db_name()).collect();
            AppError::invalid(
                "role",
                format!(
                    "--role {name:?} is not a role; use one of {}.",
                    names.join(", ")
                ),
            )
        })
}

/// A catalog by id or by display name (any case); a name two catalogs share is refused.
async fn find_catalog(state: &AppState, key: &str) -> Result<CatalogId, AppError> {
    let mut conn = state.db.acquire().await?;
    let all = catalogs::list_all(&mut conn).await?;
    let found: Vec<CatalogId> = all
        .iter()
        .filter(|c| c.id == key.trim() || c.display_name.eq_ignore_ascii_case(key.trim()))
        .map(|c| c.catalog_id())
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(AppError::invalid(
            "catalog",
            format!("--catalog {key:?}: there is no catalog with this name or id."),
        )),
        _ => Err(AppError::invalid(
            "catalog",
            format!("--catalog {key:?}: several catalogs have this name; give the id."),
        )),
    }
}

/// Registers an app with `role` (on `catalog` for a catalog role) and returns its first
/// client secret, shown once. Bad input is refused before anything is written.
pub async fn add_app(
    state: &AppState,
    display_name: &str,
    role: &str,
    catalog: Option<&str>,
) -> Result<NewClientSecret, AppError> {
    let role = parse_role(role)?;
    let catalog = match catalog {
        Some(key) => Some(find_catalog(state, key).await?),
        None => None,
    };
    {
        let mut conn = state.db.acquire().await?;
        apps::check_scope(&mut conn, role, catalog)
            .await
            .map_err(|e| match e {
                AppError::Invalid(_) if catalog.is_none() => AppError::invalid(
                    "catalog",
                    format!(
                        "{} is a catalog role: give --catalog NAME-or-ID.",
                        role.label()
                    ),
                ),
                AppError::Invalid(_) => AppError::invalid(
                    "catalog",
                    format!(
                        "{} applies to the whole tenant: leave out --catalog.",
                        role.label()
                    ),
                ),
                other => other,
            })?;
    }
    crate::domain::extension::validate_display_name(display_name)
        .map_err(|e| AppError::Invalid(vec![FieldError::new("displayName", e.message)]))?;
    let p = operator();
    let secret = apps::register(state, &p, display_name, SecretLifetime::default()).await?;
    apps::assign_role(state, &p, secret.app_id, role, catalog).await?;
    Ok(secret)
}

/// Disables the user with this e-mail address: the leaver path.
pub async fn disable_user(state: &AppState, email: &str) -> Result<LeaverSummary, AppError> {
    person::validate_email(email).map_err(|e| AppError::Invalid(vec![e]))?;
    let p = operator();
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let record = users::find_by_upn(&mut tx, email).await?.ok_or_else(|| {
        AppError::NotFound(format!("There is no user with e-mail address {email}."))
    })?;
    let record = load(&mut tx, record.user_id()).await?;
    if !record.enabled {
        return Err(AppError::Conflict(format!("{email} is already disabled.")));
    }
    let summary = disable_in(&mut tx, &p, &record, now).await?;
    tx.commit().await?;
    Ok(summary)
}

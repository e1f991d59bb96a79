//! SCIM 2.0 provisioning: what an identity provider's pushes do to the directory. The
//! protocol's parsing lives in `scim`; here each operation checks the caller (an app or user
//! with User Administrator), runs in one transaction, and answers with SCIM's shapes and
//! errors. A user set `active: false` or deleted takes the leaver path.

mod groups;
mod users;

pub use groups::{create_group, delete_group, get_group, list_groups, patch_group, replace_group};
pub use users::{create_user, delete_user, get_user, list_users, patch_user, replace_user};

use super::scim::ScimError;
use crate::auth::authz::Principal;
use crate::error::AppError;
use crate::store::audit::{self, AuditEntry};
use crate::store::parse_db_time;
use crate::store::Db;
use chrono::{DateTime, Utc};
use sqlx::Transaction;

/// A database failure: logged here, answered without detail.
#[track_caller]
pub(super) fn internal(error: sqlx::Error) -> ScimError {
    let at = std::panic::Location::caller();
    tracing::error!(%error, %at, "database error in SCIM provisioning");
    ScimError::new(
        500,
        None,
        "Something went wrong on the server; it has been logged.",
    )
}

pub(super) fn from_app(error: AppError) -> ScimError {
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
        e @ AppError::Throttled { .. } => ScimError::new(429, None, e.to_string()),
        AppError::Internal | AppError::Transport(_) => ScimError::new(
            500,
            None,
            "Something went wrong on the server; it has been logged.",
        ),
    }
}

pub(super) fn require(p: &Principal) -> Result<(), ScimError> {
    p.require_user_administrator("provision users and groups")
        .map_err(from_app)
}

pub(super) fn time(text: &str) -> Result<DateTime<Utc>, ScimError> {
    parse_db_time(text).map_err(internal)
}

/// `uniqueness` when the external id belongs to another resource than `except`.
pub(super) fn taken_by_other(
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

pub(super) async fn audit(
    tx: &mut Transaction<'static, Db>,
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

//! The setup page: a person opens their one-time link and chooses a password. The token is
//! checked again inside the write, so two tabs racing with one link set one password.

use crate::auth::password;
use crate::domain::person::validate_new_password;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::{setup_links, users, write_tx};
use crate::views::people::SetupInvitation;
use serde_json::json;

fn dead_link() -> AppError {
    AppError::NotFound(
        "This setup link has expired or was already used. Ask your administrator for a new one."
            .into(),
    )
}

/// Whom a live link is for, to greet them; a used, expired or unknown link is refused.
pub async fn invitation(state: &AppState, token: &str) -> Result<SetupInvitation, AppError> {
    let mut conn = state.db.acquire().await?;
    let user = setup_links::user_of(&mut conn, token, state.clock.now())
        .await?
        .ok_or_else(dead_link)?;
    let record = users::get(&mut conn, user).await?.ok_or_else(dead_link)?;
    Ok(SetupInvitation {
        display_name: record.display_name,
        email: record.user_principal_name,
    })
}

/// Sets the password the person chose and spends the link.
pub async fn complete(
    state: &AppState,
    token: &str,
    new_password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let errors = validate_new_password(new_password, confirm);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = password::hash_off_thread(new_password).await?;
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let user = setup_links::user_of(&mut tx, token, now)
        .await?
        .ok_or_else(dead_link)?;
    if !setup_links::spend(&mut tx, token, now).await? {
        return Err(dead_link());
    }
    users::set_password_hash(&mut tx, user, Some(&hash), now).await?;
    let record = users::get(&mut tx, user).await?.ok_or_else(dead_link)?;
    audit::record(
        &mut tx,
        &Actor {
            kind: "user",
            id: Some(record.id.clone()),
            name: format!("{} ({})", record.display_name, record.user_principal_name),
        },
        AuditEntry {
            action: "user.setPassword",
            object_kind: "user",
            object_id: record.id.clone(),
            summary: json!({ "via": "setupLink" }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Signing in and finding out who is calling.

use crate::auth::authz::Principal;
use crate::auth::password;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::{roles, sessions, users};
use crate::views::SessionUser;

const WRONG_CREDENTIALS: &str = "The e-mail address or password is incorrect.";

/// Checks the credentials and starts a session; returns the cookie's token.
pub async fn sign_in(state: &AppState, email: &str, password: &str) -> Result<String, AppError> {
    let mut conn = state.db.acquire().await?;
    if email.trim().is_empty() {
        return Err(AppError::invalid("email", "E-mail address is required."));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "Password is required."));
    }
    let user = users::find_by_upn(&mut conn, email).await?;
    let verified = match &user {
        Some(u) => {
            let hash = u.password_hash.clone();
            let pw = password.to_string();
            // argon2 is deliberately slow: keep it off the async threads.
            tokio::task::spawn_blocking(move || hash.is_some_and(|h| password::verify(&pw, &h)))
                .await
                .unwrap_or(false)
        }
        None => {
            let pw = password.to_string();
            let _ = tokio::task::spawn_blocking(move || password::verify_nothing(&pw)).await;
            false
        }
    };
    match user {
        Some(u) if verified && u.enabled => {
            Ok(sessions::create(&mut conn, u.user_id(), state.clock.now()).await?)
        }
        _ => Err(AppError::invalid("password", WRONG_CREDENTIALS)),
    }
}

pub async fn sign_out(state: &AppState, token: Option<&str>) -> Result<(), AppError> {
    if let Some(token) = token {
        let mut conn = state.db.acquire().await?;
        sessions::delete(&mut conn, token).await?;
    }
    Ok(())
}

/// The caller behind a session token, with their roles.
pub async fn principal(state: &AppState, token: Option<&str>) -> Result<Principal, AppError> {
    let token = token.ok_or(AppError::NotSignedIn)?;
    let mut conn = state.db.acquire().await?;
    let user_id = sessions::user_of(&mut conn, token, state.clock.now())
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let user = users::get(&mut conn, user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let grants = roles::of_user(&mut conn, user_id).await?;
    Ok(Principal {
        // The audit log names a user by display name and e-mail, so both stay unambiguous.
        actor: Actor {
            kind: "user",
            id: Some(user.id.clone()),
            name: format!("{} ({})", user.display_name, user.user_principal_name),
        },
        user_id: Some(user_id),
        app_id: None,
        display_name: user.display_name,
        user_principal_name: user.user_principal_name,
        grants,
    })
}

pub fn session_user(p: &Principal) -> SessionUser {
    SessionUser {
        display_name: p.display_name.clone(),
        user_principal_name: p.user_principal_name.clone(),
        is_admin: p.is_admin(),
        governance: p.has_governance_role(),
        user_admin: p.may_administer_users(),
    }
}

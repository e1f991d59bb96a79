//! Signing in and finding out who is calling.

use crate::auth::authz::Principal;
use crate::auth::password;
use crate::error::AppError;
use crate::services::throttle::{self, Subject};
use crate::state::AppState;
use crate::store::audit::Actor;
use crate::store::sessions::SignedInWith;
use crate::store::{roles, sessions, users};
use crate::views::{SessionUser, SignInOptions};
use std::net::IpAddr;

const WRONG_CREDENTIALS: &str = "The e-mail address or password is incorrect.";

/// Checks the credentials and starts a session; returns the cookie's token. Repeated failures
/// for one e-mail address or from one `address` are held and then refused (`services::throttle`).
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<String, AppError> {
    if !state.settings.local_sign_in {
        return Err(AppError::NotPermitted(
            "password sign-in is turned off here; use your organization's account.".into(),
        ));
    }
    if email.trim().is_empty() {
        return Err(AppError::invalid("email", "E-mail address is required."));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "Password is required."));
    }
    let admitted = throttle::admit(state, Subject::account(email).and_address(address)).await?;
    let mut conn = state.db.acquire().await?;
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
            admitted.succeeded(state).await?;
            Ok(sessions::create(&mut conn, u.user_id(), state.clock.now()).await?)
        }
        _ => Err(AppError::invalid("password", WRONG_CREDENTIALS)),
    }
}

/// Ends the session; the page to go to next: the provider's sign-out page when the session
/// came from single sign-on and the provider has one, else the sign-in page.
pub async fn sign_out(state: &AppState, token: Option<&str>) -> Result<String, AppError> {
    let Some(token) = token else {
        return Ok("/sign-in".into());
    };
    let mut conn = state.db.acquire().await?;
    let with = sessions::signed_in_with(&mut conn, token).await?;
    sessions::delete(&mut conn, token).await?;
    drop(conn);
    if let (Some(SignedInWith::Oidc), Some(oidc)) = (with, state.oidc.as_ref()) {
        let back = format!(
            "{}/sign-in",
            state.settings.public_url.trim_end_matches('/')
        );
        if let Some(url) = oidc.end_session_url(&back).await {
            return Ok(url);
        }
    }
    Ok("/sign-in".into())
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

/// What the sign-in page offers.
pub fn sign_in_options(state: &AppState) -> SignInOptions {
    SignInOptions {
        single_sign_on: state.settings.oidc.as_ref().map(|o| o.name.clone()),
        password: state.settings.local_sign_in,
    }
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

//! Who an OpenID sign-in is in Latch's directory: the linked account (issuer + subject) once
//! linked, before that the first user principal name matching the provider's
//! `preferred_username`, `email` or `upn` (any case), which is then linked; with
//! `LATCH_OIDC_CREATE_USERS` a first sign-in of someone unknown creates them. A disabled user is
//! refused. The answer is a session, as after a password sign-in.

use crate::domain::ids::UserId;
use crate::domain::person::validate_email;
use crate::oidc::Identity;
use crate::state::AppState;
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::sessions::{self, SignedInWith};
use crate::store::users::{self, Profile};
use crate::store::{identities, write_tx};
use serde_json::json;

/// Why a verified identity may not sign in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SsoRefusal {
    #[error("No Latch account matches {0}. Ask your administrator to add you.")]
    Unknown(String),
    #[error("Your Latch account is disabled. Ask your administrator if this is a mistake.")]
    Disabled,
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
}

impl From<sqlx::Error> for SsoRefusal {
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(%error, %at, "database error during single sign-on");
        SsoRefusal::Internal
    }
}

/// Starts a session for the person behind `who`; the cookie's token.
pub async fn sign_in(state: &AppState, who: &Identity) -> Result<String, SsoRefusal> {
    let create = state.settings.oidc.as_ref().is_some_and(|o| o.create_users);
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let linked = identities::user_of(&mut tx, &who.issuer, &who.subject).await?;
    let user: UserId = match linked {
        Some(user) => user,
        None => {
            let mut found = None;
            for name in who.login_names() {
                if let Some(u) = users::find_by_upn(&mut tx, name).await? {
                    found = Some(u.user_id());
                    break;
                }
            }
            let user = match found {
                Some(user) => user,
                None => {
                    let upn = who
                        .login_names()
                        .into_iter()
                        .find(|n| validate_email(n).is_ok())
                        .map(str::to_string);
                    let (Some(upn), true) = (upn.clone(), create) else {
                        let shown = upn.unwrap_or_else(|| "your account".into());
                        return Err(SsoRefusal::Unknown(shown));
                    };
                    let id = UserId::new();
                    let display_name = who
                        .name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| upn.clone());
                    let profile = Profile {
                        user_principal_name: upn.to_lowercase(),
                        display_name: display_name.chars().take(256).collect(),
                        ..Profile::default()
                    };
                    users::insert_person(&mut tx, id, &profile, true, now).await?;
                    audit::record(
                        &mut tx,
                        &Actor::system(),
                        AuditEntry {
                            action: "user.createdAtSignIn",
                            object_kind: "user",
                            object_id: id.to_string(),
                            summary: json!({ "userPrincipalName": profile.user_principal_name, "issuer": who.issuer }),
                        },
                        now,
                    )
                    .await?;
                    id
                }
            };
            identities::link(&mut tx, &who.issuer, &who.subject, user, now).await?;
            user
        }
    };
    let record = users::get(&mut tx, user)
        .await?
        .ok_or(SsoRefusal::Internal)?;
    if !record.enabled {
        return Err(SsoRefusal::Disabled);
    }
    let token = sessions::create_with(&mut tx, user, SignedInWith::Oidc, now).await?;
    tx.commit().await?;
    Ok(token)
}

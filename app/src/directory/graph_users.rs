//! Directory reads that workflows need (`GET /v1.0/users`): for callers that hold any
//! administrator, directory or catalog role, and for no one else.

use crate::auth::authz::Principal;
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{packages, users};

#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

fn require_role(p: &Principal) -> Result<(), AppError> {
    if p.has_governance_role() || p.may_administer_users() {
        Ok(())
    } else {
        Err(AppError::NotPermitted(
            "reading users needs an administrator or catalog role.".into(),
        ))
    }
}

/// Every user by name, or the one whose user principal name is `upn` (any case).
pub async fn users(
    state: &AppState,
    p: &Principal,
    upn: Option<&str>,
) -> Result<Vec<DirectoryUser>, AppError> {
    require_role(p)?;
    let mut conn = state.db.acquire().await?;
    if let Some(upn) = upn {
        return Ok(users::find_by_upn(&mut conn, upn)
            .await?
            .into_iter()
            .map(|u| DirectoryUser {
                id: u.id,
                display_name: u.display_name,
                user_principal_name: u.user_principal_name,
            })
            .collect());
    }
    Ok(packages::user_choices(&mut conn)
        .await?
        .into_iter()
        .map(|u| DirectoryUser {
            id: u.id,
            display_name: u.display_name,
            user_principal_name: u.user_principal_name,
        })
        .collect())
}

/// One user, by id or (as Graph allows in the path) by user principal name.
pub async fn user(state: &AppState, p: &Principal, key: &str) -> Result<DirectoryUser, AppError> {
    require_role(p)?;
    let not_found = || AppError::NotFound(format!("There is no user {key:?}."));
    let mut conn = state.db.acquire().await?;
    let found = match key.parse::<UserId>() {
        Ok(id) => users::get(&mut conn, id).await?,
        Err(_) if key.contains('@') => users::find_by_upn(&mut conn, key).await?,
        Err(_) => None,
    };
    let u = found.ok_or_else(not_found)?;
    Ok(DirectoryUser {
        id: u.id,
        display_name: u.display_name,
        user_principal_name: u.user_principal_name,
    })
}

//! The Users page's and the setup page's server functions. The directory services check the
//! caller's role (User Administrator or Identity Governance Administrator); the setup page's
//! two functions are for signed-out visitors and check the link instead.

use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::UserId;
use crate::domain::person::PersonDraft;
use crate::error::AppError;
use crate::views::people::{
    LeaverSummary, PeoplePage, PersonDetails, PersonRow, SetupInvitation, SetupLink,
};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_people", input = PathJson, output = TextJson)]
pub async fn list_people(
    search: String,
    after: String,
    before: String,
) -> Result<PeoplePage, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::list(&state, &p, &search, &after, &before).await
}

#[server(prefix = "/api", endpoint = "person_details", input = PathJson, output = TextJson)]
pub async fn get_person_details(user: UserId) -> Result<PersonDetails, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::details(&state, &p, user).await
}

#[server(prefix = "/api", endpoint = "add_person", input = PathJson, output = TextJson)]
pub async fn add_person(draft: PersonDraft) -> Result<SetupLink, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::add(&state, &p, &draft).await
}

#[server(prefix = "/api", endpoint = "update_person", input = PathJson, output = TextJson)]
pub async fn update_person(user: UserId, draft: PersonDraft) -> Result<PersonRow, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::update(&state, &p, user, &draft).await
}

#[server(prefix = "/api", endpoint = "disable_person", input = PathJson, output = TextJson)]
pub async fn disable_person(user: UserId) -> Result<LeaverSummary, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::disable(&state, &p, user).await
}

#[server(prefix = "/api", endpoint = "enable_person", input = PathJson, output = TextJson)]
pub async fn enable_person(user: UserId) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::enable(&state, &p, user).await
}

#[server(prefix = "/api", endpoint = "reset_person_password", input = PathJson, output = TextJson)]
pub async fn reset_person_password(user: UserId) -> Result<SetupLink, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::directory::people::reset_password(&state, &p, user).await
}

#[server(prefix = "/api", endpoint = "setup_invitation", input = PathJson, output = TextJson)]
pub async fn get_setup_invitation(token: String) -> Result<SetupInvitation, AppError> {
    let state = crate::api::context::state()?;
    crate::directory::setup::invitation(&state, &token).await
}

#[server(prefix = "/api", endpoint = "complete_setup", input = PathJson, output = TextJson)]
pub async fn complete_setup(
    token: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let state = crate::api::context::state()?;
    crate::directory::setup::complete(&state, &token, &password, &confirm).await
}

//! The Apps screen's server functions (Identity Governance Administrators only; the service
//! checks).

use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::{AppId, CatalogId};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::views::lists::NameQuery;
use crate::views::{AppList, CatalogChoices, NewClientSecret, SecretLifetime};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_apps", input = PathJson, output = TextJson)]
pub async fn list_apps(query: NameQuery) -> Result<AppList, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::list(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "app_catalog_choices", input = PathJson, output = TextJson)]
pub async fn app_catalog_choices(query: NameQuery) -> Result<CatalogChoices, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::catalog_choices(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "register_app", input = PathJson, output = TextJson)]
pub async fn register_app(
    display_name: String,
    lifetime: SecretLifetime,
) -> Result<NewClientSecret, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::register(&state, &p, &display_name, lifetime).await
}

#[server(prefix = "/api", endpoint = "add_app_secret", input = PathJson, output = TextJson)]
pub async fn add_app_secret(
    app: AppId,
    lifetime: SecretLifetime,
) -> Result<NewClientSecret, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::add_secret(&state, &p, app, lifetime).await
}

#[server(prefix = "/api", endpoint = "revoke_app_secret", input = PathJson, output = TextJson)]
pub async fn revoke_app_secret(app: AppId, secret: uuid::Uuid) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::revoke_secret(&state, &p, app, secret).await
}

#[server(prefix = "/api", endpoint = "assign_app_role", input = PathJson, output = TextJson)]
pub async fn assign_app_role(
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::assign_role(&state, &p, app, role, catalog).await
}

#[server(prefix = "/api", endpoint = "remove_app_role", input = PathJson, output = TextJson)]
pub async fn remove_app_role(
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::apps::remove_role(&state, &p, app, role, catalog).await
}

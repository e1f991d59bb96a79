//! Server functions of the policy editor and the catalog's Access packages tab.

use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::{CatalogId, PolicyId};
use crate::domain::policy_rules::PolicyDraft;
use crate::error::AppError;
use crate::views::lists::NameQuery;
use crate::views::{PackageList, PolicySetup};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "catalog_policies", input = PathJson, output = TextJson)]
pub async fn catalog_policies(
    catalog: CatalogId,
    query: NameQuery,
) -> Result<PackageList, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::policies::catalog_policies(&state, &p, catalog, &query).await
}

#[server(prefix = "/api", endpoint = "policy_form", input = PathJson, output = TextJson)]
pub async fn policy_form(catalog: CatalogId, policy: PolicyId) -> Result<PolicySetup, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::policies::form(&state, &p, catalog, policy).await
}

#[server(prefix = "/api", endpoint = "update_policy", input = PathJson, output = TextJson)]
pub async fn update_policy(
    catalog: CatalogId,
    policy: PolicyId,
    draft: PolicyDraft,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::policies::update(&state, &p, catalog, policy, draft).await
}

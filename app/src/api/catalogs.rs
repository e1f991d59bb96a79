use crate::api::codec::{PathJson, TextJson};
use crate::domain::ids::CatalogId;
use crate::error::AppError;
use crate::views::lists::NameQuery;
use crate::views::{CatalogInfo, CatalogList, MemberRow, PackageRow};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_catalogs", input = PathJson, output = TextJson)]
pub async fn list_catalogs(query: NameQuery) -> Result<CatalogList, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::catalogs::page(&state, &p, &query).await
}

#[server(prefix = "/api", endpoint = "catalog_header", input = PathJson, output = TextJson)]
pub async fn catalog_header(catalog: CatalogId) -> Result<CatalogInfo, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::catalogs::header(&state, &p, catalog).await
}

#[server(prefix = "/api", endpoint = "catalog_packages", input = PathJson, output = TextJson)]
pub async fn catalog_packages(catalog: CatalogId) -> Result<Vec<PackageRow>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::catalogs::access_packages(&state, &p, catalog).await
}

#[server(prefix = "/api", endpoint = "catalog_members", input = PathJson, output = TextJson)]
pub async fn catalog_members(catalog: CatalogId) -> Result<Vec<MemberRow>, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::catalogs::members(&state, &p, catalog).await
}

use crate::api::codec::{PathJson, TextJson};
use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use crate::error::AppError;
use crate::views::lists::NameQuery;
use crate::views::{ConversionOffer, CreatedExtension, ExtensionList, WizardSetup};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "extensions_tab", input = PathJson, output = TextJson)]
pub async fn extensions_tab(
    catalog: CatalogId,
    query: NameQuery,
) -> Result<ExtensionList, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::tab(&state, &p, catalog, &query).await
}

#[server(prefix = "/api", endpoint = "extension_form", input = PathJson, output = TextJson)]
pub async fn extension_form(
    catalog: CatalogId,
    extension: Option<ExtensionId>,
) -> Result<WizardSetup, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::form(&state, &p, catalog, extension).await
}

#[server(prefix = "/api", endpoint = "create_extension", input = PathJson, output = TextJson)]
pub async fn create_extension(
    catalog: CatalogId,
    draft: ExtensionDraft,
) -> Result<CreatedExtension, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::create(&state, &p, catalog, draft).await
}

#[server(prefix = "/api", endpoint = "update_extension", input = PathJson, output = TextJson)]
pub async fn update_extension(
    catalog: CatalogId,
    extension: ExtensionId,
    draft: ExtensionDraft,
) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::update(&state, &p, catalog, extension, draft).await
}

#[server(prefix = "/api", endpoint = "delete_extension", input = PathJson, output = TextJson)]
pub async fn delete_extension(catalog: CatalogId, extension: ExtensionId) -> Result<(), AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::delete(&state, &p, catalog, extension).await
}

#[server(prefix = "/api", endpoint = "legacy_conversion_offer", input = PathJson, output = TextJson)]
pub async fn legacy_conversion_offer(
    catalog: CatalogId,
    extension: ExtensionId,
) -> Result<ConversionOffer, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::conversion_offer(&state, &p, catalog, extension).await
}

#[server(prefix = "/api", endpoint = "convert_extension", input = PathJson, output = TextJson)]
pub async fn convert_extension(
    catalog: CatalogId,
    extension: ExtensionId,
    kind: Option<ExtensionKind>,
) -> Result<ExtensionKind, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::convert(&state, &p, catalog, extension, kind).await
}

#[server(prefix = "/api", endpoint = "rotate_signing_secret", input = PathJson, output = TextJson)]
pub async fn rotate_signing_secret(
    catalog: CatalogId,
    extension: ExtensionId,
) -> Result<CreatedExtension, AppError> {
    let (state, p) = crate::api::context::caller().await?;
    crate::services::extensions::rotate_secret(&state, &p, catalog, extension).await
}

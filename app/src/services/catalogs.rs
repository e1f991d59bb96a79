//! Catalog screens: the list, the header, access packages and roles.

use crate::auth::authz::Principal;
use crate::domain::ids::CatalogId;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{catalogs, packages, roles};
use crate::views::{CatalogInfo, CatalogSummary, MemberRow, PackageRow};

fn role_labels(p: &Principal, catalog: CatalogId) -> Vec<String> {
    p.roles_in(catalog)
        .into_iter()
        .map(|r| r.label().to_string())
        .collect()
}

/// The catalogs the caller holds a role in (all of them for an administrator). A caller with
/// no governance role is told so rather than shown an empty list.
pub async fn list(state: &AppState, p: &Principal) -> Result<Vec<CatalogSummary>, AppError> {
    if !p.has_governance_role() {
        return Err(AppError::NotPermitted(
            "catalogs are for administrators and catalog roles; you hold neither.".into(),
        ));
    }
    let mut conn = state.db.acquire().await?;
    Ok(catalogs::list_all(&mut conn)
        .await?
        .into_iter()
        .filter(|c| p.may_see_catalog(c.catalog_id()))
        .map(|c| CatalogSummary {
            id: c.catalog_id(),
            my_roles: role_labels(p, c.catalog_id()),
            display_name: c.display_name,
            description: c.description,
        })
        .collect())
}

/// The catalog, if it exists and the caller may see it. A catalog the caller holds no role in
/// is "not permitted" (not "not found"), so the reason is clear.
pub async fn header(
    state: &AppState,
    p: &Principal,
    id: CatalogId,
) -> Result<CatalogInfo, AppError> {
    let mut conn = state.db.acquire().await?;
    let catalog = catalogs::get(&mut conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such catalog.".into()))?;
    p.require(id, |_| true, "open this catalog")?;
    Ok(CatalogInfo {
        id,
        my_roles: role_labels(p, id),
        display_name: catalog.display_name,
        description: catalog.description,
    })
}

pub async fn access_packages(
    state: &AppState,
    p: &Principal,
    id: CatalogId,
) -> Result<Vec<PackageRow>, AppError> {
    header(state, p, id).await?;
    let mut conn = state.db.acquire().await?;
    Ok(packages::list_in_catalog(&mut conn, id)
        .await?
        .into_iter()
        .map(|r| PackageRow {
            display_name: r.display_name,
            description: r.description,
            is_hidden: r.is_hidden,
            policy_count: r.policy_count,
        })
        .collect())
}

pub async fn members(
    state: &AppState,
    p: &Principal,
    id: CatalogId,
) -> Result<Vec<MemberRow>, AppError> {
    header(state, p, id).await?;
    let mut conn = state.db.acquire().await?;
    Ok(roles::members_of_catalog(&mut conn, id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            role: Role::from_db_name(&m.role)
                .map(Role::label)
                .unwrap_or("Unknown role")
                .to_string(),
            principal: m.display_name,
            principal_kind: if m.principal_kind == "app" {
                "App"
            } else {
                "User"
            }
            .to_string(),
        })
        .collect())
}

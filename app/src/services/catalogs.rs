//! Catalog screens: the list, the header, access packages and roles.

use crate::auth::authz::Principal;
use crate::domain::ids::CatalogId;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::name_lists;
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::catalogs::CatalogRecord;
use crate::store::paging::PAGE_SIZE;
use crate::store::{catalogs, name_pages, packages, roles};
use crate::views::lists::NameQuery;
use crate::views::{CatalogInfo, CatalogList, CatalogSummary, MemberRow, PackageRow};
use serde_json::json;

fn role_labels(p: &Principal, catalog: CatalogId) -> Vec<String> {
    p.roles_in(catalog)
        .into_iter()
        .map(|r| r.label().to_string())
        .collect()
}

/// The catalogs the caller holds a role in (all of them for an administrator), as the REST
/// API lists them.
pub async fn list(state: &AppState, p: &Principal) -> Result<Vec<CatalogSummary>, AppError> {
    refuse_without_role(p)?;
    let mut conn = state.db.acquire().await?;
    Ok(catalogs::list_all(&mut conn)
        .await?
        .into_iter()
        .filter(|c| p.may_see_catalog(c.catalog_id()))
        .map(|c| summary(p, c))
        .collect())
}

/// A page of the catalogs the caller holds a role in (all of them for a tenant-wide role), in
/// name order, narrowed to names starting with `q.name`.
pub async fn page(state: &AppState, p: &Principal, q: &NameQuery) -> Result<CatalogList, AppError> {
    refuse_without_role(p)?;
    let (at, name) = name_lists::page_at(q)?;
    let seen: Option<Vec<String>> = p
        .seen_catalogs()
        .map(|ids| ids.iter().map(ToString::to_string).collect());
    let mut conn = state.db.acquire().await?;
    let list = catalogs::named(seen.as_deref(), name);
    let (page, total) = name_pages::page(&mut conn, &list, &at, PAGE_SIZE, |c: &CatalogRecord| {
        (&c.display_name, &c.id)
    })
    .await?;
    let pages = name_lists::pages(&page, total);
    Ok(CatalogList {
        rows: page.rows.into_iter().map(|c| summary(p, c)).collect(),
        pages,
    })
}

fn summary(p: &Principal, c: CatalogRecord) -> CatalogSummary {
    CatalogSummary {
        id: c.catalog_id(),
        my_roles: role_labels(p, c.catalog_id()),
        display_name: c.display_name,
        description: c.description,
    }
}

/// A caller with no governance role is told so rather than shown an empty list.
fn refuse_without_role(p: &Principal) -> Result<(), AppError> {
    if p.has_governance_role() {
        return Ok(());
    }
    Err(AppError::NotPermitted(
        "catalogs are for administrators and catalog roles; you hold neither.".into(),
    ))
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

fn validate_names(display_name: &str, description: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if let Err(e) = crate::domain::extension::validate_display_name(display_name) {
        errors.push(e);
    }
    if let Err(e) = crate::domain::extension::validate_description(description) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// A new catalog: administrators only.
pub async fn create(
    state: &AppState,
    p: &Principal,
    display_name: &str,
    description: &str,
) -> Result<CatalogInfo, AppError> {
    if !p.is_admin() {
        return Err(AppError::NotPermitted(
            "only Identity Governance Administrators create catalogs.".into(),
        ));
    }
    validate_names(display_name, description)?;
    let id = CatalogId::new();
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    catalogs::insert(&mut tx, id, display_name.trim(), description, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "catalog.create",
            object_kind: "catalog",
            object_id: id.to_string(),
            summary: json!({ "after": { "displayName": display_name.trim(), "description": description } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    header(state, p, id).await
}

/// Renames or re-describes a catalog: its owners and administrators.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: CatalogId,
    display_name: Option<&str>,
    description: Option<&str>,
) -> Result<CatalogInfo, AppError> {
    let before = header(state, p, id).await?;
    p.require(id, Role::may_manage_extensions, "change this catalog")?;
    let name = display_name.unwrap_or(&before.display_name).to_string();
    let text = description.unwrap_or(&before.description).to_string();
    validate_names(&name, &text)?;
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    catalogs::update(&mut tx, id, name.trim(), &text, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "catalog.update",
            object_kind: "catalog",
            object_id: id.to_string(),
            summary: json!({
                "before": { "displayName": before.display_name, "description": before.description },
                "after": { "displayName": name.trim(), "description": text },
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    header(state, p, id).await
}

/// Deletes an empty catalog: administrators only; refused while it holds anything.
pub async fn delete(state: &AppState, p: &Principal, id: CatalogId) -> Result<(), AppError> {
    let before = header(state, p, id).await?;
    if !p.is_admin() {
        return Err(AppError::NotPermitted(
            "only Identity Governance Administrators delete catalogs.".into(),
        ));
    }
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let (packages, extensions) = catalogs::contents(&mut tx, id).await?;
    if packages + extensions > 0 {
        return Err(AppError::Conflict(format!(
            "\u{201c}{}\u{201d} still holds {packages} access package(s) and {extensions} custom extension(s); delete them first.",
            before.display_name
        )));
    }
    catalogs::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "catalog.delete",
            object_kind: "catalog",
            object_id: id.to_string(),
            summary: json!({ "before": { "displayName": before.display_name } }),
        },
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    // Its scoped roles went with it.
    state.callers.forget_apps();
    Ok(())
}

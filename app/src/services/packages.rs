//! Access packages: list, read, create, change and delete, with an audit event for each
//! change. Administrators, catalog owners and access package managers manage a catalog's
//! packages; every role in the catalog may read them.

use crate::auth::authz::Principal;
use crate::domain::extension::{validate_description, validate_display_name};
use crate::domain::field_error::FieldError;
use crate::domain::ids::{AccessPackageId, CatalogId};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::catalogs;
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::packages::{self as store, PackageDetailRecord};
use crate::store::Conn;
use serde_json::json;

const MANAGE: &str = "manage access packages";

/// Create, change and delete a catalog's access packages (and their policies).
pub fn may_manage_packages(role: Role) -> bool {
    matches!(
        role,
        Role::IdentityGovernanceAdministrator | Role::CatalogOwner | Role::AccessPackageManager
    )
}

/// An access package as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPackage {
    pub id: AccessPackageId,
    pub catalog: CatalogId,
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    /// Database times (fixed-width UTC text).
    pub created_at: String,
    pub modified_at: String,
}

/// What a create or an edit sets.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageDraft {
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
}

impl PackageDraft {
    /// Names and descriptions are trimmed; a name is 1–256 characters, a description up to 1024.
    fn checked(self) -> Result<PackageDraft, AppError> {
        let draft = PackageDraft {
            display_name: self.display_name.trim().to_string(),
            description: self.description.trim().to_string(),
            is_hidden: self.is_hidden,
        };
        let errors: Vec<FieldError> = [
            validate_display_name(&draft.display_name),
            validate_description(&draft.description),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("access packages: bad {what}").into())
}

fn view(record: PackageDetailRecord) -> Result<AccessPackage, sqlx::Error> {
    Ok(AccessPackage {
        id: record.id.parse().map_err(|_| corrupt("id"))?,
        catalog: record
            .catalog_id
            .parse()
            .map_err(|_| corrupt("catalog id"))?,
        display_name: record.display_name,
        description: record.description,
        is_hidden: record.is_hidden,
        created_at: record.created_at,
        modified_at: record.modified_at,
    })
}

fn summary(draft: &PackageDraft) -> serde_json::Value {
    json!({ "displayName": draft.display_name, "description": draft.description, "isHidden": draft.is_hidden })
}

/// The package, if it exists; a caller without a role in its catalog is refused.
async fn load(
    conn: &mut Conn,
    p: &Principal,
    id: AccessPackageId,
    doing: &str,
    allowed: fn(Role) -> bool,
) -> Result<AccessPackage, AppError> {
    let record = store::get_package(conn, id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such access package.".into()))?;
    let package = view(record)?;
    p.require(package.catalog, allowed, doing)?;
    Ok(package)
}

/// The packages of every catalog the caller holds a role in, or of one catalog.
pub async fn list(
    state: &AppState,
    p: &Principal,
    catalog: Option<CatalogId>,
) -> Result<Vec<AccessPackage>, AppError> {
    match catalog {
        Some(catalog) => {
            catalogs::header(state, p, catalog).await?;
        }
        None if !p.has_governance_role() => {
            return Err(AppError::NotPermitted(
                "access packages are for administrators and catalog roles; you hold neither."
                    .into(),
            ))
        }
        None => {}
    }
    let mut conn = state.db.acquire().await?;
    let mut packages = Vec::new();
    for record in store::list_package_details(&mut conn).await? {
        let package = view(record)?;
        let wanted = match catalog {
            Some(c) => package.catalog == c,
            None => p.may_see_catalog(package.catalog),
        };
        if wanted {
            packages.push(package);
        }
    }
    Ok(packages)
}

pub async fn get(
    state: &AppState,
    p: &Principal,
    id: AccessPackageId,
) -> Result<AccessPackage, AppError> {
    let mut conn = state.db.acquire().await?;
    load(&mut conn, p, id, "see this access package", |_| true).await
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    draft: PackageDraft,
) -> Result<AccessPackage, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, may_manage_packages, MANAGE)?;
    let draft = draft.checked()?;
    let now = state.clock.now();
    let id = AccessPackageId::new();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    store::insert_package(
        &mut tx,
        id,
        catalog,
        &draft.display_name,
        &draft.description,
        now,
    )
    .await?;
    if draft.is_hidden {
        store::update_package(
            &mut tx,
            id,
            &draft.display_name,
            &draft.description,
            true,
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "accessPackage.create",
            object_kind: "accessPackage",
            object_id: id.to_string(),
            summary: json!({ "catalogId": catalog, "after": summary(&draft) }),
        },
        now,
    )
    .await?;
    let created = store::get_package(&mut tx, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok(view(created)?)
}

/// Sets every editable property; the REST layer fills what a PATCH leaves out from `get`.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: AccessPackageId,
    draft: PackageDraft,
) -> Result<AccessPackage, AppError> {
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let before = load(&mut tx, p, id, MANAGE, may_manage_packages).await?;
    let draft = draft.checked()?;
    store::update_package(
        &mut tx,
        id,
        &draft.display_name,
        &draft.description,
        draft.is_hidden,
        now,
    )
    .await?;
    let before = PackageDraft {
        display_name: before.display_name,
        description: before.description,
        is_hidden: before.is_hidden,
    };
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "accessPackage.update",
            object_kind: "accessPackage",
            object_id: id.to_string(),
            summary: json!({ "before": summary(&before), "after": summary(&draft) }),
        },
        now,
    )
    .await?;
    let after = store::get_package(&mut tx, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok(view(after)?)
}

pub(crate) use crate::views::counted;

/// Refused while the package has policies or assignments: they go first.
pub async fn delete(state: &AppState, p: &Principal, id: AccessPackageId) -> Result<(), AppError> {
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let package = load(&mut tx, p, id, MANAGE, may_manage_packages).await?;
    let usage = store::package_usage(&mut tx, id).await?;
    if usage.policies > 0 || usage.assignments > 0 {
        let mut held = Vec::new();
        if usage.policies > 0 {
            held.push(counted(
                usage.policies,
                "assignment policy",
                "assignment policies",
            ));
        }
        if usage.assignments > 0 {
            held.push(counted(usage.assignments, "assignment", "assignments"));
        }
        return Err(AppError::Conflict(format!(
            "\u{201c}{}\u{201d} can't be deleted while it has {}. Delete its policies first.",
            package.display_name,
            held.join(" and ")
        )));
    }
    store::delete_package(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "accessPackage.delete",
            object_kind: "accessPackage",
            object_id: id.to_string(),
            summary: json!({ "catalogId": package.catalog, "before": {
                "displayName": package.display_name, "description": package.description,
                "isHidden": package.is_hidden } }),
        },
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

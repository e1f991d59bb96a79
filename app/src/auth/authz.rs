//! Authorization: "may this caller do this to that catalog". Every server function asks here;
//! hiding a link in the UI is never the check.

use crate::domain::ids::{AppId, CatalogId, UserId};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::store::audit::Actor;
use crate::store::roles::RoleGrant;

#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub user_id: Option<UserId>,
    /// Set when the caller is an app (API client) with a client-credentials token.
    pub app_id: Option<AppId>,
    pub display_name: String,
    pub user_principal_name: String,
    pub grants: Vec<RoleGrant>,
}

impl Principal {
    /// Holds Identity Governance Administrator.
    pub fn is_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::IdentityGovernanceAdministrator)
    }

    /// May add, change and disable users and groups.
    pub fn may_administer_users(&self) -> bool {
        self.grants.iter().any(|g| g.role.may_administer_users())
    }

    /// `Ok` when the caller administers users; otherwise a refusal naming the roles.
    pub fn require_user_administrator(&self, doing: &str) -> Result<(), AppError> {
        if self.may_administer_users() {
            return Ok(());
        }
        Err(AppError::NotPermitted(format!(
            "to {doing} you need the User Administrator or Identity Governance Administrator role."
        )))
    }

    /// The roles that apply in a catalog; a tenant role applies in every catalog.
    pub fn roles_in(&self, catalog: CatalogId) -> Vec<Role> {
        self.grants
            .iter()
            .filter(|g| g.role.governs_catalogs())
            .filter(|g| g.role.is_tenant_wide() || g.catalog_id == Some(catalog))
            .map(|g| g.role)
            .collect()
    }

    /// Whether any identity-governance screen is for this caller at all.
    pub fn has_governance_role(&self) -> bool {
        self.grants.iter().any(|g| g.role.governs_catalogs())
    }

    /// The catalogs the caller holds a role in; `None` for every catalog (a tenant-wide role).
    pub fn seen_catalogs(&self) -> Option<Vec<CatalogId>> {
        let governing = || self.grants.iter().filter(|g| g.role.governs_catalogs());
        if governing().any(|g| g.role.is_tenant_wide()) {
            return None;
        }
        let mut catalogs: Vec<CatalogId> = governing().filter_map(|g| g.catalog_id).collect();
        catalogs.sort();
        catalogs.dedup();
        Some(catalogs)
    }

    pub fn may_see_catalog(&self, catalog: CatalogId) -> bool {
        !self.roles_in(catalog).is_empty()
    }

    pub fn may(&self, catalog: CatalogId, allowed: fn(Role) -> bool) -> bool {
        self.roles_in(catalog).into_iter().any(allowed)
    }

    /// `Ok` when some role of the caller in the catalog allows it; otherwise a refusal that
    /// says what was attempted and which roles would allow it.
    pub fn require(
        &self,
        catalog: CatalogId,
        allowed: fn(Role) -> bool,
        doing: &str,
    ) -> Result<(), AppError> {
        if self.may(catalog, allowed) {
            return Ok(());
        }
        let needed: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|r| allowed(*r))
            .map(Role::label)
            .collect();
        Err(AppError::NotPermitted(format!(
            "to {doing} you need one of these roles on this catalog: {}.",
            needed.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: Vec<RoleGrant>) -> Principal {
        Principal {
            actor: Actor {
                kind: "user",
                id: None,
                name: "T".into(),
            },
            user_id: None,
            app_id: None,
            display_name: "T".into(),
            user_principal_name: "t@contoso.test".into(),
            grants,
        }
    }

    #[test]
    fn tenant_admin_holds_every_catalog() {
        let p = principal(vec![RoleGrant {
            role: Role::IdentityGovernanceAdministrator,
            catalog_id: None,
        }]);
        let catalog = CatalogId::new();
        assert!(p.is_admin());
        assert!(p.may(catalog, Role::may_manage_extensions));
    }

    #[test]
    fn catalog_roles_stay_in_their_catalog() {
        let marketing = CatalogId::new();
        let engineering = CatalogId::new();
        let owner = principal(vec![RoleGrant {
            role: Role::CatalogOwner,
            catalog_id: Some(marketing),
        }]);
        assert!(owner.may(marketing, Role::may_manage_extensions));
        assert!(!owner.may_see_catalog(engineering));
        let err = owner
            .require(
                engineering,
                Role::may_manage_extensions,
                "add a custom extension",
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Not permitted: to add a custom extension you need one of these roles on this catalog: \
             Identity Governance Administrator, Catalog owner."
        );
        let manager = principal(vec![RoleGrant {
            role: Role::AccessPackageManager,
            catalog_id: Some(marketing),
        }]);
        assert!(manager.may_see_catalog(marketing));
        assert!(!manager.may(marketing, Role::may_manage_extensions));
    }

    #[test]
    fn a_user_administrator_sees_no_catalog() {
        let p = principal(vec![RoleGrant {
            role: Role::UserAdministrator,
            catalog_id: None,
        }]);
        assert!(p.may_administer_users());
        assert!(!p.is_admin());
        assert!(!p.has_governance_role());
        assert!(!p.may_see_catalog(CatalogId::new()));
        assert!(p.require_user_administrator("add a user").is_ok());
        assert!(principal(vec![])
            .require_user_administrator("add a user")
            .is_err());
    }

    #[test]
    fn no_roles_no_governance() {
        let requestor = principal(vec![]);
        assert!(!requestor.has_governance_role());
        assert!(!requestor.may_see_catalog(CatalogId::new()));
    }
}

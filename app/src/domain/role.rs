//! The roles of the domain and what each may do. The authorization module asks these
//! questions; the server functions and (later) the REST handlers only ask it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    IdentityGovernanceAdministrator,
    /// Adds, changes and disables users and groups (the directory), and nothing in catalogs.
    UserAdministrator,
    CatalogOwner,
    AccessPackageManager,
    AccessPackageAssignmentManager,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::IdentityGovernanceAdministrator,
        Role::UserAdministrator,
        Role::CatalogOwner,
        Role::AccessPackageManager,
        Role::AccessPackageAssignmentManager,
    ];

    pub fn db_name(self) -> &'static str {
        match self {
            Role::IdentityGovernanceAdministrator => "identityGovernanceAdministrator",
            Role::UserAdministrator => "userAdministrator",
            Role::CatalogOwner => "catalogOwner",
            Role::AccessPackageManager => "accessPackageManager",
            Role::AccessPackageAssignmentManager => "accessPackageAssignmentManager",
        }
    }

    pub fn from_db_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.db_name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::IdentityGovernanceAdministrator => "Identity Governance Administrator",
            Role::UserAdministrator => "User Administrator",
            Role::CatalogOwner => "Catalog owner",
            Role::AccessPackageManager => "Access package manager",
            Role::AccessPackageAssignmentManager => "Access package assignment manager",
        }
    }

    /// Held for the whole tenant, never on one catalog.
    pub fn is_tenant_wide(self) -> bool {
        matches!(
            self,
            Role::IdentityGovernanceAdministrator | Role::UserAdministrator
        )
    }

    /// Counts in catalogs (every catalog, for the tenant-wide administrator). The User
    /// Administrator governs the directory only and sees no catalog.
    pub fn governs_catalogs(self) -> bool {
        self != Role::UserAdministrator
    }

    /// Add, change, disable and provision users and groups.
    pub fn may_administer_users(self) -> bool {
        matches!(
            self,
            Role::IdentityGovernanceAdministrator | Role::UserAdministrator
        )
    }

    /// Create, edit, delete and convert custom extensions.
    pub fn may_manage_extensions(self) -> bool {
        matches!(
            self,
            Role::IdentityGovernanceAdministrator | Role::CatalogOwner
        )
    }

    /// See a catalog's custom extensions (to attach them to policies, or to trace callouts).
    pub fn may_view_extensions(self) -> bool {
        self.governs_catalogs()
    }

    /// See and manage requests and assignments, assign and remove directly, resume requests.
    pub fn may_manage_assignments(self) -> bool {
        self.governs_catalogs() && self != Role::AccessPackageManager
    }

    /// Attach existing custom extensions to policies.
    pub fn may_attach_extensions(self) -> bool {
        self.governs_catalogs() && self != Role::AccessPackageAssignmentManager
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_db_name(role.db_name()), Some(role));
        }
        assert_eq!(Role::from_db_name("catalogowner"), None);
    }

    #[test]
    fn only_owners_and_admins_manage_extensions() {
        assert!(Role::IdentityGovernanceAdministrator.may_manage_extensions());
        assert!(Role::CatalogOwner.may_manage_extensions());
        assert!(!Role::AccessPackageManager.may_manage_extensions());
        assert!(!Role::AccessPackageAssignmentManager.may_manage_extensions());
        assert!(Role::AccessPackageManager.may_attach_extensions());
        assert!(!Role::AccessPackageAssignmentManager.may_attach_extensions());
    }

    #[test]
    fn the_user_administrator_governs_the_directory_and_no_catalog() {
        let r = Role::UserAdministrator;
        assert!(r.is_tenant_wide() && r.may_administer_users());
        assert!(!r.governs_catalogs());
        assert!(!r.may_view_extensions() && !r.may_manage_assignments());
        assert!(!r.may_attach_extensions() && !r.may_manage_extensions());
        assert!(Role::IdentityGovernanceAdministrator.may_administer_users());
        assert!(!Role::CatalogOwner.may_administer_users());
    }
}

//! The roles of the domain and what each may do. The authorization module asks these
//! questions; the server functions and (later) the REST handlers only ask it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    IdentityGovernanceAdministrator,
    CatalogOwner,
    AccessPackageManager,
    AccessPackageAssignmentManager,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::IdentityGovernanceAdministrator,
        Role::CatalogOwner,
        Role::AccessPackageManager,
        Role::AccessPackageAssignmentManager,
    ];

    pub fn db_name(self) -> &'static str {
        match self {
            Role::IdentityGovernanceAdministrator => "identityGovernanceAdministrator",
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
            Role::CatalogOwner => "Catalog owner",
            Role::AccessPackageManager => "Access package manager",
            Role::AccessPackageAssignmentManager => "Access package assignment manager",
        }
    }

    pub fn is_tenant_wide(self) -> bool {
        self == Role::IdentityGovernanceAdministrator
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
        true
    }

    /// See and manage requests and assignments, assign and remove directly, resume requests.
    pub fn may_manage_assignments(self) -> bool {
        !matches!(self, Role::AccessPackageManager)
    }

    /// Attach existing custom extensions to policies.
    pub fn may_attach_extensions(self) -> bool {
        !matches!(self, Role::AccessPackageAssignmentManager)
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
}

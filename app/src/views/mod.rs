//! What server functions send to the pages: plain serializable shapes, one per screen part.

use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub display_name: String,
    pub user_principal_name: String,
    pub is_admin: bool,
    /// Holds any identity-governance role (admin or a catalog role).
    pub governance: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogSummary {
    pub id: CatalogId,
    pub display_name: String,
    pub description: String,
    pub my_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogInfo {
    pub id: CatalogId,
    pub display_name: String,
    pub description: String,
    pub my_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageRow {
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    pub policy_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub role: String,
    pub principal: String,
    pub principal_kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionRow {
    pub id: ExtensionId,
    pub display_name: String,
    pub description: String,
    pub logic_app: String,
    pub kind: ExtensionKind,
    pub behaviour: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionList {
    pub catalog_name: String,
    /// Create, edit, delete and convert are offered only to those who may do them.
    pub may_manage: bool,
    pub rows: Vec<ExtensionRow>,
}

/// What the add / edit wizard needs from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WizardSetup {
    pub catalog_name: String,
    pub allow_hosts: Vec<String>,
    /// The current values when editing; a secret part of the URL is masked.
    pub current: Option<ExtensionDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedExtension {
    pub id: ExtensionId,
    pub display_name: String,
    /// The Standard Webhooks signing secret, shown this once.
    pub signing_secret: String,
}

/// What "Update to new extension type" can do for a legacy extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConversionOffer {
    /// In no policy: the admin picks the kind.
    Choose,
    /// Every use is a stage of one kind: that kind is taken.
    Fixed(ExtensionKind),
    /// Used by stages of both kinds; the message names the policies and stages.
    Blocked(String),
}

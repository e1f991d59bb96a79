//! What server functions send to the pages: plain serializable shapes, one per screen part.

use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod requests;

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
    /// The last connection test; `None` until one ran.
    pub connection: Option<ConnectionResult>,
}

/// The outcome of a connection test: the Connection column and the "Test connection" answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionResult {
    pub tested_at: DateTime<Utc>,
    /// The endpoint answered 2xx.
    pub passed: bool,
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

impl ConnectionResult {
    /// In words, so the result never rests on colour: "Passed · HTTP 202 · 35 ms · 2026-03-02
    /// 09:30 UTC" or "Failed · the endpoint answered HTTP 500 · 2026-03-02 09:30 UTC". UTC, so
    /// the server's render and the browser's agree.
    pub fn summary(&self) -> String {
        let at = self.tested_at.format("%Y-%m-%d %H:%M UTC");
        let status = self.http_status.map(|s| format!("HTTP {s}"));
        if self.passed {
            let status = status.map(|s| format!(" · {s}")).unwrap_or_default();
            format!("Passed{status} · {} ms · {at}", self.latency_ms)
        } else {
            let why = self
                .error
                .clone()
                .or(status)
                .unwrap_or_else(|| "no answer".into());
            format!("Failed · {why} · {at}")
        }
    }
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

/// A policy in the catalog's Access packages tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyLink {
    pub id: crate::domain::ids::PolicyId,
    pub display_name: String,
    pub description: String,
}

/// An access package with its policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackagePolicies {
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    pub policies: Vec<PolicyLink>,
}

/// The catalog's Access packages tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageList {
    /// "Edit policy" is offered only to those who may edit policies.
    pub may_edit: bool,
    pub packages: Vec<PackagePolicies>,
}

/// A user the policy editor can list as a requestor or an approver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserChoice {
    pub id: crate::domain::ids::UserId,
    pub display_name: String,
    pub user_principal_name: String,
    pub enabled: bool,
}

/// What the policy editor needs from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySetup {
    pub catalog_name: String,
    pub package_name: String,
    pub policy_name: String,
    pub description: String,
    /// Today by the server's clock: end dates must be after it.
    pub today: chrono::NaiveDate,
    pub users: Vec<UserChoice>,
    /// The catalog's custom extensions, all kinds.
    pub extensions: Vec<crate::domain::policy_rules::ExtensionFacts>,
    pub current: crate::domain::policy_rules::PolicyDraft,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn result(passed: bool, http_status: Option<u16>, error: Option<&str>) -> ConnectionResult {
        ConnectionResult {
            tested_at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 59).unwrap(),
            passed,
            http_status,
            latency_ms: 35,
            error: error.map(str::to_string),
        }
    }

    #[test]
    fn connection_results_in_words() {
        assert_eq!(
            result(true, Some(202), None).summary(),
            "Passed · HTTP 202 · 35 ms · 2026-03-02 09:30 UTC"
        );
        assert_eq!(
            result(false, Some(500), Some("the endpoint answered HTTP 500")).summary(),
            "Failed · the endpoint answered HTTP 500 · 2026-03-02 09:30 UTC"
        );
        assert_eq!(
            result(false, Some(404), None).summary(),
            "Failed · HTTP 404 · 2026-03-02 09:30 UTC"
        );
        assert_eq!(
            result(false, None, None).summary(),
            "Failed · no answer · 2026-03-02 09:30 UTC"
        );
    }
}

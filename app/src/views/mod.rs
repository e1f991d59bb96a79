//! What server functions send to the pages: plain serializable shapes, one per screen part.

use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};

pub mod lists;

/// "1 policy", "2 policies".
pub fn counted(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub mod people;
pub mod requests;
pub mod url;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub display_name: String,
    pub user_principal_name: String,
    pub is_admin: bool,
    /// Holds any identity-governance role (admin or a catalog role).
    pub governance: bool,
    /// May add, change and disable users (the Users page).
    pub user_admin: bool,
}

/// What the sign-in page offers: single sign-on (with the words of its button) and whether
/// the password form is there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    pub single_sign_on: Option<String>,
    pub password: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogSummary {
    pub id: CatalogId,
    pub display_name: String,
    pub description: String,
    pub my_roles: Vec<String>,
}

/// A page of the catalogs list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogList {
    pub rows: Vec<CatalogSummary>,
    pub pages: lists::NamePages,
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
        let at = utc_minutes(self.tested_at);
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
    pub pages: lists::NamePages,
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
    pub pages: lists::NamePages,
}

/// A user the policy editor can list as a requestor or an approver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserChoice {
    pub id: crate::domain::ids::UserId,
    pub display_name: String,
    pub user_principal_name: String,
    pub enabled: bool,
}

/// A group the policy editor can list among those who may request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupChoice {
    pub id: crate::domain::ids::GroupId,
    pub display_name: String,
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
    /// Every group, by name.
    pub groups: Vec<GroupChoice>,
    /// The catalog's custom extensions, all kinds.
    pub extensions: Vec<crate::domain::policy_rules::ExtensionFacts>,
    pub current: crate::domain::policy_rules::PolicyDraft,
}

/// How long a new client secret lives (the portal's choices; 180 days is its recommendation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SecretLifetime {
    Days90,
    #[default]
    Days180,
    Days365,
    Days730,
}

impl SecretLifetime {
    pub const ALL: [SecretLifetime; 4] = [
        SecretLifetime::Days90,
        SecretLifetime::Days180,
        SecretLifetime::Days365,
        SecretLifetime::Days730,
    ];

    pub fn days(self) -> i64 {
        match self {
            SecretLifetime::Days90 => 90,
            SecretLifetime::Days180 => 180,
            SecretLifetime::Days365 => 365,
            SecretLifetime::Days730 => 730,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SecretLifetime::Days90 => "90 days",
            SecretLifetime::Days180 => "180 days (recommended)",
            SecretLifetime::Days365 => "1 year",
            SecretLifetime::Days730 => "2 years",
        }
    }

    /// The value of its `<option>`.
    pub fn key(self) -> &'static str {
        match self {
            SecretLifetime::Days90 => "90",
            SecretLifetime::Days180 => "180",
            SecretLifetime::Days365 => "365",
            SecretLifetime::Days730 => "730",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// Whether a client secret can still get tokens, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecretStatus {
    Active,
    Expired,
    Revoked,
}

impl SecretStatus {
    pub fn label(self) -> &'static str {
        match self {
            SecretStatus::Active => "Active",
            SecretStatus::Expired => "Expired",
            SecretStatus::Revoked => "Revoked",
        }
    }
}

/// A client secret as lists show it: never the secret or its hash, only its first characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSecretRow {
    pub id: uuid::Uuid,
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub status: SecretStatus,
}

/// A role an app holds: tenant-wide (no catalog) or on one catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppRoleRow {
    pub role: crate::domain::role::Role,
    pub catalog_id: Option<CatalogId>,
    pub catalog_name: Option<String>,
}

impl AppRoleRow {
    /// "Tenant" or the catalog's name.
    pub fn scope(&self) -> String {
        match (&self.catalog_id, &self.catalog_name) {
            (None, _) => "Tenant".into(),
            (Some(_), Some(name)) => name.clone(),
            (Some(id), None) => id.to_string(),
        }
    }
}

/// The tenant role takes no catalog; a catalog role needs one. The Apps form checks this
/// before sending and the service again, with the same words.
pub fn role_scope_error(
    role: crate::domain::role::Role,
    catalog: Option<CatalogId>,
) -> Option<crate::domain::field_error::FieldError> {
    use crate::domain::field_error::{keys, FieldError};
    match (role.is_tenant_wide(), catalog) {
        (true, Some(_)) => Some(FieldError::new(
            keys::CATALOG,
            format!(
                "{} applies to the whole tenant; choose no catalog.",
                role.label()
            ),
        )),
        (false, None) => Some(FieldError::new(
            keys::CATALOG,
            format!("Choose the catalog where the app is {}.", role.label()),
        )),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSummary {
    /// Also the OAuth client id.
    pub id: crate::domain::ids::AppId,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub secrets: Vec<AppSecretRow>,
    pub roles: Vec<AppRoleRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogChoice {
    pub id: CatalogId,
    pub display_name: String,
}

/// A page of the Apps screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppList {
    pub apps: Vec<AppSummary>,
    pub pages: lists::NamePages,
}

/// The catalogs a role can be assigned on, those named as searched: the first page in name
/// order, and how many there are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogChoices {
    pub rows: Vec<CatalogChoice>,
    pub total: i64,
}

/// A client secret just made: the one answer that carries the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewClientSecret {
    pub app_id: crate::domain::ids::AppId,
    pub display_name: String,
    pub client_secret: String,
    pub hint: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A time as the screens show it, in UTC so the server's render and the browser's agree.
/// Written out rather than with chrono's `format`: its format-string interpreter would be the
/// browser build's only use of it (about 8 kB of the wasm).
pub fn utc_minutes(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
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

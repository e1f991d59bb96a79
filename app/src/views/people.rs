//! What the Users page and the setup page show.

use crate::domain::ids::UserId;
use serde::{Deserialize, Serialize};

/// One row of the Users list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub department: String,
    pub job_title: String,
    pub enabled: bool,
    /// Provisioned by an identity provider (SCIM), rather than added here.
    pub provisioned: bool,
}

/// A page of the Users list: `offset` counts from 0; `total` matches the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    /// How many people match.
    pub total: i64,
    /// The keys of the pages before and after this one, where there are such people.
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// A person with what they hold: the user details panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDetails {
    pub person: PersonRow,
    pub external_id: Option<String>,
    pub has_password: bool,
    /// Role labels with their scope ("Catalog owner · Marketing").
    pub roles: Vec<String>,
    pub groups: Vec<String>,
    /// Access packages the person holds now, with the end date if any.
    pub access: Vec<String>,
    /// Open requests for the person: package and status words.
    pub open_requests: Vec<String>,
}

/// The one-time link where a person chooses a password. Shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupLink {
    pub user: UserId,
    pub display_name: String,
    pub email: String,
    pub url: String,
    pub expires_at: String,
}

/// What the setup page greets a person with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupInvitation {
    pub display_name: String,
    pub email: String,
}

/// What disabling someone did (the leaver path).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaverSummary {
    pub sessions_ended: u64,
    pub requests_canceled: usize,
    pub assignments_removed: usize,
    /// Requests that could not be canceled now (their granted stage waits for a workflow).
    pub requests_left: usize,
}

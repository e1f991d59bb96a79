//! SCIM 2.0 (RFC 7643/7644) protocol parsing and shapes: pure, no database, no HTTP.
//!
//! Identity providers (Microsoft Entra ID, Okta, any IdP) push users and groups to
//! `/scim/v2`. The handlers read the body, call these functions, and write what comes back;
//! every refusal is a [`ScimError`] whose [`ScimError::to_json`] is the RFC 7644 §3.12 body.
//!
//! What is supported:
//! - Users: `userName` (an e-mail/UPN, required), `externalId`, `displayName`,
//!   `name.givenName`, `name.familyName`, `title`, `active`, `emails`, and from the enterprise
//!   extension `department` and `manager`. Other attributes are ignored.
//! - Groups: `displayName` (required), `externalId`, `members` (user ids).
//! - Filters ([`filter`]): a single `ATTR eq "value"` on `userName`, `externalId` or
//!   `displayName` (Groups: `displayName`, `externalId`); nothing else.
//! - PATCH ([`patch`]): `add`/`remove`/`replace` in any case, with or without `path`,
//!   including Entra's quirks (`"False"` strings, one-element `[{"value": …}]` arrays,
//!   URN-prefixed keys in path-less values) and member removal by `members[value eq "…"]`.
//! - Paging, ListResponse, ServiceProviderConfig, ResourceTypes and Schemas ([`protocol`]).
//!
//! Not supported: bulk, sort, ETags, `/Me`, `.search`, password changes, `attributes`/
//! `excludedAttributes` projection, complex filters. RFC grammar for filters and PATCH paths
//! comes from the `scim_v2` crate; narrowing its AST to what Latch stores happens here.

pub mod error;
pub mod filter;
pub mod group;
pub mod patch;
pub mod protocol;
mod schemas;
pub mod user;
mod values;

pub use error::{ScimError, ScimType};

/// Core User schema (RFC 7643 §4.1).
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Core Group schema (RFC 7643 §4.2).
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// PATCH request message (RFC 7644 §3.5.2).
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// List response message (RFC 7644 §3.4.2).
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

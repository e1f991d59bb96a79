//! The one error type of the SCIM layer: an HTTP status, an optional RFC 7644 §3.12
//! `scimType`, and a detail that names the attribute and the rule it broke, because IdP
//! provisioning logs show only this text to the administrator who has to fix the mapping.

use serde_json::{json, Value};

use super::ERROR_SCHEMA;

/// RFC 7644 §3.12, Table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

/// A refused SCIM request, ready to be answered with [`ScimError::to_json`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SCIM {status} {}: {detail}", scim_type.map_or("-", ScimType::as_str))]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<ScimType>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::TooMany, detail)
    }

    /// 409: RFC 7644 §3.3 pairs a duplicate `userName` with Conflict, not Bad Request.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }

    /// 404 carries no `scimType`: Table 9 has no keyword for a missing resource.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    /// Prefixes the detail with where the problem is, e.g. `Operations[2]`.
    pub fn at(mut self, location: impl std::fmt::Display) -> Self {
        self.detail = format!("{location}: {}", self.detail);
        self
    }

    /// The RFC 7644 §3.12 error body; `status` is a string there, not a number.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = Value::from(scim_type.as_str());
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_pick_status_and_keyword() {
        let cases = [
            (ScimError::invalid_value("d"), 400, Some("invalidValue")),
            (ScimError::invalid_filter("d"), 400, Some("invalidFilter")),
            (ScimError::invalid_syntax("d"), 400, Some("invalidSyntax")),
            (ScimError::invalid_path("d"), 400, Some("invalidPath")),
            (ScimError::no_target("d"), 400, Some("noTarget")),
            (ScimError::mutability("d"), 400, Some("mutability")),
            (ScimError::too_many("d"), 400, Some("tooMany")),
            (ScimError::uniqueness("d"), 409, Some("uniqueness")),
            (ScimError::not_found("d"), 404, None),
        ];
        for (error, status, keyword) in cases {
            assert_eq!(error.status, status, "{error}");
            assert_eq!(error.scim_type.map(ScimType::as_str), keyword, "{error}");
        }
    }

    #[test]
    fn every_keyword_is_spelled_as_in_the_rfc() {
        let all = [
            (ScimType::InvalidFilter, "invalidFilter"),
            (ScimType::TooMany, "tooMany"),
            (ScimType::Uniqueness, "uniqueness"),
            (ScimType::Mutability, "mutability"),
            (ScimType::InvalidSyntax, "invalidSyntax"),
            (ScimType::InvalidPath, "invalidPath"),
            (ScimType::NoTarget, "noTarget"),
            (ScimType::InvalidValue, "invalidValue"),
            (ScimType::InvalidVers, "invalidVers"),
            (ScimType::Sensitive, "sensitive"),
        ];
        for (scim_type, wire) in all {
            assert_eq!(scim_type.as_str(), wire);
        }
    }

    #[test]
    fn body_matches_rfc_shape_with_status_as_string() {
        let body = ScimError::invalid_value("userName is required").to_json();
        assert_eq!(
            body,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "400",
                "scimType": "invalidValue",
                "detail": "userName is required",
            })
        );
    }

    #[test]
    fn not_found_body_has_no_scim_type() {
        let body = ScimError::not_found("User 42 not found").to_json();
        assert_eq!(body["status"], "404");
        assert!(body.get("scimType").is_none());
    }

    #[test]
    fn at_prefixes_the_location() {
        let error = ScimError::invalid_path("path \"x[\" is not a valid path").at("Operations[2]");
        assert_eq!(
            error.detail,
            "Operations[2]: path \"x[\" is not a valid path"
        );
        assert_eq!(
            error.to_string(),
            "SCIM 400 invalidPath: Operations[2]: path \"x[\" is not a valid path"
        );
    }
}

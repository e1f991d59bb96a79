//! The protocol around the resources: request bodies, paging, list responses, and the
//! discovery documents an IdP reads before it provisions (RFC 7644 §4).

use serde_json::{json, Value};

use super::{ScimError, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA};

pub use super::schemas::{schema, schemas};

/// A request body as JSON. Handlers read the raw text because IdPs send
/// `application/scim+json`, which generic JSON extractors refuse.
pub fn parse_body(body: &str) -> Result<Value, ScimError> {
    serde_json::from_str(body).map_err(|error| {
        ScimError::invalid_syntax(format!(
            "the body is not valid JSON: {error} (line {}, column {})",
            error.line(),
            error.column()
        ))
    })
}

/// RFC 7644 §3.4.2 ListResponse.
pub fn list_response(
    resources: Vec<Value>,
    total: u64,
    start_index: u64,
    items_per_page: u64,
) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": items_per_page,
        "Resources": resources,
    })
}

/// Page size when the client gives no `count`.
pub const DEFAULT_COUNT: u64 = 100;
/// Largest page Latch returns: a larger `count` is lowered to this (RFC 7644 §3.4.2.4 lets
/// the provider return fewer), and ServiceProviderConfig advertises it as `maxResults`.
pub const MAX_COUNT: u64 = 1000;

/// `startIndex` and `count` of a list request, already clamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based index of the first result.
    pub start_index: u64,
    /// At most this many results; 0 asks for `totalResults` only.
    pub count: u64,
}

impl Paging {
    /// Results to skip: the SQL `OFFSET`.
    pub fn offset(&self) -> u64 {
        self.start_index - 1
    }
}

/// Reads the `startIndex` and `count` query parameters (RFC 7644 §3.4.2.4): a `startIndex`
/// below 1 is read as 1, a negative `count` as 0, and a missing or empty one takes the
/// default; text that is not an integer is refused with `invalidValue`.
pub fn parse_paging(start_index: Option<&str>, count: Option<&str>) -> Result<Paging, ScimError> {
    let start_index = integer(start_index, "startIndex")?.map_or(1, |i| i.max(1));
    let count = integer(count, "count")?.map_or(DEFAULT_COUNT as i64, |c| c.max(0));
    Ok(Paging {
        start_index: start_index.unsigned_abs(),
        count: count.unsigned_abs().min(MAX_COUNT),
    })
}

/// An integer query parameter; one too large for `i64` saturates rather than failing,
/// since it is still a well-formed integer.
fn integer(raw: Option<&str>, name: &str) -> Result<Option<i64>, ScimError> {
    use std::num::IntErrorKind;
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return Ok(None);
    };
    match raw.parse::<i64>() {
        Ok(n) => Ok(Some(n)),
        Err(error) if *error.kind() == IntErrorKind::PosOverflow => Ok(Some(i64::MAX)),
        Err(error) if *error.kind() == IntErrorKind::NegOverflow => Ok(Some(i64::MIN)),
        Err(_) => Err(ScimError::invalid_value(format!(
            "{name} must be an integer, got \"{}\"",
            raw.chars().take(40).collect::<String>()
        ))),
    }
}

/// RFC 7643 §5: what this provider supports.
pub fn service_provider_config(base: &str) -> Value {
    let base = base.trim_end_matches('/');
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A bearer token that a Latch administrator issues to the provisioning client",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig")
        }
    })
}

/// RFC 7643 §6: the `/ResourceTypes` list.
pub fn resource_types(base: &str) -> Value {
    let types: Vec<Value> = ["User", "Group"]
        .into_iter()
        .filter_map(|name| resource_type(base, name))
        .collect();
    let total = types.len() as u64;
    list_response(types, total, 1, total)
}

/// One resource type by its id (`User` or `Group`, case-insensitively).
pub fn resource_type(base: &str, id: &str) -> Option<Value> {
    let base = base.trim_end_matches('/');
    let (id, endpoint, description, schema, extensions) = if id.eq_ignore_ascii_case("User") {
        let extension = json!([{"schema": ENTERPRISE_USER_SCHEMA, "required": false}]);
        ("User", "/Users", "User Account", USER_SCHEMA, extension)
    } else if id.eq_ignore_ascii_case("Group") {
        ("Group", "/Groups", "Group", GROUP_SCHEMA, json!([]))
    } else {
        return None;
    };
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": id,
        "name": id,
        "endpoint": endpoint,
        "description": description,
        "schema": schema,
        "schemaExtensions": extensions,
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{id}")}
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::scim::ScimType;

    #[test]
    fn paging_defaults_clamps_and_refuses() {
        let ok = [
            (None, None, 1, DEFAULT_COUNT),
            (Some("1"), Some("10"), 1, 10),
            (Some("21"), Some("20"), 21, 20),
            (Some("0"), Some("0"), 1, 0),
            (Some("-5"), Some("-1"), 1, 0),
            (Some(" 3 "), Some(""), 3, DEFAULT_COUNT),
            (Some(""), Some("5000"), 1, MAX_COUNT),
            (
                Some("99999999999999999999999"),
                Some("99999999999999999999"),
                i64::MAX as u64,
                MAX_COUNT,
            ),
            (
                Some("-99999999999999999999999"),
                Some("-99999999999999999999"),
                1,
                0,
            ),
        ];
        for (start, count, want_start, want_count) in ok {
            let paging = parse_paging(start, count).unwrap();
            assert_eq!(
                paging,
                Paging {
                    start_index: want_start,
                    count: want_count
                },
                "{start:?} {count:?}"
            );
        }
        assert_eq!(parse_paging(Some("21"), None).unwrap().offset(), 20);

        let bad = [
            (
                Some("abc"),
                None,
                "startIndex must be an integer, got \"abc\"",
            ),
            (None, Some("1.5"), "count must be an integer, got \"1.5\""),
            (
                Some("1"),
                Some("ten"),
                "count must be an integer, got \"ten\"",
            ),
        ];
        for (start, count, detail) in bad {
            let error = parse_paging(start, count).unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
            assert_eq!(error.detail, detail);
        }
    }

    #[test]
    fn list_response_shape() {
        let body = list_response(vec![json!({"id": "u-1"})], 7, 3, 1);
        assert_eq!(
            body,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 7,
                "startIndex": 3,
                "itemsPerPage": 1,
                "Resources": [{"id": "u-1"}]
            })
        );
    }

    #[test]
    fn parse_body_refuses_invalid_json_with_invalid_syntax() {
        assert_eq!(parse_body(r#"{"a": 1}"#).unwrap(), json!({"a": 1}));
        let error = parse_body("{\"userName\": ").unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidSyntax));
        assert!(
            error.detail.starts_with("the body is not valid JSON"),
            "{}",
            error.detail
        );
    }

    #[test]
    fn service_provider_config_advertises_what_we_support() {
        let config = service_provider_config("https://latch.example/scim/v2/");
        assert_eq!(config["patch"]["supported"], true);
        assert_eq!(config["bulk"]["supported"], false);
        assert_eq!(
            config["filter"],
            json!({"supported": true, "maxResults": 1000})
        );
        for unsupported in ["changePassword", "sort", "etag"] {
            assert_eq!(config[unsupported]["supported"], false, "{unsupported}");
        }
        assert_eq!(
            config["authenticationSchemes"][0]["type"],
            "oauthbearertoken"
        );
        assert_eq!(
            config["meta"]["location"],
            "https://latch.example/scim/v2/ServiceProviderConfig"
        );
    }

    #[test]
    fn resource_types_list_user_and_group() {
        let list = resource_types("https://latch.example/scim/v2");
        assert_eq!(list["totalResults"], 2);
        let user = &list["Resources"][0];
        assert_eq!(user["endpoint"], "/Users");
        assert_eq!(user["schema"], USER_SCHEMA);
        assert_eq!(
            user["schemaExtensions"][0]["schema"],
            ENTERPRISE_USER_SCHEMA
        );
        assert_eq!(
            user["meta"]["location"],
            "https://latch.example/scim/v2/ResourceTypes/User"
        );
        assert_eq!(list["Resources"][1]["endpoint"], "/Groups");
        assert_eq!(resource_type("b", "group").unwrap()["id"], "Group");
        assert!(resource_type("b", "Device").is_none());
    }
}

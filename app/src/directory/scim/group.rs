//! SCIM Group bodies (POST/PUT) in, SCIM Group resources out (RFC 7643 §4.2). Members are
//! users only: Latch does not nest groups.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::values::{
    get_ci, insert_some, member_ids, meta, optional_string, required_string, type_name,
};
use super::{ScimError, GROUP_SCHEMA};

/// What Latch takes from a SCIM Group body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimGroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// Member user ids, in the body's order, without duplicates.
    pub members: Vec<String>,
}

/// Parses a POST or PUT `/Groups` body.
pub fn parse_group(body: &Value) -> Result<ScimGroupInput, ScimError> {
    let Value::Object(group) = body else {
        return Err(ScimError::invalid_syntax(format!(
            "a Group body must be a JSON object, got {}",
            type_name(body)
        )));
    };
    Ok(ScimGroupInput {
        display_name: required_string(get_ci(group, "displayName"), "displayName")?,
        external_id: optional_string(get_ci(group, "externalId"), "externalId")?,
        members: match get_ci(group, "members") {
            None => Vec::new(),
            Some(members) => member_ids(members, "members")?,
        },
    })
}

/// A member as rendered: the user's id and, when the store has it, a name to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroupMemberOut {
    pub value: String,
    pub display: Option<String>,
}

/// A stored group, as the handlers hand it back for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimGroupOut {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: Vec<ScimGroupMemberOut>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

/// The SCIM Group resource for `g`; `location_base` is the service root.
pub fn group_json(g: &ScimGroupOut, location_base: &str) -> Value {
    let base = location_base.trim_end_matches('/');
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|member| {
            let mut out = Map::new();
            out.insert("value".into(), json!(member.value));
            insert_some(&mut out, "display", &member.display);
            out.insert(
                "$ref".into(),
                json!(format!("{base}/Users/{}", member.value)),
            );
            Value::Object(out)
        })
        .collect();
    let mut group = Map::new();
    group.insert("schemas".into(), json!([GROUP_SCHEMA]));
    group.insert("id".into(), json!(g.id));
    insert_some(&mut group, "externalId", &g.external_id);
    group.insert("displayName".into(), json!(g.display_name));
    group.insert("members".into(), Value::Array(members));
    group.insert(
        "meta".into(),
        meta("Group", &g.id, base, g.created, g.last_modified),
    );
    Value::Object(group)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::directory::scim::ScimType;

    #[test]
    fn parses_idp_create_bodies() {
        let cases = [
            // Microsoft Entra ID: members arrive later through PATCH.
            (
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                    "displayName": "Group1DisplayName",
                    "meta": {"resourceType": "Group"}
                }),
                ScimGroupInput {
                    display_name: "Group1DisplayName".into(),
                    external_id: Some("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159".into()),
                    members: vec![],
                },
            ),
            // Okta: members inline, with display names we do not need.
            (
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Test SCIMv2",
                    "members": [
                        {"value": "u-1", "display": "test.user@okta.local"},
                        {"value": "u-2", "display": "other@okta.local"},
                        {"value": "u-1"}
                    ]
                }),
                ScimGroupInput {
                    display_name: "Test SCIMv2".into(),
                    external_id: None,
                    members: vec!["u-1".into(), "u-2".into()],
                },
            ),
            (
                json!({"DISPLAYNAME": " Ops ", "Members": null, "id": "ignored"}),
                ScimGroupInput {
                    display_name: "Ops".into(),
                    ..ScimGroupInput::default()
                },
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_group(&body).unwrap(), expected, "{body}");
        }
    }

    #[test]
    fn refuses_malformed_bodies_naming_the_attribute() {
        let cases = [
            (
                json!("x"),
                ScimType::InvalidSyntax,
                "a Group body must be a JSON object, got a string",
            ),
            (
                json!({}),
                ScimType::InvalidValue,
                "displayName is required and must be a non-empty string",
            ),
            (
                json!({"displayName": 3}),
                ScimType::InvalidValue,
                "displayName is required and must be a non-empty string",
            ),
            (
                json!({"displayName": "x".repeat(257)}),
                ScimType::InvalidValue,
                "displayName must be at most 256 characters",
            ),
            (
                json!({"displayName": "G", "externalId": true}),
                ScimType::InvalidValue,
                "externalId must be a string, got a boolean",
            ),
            (
                json!({"displayName": "G", "members": "u-1"}),
                ScimType::InvalidValue,
                "members must be an array of {\"value\": id} objects, got a string",
            ),
            (
                json!({"displayName": "G", "members": ["u-1"]}),
                ScimType::InvalidValue,
                "members[0] must be an object with a \"value\" id, got a string",
            ),
            (
                json!({"displayName": "G", "members": [{"display": "x"}]}),
                ScimType::InvalidValue,
                "members[0].value is required and must be a non-empty string",
            ),
        ];
        for (body, scim_type, detail) in cases {
            let error = parse_group(&body).expect_err(&body.to_string());
            assert_eq!(error.status, 400);
            assert_eq!(error.scim_type, Some(scim_type), "{body}");
            assert_eq!(error.detail, detail, "{body}");
        }
    }

    #[test]
    fn renders_a_group_resource() {
        let group = ScimGroupOut {
            id: "g-1".into(),
            display_name: "Finance".into(),
            external_id: None,
            members: vec![
                ScimGroupMemberOut {
                    value: "u-1".into(),
                    display: Some("Alice Jones".into()),
                },
                ScimGroupMemberOut {
                    value: "u-2".into(),
                    display: None,
                },
            ],
            created: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
            last_modified: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
        };
        assert_eq!(
            group_json(&group, "https://latch.example/scim/v2"),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": "g-1",
                "displayName": "Finance",
                "members": [
                    {"value": "u-1", "display": "Alice Jones", "$ref": "https://latch.example/scim/v2/Users/u-1"},
                    {"value": "u-2", "$ref": "https://latch.example/scim/v2/Users/u-2"}
                ],
                "meta": {
                    "resourceType": "Group",
                    "created": "2024-01-02T03:04:05.000Z",
                    "lastModified": "2024-01-02T03:04:05.000Z",
                    "location": "https://latch.example/scim/v2/Groups/g-1",
                    "version": "W/\"1704164645000\""
                }
            })
        );
    }
}

//! The `/Schemas` documents (RFC 7643 §7, shapes from §8.7.1), limited to the attributes
//! Latch keeps, so that an IdP reading them learns what will actually be stored.

use serde_json::{json, Map, Value};

use super::protocol::list_response;
use super::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};

/// The `/Schemas` list: User, enterprise User, Group.
pub fn schemas() -> Value {
    let all = vec![user_schema(), enterprise_user_schema(), group_schema()];
    let total = all.len() as u64;
    list_response(all, total, 1, total)
}

/// One schema by its URN (case-insensitively).
pub fn schema(id: &str) -> Option<Value> {
    [user_schema(), enterprise_user_schema(), group_schema()]
        .into_iter()
        .find(|schema| {
            schema["id"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
}

fn document(id: &str, name: &str, description: &str, attributes: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema"}
    })
}

/// An attribute definition with the RFC 7643 §2.2 defaults; `overrides` replaces any of them.
fn attribute(name: &str, kind: &str, description: &str, overrides: Value) -> Value {
    let mut definition = Map::new();
    definition.insert("name".into(), json!(name));
    definition.insert("type".into(), json!(kind));
    definition.insert("multiValued".into(), json!(false));
    definition.insert("description".into(), json!(description));
    definition.insert("required".into(), json!(false));
    if matches!(kind, "string" | "reference") {
        definition.insert("caseExact".into(), json!(false));
    }
    definition.insert("mutability".into(), json!("readWrite"));
    definition.insert("returned".into(), json!("default"));
    if kind != "complex" {
        definition.insert("uniqueness".into(), json!("none"));
    }
    if let Value::Object(overrides) = overrides {
        definition.extend(overrides);
    }
    Value::Object(definition)
}

fn user_schema() -> Value {
    document(
        USER_SCHEMA,
        "User",
        "User Account",
        vec![
            attribute(
                "userName",
                "string",
                "The person's sign-in name: an e-mail address or UPN. REQUIRED.",
                json!({"required": true, "uniqueness": "server"}),
            ),
            attribute(
                "name",
                "complex",
                "The components of the user's name.",
                json!({"subAttributes": [
                    attribute("formatted", "string", "The full name, built from the other parts.", json!({"mutability": "readOnly"})),
                    attribute("familyName", "string", "The family name.", json!({})),
                    attribute("givenName", "string", "The given name.", json!({})),
                ]}),
            ),
            attribute(
                "displayName",
                "string",
                "The name shown for the user.",
                json!({}),
            ),
            attribute("title", "string", "The user's job title.", json!({})),
            attribute(
                "active",
                "boolean",
                "Whether the user may use Latch.",
                json!({}),
            ),
            attribute(
                "emails",
                "complex",
                "E-mail addresses. Latch returns the userName as the one work address.",
                json!({"multiValued": true, "subAttributes": [
                    attribute("value", "string", "The e-mail address.", json!({})),
                    attribute("type", "string", "The kind of address.", json!({"canonicalValues": ["work", "home", "other"]})),
                    attribute("primary", "boolean", "Whether this is the preferred address.", json!({})),
                ]}),
            ),
        ],
    )
}

fn enterprise_user_schema() -> Value {
    document(
        ENTERPRISE_USER_SCHEMA,
        "EnterpriseUser",
        "Enterprise User",
        vec![
            attribute("department", "string", "The user's department.", json!({})),
            attribute(
                "manager",
                "complex",
                "The user's manager, another User.",
                json!({"subAttributes": [
                    attribute("value", "string", "The id of the manager's User resource.", json!({})),
                    attribute("$ref", "reference", "The URI of the manager's User resource.", json!({"referenceTypes": ["User"]})),
                    attribute("displayName", "string", "The manager's display name.", json!({"mutability": "readOnly"})),
                ]}),
            ),
        ],
    )
}

fn group_schema() -> Value {
    document(
        GROUP_SCHEMA,
        "Group",
        "Group",
        vec![
            attribute(
                "displayName",
                "string",
                "The group's name. REQUIRED.",
                json!({"required": true}),
            ),
            attribute(
                "members",
                "complex",
                "The users in the group. Groups cannot be members.",
                json!({"multiValued": true, "subAttributes": [
                    attribute("value", "string", "The id of a member User.", json!({"mutability": "immutable"})),
                    attribute("$ref", "reference", "The URI of the member User.", json!({"mutability": "immutable", "referenceTypes": ["User"]})),
                    attribute("display", "string", "The member's display name.", json!({"mutability": "readOnly"})),
                ]}),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(attributes: &Value) -> Vec<&str> {
        attributes
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn schemas_list_the_three_documents_with_supported_attributes() {
        let list = schemas();
        assert_eq!(list["totalResults"], 3);
        let resources = list["Resources"].as_array().unwrap();
        let ids: Vec<&str> = resources
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
        assert_eq!(
            names(&resources[0]["attributes"]),
            [
                "userName",
                "name",
                "displayName",
                "title",
                "active",
                "emails"
            ]
        );
        assert_eq!(
            names(&resources[1]["attributes"]),
            ["department", "manager"]
        );
        assert_eq!(
            names(&resources[2]["attributes"]),
            ["displayName", "members"]
        );
    }

    #[test]
    fn attributes_carry_rfc_characteristics() {
        let user = schema(USER_SCHEMA).unwrap();
        let user_name = &user["attributes"][0];
        assert_eq!(user_name["required"], true);
        assert_eq!(user_name["uniqueness"], "server");
        assert_eq!(user_name["caseExact"], false);
        assert_eq!(user_name["mutability"], "readWrite");
        let active = &user["attributes"][4];
        assert_eq!(active["type"], "boolean");
        assert!(active.get("caseExact").is_none());
        let emails = &user["attributes"][5];
        assert_eq!(emails["multiValued"], true);
        assert_eq!(
            names(&emails["subAttributes"]),
            ["value", "type", "primary"]
        );
        let group = schema("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP").unwrap();
        assert_eq!(
            group["attributes"][1]["subAttributes"][1]["referenceTypes"],
            json!(["User"])
        );
        assert!(schema("urn:example:unknown").is_none());
    }
}

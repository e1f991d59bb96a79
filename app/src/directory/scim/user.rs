//! SCIM User bodies (POST/PUT) in, SCIM User resources out. Latch keeps a small subset of
//! RFC 7643 §4.1 and the enterprise extension (§4.3); everything else an IdP sends is
//! ignored, but a known attribute of the wrong type is refused with `invalidValue`.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::values::{
    get_ci, insert_some, lenient_bool, meta, optional_string, reference_id, required_string,
    type_name,
};
use super::{ScimError, ENTERPRISE_USER_SCHEMA, USER_SCHEMA};

/// What Latch takes from a SCIM User body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimUserInput {
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// `None` when the body leaves it out; a create then treats the user as active.
    pub active: Option<bool>,
    /// Addresses, the primary one first.
    pub emails: Vec<String>,
    pub department: Option<String>,
    /// SCIM `title`.
    pub job_title: Option<String>,
    /// The enterprise extension's `manager.value`: the manager's SCIM id.
    pub manager_id: Option<String>,
}

/// Parses a POST or PUT `/Users` body.
pub fn parse_user(body: &Value) -> Result<ScimUserInput, ScimError> {
    let Value::Object(user) = body else {
        return Err(ScimError::invalid_syntax(format!(
            "a User body must be a JSON object, got {}",
            type_name(body)
        )));
    };
    let name = complex(get_ci(user, "name"), "name")?;
    let enterprise = complex(get_ci(user, ENTERPRISE_USER_SCHEMA), ENTERPRISE_USER_SCHEMA)?;
    Ok(ScimUserInput {
        user_name: user_name(get_ci(user, "userName"))?,
        external_id: optional_string(get_ci(user, "externalId"), "externalId")?,
        display_name: optional_string(get_ci(user, "displayName"), "displayName")?,
        given_name: optional_string(field(name, "givenName"), "name.givenName")?,
        family_name: optional_string(field(name, "familyName"), "name.familyName")?,
        active: match get_ci(user, "active") {
            None | Some(Value::Null) => None,
            Some(value) => Some(lenient_bool(value, "active")?),
        },
        emails: emails(get_ci(user, "emails"))?,
        department: optional_string(
            field(enterprise, "department"),
            &enterprise_attr("department"),
        )?,
        job_title: optional_string(get_ci(user, "title"), "title")?,
        manager_id: match field(enterprise, "manager") {
            None => None,
            Some(value) => reference_id(value, &enterprise_attr("manager"))?,
        },
    })
}

/// The full name Entra ID shows in its attribute mappings, so the detail points at the row
/// the administrator has to change.
pub(super) fn enterprise_attr(name: &str) -> String {
    format!("{ENTERPRISE_USER_SCHEMA}:{name}")
}

/// A complex attribute (`name`, the enterprise extension) as an object; absent or `null`
/// reads as `None`.
fn complex<'a>(
    value: Option<&'a Value>,
    attr: &str,
) -> Result<Option<&'a Map<String, Value>>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(other) => Err(ScimError::invalid_value(format!(
            "{attr} must be an object, got {}",
            type_name(other)
        ))),
    }
}

fn field<'a>(object: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a Value> {
    object.and_then(|object| get_ci(object, name))
}

/// `userName`: required, trimmed, 1–256 characters, and shaped like an e-mail address or
/// UPN, because Latch signs people in and notifies them by it.
pub(super) fn user_name(value: Option<&Value>) -> Result<String, ScimError> {
    let user_name = required_string(value, "userName")?;
    let well_formed = match user_name.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !user_name
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !well_formed {
        return Err(ScimError::invalid_value(
            "userName must be an e-mail address or UPN: one '@' with text on both sides and no spaces",
        ));
    }
    Ok(user_name)
}

/// `emails[].value`, primary first; entries without a value are skipped.
pub(super) fn emails(value: Option<&Value>) -> Result<Vec<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => email_values(items),
        Some(other) => Err(ScimError::invalid_value(format!(
            "emails must be an array of {{\"value\": address}} objects, got {}",
            type_name(other)
        ))),
    }
}

/// The addresses of `emails` entries, primary first.
pub(super) fn email_values(items: &[Value]) -> Result<Vec<String>, ScimError> {
    let mut found: Vec<(bool, String)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(email) = item else {
            return Err(ScimError::invalid_value(format!(
                "emails[{i}] must be an object, got {}",
                type_name(item)
            )));
        };
        let primary = match get_ci(email, "primary") {
            None | Some(Value::Null) => false,
            Some(value) => lenient_bool(value, &format!("emails[{i}].primary"))?,
        };
        if let Some(address) =
            optional_string(get_ci(email, "value"), &format!("emails[{i}].value"))?
        {
            found.push((primary, address));
        }
    }
    // Stable: the IdP's order is kept among the non-primary addresses.
    found.sort_by_key(|(primary, _)| !primary);
    Ok(found.into_iter().map(|(_, address)| address).collect())
}

/// A stored user, as the handlers hand it back for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimUserOut {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub active: bool,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub manager_id: Option<String>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

/// The SCIM User resource for `u`; `location_base` is the service root, e.g.
/// `https://latch.example/scim/v2`. Attributes without a value are left out.
pub fn user_json(u: &ScimUserOut, location_base: &str) -> Value {
    let base = location_base.trim_end_matches('/');
    let mut user = Map::new();
    user.insert(
        "schemas".into(),
        json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]),
    );
    user.insert("id".into(), json!(u.id));
    insert_some(&mut user, "externalId", &u.external_id);
    user.insert("userName".into(), json!(u.user_name));

    let mut name = Map::new();
    insert_some(&mut name, "givenName", &u.given_name);
    insert_some(&mut name, "familyName", &u.family_name);
    let formatted: Vec<&str> = [&u.given_name, &u.family_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !formatted.is_empty() {
        name.insert("formatted".into(), json!(formatted.join(" ")));
        user.insert("name".into(), Value::Object(name));
    }

    insert_some(&mut user, "displayName", &u.display_name);
    insert_some(&mut user, "title", &u.job_title);
    user.insert("active".into(), json!(u.active));
    // Latch has one address per person, the userName it signs them in with.
    user.insert(
        "emails".into(),
        json!([{"value": u.user_name, "type": "work", "primary": true}]),
    );

    let mut enterprise = Map::new();
    insert_some(&mut enterprise, "department", &u.department);
    if let Some(manager) = &u.manager_id {
        enterprise.insert(
            "manager".into(),
            json!({"value": manager, "$ref": format!("{base}/Users/{manager}")}),
        );
    }
    if !enterprise.is_empty() {
        user.insert(ENTERPRISE_USER_SCHEMA.into(), Value::Object(enterprise));
    }

    user.insert(
        "meta".into(),
        meta("User", &u.id, base, u.created, u.last_modified),
    );
    Value::Object(user)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::directory::scim::ScimType;

    /// Microsoft Entra ID's create-user request (provisioning with the enterprise extension).
    fn entra_create() -> Value {
        json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            ],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Alice.Jones@contoso.onmicrosoft.com",
            "active": true,
            "displayName": "Alice Jones",
            "title": "Controller",
            "emails": [
                {"primary": false, "type": "other", "value": "alice@home.example"},
                {"primary": true, "type": "work", "value": "alice.jones@contoso.com"}
            ],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Alice Jones", "familyName": "Jones", "givenName": "Alice"},
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "Finance",
                "employeeNumber": "1001",
                "manager": {"value": "5c0a6a7e-2e86-4b6c-a1d4-59c1e0e8a9a2"}
            }
        })
    }

    /// Okta's create-user request: no extension, a password we ignore.
    fn okta_create() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "test.user@okta.local",
            "name": {"givenName": "Test", "familyName": "User"},
            "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
            "displayName": "Test User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": true
        })
    }

    #[test]
    fn parses_entra_create_with_enterprise_extension() {
        let user = parse_user(&entra_create()).unwrap();
        assert_eq!(
            user,
            ScimUserInput {
                user_name: "Alice.Jones@contoso.onmicrosoft.com".into(),
                external_id: Some("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef".into()),
                display_name: Some("Alice Jones".into()),
                given_name: Some("Alice".into()),
                family_name: Some("Jones".into()),
                active: Some(true),
                emails: vec![
                    "alice.jones@contoso.com".into(),
                    "alice@home.example".into()
                ],
                department: Some("Finance".into()),
                job_title: Some("Controller".into()),
                manager_id: Some("5c0a6a7e-2e86-4b6c-a1d4-59c1e0e8a9a2".into()),
            }
        );
    }

    #[test]
    fn parses_okta_create() {
        let user = parse_user(&okta_create()).unwrap();
        assert_eq!(user.user_name, "test.user@okta.local");
        assert_eq!(user.external_id.as_deref(), Some("00ujl29u0le5T6Aj10h7"));
        assert_eq!(user.emails, ["test.user@okta.local"]);
        assert_eq!((user.department, user.manager_id), (None, None));
    }

    #[test]
    fn attribute_names_are_case_insensitive_and_lenient_values_accepted() {
        let body = json!({
            "USERNAME": "  bob@example.com ",
            "Active": "False",
            "NAME": {"GIVENNAME": "Bob"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {
                "Department": "", "MANAGER": "m-7"
            },
            "unknownThing": {"nested": [1, 2]}
        });
        let user = parse_user(&body).unwrap();
        assert_eq!(user.user_name, "bob@example.com");
        assert_eq!(user.active, Some(false));
        assert_eq!(user.given_name.as_deref(), Some("Bob"));
        assert_eq!(user.department, None);
        assert_eq!(user.manager_id.as_deref(), Some("m-7"));
        assert_eq!(user.emails, Vec::<String>::new());
    }

    #[test]
    fn refuses_malformed_bodies_naming_the_attribute() {
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let long = "x".repeat(257);
        let cases: Vec<(Value, ScimType, String)> = vec![
            (json!([]), ScimType::InvalidSyntax, "a User body must be a JSON object, got an array".into()),
            (json!({}), ScimType::InvalidValue, "userName is required and must be a non-empty string".into()),
            (json!({"userName": "  "}), ScimType::InvalidValue, "userName is required and must be a non-empty string".into()),
            (json!({"userName": 42}), ScimType::InvalidValue, "userName is required and must be a non-empty string".into()),
            (json!({"userName": "alice"}), ScimType::InvalidValue, "userName must be an e-mail address or UPN: one '@' with text on both sides and no spaces".into()),
            (json!({"userName": "a@b@c"}), ScimType::InvalidValue, "userName must be an e-mail address or UPN: one '@' with text on both sides and no spaces".into()),
            (json!({"userName": "@b.c"}), ScimType::InvalidValue, "userName must be an e-mail address or UPN: one '@' with text on both sides and no spaces".into()),
            (json!({"userName": "a b@c.d"}), ScimType::InvalidValue, "userName must be an e-mail address or UPN: one '@' with text on both sides and no spaces".into()),
            (json!({"userName": format!("{long}@x.y")}), ScimType::InvalidValue, "userName must be at most 256 characters".into()),
            (json!({"userName": "a@b.c", "active": "yes"}), ScimType::InvalidValue, "active must be a boolean or \"True\"/\"False\", got \"yes\"".into()),
            (json!({"userName": "a@b.c", "active": 1}), ScimType::InvalidValue, "active must be a boolean or \"True\"/\"False\", got a number".into()),
            (json!({"userName": "a@b.c", "externalId": 12}), ScimType::InvalidValue, "externalId must be a string, got a number".into()),
            (json!({"userName": "a@b.c", "externalId": long}), ScimType::InvalidValue, "externalId must be at most 256 characters".into()),
            (json!({"userName": "a@b.c", "displayName": ["x"]}), ScimType::InvalidValue, "displayName must be a string, got an array".into()),
            (json!({"userName": "a@b.c", "title": {}}), ScimType::InvalidValue, "title must be a string, got an object".into()),
            (json!({"userName": "a@b.c", "name": "Alice"}), ScimType::InvalidValue, "name must be an object, got a string".into()),
            (json!({"userName": "a@b.c", "name": {"givenName": 1}}), ScimType::InvalidValue, "name.givenName must be a string, got a number".into()),
            (json!({"userName": "a@b.c", "name": {"familyName": long}}), ScimType::InvalidValue, "name.familyName must be at most 256 characters".into()),
            (json!({"userName": "a@b.c", "emails": "a@b.c"}), ScimType::InvalidValue, "emails must be an array of {\"value\": address} objects, got a string".into()),
            (json!({"userName": "a@b.c", "emails": ["a@b.c"]}), ScimType::InvalidValue, "emails[0] must be an object, got a string".into()),
            (json!({"userName": "a@b.c", "emails": [{"value": 1}]}), ScimType::InvalidValue, "emails[0].value must be a string, got a number".into()),
            (json!({"userName": "a@b.c", "emails": [{"value": "x@y.z", "primary": "maybe"}]}), ScimType::InvalidValue, "emails[0].primary must be a boolean or \"True\"/\"False\", got \"maybe\"".into()),
            (json!({"userName": "a@b.c", enterprise: "Finance"}), ScimType::InvalidValue, format!("{enterprise} must be an object, got a string")),
            (json!({"userName": "a@b.c", enterprise: {"department": 5}}), ScimType::InvalidValue, format!("{enterprise}:department must be a string, got a number")),
            (json!({"userName": "a@b.c", enterprise: {"department": long}}), ScimType::InvalidValue, format!("{enterprise}:department must be at most 256 characters")),
            (json!({"userName": "a@b.c", enterprise: {"manager": 5}}), ScimType::InvalidValue, format!("{enterprise}:manager must be an object with a \"value\" id or a string, got a number")),
            (json!({"userName": "a@b.c", enterprise: {"manager": {"value": []}}}), ScimType::InvalidValue, format!("{enterprise}:manager.value must be a string, got an array")),
        ];
        for (body, scim_type, detail) in cases {
            let error = parse_user(&body).expect_err(&body.to_string());
            assert_eq!(error.status, 400, "{body}");
            assert_eq!(error.scim_type, Some(scim_type), "{body}");
            assert_eq!(error.detail, detail, "{body}");
        }
    }

    fn stored() -> ScimUserOut {
        ScimUserOut {
            id: "u-1".into(),
            user_name: "alice@contoso.com".into(),
            external_id: Some("ext-1".into()),
            display_name: Some("Alice Jones".into()),
            given_name: Some("Alice".into()),
            family_name: Some("Jones".into()),
            active: true,
            department: Some("Finance".into()),
            job_title: Some("Controller".into()),
            manager_id: Some("u-9".into()),
            created: Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
            last_modified: Utc.with_ymd_and_hms(2024, 2, 3, 4, 5, 6).unwrap(),
        }
    }

    #[test]
    fn renders_a_full_user_resource() {
        let json = user_json(&stored(), "https://latch.example/scim/v2/");
        assert_eq!(
            json,
            json!({
                "schemas": [
                    "urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
                ],
                "id": "u-1",
                "externalId": "ext-1",
                "userName": "alice@contoso.com",
                "name": {"givenName": "Alice", "familyName": "Jones", "formatted": "Alice Jones"},
                "displayName": "Alice Jones",
                "title": "Controller",
                "active": true,
                "emails": [{"value": "alice@contoso.com", "type": "work", "primary": true}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                    "department": "Finance",
                    "manager": {"value": "u-9", "$ref": "https://latch.example/scim/v2/Users/u-9"}
                },
                "meta": {
                    "resourceType": "User",
                    "created": "2024-01-02T03:04:05.000Z",
                    "lastModified": "2024-02-03T04:05:06.000Z",
                    "location": "https://latch.example/scim/v2/Users/u-1",
                    "version": "W/\"1706933106000\""
                }
            })
        );
    }

    #[test]
    fn omits_attributes_without_values() {
        let user = ScimUserOut {
            external_id: None,
            display_name: None,
            given_name: None,
            family_name: Some("Jones".into()),
            department: None,
            job_title: None,
            manager_id: None,
            active: false,
            ..stored()
        };
        let json = user_json(&user, "https://latch.example/scim/v2");
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for absent in ["externalId", "displayName", "title", ENTERPRISE_USER_SCHEMA] {
            assert!(!keys.contains(&absent), "{absent} should be omitted");
        }
        assert_eq!(
            json["name"],
            json!({"familyName": "Jones", "formatted": "Jones"})
        );
        assert_eq!(json["active"], json!(false));
    }

    #[test]
    fn rendered_user_parses_back() {
        let json = user_json(&stored(), "https://latch.example/scim/v2");
        let input = parse_user(&json).unwrap();
        assert_eq!(input.user_name, "alice@contoso.com");
        assert_eq!(input.manager_id.as_deref(), Some("u-9"));
        assert_eq!(input.department.as_deref(), Some("Finance"));
        assert_eq!(input.job_title.as_deref(), Some("Controller"));
    }
}

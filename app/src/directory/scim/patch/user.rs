//! PATCH `/Users/{id}`: operations become [`UserChange`]s, applied in order by the caller.
//!
//! Attributes Latch does not keep (`phoneNumbers[type eq "mobile"].value`,
//! `addresses[…]`, `preferredLanguage`, enterprise `employeeNumber`, …) are ignored: Entra
//! ID's default mappings send them, and RFC 7644 §3.3 lets a provider ignore what it does
//! not store. A filter on an attribute Latch does keep must be one we understand, or the
//! operation is refused with `invalidPath`.

use scim_v2::filter::{AttrPath, PatchPath, PatchValuePath};
use serde_json::Value;

use super::{eq_string, eq_true, is_in_schema, operations, simple, single, Op, Operation};
use crate::directory::scim::user::{email_values, enterprise_attr, user_name};
use crate::directory::scim::values::{
    get_ci, lenient_bool, optional_string, reference_id, type_name,
};
use crate::directory::scim::{ScimError, ENTERPRISE_USER_SCHEMA, USER_SCHEMA};

/// One change to a stored user. `None` clears the attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    SetUserName(String),
    SetExternalId(Option<String>),
    /// Optional, unlike a group's: the caller falls back to the name parts or `userName`.
    SetDisplayName(Option<String>),
    SetGivenName(Option<String>),
    SetFamilyName(Option<String>),
    SetActive(bool),
    /// The work (or primary) e-mail address. Latch mails people at their `userName`, so the
    /// caller may ignore this; it is parsed so that a bad value is still refused.
    SetWorkEmail(Option<String>),
    SetDepartment(Option<String>),
    SetJobTitle(Option<String>),
    /// The manager's SCIM id.
    SetManager(Option<String>),
}

/// Parses a PATCH `/Users/{id}` body into the changes it asks for, in order.
pub fn parse_user_patch(body: &Value) -> Result<Vec<UserChange>, ScimError> {
    let mut changes = Vec::new();
    for operation in operations(body)? {
        apply(&operation, &mut changes).map_err(|e| e.at(operation.location()))?;
    }
    Ok(changes)
}

/// What a path (or a key of a path-less value) points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    UserName,
    ExternalId,
    DisplayName,
    /// The complex `name`: a value of `{givenName, familyName}`.
    Name,
    GivenName,
    FamilyName,
    Active,
    Title,
    /// All of `emails`, as an array.
    Emails,
    /// `emails[type eq "work"]` or `emails[primary eq true]`, or its `.value`.
    WorkEmail,
    /// The whole enterprise extension, as an object.
    Enterprise,
    Department,
    Manager,
    /// Something Latch does not store.
    Ignored,
}

impl Target {
    /// How details name the attribute.
    fn label(self) -> String {
        match self {
            Target::UserName => "userName".into(),
            Target::ExternalId => "externalId".into(),
            Target::DisplayName => "displayName".into(),
            Target::Name => "name".into(),
            Target::GivenName => "name.givenName".into(),
            Target::FamilyName => "name.familyName".into(),
            Target::Active => "active".into(),
            Target::Title => "title".into(),
            Target::Emails => "emails".into(),
            Target::WorkEmail => "emails[type eq \"work\"].value".into(),
            Target::Enterprise => ENTERPRISE_USER_SCHEMA.into(),
            Target::Department => enterprise_attr("department"),
            Target::Manager => enterprise_attr("manager"),
            Target::Ignored => "(ignored)".into(),
        }
    }
}

fn apply(operation: &Operation<'_>, changes: &mut Vec<UserChange>) -> Result<(), ScimError> {
    let value = operation.value.unwrap_or(&Value::Null);
    match &operation.path {
        Some(path) => set(resolve(path)?, operation.op, value, changes),
        None => {
            let Value::Object(attributes) = value else {
                return Err(ScimError::invalid_value(format!(
                    "value must be an object of attributes when path is omitted, got {}",
                    type_name(value)
                )));
            };
            // Keys are attribute paths: `active`, `name.givenName`, full URN paths, even
            // `emails[type eq "work"].value` (Entra ID). Keys that are not paths are
            // unknown attributes.
            for (key, value) in attributes {
                if let Ok(path) = key.parse::<PatchPath>() {
                    set(resolve(&path)?, operation.op, value, changes)?;
                }
            }
            Ok(())
        }
    }
}

fn resolve(path: &PatchPath) -> Result<Target, ScimError> {
    match path {
        PatchPath::Attr(attr) => Ok(resolve_attr(attr)),
        PatchPath::Value(value_path) => resolve_value_path(value_path),
    }
}

/// Names resolve against the core schema and, because a Latch user always carries the
/// enterprise extension, against that too (RFC 7644 §3.5.2: the resource's `schemas` apply).
fn resolve_attr(attr: &AttrPath) -> Target {
    let name = attr.name.to_ascii_lowercase();
    let sub = attr.sub_attr.as_deref().map(str::to_ascii_lowercase);
    let whole_extension = attr.uri.as_deref().is_some_and(|uri| {
        format!("{uri}:{}", attr.name).eq_ignore_ascii_case(ENTERPRISE_USER_SCHEMA)
    });
    if whole_extension && sub.is_none() {
        return Target::Enterprise;
    }
    let core = is_in_schema(attr, USER_SCHEMA);
    let enterprise = is_in_schema(attr, ENTERPRISE_USER_SCHEMA);
    match (name.as_str(), sub.as_deref()) {
        ("username", None) if core => Target::UserName,
        ("externalid", None) if core => Target::ExternalId,
        ("displayname", None) if core => Target::DisplayName,
        ("name", None) if core => Target::Name,
        ("name", Some("givenname")) if core => Target::GivenName,
        ("name", Some("familyname")) if core => Target::FamilyName,
        ("active", None) if core => Target::Active,
        ("title", None) if core => Target::Title,
        ("emails", None) if core => Target::Emails,
        ("department", None) if enterprise => Target::Department,
        ("manager", None | Some("value")) if enterprise => Target::Manager,
        _ => Target::Ignored,
    }
}

fn resolve_value_path(value_path: &PatchValuePath) -> Result<Target, ScimError> {
    let attr = &value_path.attr;
    let target = if attr.sub_attr.is_some() {
        Target::Ignored
    } else {
        resolve_attr(attr)
    };
    match target {
        Target::Ignored => Ok(Target::Ignored),
        Target::Emails => {
            let work = eq_string(&value_path.filter, "type")
                .map(|kind| kind.eq_ignore_ascii_case("work"))
                .or_else(|| eq_true(&value_path.filter, "primary").then_some(true));
            let sub = value_path.sub_attr.as_deref();
            match work {
                None => Err(ScimError::invalid_path(format!(
                    "filter {:?} on emails is not supported; use emails[type eq \"work\"]",
                    value_path.filter.to_string()
                ))),
                // Other addresses (home, other) are not stored.
                Some(false) => Ok(Target::Ignored),
                Some(true) if sub.is_none_or(|s| s.eq_ignore_ascii_case("value")) => {
                    Ok(Target::WorkEmail)
                }
                Some(true) => Ok(Target::Ignored),
            }
        }
        known => Err(ScimError::invalid_path(format!(
            "{} is not multi-valued, so \"[…]\" cannot select values of it",
            known.label()
        ))),
    }
}

fn set(
    target: Target,
    op: Op,
    value: &Value,
    changes: &mut Vec<UserChange>,
) -> Result<(), ScimError> {
    use UserChange::*;
    let label = target.label();
    if op == Op::Remove {
        match target {
            Target::UserName | Target::Active => {
                return Err(ScimError::mutability(format!(
                    "{label} is required and cannot be removed"
                )))
            }
            Target::ExternalId => changes.push(SetExternalId(None)),
            Target::DisplayName => changes.push(SetDisplayName(None)),
            Target::Name => changes.extend([SetGivenName(None), SetFamilyName(None)]),
            Target::GivenName => changes.push(SetGivenName(None)),
            Target::FamilyName => changes.push(SetFamilyName(None)),
            Target::Title => changes.push(SetJobTitle(None)),
            Target::Emails | Target::WorkEmail => changes.push(SetWorkEmail(None)),
            Target::Enterprise => changes.extend([SetDepartment(None), SetManager(None)]),
            Target::Department => changes.push(SetDepartment(None)),
            Target::Manager => changes.push(SetManager(None)),
            Target::Ignored => {}
        }
        return Ok(());
    }
    let text = |value: &Value| optional_string(Some(simple(value, &label)?), &label);
    match target {
        Target::UserName => changes.push(SetUserName(user_name(Some(simple(value, &label)?))?)),
        Target::ExternalId => changes.push(SetExternalId(text(value)?)),
        Target::DisplayName => changes.push(SetDisplayName(text(value)?)),
        Target::GivenName => changes.push(SetGivenName(text(value)?)),
        Target::FamilyName => changes.push(SetFamilyName(text(value)?)),
        Target::Title => changes.push(SetJobTitle(text(value)?)),
        Target::Department => changes.push(SetDepartment(text(value)?)),
        Target::WorkEmail => changes.push(SetWorkEmail(text(value)?)),
        Target::Active => changes.push(SetActive(lenient_bool(simple(value, &label)?, &label)?)),
        Target::Manager => changes.push(SetManager(reference_id(single(value, &label)?, &label)?)),
        Target::Emails => {
            let items = match value {
                Value::Array(items) => items.as_slice(),
                Value::Null => &[],
                // One address given on its own, as Okta does for `add`.
                other => std::slice::from_ref(other),
            };
            let first = email_values(items)?.into_iter().next();
            // Adding no address changes nothing; replacing with none clears it.
            if first.is_some() || op == Op::Replace {
                changes.push(SetWorkEmail(first));
            }
        }
        Target::Name => {
            for (sub, sub_target) in [
                ("givenName", Target::GivenName),
                ("familyName", Target::FamilyName),
            ] {
                if let Some(sub_value) = sub_attribute(value, &label, sub)? {
                    set(sub_target, op, sub_value, changes)?;
                }
            }
        }
        Target::Enterprise => {
            for (sub, sub_target) in [
                ("department", Target::Department),
                ("manager", Target::Manager),
            ] {
                if let Some(sub_value) = sub_attribute(value, &label, sub)? {
                    set(sub_target, op, sub_value, changes)?;
                }
            }
        }
        Target::Ignored => {}
    }
    Ok(())
}

/// `sub` of a complex value; RFC 7644 §3.5.2.3 leaves sub-attributes that are not given
/// unchanged, so an absent one is `None`.
fn sub_attribute<'a>(
    value: &'a Value,
    label: &str,
    sub: &str,
) -> Result<Option<&'a Value>, ScimError> {
    match single(value, label)? {
        Value::Object(object) => Ok(get_ci(object, sub)),
        Value::Null => Ok(None),
        other => Err(ScimError::invalid_value(format!(
            "{label} must be an object, got {}",
            type_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::directory::scim::ScimType;
    use UserChange::*;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn patch(operations: Value) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations
        })
    }

    fn parse(operations: Value) -> Result<Vec<UserChange>, ScimError> {
        parse_user_patch(&patch(operations))
    }

    #[test]
    fn entra_deactivation_with_capitalized_replace_and_string_false() {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
        });
        assert_eq!(parse_user_patch(&body).unwrap(), [SetActive(false)]);
    }

    #[test]
    fn path_less_replace_with_dotted_and_urn_keys() {
        let changes = parse(json!([{
            "op": "Replace",
            "value": {
                "active": false,
                "displayName": "x",
                "name.givenName": "y",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "z",
                "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:MANAGER": {"value": "m-1"},
                "emails[type eq \"work\"].value": "x@contoso.com",
                "phoneNumbers[type eq \"mobile\"].value": "+1 555",
                "not a path": 1
            }
        }]))
        .unwrap();
        // Keys of one value are distinct attributes, so their order does not matter.
        let expected = [
            SetActive(false),
            SetDisplayName(Some("x".into())),
            SetGivenName(Some("y".into())),
            SetDepartment(Some("z".into())),
            SetManager(Some("m-1".into())),
            SetWorkEmail(Some("x@contoso.com".into())),
        ];
        assert_eq!(changes.len(), expected.len(), "{changes:?}");
        for change in expected {
            assert!(
                changes.contains(&change),
                "{change:?} missing from {changes:?}"
            );
        }
    }

    #[test]
    fn each_supported_path() {
        let cases: Vec<(Value, Vec<UserChange>)> = vec![
            (
                json!({"op": "replace", "path": "userName", "value": "new@contoso.com"}),
                vec![SetUserName("new@contoso.com".into())],
            ),
            (
                json!({"op": "Replace", "path": "displayName", "value": "Alice J"}),
                vec![SetDisplayName(Some("Alice J".into()))],
            ),
            (
                json!({"op": "Add", "path": "externalId", "value": "e-1"}),
                vec![SetExternalId(Some("e-1".into()))],
            ),
            (
                json!({"op": "Add", "path": "name.givenName", "value": "Alice"}),
                vec![SetGivenName(Some("Alice".into()))],
            ),
            (
                json!({"op": "Replace", "path": "name.familyName", "value": "Jones"}),
                vec![SetFamilyName(Some("Jones".into()))],
            ),
            (
                json!({"op": "Replace", "path": "title", "value": "CFO"}),
                vec![SetJobTitle(Some("CFO".into()))],
            ),
            (
                json!({"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "a@contoso.com"}),
                vec![SetWorkEmail(Some("a@contoso.com".into()))],
            ),
            (
                json!({"op": "Replace", "path": "emails[primary eq true].value", "value": "p@contoso.com"}),
                vec![SetWorkEmail(Some("p@contoso.com".into()))],
            ),
            (
                json!({"op": "Add", "path": "emails[type eq \"work\"]", "value": [{"value": "w@contoso.com", "type": "work"}]}),
                vec![SetWorkEmail(Some("w@contoso.com".into()))],
            ),
            (
                json!({"op": "Replace", "path": "emails[type eq \"home\"].value", "value": "h@home.example"}),
                vec![],
            ),
            (
                json!({"op": "Replace", "path": "emails", "value": [{"value": "o@x.y"}, {"value": "p@x.y", "primary": true}]}),
                vec![SetWorkEmail(Some("p@x.y".into()))],
            ),
            (
                json!({"op": "Add", "path": "emails", "value": {"value": "o@x.y", "type": "work"}}),
                vec![SetWorkEmail(Some("o@x.y".into()))],
            ),
            (json!({"op": "Add", "path": "emails", "value": []}), vec![]),
            (
                json!({"op": "Replace", "path": "emails", "value": []}),
                vec![SetWorkEmail(None)],
            ),
            (
                json!({"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales"}),
                vec![SetDepartment(Some("Sales".into()))],
            ),
            (
                json!({"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": {"value": "m-2"}}),
                vec![SetManager(Some("m-2".into()))],
            ),
            (
                json!({"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "m-3"}),
                vec![SetManager(Some("m-3".into()))],
            ),
            (
                json!({"op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": null}),
                vec![SetManager(None)],
            ),
            (
                json!({"op": "Replace", "path": format!("{ENTERPRISE}:manager.value"), "value": "m-4"}),
                vec![SetManager(Some("m-4".into()))],
            ),
            (
                json!({"op": "Remove", "path": format!("{ENTERPRISE}:manager")}),
                vec![SetManager(None)],
            ),
            (
                json!({"op": "Replace", "path": "department", "value": "Ops"}),
                vec![SetDepartment(Some("Ops".into()))],
            ),
            (
                json!({"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "VP"}),
                vec![SetJobTitle(Some("VP".into()))],
            ),
            (
                json!({"op": "Replace", "path": "name", "value": {"givenName": "A", "familyName": "B", "formatted": "A B"}}),
                vec![
                    SetGivenName(Some("A".into())),
                    SetFamilyName(Some("B".into())),
                ],
            ),
            (
                json!({"op": "Replace", "path": "name", "value": {"familyName": "B"}}),
                vec![SetFamilyName(Some("B".into()))],
            ),
            (
                json!({"op": "Replace", "path": ENTERPRISE, "value": {"department": "D", "employeeNumber": "7"}}),
                vec![SetDepartment(Some("D".into()))],
            ),
            (
                json!({"op": "Replace", "value": {ENTERPRISE: {"manager": {"value": "m-5"}}, "name": {"givenName": "G"}}}),
                vec![
                    SetGivenName(Some("G".into())),
                    SetManager(Some("m-5".into())),
                ],
            ),
            (
                json!({"op": "Remove", "path": "title"}),
                vec![SetJobTitle(None)],
            ),
            (
                json!({"op": "Remove", "path": "name"}),
                vec![SetGivenName(None), SetFamilyName(None)],
            ),
            (
                json!({"op": "Remove", "path": "externalId"}),
                vec![SetExternalId(None)],
            ),
            (
                json!({"op": "Remove", "path": "displayName"}),
                vec![SetDisplayName(None)],
            ),
            (
                json!({"op": "Remove", "path": "emails[type eq \"work\"]"}),
                vec![SetWorkEmail(None)],
            ),
            (
                json!({"op": "Replace", "path": "title", "value": ""}),
                vec![SetJobTitle(None)],
            ),
        ];
        for (operation, expected) in cases {
            let changes = parse(json!([operation])).unwrap_or_else(|e| panic!("{operation}: {e}"));
            assert_eq!(changes, expected, "{operation}");
        }
    }

    #[test]
    fn entra_one_element_arrays_and_string_booleans() {
        let cases: Vec<(Value, UserChange)> = vec![
            (
                json!({"op": "Replace", "path": "displayName", "value": [{"value": "Alice"}]}),
                SetDisplayName(Some("Alice".into())),
            ),
            (
                json!({"op": "Replace", "path": "active", "value": [{"value": "True"}]}),
                SetActive(true),
            ),
            (
                json!({"op": "Replace", "path": "active", "value": "TRUE"}),
                SetActive(true),
            ),
            (
                json!({"op": "Replace", "path": "active", "value": true}),
                SetActive(true),
            ),
            (
                json!({"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": [{"value": "m-1"}]}),
                SetManager(Some("m-1".into())),
            ),
            (
                json!({"op": "Replace", "path": "userName", "value": ["u@contoso.com"]}),
                SetUserName("u@contoso.com".into()),
            ),
        ];
        for (operation, expected) in cases {
            assert_eq!(
                parse(json!([operation])).unwrap(),
                [expected],
                "{operation}"
            );
        }
    }

    #[test]
    fn okta_shapes() {
        // Okta deactivates and updates profiles with path-less replaces.
        let changes = parse(json!([
            {"op": "replace", "value": {"active": false}},
            {"op": "replace", "value": {"name": {"givenName": "Test", "familyName": "User"}, "id": "u-1"}}
        ]))
        .unwrap();
        assert_eq!(
            changes,
            [
                SetActive(false),
                SetGivenName(Some("Test".into())),
                SetFamilyName(Some("User".into()))
            ]
        );
    }

    #[test]
    fn unknown_attributes_are_ignored() {
        let changes = parse(json!([
            {"op": "Add", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555 0100"},
            {"op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "Paris"},
            {"op": "Add", "path": "preferredLanguage", "value": "en-US"},
            {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "42"},
            {"op": "Remove", "path": "urn:example:custom:2.0:User:costCenter"},
            {"op": "Replace", "path": "name.formatted", "value": "A B"},
            {"op": "Replace", "path": "id", "value": "other"}
        ]))
        .unwrap();
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn refusals_name_the_operation_and_attribute() {
        let cases: Vec<(Value, ScimType, &str)> = vec![
            (json!([{"op": "Remove", "path": "userName"}]), ScimType::Mutability, "Operations[0]: userName is required and cannot be removed"),
            (json!([{"op": "Remove", "path": "active"}]), ScimType::Mutability, "Operations[0]: active is required and cannot be removed"),
            (json!([{"op": "Replace", "path": "active", "value": "yes"}]), ScimType::InvalidValue, "Operations[0]: active must be a boolean or \"True\"/\"False\", got \"yes\""),
            (json!([{"op": "Replace", "path": "active", "value": null}]), ScimType::InvalidValue, "Operations[0]: active must be a boolean or \"True\"/\"False\", got null"),
            (json!([{"op": "Replace", "path": "title", "value": "ok"}, {"op": "Replace", "path": "userName", "value": "nobody"}]), ScimType::InvalidValue, "Operations[1]: userName must be an e-mail address or UPN"),
            (json!([{"op": "Replace", "path": "userName", "value": null}]), ScimType::InvalidValue, "Operations[0]: userName is required and must be a non-empty string"),
            (json!([{"op": "Replace", "path": "displayName", "value": 5}]), ScimType::InvalidValue, "Operations[0]: displayName must be a string, got a number"),
            (json!([{"op": "Replace", "path": "displayName", "value": ["a", "b"]}]), ScimType::InvalidValue, "Operations[0]: displayName takes a single value, got an array of 2"),
            (json!([{"op": "Replace", "path": "title", "value": "x".repeat(257)}]), ScimType::InvalidValue, "Operations[0]: title must be at most 256 characters"),
            (json!([{"op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": 7}]), ScimType::InvalidValue, "Operations[0]: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager must be an object with a \"value\" id or a string"),
            (json!([{"op": "Replace", "value": {"active": "nope"}}]), ScimType::InvalidValue, "Operations[0]: active must be a boolean"),
            (json!([{"op": "Replace", "value": {"name.givenName": 1}}]), ScimType::InvalidValue, "Operations[0]: name.givenName must be a string, got a number"),
            (json!([{"op": "Replace", "value": "x"}]), ScimType::InvalidValue, "Operations[0]: value must be an object of attributes when path is omitted, got a string"),
            (json!([{"op": "Replace", "path": "name", "value": "Alice"}]), ScimType::InvalidValue, "Operations[0]: name must be an object, got a string"),
            (json!([{"op": "Replace", "path": "emails", "value": "a@b.c"}]), ScimType::InvalidValue, "Operations[0]: emails[0] must be an object, got a string"),
            (json!([{"op": "Replace", "path": "emails[value co \"@\"].value", "value": "a@b.c"}]), ScimType::InvalidPath, "Operations[0]: filter \"value co \\\"@\\\"\" on emails is not supported"),
            (json!([{"op": "Replace", "path": "title[value eq \"x\"]", "value": "y"}]), ScimType::InvalidPath, "Operations[0]: title is not multi-valued"),
            (json!([{"op": "Replace", "path": "userName[value eq \"x\"]", "value": "y"}]), ScimType::InvalidPath, "Operations[0]: userName is not multi-valued"),
            (json!([{"op": "Remove", "path": "members[value eq"}]), ScimType::InvalidPath, "Operations[0]: path \"members[value eq\" is not a valid path"),
            (json!([{"op": "Remove"}]), ScimType::NoTarget, "Operations[0]: remove requires a path"),
        ];
        for (operations, scim_type, detail) in cases {
            let error = parse(operations.clone()).expect_err(&operations.to_string());
            assert_eq!(error.status, 400);
            assert_eq!(
                error.scim_type,
                Some(scim_type),
                "{operations}: {}",
                error.detail
            );
            assert!(
                error.detail.starts_with(detail),
                "{operations}: {}",
                error.detail
            );
        }
    }

    #[test]
    fn a_later_error_refuses_the_whole_patch() {
        let error = parse(json!([
            {"op": "Replace", "path": "title", "value": "CFO"},
            {"op": "Remove", "path": "userName"}
        ]))
        .unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::Mutability));
        assert!(error.detail.starts_with("Operations[1]:"));
    }
}

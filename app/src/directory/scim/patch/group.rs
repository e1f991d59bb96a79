//! PATCH `/Groups/{id}`: operations become [`GroupChange`]s, applied in order by the caller.
//!
//! Membership is how IdPs keep groups in step, and each sends it differently: Entra ID
//! removes with `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`, Okta with
//! `{"op":"remove","path":"members[value eq \"<id>\"]"}`, and both add with
//! `{"op":"add","path":"members","value":[…]}`. All of these are accepted.

use scim_v2::filter::{AttrPath, PatchPath, PatchValuePath, ValFilter};
use serde_json::Value;

use super::{eq_string, is_in_schema, operations, simple, Op, Operation};
use crate::directory::scim::values::{member_ids, optional_string, required_string, type_name};
use crate::directory::scim::{ScimError, GROUP_SCHEMA};

/// One change to a stored group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    SetDisplayName(String),
    SetExternalId(Option<String>),
    /// Add these users; ones already members are not an error (RFC 7644 §3.5.2.1).
    AddMembers(Vec<String>),
    /// Remove these users; ones that are not members are not an error (§3.5.2.2).
    RemoveMembers(Vec<String>),
    ReplaceMembers(Vec<String>),
    RemoveAllMembers,
}

/// Parses a PATCH `/Groups/{id}` body into the changes it asks for, in order.
pub fn parse_group_patch(body: &Value) -> Result<Vec<GroupChange>, ScimError> {
    let mut changes = Vec::new();
    for operation in operations(body)? {
        apply(&operation, &mut changes).map_err(|e| e.at(operation.location()))?;
    }
    Ok(changes)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    DisplayName,
    ExternalId,
    Members,
    /// `members[value eq "a" or value eq "b"]`: the ids the filter selects.
    MembersMatching(Vec<String>),
    Ignored,
}

fn apply(operation: &Operation<'_>, changes: &mut Vec<GroupChange>) -> Result<(), ScimError> {
    match &operation.path {
        Some(path) => set(resolve(path)?, operation.op, operation.value, changes),
        None => {
            let value = operation.value.unwrap_or(&Value::Null);
            let Value::Object(attributes) = value else {
                return Err(ScimError::invalid_value(format!(
                    "value must be an object of attributes when path is omitted, got {}",
                    type_name(value)
                )));
            };
            // Okta renames with `{"id": …, "displayName": …}`: `id` is read-only and, like
            // any attribute we do not keep, ignored.
            for (key, value) in attributes {
                if let Ok(path) = key.parse::<PatchPath>() {
                    set(resolve(&path)?, operation.op, Some(value), changes)?;
                }
            }
            Ok(())
        }
    }
}

fn resolve(path: &PatchPath) -> Result<Target, ScimError> {
    match path {
        PatchPath::Attr(attr) => resolve_attr(attr),
        PatchPath::Value(value_path) => resolve_value_path(value_path),
    }
}

fn resolve_attr(attr: &AttrPath) -> Result<Target, ScimError> {
    if !is_in_schema(attr, GROUP_SCHEMA) {
        return Ok(Target::Ignored);
    }
    let target = match attr.name.to_ascii_lowercase().as_str() {
        "displayname" => Target::DisplayName,
        "externalid" => Target::ExternalId,
        "members" => Target::Members,
        _ => return Ok(Target::Ignored),
    };
    match &attr.sub_attr {
        None => Ok(target),
        Some(_) => Err(ScimError::invalid_path(format!(
            "path {:?} is not supported; use members or members[value eq \"<id>\"]",
            attr.to_string()
        ))),
    }
}

fn resolve_value_path(value_path: &PatchValuePath) -> Result<Target, ScimError> {
    match resolve_attr(&value_path.attr)? {
        Target::Ignored => Ok(Target::Ignored),
        Target::Members => match (member_filter_ids(&value_path.filter), &value_path.sub_attr) {
            (Some(ids), None) => Ok(Target::MembersMatching(ids)),
            _ => Err(ScimError::invalid_path(format!(
                "path {:?} is not supported; members can be selected only by \
                 value eq \"<id>\" (optionally joined with or)",
                value_path.to_string()
            ))),
        },
        _ => Err(ScimError::invalid_path(format!(
            "{} is not multi-valued, so \"[…]\" cannot select values of it",
            value_path.attr
        ))),
    }
}

/// The ids of `value eq "a"` or `value eq "a" or value eq "b" …`.
fn member_filter_ids(filter: &ValFilter) -> Option<Vec<String>> {
    match filter {
        ValFilter::Or(items) => items
            .iter()
            .map(|item| eq_string(item, "value").map(str::to_owned))
            .collect(),
        single => eq_string(single, "value").map(|id| vec![id.to_owned()]),
    }
}

fn set(
    target: Target,
    op: Op,
    value: Option<&Value>,
    changes: &mut Vec<GroupChange>,
) -> Result<(), ScimError> {
    use GroupChange::*;
    let value_or_null = value.unwrap_or(&Value::Null);
    match (target, op) {
        (Target::Ignored, _) => {}
        (Target::DisplayName, Op::Remove) => {
            return Err(ScimError::mutability(
                "displayName is required and cannot be removed",
            ))
        }
        (Target::DisplayName, _) => changes.push(SetDisplayName(required_string(
            Some(simple(value_or_null, "displayName")?),
            "displayName",
        )?)),
        (Target::ExternalId, Op::Remove) => changes.push(SetExternalId(None)),
        (Target::ExternalId, _) => changes.push(SetExternalId(optional_string(
            Some(simple(value_or_null, "externalId")?),
            "externalId",
        )?)),
        (Target::Members, Op::Add) => {
            let ids = member_ids(value_or_null, "members")?;
            if !ids.is_empty() {
                changes.push(AddMembers(ids));
            }
        }
        (Target::Members, Op::Replace) => {
            changes.push(ReplaceMembers(member_ids(value_or_null, "members")?))
        }
        // Entra ID names the members to remove in `value`; without one, RFC 7644 §3.5.2.2
        // removes them all.
        (Target::Members, Op::Remove) => match value {
            None | Some(Value::Null) => changes.push(RemoveAllMembers),
            Some(value) => {
                let ids = member_ids(value, "members")?;
                if !ids.is_empty() {
                    changes.push(RemoveMembers(ids));
                }
            }
        },
        (Target::MembersMatching(ids), Op::Remove) => changes.push(RemoveMembers(ids)),
        (Target::MembersMatching(_), _) => {
            return Err(ScimError::invalid_path(
                "members[value eq \"<id>\"] can only be used with remove; add or replace members \
                 with path \"members\"",
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::directory::scim::ScimType;
    use GroupChange::*;

    fn parse(operations: Value) -> Result<Vec<GroupChange>, ScimError> {
        parse_group_patch(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations
        }))
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn idp_membership_shapes() {
        let cases: Vec<(Value, Vec<GroupChange>)> = vec![
            // Entra ID adds and removes with path "members" and a list of values.
            (
                json!({"op": "Add", "path": "members", "value": [{"value": "u-1"}, {"value": "u-2"}]}),
                vec![AddMembers(ids(&["u-1", "u-2"]))],
            ),
            (
                json!({"op": "Remove", "path": "members", "value": [{"value": "u-1"}]}),
                vec![RemoveMembers(ids(&["u-1"]))],
            ),
            // Okta removes by value filter and adds with display names.
            (
                json!({"op": "remove", "path": "members[value eq \"u-3\"]"}),
                vec![RemoveMembers(ids(&["u-3"]))],
            ),
            (
                json!({"op": "add", "path": "members", "value": [{"value": "u-4", "display": "d@x.y"}]}),
                vec![AddMembers(ids(&["u-4"]))],
            ),
            (
                json!({"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"}),
                vec![RemoveMembers(ids(&["a", "b"]))],
            ),
            (
                json!({"op": "Remove", "path": "urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq \"u-5\"]"}),
                vec![RemoveMembers(ids(&["u-5"]))],
            ),
            (
                json!({"op": "Replace", "path": "members", "value": [{"value": "u-6"}]}),
                vec![ReplaceMembers(ids(&["u-6"]))],
            ),
            (
                json!({"op": "Replace", "path": "members", "value": []}),
                vec![ReplaceMembers(vec![])],
            ),
            (
                json!({"op": "Remove", "path": "members"}),
                vec![RemoveAllMembers],
            ),
            (
                json!({"op": "Remove", "path": "members", "value": null}),
                vec![RemoveAllMembers],
            ),
            (
                json!({"op": "Remove", "path": "members", "value": []}),
                vec![],
            ),
            (json!({"op": "Add", "path": "members", "value": []}), vec![]),
            // Path-less add and replace.
            (
                json!({"op": "Add", "value": {"members": [{"value": "u-7"}]}}),
                vec![AddMembers(ids(&["u-7"]))],
            ),
            (
                json!({"op": "Replace", "value": {"members": [{"value": "u-8"}]}}),
                vec![ReplaceMembers(ids(&["u-8"]))],
            ),
            // Renames: Entra ID with a path, Okta path-less with the read-only id.
            (
                json!({"op": "Replace", "path": "displayName", "value": "Finance EU"}),
                vec![SetDisplayName("Finance EU".into())],
            ),
            (
                json!({"op": "replace", "value": {"id": "g-1", "displayName": "Finance US"}}),
                vec![SetDisplayName("Finance US".into())],
            ),
            (
                json!({"op": "Replace", "path": "displayName", "value": [{"value": "Wrapped"}]}),
                vec![SetDisplayName("Wrapped".into())],
            ),
            (
                json!({"op": "Replace", "path": "externalId", "value": "e-1"}),
                vec![SetExternalId(Some("e-1".into()))],
            ),
            (
                json!({"op": "Remove", "path": "externalId"}),
                vec![SetExternalId(None)],
            ),
            (
                json!({"op": "Replace", "path": "description", "value": "ignored"}),
                vec![],
            ),
            (
                json!({"op": "Add", "path": "owners[value eq \"x\"]", "value": "ignored"}),
                vec![],
            ),
        ];
        for (operation, expected) in cases {
            let changes = parse(json!([operation])).unwrap_or_else(|e| panic!("{operation}: {e}"));
            assert_eq!(changes, expected, "{operation}");
        }
    }

    #[test]
    fn operations_keep_their_order() {
        let changes = parse(json!([
            {"op": "Remove", "path": "members"},
            {"op": "Add", "path": "members", "value": [{"value": "u-1"}]},
            {"op": "Replace", "path": "displayName", "value": "G"}
        ]))
        .unwrap();
        assert_eq!(
            changes,
            [
                RemoveAllMembers,
                AddMembers(ids(&["u-1"])),
                SetDisplayName("G".into())
            ]
        );
    }

    #[test]
    fn refusals_name_the_operation_and_attribute() {
        let cases: Vec<(Value, ScimType, &str)> = vec![
            (json!([{"op": "Remove", "path": "displayName"}]), ScimType::Mutability, "Operations[0]: displayName is required and cannot be removed"),
            (json!([{"op": "Replace", "path": "displayName", "value": ""}]), ScimType::InvalidValue, "Operations[0]: displayName is required and must be a non-empty string"),
            (json!([{"op": "Replace", "path": "displayName", "value": null}]), ScimType::InvalidValue, "Operations[0]: displayName is required"),
            (json!([{"op": "Replace", "path": "externalId", "value": 1}]), ScimType::InvalidValue, "Operations[0]: externalId must be a string, got a number"),
            (json!([{"op": "Add", "path": "members", "value": "u-1"}]), ScimType::InvalidValue, "Operations[0]: members must be an array of {\"value\": id} objects, got a string"),
            (json!([{"op": "Add", "path": "members", "value": [{"value": "u-1"}, {"value": 2}]}]), ScimType::InvalidValue, "Operations[0]: members[1].value is required and must be a non-empty string"),
            (json!([{"op": "Add", "path": "members", "value": [{"value": "u-1"}]}, {"op": "Remove", "path": "members[value eq"}]), ScimType::InvalidPath, "Operations[1]: path \"members[value eq\" is not a valid path"),
            (json!([{"op": "Remove", "path": "members[display eq \"Alice\"]"}]), ScimType::InvalidPath, "Operations[0]: path \"members[display eq \\\"Alice\\\"]\" is not supported"),
            (json!([{"op": "Remove", "path": "members[value eq \"a\" and value eq \"b\"]"}]), ScimType::InvalidPath, "Operations[0]: path \"members[value eq"),
            (json!([{"op": "Remove", "path": "members[value eq \"a\"].display"}]), ScimType::InvalidPath, "Operations[0]: path \"members[value eq \\\"a\\\"].display\" is not supported"),
            (json!([{"op": "Remove", "path": "members.value"}]), ScimType::InvalidPath, "Operations[0]: path \"members.value\" is not supported"),
            (json!([{"op": "Add", "path": "members[value eq \"a\"]", "value": {"value": "a"}}]), ScimType::InvalidPath, "Operations[0]: members[value eq \"<id>\"] can only be used with remove"),
            (json!([{"op": "Replace", "path": "displayName[value eq \"a\"]", "value": "b"}]), ScimType::InvalidPath, "Operations[0]: displayName is not multi-valued"),
            (json!([{"op": "Replace", "value": ["displayName"]}]), ScimType::InvalidValue, "Operations[0]: value must be an object of attributes when path is omitted, got an array"),
            (json!([{"op": "Replace", "value": {"members": "u-1"}}]), ScimType::InvalidValue, "Operations[0]: members must be an array"),
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
}

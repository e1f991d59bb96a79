//! PATCH bodies (RFC 7644 §3.5.2): the `PatchOp` envelope and what every operation shares.
//! [`user`] and [`group`] turn operations into the changes the store applies, in order.
//!
//! Real provisioning services bend the RFC, and refusing what they send stops provisioning
//! for a whole tenant, so the envelope accepts: `op` in any case (Entra ID sends `Replace`),
//! a missing `schemas` member, and single values wrapped as `[{"value": …}]`.
//! Paths are parsed with `scim_v2`'s RFC grammar.

pub mod group;
pub mod user;

pub use group::{parse_group_patch, GroupChange};
pub use user::{parse_user_patch, UserChange};

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::Value;

use super::values::{get_ci, type_name};
use super::{ScimError, PATCH_OP_SCHEMA};

/// One of the three RFC operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// One entry of `Operations`, checked for shape but not yet for meaning.
#[derive(Debug)]
struct Operation<'a> {
    index: usize,
    op: Op,
    path: Option<PatchPath>,
    /// `None` when the member is absent; `Some(Null)` when the client sent `null`.
    value: Option<&'a Value>,
}

impl Operation<'_> {
    /// Where an error happened, for details: `Operations[2]`.
    fn location(&self) -> String {
        format!("Operations[{}]", self.index)
    }
}

/// Checks the envelope and every operation's `op`, `path` and `value` members.
fn operations(body: &Value) -> Result<Vec<Operation<'_>>, ScimError> {
    let Value::Object(patch) = body else {
        return Err(ScimError::invalid_syntax(format!(
            "a PatchOp body must be a JSON object, got {}",
            type_name(body)
        )));
    };
    // Absent `schemas` is tolerated; a present one that names something else is a client
    // sending the wrong message to this endpoint.
    if let Some(schemas) = get_ci(patch, "schemas") {
        let names_patch_op = schemas.as_array().is_some_and(|schemas| {
            schemas.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
            })
        });
        if !names_patch_op {
            return Err(ScimError::invalid_syntax(format!(
                "schemas must be an array containing \"{PATCH_OP_SCHEMA}\""
            )));
        }
    }
    let Some(Value::Array(items)) = get_ci(patch, "Operations") else {
        return Err(ScimError::invalid_syntax(
            "Operations is required and must be an array",
        ));
    };
    if items.is_empty() {
        return Err(ScimError::invalid_syntax(
            "Operations must contain at least one operation",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            operation(index, item).map_err(|e| e.at(format!("Operations[{index}]")))
        })
        .collect()
}

fn operation(index: usize, item: &Value) -> Result<Operation<'_>, ScimError> {
    let Value::Object(item) = item else {
        return Err(ScimError::invalid_syntax(format!(
            "an operation must be a JSON object, got {}",
            type_name(item)
        )));
    };
    let op = match get_ci(item, "op").and_then(Value::as_str) {
        Some(op) if op.eq_ignore_ascii_case("add") => Op::Add,
        Some(op) if op.eq_ignore_ascii_case("remove") => Op::Remove,
        Some(op) if op.eq_ignore_ascii_case("replace") => Op::Replace,
        _ => {
            return Err(ScimError::invalid_syntax(
                "op is required and must be \"add\", \"remove\" or \"replace\"",
            ))
        }
    };
    let path = match get_ci(item, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) if raw.trim().is_empty() => None,
        Some(Value::String(raw)) => Some(raw.parse::<PatchPath>().map_err(|_| {
            ScimError::invalid_path(format!("path {:?} is not a valid path", shorten(raw)))
        })?),
        Some(other) => {
            return Err(ScimError::invalid_path(format!(
                "path must be a string, got {}",
                type_name(other)
            )))
        }
    };
    let value = get_ci(item, "value");
    match (op, &path, value) {
        (Op::Remove, None, _) => Err(ScimError::no_target(
            "remove requires a path naming what to remove",
        )),
        (Op::Add | Op::Replace, _, None) => Err(ScimError::invalid_syntax(format!(
            "{} requires a value",
            if op == Op::Add { "add" } else { "replace" }
        ))),
        _ => Ok(Operation {
            index,
            op,
            path,
            value,
        }),
    }
}

/// Echoes at most 100 characters of a client's path into a detail.
fn shorten(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

static NULL: Value = Value::Null;

/// The value for a single-valued attribute. Entra ID wraps it as `[{"value": x}]`; an empty
/// array clears it.
fn single<'a>(value: &'a Value, attr: &str) -> Result<&'a Value, ScimError> {
    match value {
        Value::Array(items) => match items.as_slice() {
            [] => Ok(&NULL),
            [one] => Ok(one),
            more => Err(ScimError::invalid_value(format!(
                "{attr} takes a single value, got an array of {}",
                more.len()
            ))),
        },
        other => Ok(other),
    }
}

/// The value for a simple (string or boolean) attribute: [`single`], then
/// `{"value": x, …}` unwrapped to `x`. Any other object is refused: read as "no value", a
/// stray object would clear the attribute.
fn simple<'a>(value: &'a Value, attr: &str) -> Result<&'a Value, ScimError> {
    let value = single(value, attr)?;
    match value {
        Value::Object(object) => get_ci(object, "value").ok_or_else(|| {
            ScimError::invalid_value(format!(
                "{attr} must be a single value or {{\"value\": …}}, got an object without \"value\""
            ))
        }),
        other => Ok(other),
    }
}

/// Whether `path` has no schema URI (the resource's own schemas apply) or names `schema`.
fn is_in_schema(path: &AttrPath, schema: &str) -> bool {
    path.uri
        .as_deref()
        .is_none_or(|uri| uri.eq_ignore_ascii_case(schema))
}

/// `ATTR eq "x"` on the sub-attribute `attr`, giving `x`.
fn eq_string<'a>(filter: &'a ValFilter, attr: &str) -> Option<&'a str> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(value)))
            if path.uri.is_none()
                && path.sub_attr.is_none()
                && path.name.eq_ignore_ascii_case(attr) =>
        {
            Some(value)
        }
        _ => None,
    }
}

/// `ATTR eq true`.
fn eq_true(filter: &ValFilter, attr: &str) -> bool {
    matches!(
        filter,
        ValFilter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::True))
            if path.uri.is_none() && path.sub_attr.is_none() && path.name.eq_ignore_ascii_case(attr)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::directory::scim::ScimType;

    #[test]
    fn accepts_op_in_any_case_and_missing_schemas() {
        let body = json!({"operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"OP": "ADD", "value": {"displayName": "x"}},
            {"op": "remove", "path": "title"}
        ]});
        let ops = operations(&body).unwrap();
        let kinds: Vec<Op> = ops.iter().map(|o| o.op).collect();
        assert_eq!(kinds, [Op::Replace, Op::Add, Op::Remove]);
        assert!(ops[1].path.is_none());
        assert_eq!(ops[2].location(), "Operations[2]");
    }

    #[test]
    fn refuses_bad_envelopes_and_operations() {
        let schemas = json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]);
        let cases = [
            (json!([]), ScimType::InvalidSyntax, "a PatchOp body must be a JSON object, got an array"),
            (json!({"schemas": schemas}), ScimType::InvalidSyntax, "Operations is required and must be an array"),
            (json!({"schemas": schemas, "Operations": {}}), ScimType::InvalidSyntax, "Operations is required and must be an array"),
            (json!({"schemas": schemas, "Operations": []}), ScimType::InvalidSyntax, "Operations must contain at least one operation"),
            (
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": [{"op": "add", "value": {}}]}),
                ScimType::InvalidSyntax,
                "schemas must be an array containing \"urn:ietf:params:scim:api:messages:2.0:PatchOp\"",
            ),
            (json!({"schemas": "x", "Operations": []}), ScimType::InvalidSyntax, "schemas must be an array containing"),
            (json!({"Operations": ["add"]}), ScimType::InvalidSyntax, "Operations[0]: an operation must be a JSON object, got a string"),
            (json!({"Operations": [{"op": "move", "path": "a"}]}), ScimType::InvalidSyntax, "Operations[0]: op is required and must be \"add\", \"remove\" or \"replace\""),
            (json!({"Operations": [{"path": "a", "value": 1}]}), ScimType::InvalidSyntax, "Operations[0]: op is required"),
            (json!({"Operations": [{"op": "add", "path": "title", "value": "x"}, {"op": "replace", "path": "title"}]}), ScimType::InvalidSyntax, "Operations[1]: replace requires a value"),
            (json!({"Operations": [{"op": "add", "path": "title"}]}), ScimType::InvalidSyntax, "Operations[0]: add requires a value"),
            (json!({"Operations": [{"op": "remove"}]}), ScimType::NoTarget, "Operations[0]: remove requires a path"),
            (json!({"Operations": [{"op": "remove", "path": " "}]}), ScimType::NoTarget, "Operations[0]: remove requires a path"),
            (json!({"Operations": [{"op": "remove", "path": 3}]}), ScimType::InvalidPath, "Operations[0]: path must be a string, got a number"),
            (json!({"Operations": [{"op": "add", "path": "title", "value": 1}, {"op": "add", "value": {}}, {"op": "remove", "path": "members[value eq"}]}), ScimType::InvalidPath, "Operations[2]: path \"members[value eq\" is not a valid path"),
            (json!({"Operations": [{"op": "remove", "path": "emails[type eq \"work\"]]"}]}), ScimType::InvalidPath, "Operations[0]: path \"emails[type eq \\\"work\\\"]]\" is not a valid path"),
            (json!({"Operations": [{"op": "remove", "path": "a.b.c"}]}), ScimType::InvalidPath, "Operations[0]: path \"a.b.c\" is not a valid path"),
        ];
        for (body, scim_type, detail) in cases {
            let error = operations(&body).expect_err(&body.to_string());
            assert_eq!(error.status, 400);
            assert_eq!(error.scim_type, Some(scim_type), "{body}");
            assert!(error.detail.starts_with(detail), "{body}: {}", error.detail);
        }
    }

    #[test]
    fn single_and_simple_unwrap_entra_arrays() {
        assert_eq!(
            single(&json!([{"value": "x"}]), "a").unwrap(),
            &json!({"value": "x"})
        );
        assert_eq!(simple(&json!([{"value": "x"}]), "a").unwrap(), &json!("x"));
        assert_eq!(simple(&json!(["x"]), "a").unwrap(), &json!("x"));
        assert_eq!(simple(&json!([]), "a").unwrap(), &json!(null));
        assert_eq!(simple(&json!("x"), "a").unwrap(), &json!("x"));
        assert_eq!(
            simple(&json!(["x", "y"]), "title").unwrap_err().detail,
            "title takes a single value, got an array of 2"
        );
        // An object without "value" is extra nesting, not "no value".
        assert!(simple(&json!({"nested": "x"}), "displayName")
            .unwrap_err()
            .detail
            .starts_with("displayName must be a single value"));
    }

    #[test]
    fn filter_helpers_match_only_the_simple_forms() {
        let path: PatchPath = r#"members[VALUE eq "u-1"]"#.parse().unwrap();
        let PatchPath::Value(vp) = path else { panic!() };
        assert_eq!(eq_string(&vp.filter, "value"), Some("u-1"));
        assert_eq!(eq_string(&vp.filter, "type"), None);
        let path: PatchPath = "emails[primary eq true]".parse().unwrap();
        let PatchPath::Value(vp) = path else { panic!() };
        assert!(eq_true(&vp.filter, "primary"));
    }
}

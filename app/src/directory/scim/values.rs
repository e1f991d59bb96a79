//! Reading typed attribute values out of SCIM JSON, and the few pieces shared by rendered
//! resources. Attribute names are case-insensitive (RFC 7643 §2.1), IdPs disagree on how
//! they spell a boolean or a reference, and every refusal has to name the attribute, so
//! these small readers are shared by the User, Group and PATCH parsers.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::ScimError;

/// Longest accepted value for names, titles, departments, ids and `userName`: long enough
/// for any real directory, short enough that a hostile body cannot bloat our tables.
pub const MAX_LEN: usize = 256;

/// The value of `name` in `object`, ignoring case (RFC 7643 §2.1).
pub fn get_ci<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// A short phrase for the JSON type of `value`, for error details.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional string attribute: absent, `null` and blank all mean "no value" (IdPs send
/// `""` for an empty source field); otherwise trimmed and at most [`MAX_LEN`] characters.
pub fn optional_string(value: Option<&Value>, attr: &str) -> Result<Option<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(raw)) => {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                Ok(None)
            } else {
                check_len(trimmed, attr).map(|s| Some(s.to_owned()))
            }
        }
        Some(other) => Err(ScimError::invalid_value(format!(
            "{attr} must be a string, got {}",
            type_name(other)
        ))),
    }
}

/// A required string attribute: present, a string, not blank after trimming.
pub fn required_string(value: Option<&Value>, attr: &str) -> Result<String, ScimError> {
    match value {
        Some(Value::String(raw)) if !raw.trim().is_empty() => {
            check_len(raw.trim(), attr).map(str::to_owned)
        }
        _ => Err(ScimError::invalid_value(format!(
            "{attr} is required and must be a non-empty string"
        ))),
    }
}

fn check_len<'a>(value: &'a str, attr: &str) -> Result<&'a str, ScimError> {
    if value.chars().count() > MAX_LEN {
        return Err(ScimError::invalid_value(format!(
            "{attr} must be at most {MAX_LEN} characters"
        )));
    }
    Ok(value)
}

/// A boolean, or the strings `"True"`/`"False"` in any case: Entra ID sends strings in
/// some PATCH bodies.
pub fn lenient_bool(value: &Value, attr: &str) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        other => Err(ScimError::invalid_value(format!(
            "{attr} must be a boolean or \"True\"/\"False\", got {}",
            describe(other)
        ))),
    }
}

/// The type of `value`, and the text itself for a short string, so a mapping mistake such
/// as `"active": "yes"` is visible in the IdP's log.
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() <= 32 => format!("\"{s}\""),
        other => type_name(other).to_owned(),
    }
}

/// A reference to another resource (e.g. the enterprise `manager`): `{"value": "<id>"}`,
/// a bare id string, or `null`; a blank id also means "no reference".
pub fn reference_id(value: &Value, attr: &str) -> Result<Option<String>, ScimError> {
    match value {
        Value::Object(object) => optional_string(get_ci(object, "value"), &format!("{attr}.value")),
        Value::String(_) | Value::Null => optional_string(Some(value), attr),
        other => Err(ScimError::invalid_value(format!(
            "{attr} must be an object with a \"value\" id or a string, got {}",
            type_name(other)
        ))),
    }
}

/// Member ids from `[{"value": "<id>"}, …]` (a single object is accepted too), in order,
/// without duplicates: a repeated id must not become a repeated membership row.
pub fn member_ids(value: &Value, attr: &str) -> Result<Vec<String>, ScimError> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(value),
        Value::Null => &[],
        other => {
            return Err(ScimError::invalid_value(format!(
                "{attr} must be an array of {{\"value\": id}} objects, got {}",
                type_name(other)
            )))
        }
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(member) = item else {
            return Err(ScimError::invalid_value(format!(
                "{attr}[{i}] must be an object with a \"value\" id, got {}",
                type_name(item)
            )));
        };
        let id = required_string(get_ci(member, "value"), &format!("{attr}[{i}].value"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

pub(super) fn insert_some(object: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(value) = value {
        object.insert(key.into(), json!(value));
    }
}

/// RFC 7643 §3.1 `meta`; `version` is a weak ETag from the modification time, so it changes
/// whenever the resource does.
pub(super) fn meta(
    resource_type: &str,
    id: &str,
    base: &str,
    created: DateTime<Utc>,
    last_modified: DateTime<Utc>,
) -> Value {
    json!({
        "resourceType": resource_type,
        "created": created.to_rfc3339_opts(SecondsFormat::Millis, true),
        "lastModified": last_modified.to_rfc3339_opts(SecondsFormat::Millis, true),
        "location": format!("{base}/{resource_type}s/{id}"),
        "version": format!("W/\"{}\"", last_modified.timestamp_millis()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::directory::scim::ScimType;

    #[test]
    fn get_ci_ignores_case() {
        let object = json!({"UserName": "a@b.c"});
        let object = object.as_object().unwrap();
        assert_eq!(get_ci(object, "username"), Some(&json!("a@b.c")));
        assert_eq!(get_ci(object, "displayName"), None);
    }

    #[test]
    fn optional_string_cases() {
        let max = "x".repeat(MAX_LEN);
        let cases: Vec<(Value, Result<Option<&str>, &str>)> = vec![
            (json!(null), Ok(None)),
            (json!(""), Ok(None)),
            (json!("   "), Ok(None)),
            (json!("  Sales "), Ok(Some("Sales"))),
            (json!(max), Ok(Some(&max))),
            (
                json!(format!("{max}x")),
                Err("title must be at most 256 characters"),
            ),
            (json!(7), Err("title must be a string, got a number")),
            (json!(["a"]), Err("title must be a string, got an array")),
        ];
        for (input, expected) in cases {
            let got = optional_string(Some(&input), "title");
            match expected {
                Ok(value) => assert_eq!(got.unwrap().as_deref(), value, "{input}"),
                Err(detail) => {
                    let error = got.unwrap_err();
                    assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
                    assert_eq!(error.detail, detail);
                }
            }
        }
        assert_eq!(optional_string(None, "title").unwrap(), None);
    }

    #[test]
    fn required_string_refuses_missing_blank_and_non_strings() {
        for input in [None, Some(json!(null)), Some(json!(" ")), Some(json!(1))] {
            let error = required_string(input.as_ref(), "displayName").unwrap_err();
            assert_eq!(
                error.detail,
                "displayName is required and must be a non-empty string"
            );
        }
        assert_eq!(
            required_string(Some(&json!(" Ops ")), "displayName").unwrap(),
            "Ops"
        );
    }

    #[test]
    fn lenient_bool_accepts_entra_strings() {
        let cases = [
            (json!(true), Some(true)),
            (json!(false), Some(false)),
            (json!("True"), Some(true)),
            (json!("FALSE"), Some(false)),
            (json!("false"), Some(false)),
            (json!("yes"), None),
            (json!(0), None),
            (json!(null), None),
        ];
        for (input, expected) in cases {
            let got = lenient_bool(&input, "active");
            match expected {
                Some(b) => assert_eq!(got.unwrap(), b, "{input}"),
                None => assert!(got.unwrap_err().detail.starts_with("active must be")),
            }
        }
        assert_eq!(
            lenient_bool(&json!("yes"), "active").unwrap_err().detail,
            "active must be a boolean or \"True\"/\"False\", got \"yes\""
        );
    }

    #[test]
    fn reference_id_shapes() {
        let cases = [
            (json!({"value": "m-1"}), Ok(Some("m-1"))),
            (
                json!({"Value": "m-1", "displayName": "Boss"}),
                Ok(Some("m-1")),
            ),
            (json!("m-2"), Ok(Some("m-2"))),
            (json!(null), Ok(None)),
            (json!({"value": ""}), Ok(None)),
            (json!({}), Ok(None)),
            (json!(5), Err("manager must be an object")),
            (json!({"value": 5}), Err("manager.value must be a string")),
        ];
        for (input, expected) in cases {
            let got = reference_id(&input, "manager");
            match expected {
                Ok(id) => assert_eq!(got.unwrap().as_deref(), id, "{input}"),
                Err(prefix) => assert!(got.unwrap_err().detail.starts_with(prefix), "{input}"),
            }
        }
    }

    #[test]
    fn member_ids_shapes() {
        let got = member_ids(
            &json!([{"value": "a"}, {"Value": "b", "display": "B"}, {"value": "a"}]),
            "members",
        );
        assert_eq!(got.unwrap(), ["a", "b"]);
        assert_eq!(
            member_ids(&json!({"value": "a"}), "members").unwrap(),
            ["a"]
        );
        assert!(member_ids(&json!(null), "members").unwrap().is_empty());
        let cases = [
            (json!("a"), "members must be an array"),
            (json!(["a"]), "members[0] must be an object"),
            (json!([{"value": "a"}, {}]), "members[1].value is required"),
            (json!([{"value": 3}]), "members[0].value is required"),
        ];
        for (input, prefix) in cases {
            let error = member_ids(&input, "members").unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
            assert!(error.detail.starts_with(prefix), "{}", error.detail);
        }
    }
}

//! What the fuzz targets check: the parsers never panic, and a refusal is the parser's typed
//! error — a `ScimError` a SCIM handler sends as a client error, a Graph `GraphError` that
//! names the property or query option, or a domain `FieldError` that names its field.

use app::directory::scim::protocol::parse_body;
use app::directory::scim::ScimError;
use serde_json::Value;

/// A refusal must be a 4xx with a detail, and its RFC body must carry the same status.
pub fn assert_refusal(error: &ScimError) {
    assert!(
        (400..500).contains(&error.status),
        "refusal with status {}: {error}",
        error.status
    );
    assert!(
        !error.detail.is_empty(),
        "refusal without a detail: {error:?}"
    );
    let body = error.to_json();
    assert_eq!(body["status"], Value::from(error.status.to_string()));
}

/// The input as a JSON body, the way a handler reads one; `None` when the bytes are not
/// UTF-8 or not JSON (the refusal is checked first).
pub fn json_body(data: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(data).ok()?;
    match parse_body(text) {
        Ok(body) => Some(body),
        Err(error) => {
            assert_refusal(&error);
            None
        }
    }
}

/// What every Graph REST fuzz target checks of a refusal: a 400 `BadRequest` whose message
/// names what is wrong — a body property (`Property '…'`), a query option (`Query '…'`), or
/// the body as a whole (`The body …`: not JSON, not an object).
pub fn assert_graph_refusal(error: &server::rest::GraphError) {
    assert_eq!(error.status.as_u16(), 400, "{error:?}");
    assert_eq!(error.code, "BadRequest", "{error:?}");
    let names_what = ["Property '", "Query '", "The body "]
        .iter()
        .any(|start| error.message.starts_with(start));
    assert!(names_what, "a refusal that names nothing: {error:?}");
}

/// A field error from a domain rule: a stable key for the form and a sentence for a person.
pub fn assert_field_error(error: &app::domain::field_error::FieldError) {
    assert!(
        !error.field.is_empty() && !error.message.trim().is_empty(),
        "{error:?}"
    );
}

//! What every SCIM fuzz target checks: the parsers never panic, and a refusal is a typed
//! `ScimError` that a handler can send as a client error.

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

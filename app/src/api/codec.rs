//! The server functions' codecs. On the wire they are exactly server_fn's `Json` and `PostUrl`.
//! The argument codecs differ in the refusal of a body that does not decode: it names the path
//! of the value at fault (`draft.displayName: invalid type: …`), found with
//! `serde_path_to_error`, instead of serde's line and column alone. The result codec differs in
//! how the browser reads it (see [`TextJson`]).
//!
//! server_fn hands a decoding failure on as text (`ServerFnErrorErr::Deserialization`), so the
//! [`Undecodable`] error's text is the [`FieldError`] itself as JSON; `AppError`'s
//! `from_server_fn_error` reads it back, and the field of the 400 is that path.

use crate::domain::field_error::FieldError;
use crate::error::BODY;
use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Arguments as a JSON body of a `POST` (as `Json`), refused with the path at fault.
pub type PathJson = Post<PathJsonEncoding>;

/// Arguments as a URL-encoded body of a `POST` (as `PostUrl`, for plain HTML forms), refused
/// with the field at fault.
pub type PathForm = Post<PathFormEncoding>;

/// Results as JSON, read in the browser from text. The page's resources reach the browser as
/// text and are read with `serde_json::from_str`; server_fn's `Json` reads results with
/// `from_slice`, and every result type's deserializer was compiled into the wasm twice, once
/// per reader: about a tenth of the module.
pub type TextJson = Post<TextJsonEncoding>;

pub struct TextJsonEncoding;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = Undecodable;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Undecodable::at(".", "it is not UTF-8 text"))?;
        serde_json::from_str(text).map_err(|e| Undecodable::at(".", &e.to_string()))
    }
}

pub struct PathJsonEncoding;

impl ContentType for PathJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for PathJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for PathJsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for PathJsonEncoding {
    type Error = Undecodable;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        // serde_json stops at 128 levels of nesting, so `[[[[…` cannot exhaust the stack.
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // Only a value of the wrong shape has a path; broken JSON is about the body.
            let at = match inner.classify() {
                serde_json::error::Category::Data => path.as_str(),
                _ => ".",
            };
            Undecodable::at(at, &inner.to_string())
        })?;
        deserializer
            .end()
            .map_err(|e| Undecodable::at(".", &e.to_string()))?;
        Ok(value)
    }
}

pub struct PathFormEncoding;

impl ContentType for PathFormEncoding {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl FormatType for PathFormEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for PathFormEncoding {
    type Error = serde_qs::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_qs::to_string(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for PathFormEncoding {
    type Error = Undecodable;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        std::str::from_utf8(&bytes).map_err(|_| Undecodable::at(".", "it is not UTF-8 text"))?;
        // As `PostUrl` reads it: keys nest at most 5 deep, brackets may be percent-encoded.
        let config = serde_qs::Config::new(5, false);
        let deserializer = serde_qs::Deserializer::with_config(&config, &bytes)
            .map_err(|e| Undecodable::at(".", &e.to_string()))?;
        serde_path_to_error::deserialize(deserializer)
            .map_err(|e| Undecodable::at(&e.path().to_string(), &e.into_inner().to_string()))
    }
}

/// A body that does not decode. Its text is the [`FieldError`] as JSON (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable(pub FieldError);

impl Undecodable {
    /// `path` is `serde_path_to_error`'s (`.` for the body as a whole); a missing field is
    /// named by the path it should have had.
    fn at(path: &str, problem: &str) -> Self {
        let problem = problem.trim_end_matches('.');
        let message = match path {
            "." => format!("The request body is not valid: {problem}."),
            path => format!("The request body is not valid: {path}: {problem}."),
        };
        let missing = problem
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name);
        let field = match (path, missing) {
            (".", None) => BODY.to_string(),
            (".", Some(name)) => name.to_string(),
            (path, Some(name)) => format!("{path}.{name}"),
            (path, None) => path.to_string(),
        };
        Undecodable(FieldError::new(&field, message))
    }
}

impl fmt::Display for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[expect(dead_code, reason = "only decoded")]
    struct Args {
        policy: Policy,
        name: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "only decoded")]
    struct Policy {
        duration_days: u32,
    }

    fn json(body: &[u8]) -> FieldError {
        <PathJsonEncoding as Decodes<Args>>::decode(Bytes::copy_from_slice(body))
            .unwrap_err()
            .0
    }

    fn form(body: &[u8]) -> FieldError {
        <PathFormEncoding as Decodes<Args>>::decode(Bytes::copy_from_slice(body))
            .unwrap_err()
            .0
    }

    #[test]
    fn a_wrong_type_is_named_by_its_path() {
        let error = json(br#"{"policy":{"durationDays":"x"},"name":"n"}"#);
        assert_eq!(error.field, "policy.durationDays");
        assert!(
            error.message.starts_with(
                "The request body is not valid: policy.durationDays: invalid type: string \"x\", expected u32"
            ),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_missing_field_is_named_where_it_should_be() {
        assert_eq!(json(br#"{"policy":{"durationDays":1}}"#).field, "name");
        assert_eq!(
            json(br#"{"policy":{},"name":"n"}"#).field,
            "policy.durationDays"
        );
        assert_eq!(form(b"").field, "policy");
    }

    #[test]
    fn extra_nesting_is_named_by_its_path() {
        let error = json(br#"{"policy":{"durationDays":1},"name":{"a":"b"}}"#);
        assert_eq!(error.field, "name");
        assert!(
            error.message.contains("invalid type: map"),
            "{}",
            error.message
        );
        assert_eq!(form(b"name[a]=b&policy[durationDays]=1").field, "name");
    }

    #[test]
    fn what_is_not_json_at_all_is_about_the_body() {
        for body in [
            &b""[..],
            b"{",
            b"\xff\xfe",
            br#"{"policy":{"durationDays":1},"name":"n"} {}"#,
            b"null x",
        ] {
            let error = json(body);
            assert_eq!(error.field, BODY, "{body:?}");
            assert!(error.message.starts_with("The request body is not valid: "));
        }
        assert_eq!(form(b"name=\xff").field, BODY);
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        // Into a field: refused at the first `[`. Into an unknown field: serde_json skips it
        // without recursing, and then finds the body unfinished.
        let deep = "[".repeat(100_000);
        assert!(json(deep.as_bytes())
            .message
            .contains("invalid type: sequence"));
        let deep = format!(r#"{{"extra":{}"#, "[".repeat(100_000));
        assert_eq!(json(deep.as_bytes()).field, BODY);
    }

    #[test]
    fn the_error_travels_as_its_field_error() {
        let error = Undecodable::at("a[0].b", "invalid type: null, expected a string");
        let back: FieldError = serde_json::from_str(&error.to_string()).unwrap();
        assert_eq!(back, error.0);
    }
}

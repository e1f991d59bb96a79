//! What every REST handler takes from a request: the caller (a Bearer token; the browser's
//! session cookie is not accepted here) and a JSON body checked for type and size first.

use super::error::GraphError;
use app::auth::authz::Principal;
use app::services::tokens;
use app::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// The largest body read; a longer one is refused with 413 before it is parsed.
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(GraphError::unauthorized)?;
        let principal = tokens::principal(state, token.trim())
            .await
            .map_err(GraphError::from)?;
        Ok(Caller(principal))
    }
}

/// A JSON body: 415 unless it says it is JSON, 413 over 64 KiB, 400 naming what is wrong.
pub struct GraphJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for GraphJson<T> {
    type Rejection = GraphError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(GraphError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                "The body must be JSON (Content-Type: application/json).",
            ));
        }
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > BODY_LIMIT) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| too_large())?;
        let _ = state;
        parse(&bytes).map(GraphJson)
    }
}

fn too_large() -> GraphError {
    GraphError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!("The body is larger than {} KiB.", BODY_LIMIT / 1024),
    )
}

/// The body as `T`, or a 400 naming the property that does not fit (pure, for the fuzz targets).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, GraphError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // Only a value of the wrong shape has a property to name; broken JSON (invalid UTF-8,
        // an empty body, nesting past serde_json's 128 levels) is about the body.
        let shape = inner.classify() == serde_json::error::Category::Data;
        if !shape || path == "." || path.is_empty() {
            GraphError::bad_request(format!(
                "The body is not valid JSON for this call: {inner}."
            ))
        } else {
            GraphError::bad_request(format!("Property '{path}': {inner}."))
        }
    })?;
    deserializer.end().map_err(|e| {
        GraphError::bad_request(format!("The body is not valid JSON for this call: {e}."))
    })?;
    Ok(value)
}

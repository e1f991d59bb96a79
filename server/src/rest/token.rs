//! `POST /oauth2/v2.0/token`: the client-credentials grant, answered the way OAuth 2.0
//! clients (and Entra's) expect, errors included.

use app::services::throttle::ClientAddress;
use app::services::tokens::{self, TokenError};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use serde_json::json;
use std::collections::HashMap;

fn oauth_error(error: &TokenError) -> Response {
    let status = match error {
        TokenError::InvalidClient => StatusCode::UNAUTHORIZED,
        TokenError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        TokenError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let description = error.to_string();
    let description = description
        .split_once(": ")
        .map(|(_, d)| d)
        .unwrap_or(&description)
        .to_string();
    let mut response = (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "error": error.code(), "error_description": description })),
    )
        .into_response();
    if let TokenError::Throttled { retry_after } = error {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    response
}

/// `client_id` and `client_secret` from HTTP Basic, if given that way.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// The form's parameters: UTF-8 text (percent-decoded too), each sent at most once
/// (RFC 6749 §3.2), so a malformed body is an `invalid_request` naming the parameter.
fn read_form(body: &[u8]) -> Result<HashMap<String, String>, TokenError> {
    if std::str::from_utf8(body).is_err() {
        return Err(TokenError::InvalidRequest(
            "the body is not UTF-8 text".into(),
        ));
    }
    let mut form = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        // Percent-decoding replaces bytes that are not UTF-8 with U+FFFD.
        if name.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
            return Err(TokenError::InvalidRequest(format!(
                "{name} is not UTF-8 text"
            )));
        }
        if form.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(TokenError::InvalidRequest(format!(
                "{name} is given more than once"
            )));
        }
    }
    Ok(form)
}

pub async fn token(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(&TokenError::InvalidRequest(
            "the body must be application/x-www-form-urlencoded".into(),
        ));
    }
    let form = match read_form(&body) {
        Ok(form) => form,
        Err(refused) => return oauth_error(&refused),
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return oauth_error(&TokenError::UnsupportedGrantType),
        None => return oauth_error(&TokenError::InvalidRequest("grant_type is required".into())),
    }
    let credentials = basic(&headers).or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ))
    });
    let Some((client_id, client_secret)) = credentials else {
        return oauth_error(&TokenError::InvalidRequest(
            "client_id and client_secret are required (in the form or as HTTP Basic)".into(),
        ));
    };
    let address = address.map(|Extension(ClientAddress(ip))| ip);
    match tokens::issue(&state, &client_id, &client_secret, address).await {
        Ok(issued) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "ext_expires_in": issued.expires_in,
                "access_token": issued.access_token,
            })),
        )
            .into_response(),
        Err(error) => oauth_error(&error),
    }
}

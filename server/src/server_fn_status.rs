//! Server functions answer every refusal with HTTP 500 (leptos_axum's default) and the
//! `AppError` as JSON. Scripts, proxies and logs deserve the status the error means, so this
//! layer gives each kind its own; the pages read the body whatever the status (server_fn
//! decodes the error of any 4xx or 5xx answer).

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Server-function error bodies are a few KiB at most.
const ERROR_BODY_MAX: usize = 256 * 1024;

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
        AppError::NotPermitted(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub async fn statuses(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = status_of(&error);
        if let AppError::Throttled { retry_after } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_status() {
        let table = [
            (AppError::NotSignedIn, 401),
            (AppError::NotPermitted("x".into()), 403),
            (AppError::NotFound("x".into()), 404),
            (AppError::invalid("field", "x"), 400),
            (AppError::Conflict("x".into()), 409),
            (AppError::Throttled { retry_after: 9 }, 429),
            (AppError::Internal, 500),
            (AppError::Transport("x".into()), 500),
        ];
        for (error, status) in table {
            assert_eq!(status_of(&error).as_u16(), status, "{error:?}");
        }
    }
}

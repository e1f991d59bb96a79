//! The REST API's one error type: Graph's error body with the status of api.md. Internal
//! failures were logged where they happened; the answer says nothing about them.

use app::domain::field_error::FieldError;
use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// A refused save: each rule's message, prefixed by the Graph property it is about
    /// (`property` turns a field key into the property's name).
    pub fn invalid<P: std::fmt::Display>(
        errors: &[FieldError],
        property: impl Fn(&str) -> P,
    ) -> Self {
        Self::bad_request(
            errors
                .iter()
                .map(|e| format!("Property '{}': {}", property(&e.field), e.message))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "A valid Bearer token is required: get one from /oauth2/v2.0/token with the client-credentials grant.",
        )
    }
}

impl From<AppError> for GraphError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotSignedIn => GraphError::unauthorized(),
            AppError::NotPermitted(reason) => GraphError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!("Not permitted: {reason}"),
            ),
            AppError::NotFound(message) => GraphError::not_found(message),
            AppError::Invalid(errors) => GraphError::invalid(&errors, |field| field.to_string()),
            AppError::Conflict(message) => {
                GraphError::new(StatusCode::CONFLICT, "Conflict", message)
            }
            AppError::Transport(message) => GraphError::bad_request(message),
            e @ AppError::Throttled { retry_after } => GraphError {
                retry_after: Some(retry_after),
                ..GraphError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    e.to_string(),
                )
            },
            AppError::Internal => GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                "Something went wrong on the server. It has been logged.",
            ),
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "request-id": uuid::Uuid::new_v4().to_string(),
                    "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }
            }
        });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type GraphResult<T> = Result<T, GraphError>;

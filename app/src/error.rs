//! The one error type of the server-function boundary. It crosses the network, so it carries
//! only what a user may read: internal failures are logged where they happen and arrive here
//! as `Internal` with no detail.

use crate::domain::field_error::FieldError;
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    NotSignedIn,
    #[error("Not permitted: {0}")]
    NotPermitted(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{}", join_messages(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// Too many failed credential checks: refused without checking (HTTP 429).
    #[error("Too many failed attempts. Try again in {}.", crate::domain::throttle::wait_words(*retry_after))]
    Throttled { retry_after: u64 },
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

fn join_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    /// The message for one form field, if this error is about it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these can only come from decoding the caller's arguments: a malformed
        // body is the caller's mistake (400), not the server's (500). In the browser the same
        // variants mean an answer could not be read, and stay `Transport`.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Deserialization(problem)
        | ServerFnErrorErr::Args(problem)
        | ServerFnErrorErr::MissingArg(problem) = &value
        {
            // `api::codec` sends the field at fault as a `FieldError` in JSON.
            let error = serde_json::from_str(problem).unwrap_or_else(|_| {
                FieldError::new(BODY, format!("The request body is not valid: {problem}."))
            });
            return AppError::Invalid(vec![error]);
        }
        AppError::Transport(value.to_string())
    }
}

/// The field key of a refusal about the request body as a whole.
pub const BODY: &str = "body";

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(error: sqlx::Error) -> Self {
        let at = std::panic::Location::caller();
        tracing::error!(%error, %at, "database error");
        AppError::Internal
    }
}

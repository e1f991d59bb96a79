//! Server functions: thin shells that find the caller and hand over to `services`.
//! Endpoints are named (not hashed) so tests and the origin check can address them.

pub mod apps;
pub mod catalogs;
pub mod codec;
pub mod connection;
pub mod extensions;
pub mod people;
pub mod policies;
pub mod requests;
pub mod session;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::auth::authz::Principal;
    use crate::auth::cookie;
    use crate::error::AppError;
    use crate::services;
    use crate::state::AppState;
    use leptos::prelude::use_context;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState is missing from the server-function context");
            AppError::Internal
        })
    }

    pub fn session_token() -> Option<String> {
        use_context::<http::request::Parts>()
            .and_then(|parts| cookie::session_token(&parts.headers))
    }

    /// The caller's network address, as the server's front layer worked it out.
    pub fn client_address() -> Option<std::net::IpAddr> {
        use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<crate::services::throttle::ClientAddress>()
                .map(|a| a.0)
        })
    }

    /// A browser's own form post (it takes HTML back), not a script's call.
    pub fn from_browser_form() -> bool {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    /// The signed-in caller and the state, or `NotSignedIn`.
    pub async fn caller() -> Result<(AppState, Principal), AppError> {
        let state = state()?;
        let principal = services::session::principal(&state, session_token().as_deref()).await?;
        Ok((state, principal))
    }
}

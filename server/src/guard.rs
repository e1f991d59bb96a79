//! Two checks in front of every route:
//! - a state-changing request from another site is refused (cross-site request forgery), on top
//!   of the SameSite=Lax session cookie;
//! - a page opened without a live session is sent to sign in, and back afterwards.

use app::auth::cookie;
use app::error::AppError;
use app::services;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, Method, StatusCode};

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_safe(request.method()) && is_cross_site(&request) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site requests are refused.").into_response();
    }
    if request.method() == Method::GET && is_page(&request) {
        let token = cookie::session_token(request.headers());
        match services::session::principal(&state, token.as_deref()).await {
            Ok(_) => {}
            Err(AppError::NotSignedIn) => {
                let next = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let query: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                return Redirect::to(&format!("/sign-in?next={query}")).into_response();
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    next.run(request).await
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser names the page's origin on every POST; it must be this server. Without an
/// `Origin`, `Sec-Fetch-Site` (sent by current browsers) decides; non-browser clients send
/// neither and carry no session cookie of a victim.
fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
}

/// An application page (not sign-in, a server function, or a static file).
fn is_page(request: &Request) -> bool {
    let path = request.uri().path();
    let last = path.rsplit('/').next().unwrap_or_default();
    let machine_paths = [
        "/api/",
        "/pkg/",
        "/.well-known/",
        "/discovery/",
        "/v1.0/",
        "/beta/",
        "/oauth2/",
        "/scim/",
        "/auth/",
        "/_test/",
        "/healthz",
    ];
    // A setup link is for someone who cannot sign in yet: the link itself is the credential.
    let public = path == "/sign-in" || path.starts_with("/setup/");
    !(public || machine_paths.iter().any(|p| path.starts_with(p)) || last.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(Method::POST).uri("/api/sign_out");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_passes_and_other_origins_do_not() {
        assert!(!is_cross_site(&post(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(is_cross_site(&post(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example")
        ])));
        assert!(is_cross_site(&post(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "null")
        ])));
        assert!(is_cross_site(&post(&[
            ("host", "127.0.0.1:3000"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!is_cross_site(&post(&[("host", "127.0.0.1:3000")])));
    }

    #[test]
    fn pages_exclude_sign_in_functions_and_files() {
        let get = |uri: &str| Request::builder().uri(uri).body(Body::empty()).unwrap();
        assert!(is_page(&get("/catalogs/abc/custom-extensions")));
        assert!(is_page(&get("/")));
        assert!(!is_page(&get("/sign-in")));
        assert!(!is_page(&get("/api/current_user")));
        assert!(!is_page(&get("/pkg/latch.js")));
        assert!(!is_page(&get("/favicon.svg")));
        assert!(!is_page(&get("/.well-known/openid-configuration")));
        assert!(!is_page(&get("/discovery/v2.0/keys")));
        assert!(!is_page(&get("/setup/some-token")));
        assert!(!is_page(&get("/scim/v2/Users")));
        assert!(!is_page(&get("/auth/oidc/callback?code=x")));
        assert!(!is_page(&get("/_test/csp-reports")));
        assert!(is_page(&get("/users")));
    }
}

//! Security headers on every answer: no MIME sniffing, no framing (clickjacking), no referrer
//! to other sites (a setup link's token is in its path), HSTS when Latch is served over https,
//! and a Content-Security-Policy.
//!
//! Pages get a strict policy: scripts only from Latch itself or inline with the page's nonce
//! (the hydration script and the chunks streamed after the page), no inline styles, no plugins,
//! no `<base>`, forms only to Latch (and the provider's sign-out), violations reported to
//! `/csp-report` (`csp_report`). The page's shell hands its nonce over in
//! [`CSP_NONCE_HEADER`], which never leaves the server. Every other answer (JSON, server
//! functions, files, redirects) is nothing to render: `default-src 'none'`.

use app::pages::app::CSP_NONCE_HEADER;
use app::state::Settings;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

use crate::csp_report::REPORT_PATH;

/// The policy of answers that are not pages.
pub const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// What the headers depend on, fixed at start-up.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<Inner>);

struct Inner {
    /// `LATCH_PUBLIC_URL` is https, so browsers should never use plain http again.
    https: bool,
    /// Where a page's forms may go, including redirects after the submission (Chromium checks
    /// those too): Latch, and the OpenID provider, where sign-out sends someone who signed in
    /// there.
    form_action: String,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings) -> Self {
        let mut form_action = String::from("'self'");
        if let Some(origin) = settings
            .oidc
            .as_ref()
            .and_then(|o| url::Url::parse(&o.issuer).ok())
            .map(|u| u.origin())
            .filter(url::Origin::is_tuple)
        {
            form_action.push(' ');
            form_action.push_str(&origin.ascii_serialization());
        }
        SecurityHeaders(Arc::new(Inner {
            https: settings.secure_cookies,
            form_action,
        }))
    }

    /// A page's policy, with the nonce its inline scripts carry.
    pub fn page_policy(&self, nonce: &str) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action {}; frame-ancestors 'none'; report-uri {REPORT_PATH}",
            self.0.form_action
        )
    }
}

/// A nonce as Leptos makes them (base64 of 16 random bytes); anything else is not put in a
/// header.
fn is_nonce(value: &str) -> bool {
    (16..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='))
}

pub async fn security_headers(
    State(config): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let page = headers
        .remove(CSP_NONCE_HEADER)
        .and_then(|nonce| {
            nonce
                .to_str()
                .ok()
                .filter(|n| is_nonce(n))
                .map(str::to_owned)
        })
        .and_then(|nonce| HeaderValue::from_str(&config.page_policy(&nonce)).ok());
    match page {
        Some(policy) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        None => {
            headers
                .entry(header::CONTENT_SECURITY_POLICY)
                .or_insert(HeaderValue::from_static(OTHER_POLICY));
        }
    }
    if config.0.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::state::OidcSettings;

    #[test]
    fn forms_may_go_to_the_provider_only_with_single_sign_on() {
        let plain = SecurityHeaders::new(&Settings::for_tests());
        assert!(plain
            .page_policy("AAAAAAAAAAAAAAAAAAAAAA")
            .contains("form-action 'self';"));
        let sso = SecurityHeaders::new(&Settings {
            oidc: Some(OidcSettings {
                issuer: "https://login.contoso.test/tenant/v2.0".into(),
                client_id: "latch".into(),
                client_secret: "secret".into(),
                name: "Contoso ID".into(),
                scopes: vec!["openid".into()],
                create_users: false,
            }),
            ..Settings::for_tests()
        });
        let policy = sso.page_policy("AAAAAAAAAAAAAAAAAAAAAA");
        assert!(policy.contains("form-action 'self' https://login.contoso.test;"));
        assert!(
            policy.contains("script-src 'self' 'nonce-AAAAAAAAAAAAAAAAAAAAAA' 'wasm-unsafe-eval';")
        );
    }

    #[test]
    fn only_a_nonce_shaped_value_reaches_the_policy() {
        assert!(is_nonce("q0dbwnKpXZ1Wmn6b-dq_8A"));
        assert!(!is_nonce("short"));
        assert!(!is_nonce("q0dbwnKpXZ1Wmn6b'; script-src *"));
        assert!(!is_nonce("q0dbwnKpXZ1Wmn6b dq_8A"));
    }
}

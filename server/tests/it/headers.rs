//! Every kind of answer carries the security headers: pages, the sign-in redirect, server
//! functions, REST, SCIM, discovery; HSTS only when Latch is served over https.

use crate::harness::{TestApp, HOST};
use app::state::Settings;
use axum::body::Body;
use http::{header, Request};

async fn headers_of(app: &TestApp, path: &str) -> http::HeaderMap {
    let request = Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    app.send(request).await.headers().clone()
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/sign-in",
        "/catalogs",
        "/setup/unknown-token",
        "/api/current_user",
        "/v1.0/identityGovernance/entitlementManagement/catalogs",
        "/scim/v2/Users",
        "/.well-known/openid-configuration",
        "/no-such-page",
    ] {
        let h = headers_of(&app, path).await;
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{path}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert!(
            h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "{path}: not over http"
        );
    }
    let https = TestApp::with(Settings {
        public_url: "https://latch.contoso.test".into(),
        secure_cookies: true,
        ..Settings::for_tests()
    })
    .await;
    let h = headers_of(&https, "/sign-in").await;
    assert_eq!(
        h[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
}

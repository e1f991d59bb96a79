//! Every kind of answer carries the security headers: pages (signed out, signed in, My Access,
//! not found), the sign-in redirect, server functions, REST, SCIM, discovery and static files;
//! HSTS only when Latch is served over https. Pages carry the strict Content-Security-Policy
//! whose nonce is the one on each of their inline scripts, new for every answer; everything else
//! `default-src 'none'`. The report endpoint counts and refuses what is not a report.

use crate::api::{app_with_role, token};
use crate::harness::{json_post, text, TestApp, HOST, ORIGIN};
use app::domain::role::Role;
use app::state::Settings;
use axum::body::Body;
use http::{header, HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

async fn get(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    bearer: Option<&str>,
) -> (HeaderMap, String) {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = app.send(request.body(Body::empty()).unwrap()).await;
    let headers = response.headers().clone();
    (headers, text(response).await.1)
}

fn assert_common(h: &HeaderMap, what: &str) {
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{what}");
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert!(
        h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "{what}: not over http"
    );
    assert!(
        h.get("x-latch-csp-nonce").is_none(),
        "{what}: internal header"
    );
    assert_eq!(
        h.get_all(header::CONTENT_SECURITY_POLICY).iter().count(),
        1,
        "{what}"
    );
}

fn policy(h: &HeaderMap) -> &str {
    h[header::CONTENT_SECURITY_POLICY].to_str().unwrap()
}

/// Checks a page's policy and its inline scripts; returns the nonce.
fn assert_page(h: &HeaderMap, html: &str, what: &str) -> String {
    assert_common(h, what);
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    let policy = policy(h);
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("{what}: no nonce in {policy}"));
    let expected = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'; report-uri /csp-report"
    );
    assert_eq!(policy, expected, "{what}");
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "{what}: the hydration script");
    for script in scripts {
        let tag = script.split('>').next().unwrap();
        let with_src = tag.contains(" src=");
        assert!(
            with_src || tag.contains(&format!(" nonce=\"{nonce}\"")),
            "{what}: an inline script without the page's nonce: <script{tag}>"
        );
    }
    assert!(!html.contains("<style"), "{what}: inline style element");
    assert!(
        !html.contains(" style=\""),
        "{what}: inline style attribute"
    );
    nonce.to_string()
}

fn assert_not_page(h: &HeaderMap, what: &str) {
    assert_common(h, what);
    assert_eq!(
        policy(h),
        "default-src 'none'; frame-ancestors 'none'",
        "{what}"
    );
}

#[tokio::test]
async fn every_page_kind_carries_the_strict_policy_with_a_fresh_nonce() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin@contoso.test").await;
    let requestor = app.sign_in("alex@contoso.test").await;

    let (h, html) = get(&app, "/sign-in", None, None).await;
    let first = assert_page(&h, &html, "sign-in");
    let (h, html) = get(&app, "/sign-in", None, None).await;
    let second = assert_page(&h, &html, "sign-in again");
    assert_ne!(first, second, "a nonce is never reused");

    for (path, cookie) in [
        ("/catalogs", &admin),
        ("/users", &admin),
        ("/my-access", &requestor),
        ("/my-access/requests", &requestor),
        ("/setup/unknown-token", &requestor),
    ] {
        let (h, html) = get(&app, path, Some(cookie), None).await;
        assert_page(&h, &html, path);
    }

    let response = app
        .send(
            Request::get("/no-such-page")
                .header(header::HOST, HOST)
                .header(header::COOKIE, &admin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let h = response.headers().clone();
    assert_page(&h, &text(response).await.1, "not found");
}

#[tokio::test]
async fn every_other_answer_carries_the_headers_and_nothing_to_render() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin@contoso.test").await;

    let (h, _) = get(&app, "/catalogs", None, None).await;
    assert_not_page(&h, "the sign-in redirect");
    let response = app
        .send(json_post("/api/current_user", json!({}), Some(&admin)))
        .await;
    let h = response.headers().clone();
    let (status, body) = text(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("admin@contoso.test"), "{body}");
    assert_not_page(&h, "a server function");
    let (h, _) = get(&app, "/.well-known/openid-configuration", None, None).await;
    assert_not_page(&h, "discovery");

    let governance =
        app_with_role(&app, "Headers", Role::IdentityGovernanceAdministrator, None).await;
    let graph = token(&app, governance).await;
    let (h, body) = get(
        &app,
        "/v1.0/identityGovernance/entitlementManagement/catalogs",
        None,
        Some(&graph),
    )
    .await;
    assert!(body.contains("\"value\""), "{body}");
    assert_not_page(&h, "REST");

    let provisioning = app_with_role(&app, "Provisioning", Role::UserAdministrator, None).await;
    let scim = token(&app, provisioning).await;
    let (h, body) = get(&app, "/scim/v2/Users", None, Some(&scim)).await;
    assert!(body.contains("ListResponse"), "{body}");
    assert_not_page(&h, "SCIM");
}

#[tokio::test]
async fn static_files_carry_the_headers() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let (router, _db) = crate::harness::site_router(site.path()).await;
    let response = router
        .oneshot(
            Request::get("/favicon.svg")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_not_page(response.headers(), "a static file");
}

#[tokio::test]
async fn hsts_only_over_https() {
    let https = TestApp::with(Settings {
        public_url: "https://latch.contoso.test".into(),
        secure_cookies: true,
        ..Settings::for_tests()
    })
    .await;
    let (h, _) = get(&https, "/sign-in", None, None).await;
    assert_eq!(
        h[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
}

async fn report(app: &TestApp, body: String) -> StatusCode {
    let request = Request::post("/csp-report")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/csp-report")
        .body(Body::from(body))
        .unwrap();
    app.send(request).await.status()
}

async fn reports_received(app: &TestApp) -> u64 {
    let (_, body) = get(app, "/_test/csp-reports", None, None).await;
    serde_json::from_str::<Value>(&body).unwrap()["received"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_report_endpoint_takes_reports_and_nothing_else() {
    let app = TestApp::with_test_clock().await;
    assert_eq!(reports_received(&app).await, 0);
    let violation = json!({ "csp-report": {
        "document-uri": "http://127.0.0.1:3000/sign-in",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
    }});
    assert_eq!(
        report(&app, violation.to_string()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        report(&app, "not json".into()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(report(&app, "{}".into()).await, StatusCode::BAD_REQUEST);
    let huge = json!({ "csp-report": { "blocked-uri": "x".repeat(10_000) } });
    assert_eq!(
        report(&app, huge.to_string()).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(reports_received(&app).await, 1);

    let (_, body) = get(&TestApp::new().await, "/_test/csp-reports", None, None).await;
    assert!(!body.contains("received"), "only with the test clock");
}

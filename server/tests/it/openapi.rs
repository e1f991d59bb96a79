//! The OpenAPI document matches the router, both ways, so it cannot drift.

use crate::harness::{TestApp, HOST};
use axum::body::Body;
use http::{header, Method, Request, StatusCode};
use server::rest::openapi;

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::new().await;
    for (path, op) in openapi::all() {
        let concrete: String = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let request = Request::builder()
            .method(Method::from_bytes(op.method.to_uppercase().as_bytes()).unwrap())
            .uri(&concrete)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        let status = app.send(request).await.status();
        let expected = if path == "/oauth2/v2.0/token" {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(
            status, expected,
            "{} {path}: documented but not routed as documented",
            op.method
        );
    }
}

#[tokio::test]
async fn the_document_is_served() {
    let app = TestApp::new().await;
    let response = app
        .send(
            Request::get("/openapi.json")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (status, body) = crate::harness::text(response).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/v1.0/identityGovernance/entitlementManagement/catalogs/{catalog}/customWorkflowExtensions"]["post"].is_object());
}

/// Every path given to `.route(` in server/src/rest/ (and below) is in the document.
#[test]
fn every_route_in_the_source_is_documented() {
    // Parameter names may differ between the table and a handler; their places may not.
    fn shape(path: &str) -> String {
        path.split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    }
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Comments may mention `.route(` without routing anything.
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.push(code.join("\n"));
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rest"),
        &mut files,
    );
    let documented: Vec<String> = openapi::all()
        .into_iter()
        .map(|(path, _)| shape(&path))
        .collect();
    let mut checked = 0;
    for source in &files {
        for (i, _) in source.match_indices(".route(") {
            let rest = &source[i..];
            let Some(start) = rest.find('"') else {
                continue;
            };
            let literal = &rest[start + 1..];
            let path = &literal[..literal.find('"').unwrap()];
            if path == "/openapi.json" {
                continue;
            }
            let path = shape(path);
            let found = documented
                .iter()
                .any(|d| *d == path || d.ends_with(&format!("{}{path}", openapi::ROOT)));
            assert!(
                found,
                "route {path:?} is not in the OpenAPI document (server/src/rest/openapi.rs)"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "the source scan found only {checked} routes");
}

//! Compression and caching (issue 13): hashed bundle files served precompressed by
//! `Accept-Encoding` and cached for a year; pages and server-function answers compressed on
//! the fly and never stored; the server-function status layer still sees the error it reads.

use crate::harness::{form_post, site_router, TestApp, HOST, ORIGIN};
use axum::body::{to_bytes, Body};
use axum::Router;
use http::{header, Request, Response, StatusCode};
use std::io::Read;
use tower::ServiceExt;

const WASM: &str = "pkg/latch.kzx2Yq7Xn1s0mH3cB-_AqQ.wasm";

async fn fetch(router: &Router, path: &str, accept: Option<&str>) -> Response<Body> {
    let mut request = Request::get(path).header(header::HOST, HOST);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body(response: Response<Body>) -> Vec<u8> {
    to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap(),
        "gzip" => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        _ => out.extend_from_slice(bytes),
    }
    out
}

#[tokio::test]
async fn a_hashed_wasm_file_is_served_precompressed_and_immutable() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    // Something wasm-like that compresses: the magic number and a repetitive body.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend(b"(func $hydrate (result i32) i32.const 42) ".repeat(400));
    std::fs::write(site.path().join(WASM), &wasm).unwrap();
    std::fs::write(
        site.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    server::precompress::precompress_dir(site.path()).unwrap();
    let (router, _db) = site_router(site.path()).await;
    let path = format!("/{WASM}");

    for (accept, encoding) in [
        (Some("gzip, deflate, br, zstd"), "br"),
        (Some("gzip"), "gzip"),
        (None, "identity"),
    ] {
        let response = fetch(&router, &path, accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept:?}");
        let h = response.headers().clone();
        assert_eq!(
            h[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{accept:?}"
        );
        assert_eq!(h[header::CONTENT_TYPE], "application/wasm", "{accept:?}");
        assert_eq!(
            h.get(header::CONTENT_ENCODING)
                .map_or("identity", |v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert!(
            h.get_all(header::VARY)
                .iter()
                .any(|v| v.to_str().unwrap().contains("accept-encoding")),
            "{accept:?}: {h:?}"
        );
        let bytes = body(response).await;
        if encoding != "identity" {
            assert!(bytes.len() < wasm.len() / 4, "{encoding}: {}", bytes.len());
        }
        assert_eq!(decode(encoding, &bytes), wasm, "{accept:?}");
    }

    // A file whose name carries no hash may change under it: revalidated, never immutable.
    let response = fetch(&router, "/favicon.svg", Some("br")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn a_signed_in_page_is_compressed_and_not_stored() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("alex@contoso.test").await;
    for encoding in ["br", "gzip"] {
        let response = app
            .send(
                Request::get("/my-access")
                    .header(header::HOST, HOST)
                    .header(header::COOKIE, &cookie)
                    .header(header::ACCEPT_ENCODING, encoding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers().clone();
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{encoding}");
        assert_eq!(h[header::CONTENT_ENCODING], encoding);
        assert!(h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        // The security headers survive compression.
        assert!(h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("'nonce-"));
        let html = String::from_utf8(decode(encoding, &body(response).await)).unwrap();
        assert!(html.contains("alex@contoso.test"), "{html}");
    }
}

#[tokio::test]
async fn server_function_answers_are_compressed_not_stored_and_keep_their_status() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("alex@contoso.test").await;
    let call = |cookie: Option<String>| {
        let mut request = form_post("/api/requestable_packages", "", Some(ORIGIN));
        // As the page's server-function client asks (a plain form post would be redirected).
        request
            .headers_mut()
            .insert(header::ACCEPT, "application/json".parse().unwrap());
        request
            .headers_mut()
            .insert(header::ACCEPT_ENCODING, "br".parse().unwrap());
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        request
    };

    let response = app.send(call(Some(cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    let packages = String::from_utf8(decode("br", &body(response).await)).unwrap();
    assert!(packages.contains("Marketing tools"), "{packages}");

    // The status layer reads the error body before compression: 401, decodable.
    let response = app.send(call(None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .map_or("identity".to_owned(), |v| v.to_str().unwrap().to_owned());
    let error = String::from_utf8(decode(&encoding, &body(response).await)).unwrap();
    assert!(error.contains("NotSignedIn"), "{error}");
}

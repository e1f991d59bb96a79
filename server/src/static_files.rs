//! How answers are compressed and cached.
//!
//! - Static files come from the site root through leptos_axum's file handler, a `ServeDir`
//!   that picks the precompressed `NAME.br` or `NAME.gz` written by `make release`
//!   (`precompress`) by `Accept-Encoding`. Files whose names carry cargo-leptos's content hash
//!   (`latch.<hash>.wasm`) never change under that name: `public, max-age=31536000,
//!   immutable`. Other static files (the favicon) are revalidated (`no-cache`).
//! - Everything else (pages, server functions, REST, SCIM, redirects) is compressed on the fly
//!   by [`compression`] and marked `no-store`: pages are rendered for the session that asked
//!   (the header names the signed-in person) with a fresh CSP nonce, and server-function and
//!   API answers carry personal data. An answer that sets its own `Cache-Control` keeps it.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::LeptosOptions;
use std::path::Path;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";
pub const NO_STORE: &str = "no-store";

/// Brotli and gzip for answers made per request, when the client accepts them. Answers that
/// already carry a `Content-Encoding` (precompressed files) pass through untouched, and wasm
/// is never compressed per request: a release build brings its `.br` and `.gz`, and a debug
/// build's 25 MB module would cost every page load of the end-to-end tests a second of CPU.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().br(true).gzip(true).compress_when(
        DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
    )
}

/// Sets `Cache-Control` on answers that have none (see the module documentation).
pub async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_hashed_file_name(request.uri().path());
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    // Only `ServeDir` sets `Last-Modified`: that is how a static file is told from a page.
    let file = response.headers().contains_key(header::LAST_MODIFIED)
        && matches!(
            response.status(),
            StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT
        );
    let value = match (file, hashed) {
        (true, true) => IMMUTABLE,
        (true, false) => REVALIDATE,
        (false, _) => NO_STORE,
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // `ServeDir` picks `.br` or `.gz` by `Accept-Encoding` but does not say so; a shared cache
    // must not hand the brotli copy to a client that asked for gzip.
    if file
        && !headers
            .get_all(header::VARY)
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding"))
    {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// A file name as cargo-leptos's `hash-files` makes them: `stem.<hash>.ext`, the hash being
/// 22 characters of unpadded base64url (an MD5 of the content). The split loader's unhashed
/// name, `__wasm_split.______________________.js`, is a placeholder of 22 underscores: its
/// content changes with every build, so it must not be cached as if it could not.
pub fn is_hashed_file_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && hash.bytes().any(|b| b != b'_')
}

/// cargo-leptos writes `hash.txt` beside the server binary it builds when `hash-files` is on,
/// but sets `LEPTOS_HASH_FILES` only for a server it starts itself. A server started directly
/// (`make run`, the end-to-end tests) finds the file the same way, so the page links the
/// hashed names in debug and release builds alike. `LEPTOS_HASH_FILES` still decides when set.
pub fn detect_hashed_files(options: &mut LeptosOptions, explicit: Option<&str>, exe_dir: &Path) {
    options.hash_files = match explicit {
        Some(value) => value.trim().eq_ignore_ascii_case("true"),
        None => exe_dir.join(options.hash_file.as_ref()).is_file(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_cargo_leptos_ones() {
        assert!(is_hashed_file_name(
            "/pkg/latch.kzx2Yq7Xn1s0mH3cB-_AqQ.wasm"
        ));
        assert!(is_hashed_file_name("/pkg/latch.kzx2Yq7Xn1s0mH3cB-_AqQ.css"));
        assert!(!is_hashed_file_name("/pkg/latch.wasm"));
        assert!(!is_hashed_file_name("/pkg/latch_bg.wasm"));
        assert!(!is_hashed_file_name("/favicon.svg"));
        assert!(!is_hashed_file_name("/pkg/.kzx2Yq7Xn1s0mH3cB-_AqQ.js"));
        assert!(!is_hashed_file_name("/pkg/latch.kzx2Yq7Xn1s0mH3cB+_AqQ.js"));
        // The lazy routes' files (cargo leptos --split), hashed and not.
        assert!(is_hashed_file_name(
            "/pkg/chunk_13.kzx2Yq7Xn1s0mH3cB-_AqQ.wasm"
        ));
        assert!(is_hashed_file_name(
            "/pkg/__wasm_split.kzx2Yq7Xn1s0mH3cB-_AqQ.js"
        ));
        assert!(!is_hashed_file_name("/pkg/chunk_13.wasm"));
        assert!(!is_hashed_file_name(
            "/pkg/__wasm_split.______________________.js"
        ));
    }

    #[test]
    fn the_hash_file_beside_the_binary_turns_hashing_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = LeptosOptions::builder().output_name("latch").build();
        detect_hashed_files(&mut options, None, dir.path());
        assert!(!options.hash_files);
        std::fs::write(dir.path().join("hash.txt"), "js: a\nwasm: b\ncss: c\n").unwrap();
        detect_hashed_files(&mut options, None, dir.path());
        assert!(options.hash_files);
        detect_hashed_files(&mut options, Some("false"), dir.path());
        assert!(!options.hash_files);
    }
}

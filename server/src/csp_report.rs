//! `POST /csp-report`: where browsers report what a page's Content-Security-Policy blocked
//! (`report-uri` in `headers`). Each report is logged at warn with the directive and the blocked
//! address (its path at most: no query, which may carry a token), never the whole body; bodies
//! over 8 KiB are refused. With `LATCH_TEST_CLOCK`, `GET /_test/csp-reports` tells how many
//! reports arrived, so the browser tests can check that none did.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const REPORT_PATH: &str = "/csp-report";

/// A report is a few hundred bytes; anything much larger is not one.
const MAX_BODY: usize = 8 * 1024;

/// The longest directive or address written to the log.
const MAX_FIELD: usize = 200;

/// How many reports this process received.
#[derive(Clone, Default)]
pub struct Reports(Arc<AtomicU64>);

pub fn routes<S>(test_routes: bool) -> Router<S> {
    let reports = Reports::default();
    let mut router = Router::new().route(
        REPORT_PATH,
        post(receive).layer(DefaultBodyLimit::max(MAX_BODY)),
    );
    if test_routes {
        router = router.route("/_test/csp-reports", get(count));
    }
    router.with_state(reports)
}

async fn receive(State(Reports(received)): State<Reports>, body: Bytes) -> StatusCode {
    let Ok(report) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let violations = violations(&report);
    if violations.is_empty() {
        return StatusCode::BAD_REQUEST;
    }
    for (directive, blocked) in violations {
        received.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            ?directive,
            ?blocked,
            "a page's content security policy blocked something"
        );
    }
    StatusCode::NO_CONTENT
}

async fn count(State(Reports(received)): State<Reports>) -> Json<Value> {
    Json(json!({ "received": received.load(Ordering::Relaxed) }))
}

/// (directive, blocked address) of each violation in a report: `report-uri`'s
/// `{"csp-report": {…}}`, or the Reporting API's list of `csp-violation` reports.
fn violations(report: &Value) -> Vec<(String, String)> {
    let one = |body: &Value, directive: [&str; 2], blocked: &str| {
        let directive = directive
            .iter()
            .find_map(|key| body.get(*key).and_then(Value::as_str))
            .unwrap_or("");
        let blocked = body.get(blocked).and_then(Value::as_str).unwrap_or("");
        (clip(directive), clip(without_query(blocked)))
    };
    if let Some(body) = report.get("csp-report").filter(|b| b.is_object()) {
        return vec![one(
            body,
            ["effective-directive", "violated-directive"],
            "blocked-uri",
        )];
    }
    report
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation"))
        .filter_map(|r| r.get("body"))
        .map(|body| {
            one(
                body,
                ["effectiveDirective", "violatedDirective"],
                "blockedURL",
            )
        })
        .take(10)
        .collect()
}

fn without_query(address: &str) -> &str {
    address.split(['?', '#']).next().unwrap_or_default()
}

fn clip(text: &str) -> String {
    text.chars().take(MAX_FIELD).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_report_formats_without_queries() {
        let legacy = json!({ "csp-report": {
            "document-uri": "http://127.0.0.1:3000/setup/secret-token",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "inline",
            "original-policy": "default-src 'self'",
        }});
        assert_eq!(
            violations(&legacy),
            [("script-src-elem".into(), "inline".into())]
        );
        let reporting = json!([{ "type": "csp-violation", "body": {
            "effectiveDirective": "img-src",
            "blockedURL": "https://evil.example/pixel?token=secret",
        }}, { "type": "deprecation", "body": {} }]);
        assert_eq!(
            violations(&reporting),
            [("img-src".into(), "https://evil.example/pixel".into())]
        );
        assert!(violations(&json!({ "something": "else" })).is_empty());
        let long = json!({ "csp-report": { "blocked-uri": "x".repeat(5000) } });
        assert_eq!(violations(&long)[0].1.len(), MAX_FIELD);
    }
}

//! A receiver's check of a verified PoP token's request-binding claims (`m`, `u`, `p`, `bh`)
//! against the request it came with. Latch does not call this itself: the sample receiver
//! (`server/src/bin/receiver`) does, and it lives here, pure, so the fuzz targets reach it.

use serde_json::{Map, Value};

use super::token::{body_hash, LOGIC_APP_HOST};

/// What this request was, for the PoP claims.
pub struct RequestFacts<'a> {
    /// `host[:port]` from the `Host` header (or the URI's authority).
    pub host: Option<&'a str>,
    pub path: &'a str,
    pub body: &'a [u8],
}

/// The PoP claims that do not match this request, each as a sentence; empty when all do.
pub fn pop_problems(claims: &Map<String, Value>, request: &RequestFacts<'_>) -> Vec<String> {
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    let mut problems = Vec::new();
    let mut expect = |name: &str, expected: &str, matches: bool| {
        if !matches {
            problems.push(match claim(name) {
                Some(actual) => format!("{name} is {actual:?}, expected {expected:?}"),
                None => format!("no {name} claim"),
            });
        }
    };
    expect("m", "POST", claim("m") == Some("POST"));
    if claim("u") == Some(LOGIC_APP_HOST) {
        // A token for a Logic App endpoint is bound to the workflow's Azure resource, not to
        // the URL it is delivered to; a Logic App's authorization policy checks it against its
        // own resource path. Standing in for any workflow, the receiver checks the shape.
        let workflow = claim("p").is_some_and(is_logic_app_resource_path);
        expect("p", LOGIC_APP_PATH_SHAPE, workflow);
    } else {
        expect("p", request.path, claim("p") == Some(request.path));
        let host = request.host.unwrap_or_default().to_ascii_lowercase();
        expect("u", &host, claim("u") == Some(host.as_str()));
    }
    if claim("bh") != Some(body_hash(request.body).as_str()) {
        problems.push(match claim("bh") {
            Some(_) => "bh does not match the body's SHA-256".to_owned(),
            None => "no bh claim".to_owned(),
        });
    }
    problems
}

const LOGIC_APP_PATH_SHAPE: &str =
    "/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Logic/workflows/{name}";

fn is_logic_app_resource_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(
        parts.as_slice(),
        ["", subscriptions, _, groups, _, providers, logic, workflows, name]
            if subscriptions.eq_ignore_ascii_case("subscriptions")
                && groups.eq_ignore_ascii_case("resourceGroups")
                && providers.eq_ignore_ascii_case("providers")
                && logic.eq_ignore_ascii_case("Microsoft.Logic")
                && workflows.eq_ignore_ascii_case("workflows")
                && !name.is_empty()
    )
}

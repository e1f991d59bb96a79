//! The receiver's router driven in-process, against a stub Latch on a loopback port that serves
//! a discovery document and a JWKS. Callouts are built with Latch's own signing code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use app::callout::keys::{jwks, SigningKey};
use app::callout::signature;
use app::callout::token::{bearer_claims, pop_claims, sign_jwt};
use app::clock::Clock;
use app::domain::endpoint::Endpoint;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::routes::{router, Callout, Receiver, BODY_LIMIT, KEEP};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const HOST: &str = "127.0.0.1:7071";
const PATH: &str = "/hooks/latch";
const APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";
const INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";
const REQUEST: &str = "2409f9d5-3a1c-4b7e-9b1e-7f89378c2d73";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

/// Two keys, generated once: RSA generation is slow.
fn key(which: usize) -> &'static SigningKey {
    static KEYS: OnceLock<[SigningKey; 2]> = OnceLock::new();
    &KEYS.get_or_init(|| {
        let mut rng = rand::rngs::OsRng;
        [
            SigningKey::generate(&mut rng).unwrap(),
            SigningKey::generate(&mut rng).unwrap(),
        ]
    })[which]
}

/// A stub Latch: discovery document and JWKS, whose key can be swapped; counts JWKS fetches.
struct StubLatch {
    url: String,
    published: Arc<Mutex<&'static SigningKey>>,
    fetches: Arc<AtomicUsize>,
}

impl StubLatch {
    async fn start() -> StubLatch {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let published = Arc::new(Mutex::new(key(0)));
        let fetches = Arc::new(AtomicUsize::new(0));
        let discovery = json!({ "issuer": url, "jwks_uri": format!("{url}/keys") });
        let (keys, count) = (published.clone(), fetches.clone());
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { Json(discovery) }),
            )
            .route(
                "/keys",
                get(move || async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    let key = *keys.lock().unwrap();
                    Json(jwks([key]))
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        StubLatch {
            url,
            published,
            fetches,
        }
    }

    fn receiver(&self, secrets: &[&str]) -> (Receiver, Router) {
        let secrets = secrets.iter().map(|s| s.to_string()).collect();
        let receiver = Receiver::new(self.url.clone(), secrets, Clock::fixed(now())).unwrap();
        (receiver.clone(), router(receiver))
    }
}

fn stage_body() -> Vec<u8> {
    json!({
        "Stage": "assignmentRequestCreated",
        "CustomExtensionStageInstanceId": INSTANCE,
        "AccessPackageAssignmentRequestId": REQUEST,
        "CallbackUriPath": format!("/identityGovernance/entitlementManagement/assignmentRequests/{REQUEST}/resume"),
        "Assignment": null,
    })
    .to_string()
    .into_bytes()
}

/// What Latch sends, with parts that tests change.
struct Sent {
    issuer: String,
    secret: &'static str,
    key: &'static SigningKey,
    /// The endpoint the token is bound to.
    endpoint: String,
    signed_body: Vec<u8>,
    sent_body: Vec<u8>,
    timestamp: i64,
    bearer: bool,
}

impl Sent {
    fn new(latch: &StubLatch) -> Self {
        let body = stage_body();
        Self {
            issuer: latch.url.clone(),
            secret: SECRET,
            key: key(0),
            endpoint: format!("http://{HOST}{PATH}"),
            signed_body: body.clone(),
            sent_body: body,
            timestamp: now().timestamp(),
            bearer: false,
        }
    }

    fn request(&self) -> Request<Body> {
        let endpoint = Endpoint::Http {
            url: self.endpoint.clone(),
        };
        let jti = Uuid::new_v4();
        let authorization = if self.bearer {
            let claims = bearer_claims(&self.issuer, APP_ID, "api://receiver", now(), jti);
            format!("Bearer {}", sign_jwt(self.key, &claims))
        } else {
            let claims = pop_claims(
                &self.issuer,
                APP_ID,
                &endpoint,
                &self.signed_body,
                now(),
                jti,
            )
            .unwrap();
            format!("PoP {}", sign_jwt(self.key, &claims))
        };
        let signature =
            signature::sign(self.secret, INSTANCE, self.timestamp, &self.signed_body).unwrap();
        Request::post(PATH)
            .header("host", HOST)
            .header("content-type", "application/json; charset=utf-8")
            .header("authorization", authorization)
            .header("webhook-id", INSTANCE)
            .header("webhook-timestamp", self.timestamp.to_string())
            .header("webhook-signature", signature)
            .body(Body::from(self.sent_body.clone()))
            .unwrap()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Response {
    app.clone().oneshot(request).await.unwrap()
}

async fn body_text(response: Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn recorded(app: &Router) -> Vec<Value> {
    let response = send(
        app,
        Request::get("/_receiver/callouts")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    serde_json::from_str(&body_text(response).await).unwrap()
}

/// Sends the callout, checks the 202 and run id, and returns what was recorded for it.
async fn deliver(app: &Router, callout: &Sent) -> Value {
    let response = send(app, callout.request()).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let run_id = response.headers()["x-ms-workflow-run-id"].to_str().unwrap();
    assert!(Uuid::parse_str(run_id).is_ok(), "{run_id}");
    let last = recorded(app).await.pop().unwrap();
    assert_eq!(last["runId"], run_id);
    last
}

async fn add_secret(app: &Router, secret: &str) -> Response {
    let request = Request::post("/_receiver/secrets")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "secret": secret }).to_string()))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn a_correct_callout_is_recorded_verified() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[OTHER_SECRET, SECRET]);
    let callout = Sent::new(&latch);
    let recorded = deliver(&app, &callout).await;
    let run_id = recorded["runId"].clone();
    assert_eq!(
        recorded,
        json!({
            "receivedAt": "2026-01-01T12:00:00Z",
            "path": PATH,
            "stage": "assignmentRequestCreated",
            "instanceId": INSTANCE,
            "requestId": REQUEST,
            "signature": "verified",
            "timestamp": "fresh",
            "token": "verified",
            "verified": true,
            "runId": run_id,
            "body": serde_json::from_slice::<Value>(&stage_body()).unwrap(),
        })
    );
    // The keys are cached.
    deliver(&app, &callout).await;
    assert_eq!(latch.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_tampered_body_fails_the_signature_and_bh() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    let mut callout = Sent::new(&latch);
    callout.sent_body = String::from_utf8(stage_body())
        .unwrap()
        .replace("assignmentRequestCreated", "assignmentRequestGranted")
        .into_bytes();
    let recorded = deliver(&app, &callout).await;
    assert_eq!(recorded["signature"], "no secret matches");
    assert_eq!(recorded["token"], "bh does not match the body's SHA-256");
    assert_eq!(recorded["timestamp"], "fresh");
    assert_eq!(recorded["verified"], false);
    assert_eq!(recorded["stage"], "assignmentRequestGranted");
}

#[tokio::test]
async fn a_wrong_secret_or_none_is_reported() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[OTHER_SECRET]);
    let recorded = deliver(&app, &Sent::new(&latch)).await;
    assert_eq!(recorded["signature"], "no secret matches");
    assert_eq!(recorded["token"], "verified");
    assert_eq!(recorded["verified"], false);

    let (_, app) = latch.receiver(&[]);
    let recorded = deliver(&app, &Sent::new(&latch)).await;
    assert_eq!(recorded["signature"], "no secrets configured");
    assert_eq!(recorded["verified"], false);
}

#[tokio::test]
async fn secrets_can_be_added_at_run_time() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[]);
    let callout = Sent::new(&latch);
    assert_eq!(
        deliver(&app, &callout).await["signature"],
        "no secrets configured"
    );

    let response = add_secret(&app, SECRET).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, r#"{"secrets":1}"#);
    // Adding it again changes nothing.
    assert_eq!(
        body_text(add_secret(&app, SECRET).await).await,
        r#"{"secrets":1}"#
    );
    assert_eq!(deliver(&app, &callout).await["verified"], true);

    let response = add_secret(&app, "whsec_%%%").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let reason = body_text(response).await;
    assert!(
        reason.contains("not base64") && !reason.contains("%%%"),
        "{reason}"
    );
    let response = send(
        &app,
        Request::post("/_receiver/secrets")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert!(response.status().is_client_error());
}

#[tokio::test]
async fn pop_claims_must_match_the_request() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    let mut callout = Sent::new(&latch);
    callout.endpoint = "http://receiver.example.com/other".to_owned();
    let recorded = deliver(&app, &callout).await;
    assert_eq!(recorded["signature"], "verified");
    assert_eq!(
        recorded["token"],
        format!(
            r#"p is "/other", expected "{PATH}"; u is "receiver.example.com", expected "{HOST}""#
        )
    );
    assert_eq!(recorded["verified"], false);

    let mut callout = Sent::new(&latch);
    callout.issuer = "https://impostor.example.com".to_owned();
    let recorded = deliver(&app, &callout).await;
    let token = recorded["token"].as_str().unwrap();
    assert!(
        token.starts_with(r#"iss is "https://impostor.example.com""#),
        "{token}"
    );
}

#[tokio::test]
async fn legacy_bearer_tokens_are_checked_without_pop_claims() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    let mut callout = Sent::new(&latch);
    callout.bearer = true;
    callout.endpoint = "http://elsewhere.example.com/x".to_owned();
    assert_eq!(deliver(&app, &callout).await["verified"], true);
}

#[tokio::test]
async fn missing_or_strange_headers_are_reasons() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    let request = Request::post("/")
        .header("authorization", "Basic dXNlcjpwdw==")
        .body(Body::from("not json <b>"))
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let first = recorded(&app).await.pop().unwrap();
    assert_eq!(first["path"], "/");
    assert_eq!(first["signature"], "no webhook-id header");
    assert_eq!(first["timestamp"], "no webhook-timestamp header");
    assert_eq!(
        first["token"],
        r#"the Authorization scheme "Basic" is neither PoP nor Bearer"#
    );
    assert_eq!(first["body"], "not json <b>");
    assert_eq!(first["stage"], Value::Null);

    let request = Request::post("/x")
        .header("authorization", "PoP not.a.jwt")
        .body(Body::empty())
        .unwrap();
    send(&app, request).await;
    let token = recorded(&app).await.pop().unwrap()["token"].clone();
    assert!(
        token
            .as_str()
            .unwrap()
            .starts_with("the token is malformed"),
        "{token}"
    );
}

#[tokio::test]
async fn a_stale_timestamp_and_expired_token_are_reported() {
    let latch = StubLatch::start().await;
    let secrets = vec![SECRET.to_owned()];
    let clock = Clock::fixed(now());
    let receiver = Receiver::new(latch.url.clone(), secrets, clock.clone()).unwrap();
    let app = router(receiver);
    let callout = Sent::new(&latch);
    clock.advance(Duration::minutes(10));
    let recorded = deliver(&app, &callout).await;
    assert_eq!(recorded["signature"], "verified");
    assert_eq!(
        recorded["timestamp"],
        "webhook-timestamp is 600 s away from now (more than 300 s)"
    );
    assert_eq!(recorded["token"], "the token has expired");
    assert_eq!(recorded["verified"], false);
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_keys_once_more() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    assert_eq!(deliver(&app, &Sent::new(&latch)).await["verified"], true);

    // Latch rotates its key.
    *latch.published.lock().unwrap() = key(1);
    let mut callout = Sent::new(&latch);
    callout.key = key(1);
    assert_eq!(deliver(&app, &callout).await["verified"], true);
    assert_eq!(latch.fetches.load(Ordering::SeqCst), 2);

    // A key Latch never published: one refetch, then refused.
    callout.key = key(0);
    let recorded = deliver(&app, &callout).await;
    assert_eq!(
        recorded["token"],
        "no published key matches the token's kid"
    );
    assert_eq!(latch.fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_unreachable_latch_is_a_reason() {
    let latch = StubLatch::start().await;
    // Nothing listens on port 9 of loopback (discard).
    let receiver =
        Receiver::new("http://127.0.0.1:9".to_owned(), vec![], Clock::fixed(now())).unwrap();
    let app = router(receiver);
    let recorded = deliver(&app, &Sent::new(&latch)).await;
    let token = recorded["token"].as_str().unwrap();
    assert!(
        token.starts_with("cannot fetch http://127.0.0.1:9/.well-known/openid-configuration"),
        "{token}"
    );
}

#[tokio::test]
async fn large_bodies_are_refused() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.receiver(&[SECRET]);
    let request = Request::post(PATH)
        .body(Body::from(vec![b' '; BODY_LIMIT + 1]))
        .unwrap();
    assert_eq!(
        send(&app, request).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert!(receiver.callouts().is_empty());
}

#[tokio::test]
async fn only_the_last_callouts_are_kept() {
    let latch = StubLatch::start().await;
    let (receiver, _) = latch.receiver(&[]);
    for n in 0..=KEEP {
        receiver.record(Callout {
            received_at: now(),
            path: format!("/{n}"),
            stage: None,
            instance_id: None,
            request_id: None,
            signature: String::new(),
            timestamp: String::new(),
            token: String::new(),
            verified: false,
            run_id: Uuid::nil(),
            body: Value::Null,
        });
    }
    let kept = receiver.callouts();
    assert_eq!(kept.len(), KEEP);
    assert_eq!(kept[0].path, "/1");
    assert_eq!(kept[KEEP - 1].path, format!("/{KEEP}"));
}

#[tokio::test]
async fn the_page_lists_newest_first_and_escapes_everything() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    deliver(&app, &Sent::new(&latch)).await;
    let request = Request::post("/evil")
        .body(Body::from(r#"{"Stage":"<script>alert('x')</script>"}"#))
        .unwrap();
    send(&app, request).await;

    let response = send(&app, Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let page = body_text(response).await;
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    let evil = page.find("/evil").unwrap();
    let good = page.find(PATH).unwrap();
    assert!(evil < good, "newest first");
}

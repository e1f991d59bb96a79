//! The receiver's router driven in-process, against a stub Latch on a loopback port that serves
//! a discovery document, a JWKS and, for auto-resume, a token endpoint and the resume API.
//! Callouts are built with Latch's own signing code. The resume tests are in `tests/resume.rs`.

mod resume;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration as StdDuration;

use app::callout::keys::{jwks, SigningKey};
use app::callout::signature;
use app::callout::token::{bearer_claims, pop_claims, sign_jwt};
use app::clock::Clock;
use app::domain::endpoint::{Endpoint, LogicAppEndpoint};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tower::ServiceExt;
use uuid::Uuid;

use crate::options::{ClientSecret, Options, ResumeOptions, DEFAULT_KEEP};
use crate::routes::{router, Receiver, BODY_LIMIT};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const HOST: &str = "127.0.0.1:7071";
const PATH: &str = "/hooks/latch";
const APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";
const INSTANCE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";
const REQUEST: &str = "2409f9d5-3a1c-4b7e-9b1e-7f89378c2d73";
const CLIENT_ID: &str = "5e1f5e1f-0000-4000-8000-000000000001";
const CLIENT_SECRET: &str = "latch-demo-secret";
/// How long a test waits for something another task does.
const PATIENCE: StdDuration = StdDuration::from_secs(5);

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

/// A resume the stub Latch was sent.
#[derive(Debug, Clone)]
struct ResumeCall {
    path: String,
    authorization: String,
    body: Value,
}

/// What the stub Latch saw and will answer, shared with its handlers.
#[derive(Default)]
struct Seen {
    /// The form of each token request.
    token_requests: Mutex<Vec<HashMap<String, String>>>,
    resumes: Mutex<Vec<ResumeCall>>,
    /// Answers for the next resumes, in order; 204 once they run out.
    resume_replies: Mutex<VecDeque<(StatusCode, Value)>>,
    /// Woken on every token request and resume.
    changed: Notify,
}

/// A stub Latch: discovery document and JWKS, whose key can be swapped; counts JWKS fetches.
/// It issues tokens to `CLIENT_ID`/`CLIENT_SECRET` and records resume POSTs.
struct StubLatch {
    url: String,
    published: Arc<Mutex<&'static SigningKey>>,
    fetches: Arc<AtomicUsize>,
    seen: Arc<Seen>,
}

impl StubLatch {
    async fn start() -> StubLatch {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let published = Arc::new(Mutex::new(key(0)));
        let fetches = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Seen::default());
        let discovery = json!({ "issuer": url, "jwks_uri": format!("{url}/keys") });
        let (keys, count) = (published.clone(), fetches.clone());
        let (token_seen, resume_seen) = (seen.clone(), seen.clone());
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
            )
            .route(
                "/oauth2/v2.0/token",
                post(move |body: Bytes| async move { issue_token(&token_seen, &body) }),
            )
            .route(
                "/v1.0/{*rest}",
                post(
                    move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
                        take_resume(&resume_seen, uri, &headers, &body)
                    },
                ),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        StubLatch {
            url,
            published,
            fetches,
            seen,
        }
    }

    fn options(&self, secrets: &[&str]) -> Options {
        Options {
            listen: HOST.parse().unwrap(),
            latch: self.url.clone(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            keep: DEFAULT_KEEP,
            resume: None,
        }
    }

    fn receiver(&self, secrets: &[&str]) -> (Receiver, Router) {
        let receiver = Receiver::new(&self.options(secrets), Clock::fixed(now()), &[]).unwrap();
        (receiver.clone(), router(receiver))
    }

    /// A receiver that resumes at once, denies on "conflict", holds on "hold", and retries
    /// twice without pausing.
    fn resuming(&self, secrets: &[&str], clock: Clock) -> (Receiver, Router) {
        let mut options = self.options(secrets);
        options.resume = Some(ResumeOptions {
            delay: StdDuration::ZERO,
            client_id: CLIENT_ID.to_owned(),
            client_secret: ClientSecret::new(CLIENT_SECRET),
            deny_word: Some("Conflict".to_owned()),
            hold_word: Some("hold".to_owned()),
        });
        let receiver = Receiver::new(&options, clock, &[StdDuration::ZERO; 2]).unwrap();
        (receiver.clone(), router(receiver))
    }

    fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.seen.token_requests.lock().unwrap().clone()
    }

    fn resumes(&self) -> Vec<ResumeCall> {
        self.seen.resumes.lock().unwrap().clone()
    }

    fn reply_to_resumes(&self, replies: impl IntoIterator<Item = (StatusCode, Value)>) {
        self.seen.resume_replies.lock().unwrap().extend(replies);
    }

    /// Waits (a bounded time) until the stub has been sent `n` resumes.
    async fn wait_for_resumes(&self, n: usize) -> Vec<ResumeCall> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            // Registered before looking, so that a resume in between still wakes it.
            let changed = self.seen.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let resumes = self.resumes();
            if resumes.len() >= n {
                return resumes;
            }
            let waited = tokio::time::timeout_at(deadline, changed).await;
            assert!(waited.is_ok(), "{n} resume(s) expected, got {resumes:?}");
        }
    }
}

fn issue_token(seen: &Seen, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let n = {
        let mut requests = seen.token_requests.lock().unwrap();
        requests.push(form.clone());
        requests.len()
    };
    seen.changed.notify_waiters();
    let get = |name: &str| form.get(name).map(String::as_str);
    if get("client_id") != Some(CLIENT_ID) || get("client_secret") != Some(CLIENT_SECRET) {
        let error = json!({
            "error": "invalid_client",
            "error_description": "the client id or secret is wrong",
        });
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    Json(json!({
        "token_type": "Bearer",
        "expires_in": 3600,
        "access_token": format!("stub-token-{n}"),
    }))
    .into_response()
}

fn take_resume(seen: &Seen, uri: Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let call = ResumeCall {
        path: uri.path().to_owned(),
        authorization: headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
    };
    let reply = seen.resume_replies.lock().unwrap().pop_front();
    seen.resumes.lock().unwrap().push(call);
    seen.changed.notify_waiters();
    match reply {
        Some((status, body)) => (status, Json(body)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// A request-stage body as Latch builds it for a launch-and-wait extension.
fn callout_body(stage: &str, instance: &str, justification: &str) -> Value {
    json!({
        "Stage": stage,
        "CustomExtensionStageInstanceId": instance,
        "AccessPackageAssignmentRequestId": REQUEST,
        "CallbackUriPath": format!("/identityGovernance/entitlementManagement/assignmentRequests/{REQUEST}/resume"),
        "CallbackConfiguration": { "DurationBeforeTimeout": "PT1H" },
        "Justification": justification,
        "Assignment": null,
    })
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

fn http_endpoint(url: &str) -> Endpoint {
    Endpoint::Http {
        url: url.to_owned(),
    }
}

/// What Latch sends, with parts that tests change.
struct Sent {
    issuer: String,
    secret: &'static str,
    key: &'static SigningKey,
    /// The endpoint the token is bound to.
    endpoint: Endpoint,
    signed_body: Vec<u8>,
    sent_body: Vec<u8>,
    timestamp: i64,
    /// When the token was issued.
    issued_at: DateTime<Utc>,
    bearer: bool,
}

impl Sent {
    fn new(latch: &StubLatch) -> Self {
        Self::with_body(latch, stage_body())
    }

    fn with_body(latch: &StubLatch, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        Self {
            issuer: latch.url.clone(),
            secret: SECRET,
            key: key(0),
            endpoint: http_endpoint(&format!("http://{HOST}{PATH}")),
            signed_body: body.clone(),
            sent_body: body,
            timestamp: now().timestamp(),
            issued_at: now(),
            bearer: false,
        }
    }

    fn request(&self) -> Request<Body> {
        let jti = Uuid::new_v4();
        let authorization = if self.bearer {
            let claims = bearer_claims(&self.issuer, APP_ID, "api://receiver", self.issued_at, jti);
            format!("Bearer {}", sign_jwt(self.key, &claims))
        } else {
            let claims = pop_claims(
                &self.issuer,
                APP_ID,
                &self.endpoint,
                &self.signed_body,
                self.issued_at,
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
            "resume": null,
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
    callout.endpoint = http_endpoint("http://receiver.example.com/other");
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
    callout.endpoint = http_endpoint("http://elsewhere.example.com/x");
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
    let clock = Clock::fixed(now());
    let receiver = Receiver::new(&latch.options(&[SECRET]), clock.clone(), &[]).unwrap();
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
    let mut options = latch.options(&[]);
    options.latch = "http://127.0.0.1:9".to_owned();
    let receiver = Receiver::new(&options, Clock::fixed(now()), &[]).unwrap();
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
async fn only_the_last_keep_callouts_are_kept() {
    let latch = StubLatch::start().await;
    let mut options = latch.options(&[]);
    options.keep = 2;
    let app = router(Receiver::new(&options, Clock::fixed(now()), &[]).unwrap());
    let mut run_ids = Vec::new();
    for _ in 0..3 {
        run_ids.push(deliver(&app, &Sent::new(&latch)).await["runId"].clone());
    }
    let kept: Vec<Value> = recorded(&app)
        .await
        .iter()
        .map(|c| c["runId"].clone())
        .collect();
    assert_eq!(kept, run_ids[1..]);
}

#[tokio::test]
async fn a_logic_app_token_is_checked_against_a_workflow_resource_path() {
    let latch = StubLatch::start().await;
    let (_, app) = latch.receiver(&[SECRET]);
    let logic_app = |workflow: &str| {
        Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f".to_owned(),
            resource_group_name: "contoso-governance".to_owned(),
            logic_app_workflow_name: workflow.to_owned(),
            url: format!("http://{HOST}{PATH}?api-version=2016-10-01&sig=demo"),
        })
    };
    let mut callout = Sent::new(&latch);
    callout.endpoint = logic_app("Contoso.SodCheckProcess");
    let recorded = deliver(&app, &callout).await;
    assert_eq!(recorded["token"], "verified");
    assert_eq!(recorded["verified"], true);

    callout.endpoint = logic_app("");
    let token = deliver(&app, &callout).await["token"].clone();
    assert!(
        token
            .as_str()
            .unwrap()
            .starts_with(r#"p is "/subscriptions/"#),
        "{token}"
    );
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

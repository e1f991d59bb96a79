//! A stand-in for the outside world: a real HTTP server on a random loopback port that records
//! every callout and answers as the test says (switchable mid-test).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    /// Answer 202, but only after this long.
    Slow(Duration),
    /// 302 to elsewhere.
    Redirect,
    /// Record the call, then answer 202 only once the test lets it (`notify_one`): the test
    /// can act while Latch waits for the answer.
    Held(Arc<tokio::sync::Notify>),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Whether the call's Standard Webhooks signature (over its own `webhook-id`,
    /// `webhook-timestamp` and body) verifies with `secret`.
    pub fn signed_with(&self, secret: &str) -> bool {
        let Ok(timestamp) = self.header("webhook-timestamp").parse() else {
            return false;
        };
        app::callout::signature::verify(
            secret,
            self.header("webhook-id"),
            timestamp,
            &self.body,
            self.header("webhook-signature"),
        )
    }
}

#[derive(Clone, Default)]
struct Shared {
    calls: Arc<Mutex<Vec<Received>>>,
    reply: Arc<Mutex<Option<Reply>>>,
}

pub struct TestReceiver {
    pub url: String,
    shared: Shared,
}

impl TestReceiver {
    pub async fn start() -> TestReceiver {
        let shared = Shared::default();
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestReceiver { url, shared }
    }

    pub fn reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = Some(reply);
    }

    pub fn calls(&self) -> Vec<Received> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Forgets the calls so far (what a test's setup sent, such as a connection test).
    pub fn clear(&self) {
        self.shared.calls.lock().unwrap().clear();
    }
}

async fn receive(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.calls.lock().unwrap().push(Received {
        path: uri.path().to_string(),
        headers,
        body: body.to_vec(),
    });
    let reply = shared
        .reply
        .lock()
        .unwrap()
        .clone()
        .unwrap_or(Reply::Status(202));
    match reply {
        Reply::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap();
            (status, [("x-ms-workflow-run-id", "run-0001")], "ok").into_response()
        }
        Reply::Slow(delay) => {
            tokio::time::sleep(delay).await;
            StatusCode::ACCEPTED.into_response()
        }
        Reply::Held(gate) => {
            gate.notified().await;
            StatusCode::ACCEPTED.into_response()
        }
        Reply::Redirect => (
            StatusCode::FOUND,
            [("location", "http://127.0.0.1:9/elsewhere")],
        )
            .into_response(),
    }
}

//! A stand-in for the organization's OpenID provider (the outside world), as a real HTTP
//! server on loopback: discovery, keys, and a token endpoint that answers single-use codes with
//! the ID token the test forged. Playwright uses a real, certified provider instead.

use app::callout::keys::{jwks, SigningKey};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Inner {
    keys: Vec<SigningKey>,
    /// What the next token request gets as its `id_token`.
    id_token: Option<String>,
    used_codes: Vec<String>,
    /// The form bodies of the token requests, in order.
    token_requests: Vec<HashMap<String, String>>,
}

#[derive(Clone)]
pub struct TestIdp {
    pub issuer: String,
    inner: Arc<Mutex<Inner>>,
}

impl TestIdp {
    pub async fn start(key: SigningKey) -> TestIdp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let idp = TestIdp {
            issuer,
            inner: Arc::new(Mutex::new(Inner {
                keys: vec![key],
                ..Inner::default()
            })),
        };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(keys))
            .route("/token", post(token))
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        idp
    }

    /// The ID token the next code exchange answers with.
    pub fn answer_with(&self, id_token: String) {
        self.inner.lock().unwrap().id_token = Some(id_token);
    }

    /// The provider publishes these keys from now on (a rotation).
    pub fn publish(&self, keys: Vec<SigningKey>) {
        self.inner.lock().unwrap().keys = keys;
    }

    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.inner.lock().unwrap().token_requests.clone()
    }
}

async fn discovery(State(idp): State<TestIdp>) -> Json<Value> {
    let i = &idp.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "end_session_endpoint": format!("{i}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
    }))
}

async fn keys(State(idp): State<TestIdp>) -> Json<Value> {
    let inner = idp.inner.lock().unwrap();
    Json(jwks(inner.keys.iter()))
}

async fn token(
    State(idp): State<TestIdp>,
    Form(body): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut inner = idp.inner.lock().unwrap();
    inner.token_requests.push(body.clone());
    let code = body.get("code").cloned().unwrap_or_default();
    if inner.used_codes.contains(&code) {
        return (
            http::StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_grant", "error_description": "code already used" })),
        )
            .into_response();
    }
    inner.used_codes.push(code);
    let id_token = inner.id_token.clone().unwrap_or_default();
    Json(json!({
        "access_token": "opaque-access-token",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": id_token
    }))
    .into_response()
}

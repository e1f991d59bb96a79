//! Latch's keys for anyone who checks its tokens: an OpenID discovery document and a JWKS.

use app::callout::keys::jwks;
use app::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub const JWKS_PATH: &str = "/discovery/v2.0/keys";

pub fn routes<S>(state: AppState) -> Router<S> {
    Router::new()
        .route("/.well-known/openid-configuration", get(configuration))
        .route(JWKS_PATH, get(keys))
        .with_state(state)
}

async fn configuration(State(state): State<AppState>) -> Json<Value> {
    let issuer = state.settings.public_url.trim_end_matches('/').to_string();
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    }))
}

async fn keys(State(state): State<AppState>) -> Json<Value> {
    Json(jwks([state.keys.as_ref()]))
}

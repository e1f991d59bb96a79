//! `GET /healthz` for a load balancer: 200 while this instance can reach its database, 503
//! when it cannot (the balancer then sends requests to the others). Says nothing else: it is
//! open to anyone.

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::time::Duration;

pub const PATH: &str = "/healthz";

/// Longer than a healthy round trip by far, shorter than a balancer's usual check interval.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

pub fn routes<S>(state: AppState) -> Router<S> {
    Router::new().route(PATH, get(health)).with_state(state)
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let check = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(DATABASE_WAIT, check).await {
        Ok(Ok(_)) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: the database did not answer");
            unavailable()
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer within 2 s");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "database": "unreachable" })),
    )
}

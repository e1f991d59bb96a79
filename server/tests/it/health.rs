//! `GET /healthz`, what a load balancer in front of several instances asks.

use crate::harness::{text, TestApp, HOST};
use axum::body::Body;
use http::{Request, StatusCode};

fn health() -> Request<Body> {
    Request::get("/healthz")
        .header(http::header::HOST, HOST)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn healthy_while_the_database_answers_and_503_when_it_does_not() {
    let app = TestApp::new().await;
    let (status, body) = text(app.send(health()).await).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );

    // Without a session too: a balancer has none. Then the database goes away.
    app.state.db.close().await;
    let (status, body) = text(app.send(health()).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"database":"unreachable","status":"unavailable"}"#);
}

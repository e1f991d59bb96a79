//! The test clock route: absent unless switched on; when on, it moves time and runs what fell due.

use crate::harness::{text, TestApp, HOST};
use app::engine::worker::drain;
use app::services::requests;
use axum::body::Body;
use http::{header, Request, StatusCode};

fn advance(by: &str) -> Request<Body> {
    Request::post("/_test/clock/advance")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"by\": \"{by}\"}}")))
        .unwrap()
}

#[tokio::test]
async fn the_route_does_not_exist_unless_switched_on() {
    let app = TestApp::new().await;
    assert_eq!(
        app.send(advance("P1D")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn advancing_runs_the_timers_that_fell_due() {
    let app = TestApp::with_test_clock().await;
    sqlx::query("DELETE FROM policy_stage_settings")
        .execute(&app.state.db)
        .await
        .unwrap();
    let adele = app.principal("adele@contoso.test").await;
    let policy = app.policy("Employees, manager approval").await;
    let id = requests::submit(&app.state, &adele, policy, "")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let before = app.state.clock.now();

    let (status, body) = text(app.send(advance("P13D")).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(answer["now"].as_str().unwrap()).unwrap();
    assert!(
        (now.timestamp() - (before + chrono::Duration::days(13)).timestamp()).abs() <= 1,
        "{answer}"
    );
    let state: String = app
        .id_of(&format!("SELECT state FROM requests WHERE id = '{id}'"))
        .await;
    assert_eq!(
        state, "pendingApproval",
        "the 14-day approval time-out has not come"
    );

    let (status, _) = text(app.send(advance("P1DT1M")).await).await;
    assert_eq!(status, StatusCode::OK);
    let (state, status): (String, String) =
        sqlx::query_as("SELECT state, status FROM requests WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), status.as_str()),
        ("denied", "Expired"),
        "no decision in 14 days"
    );

    let (status, body) = text(app.send(advance("soon")).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

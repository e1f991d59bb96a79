//! Launch-and-wait outcomes at the granted and removed stages, driven by the clock (no sleeps):
//! the outcomes table of domain.md.

use crate::harness::TestApp;
use crate::receiver::TestReceiver;
use app::domain::ids::{PolicyId, RequestId};
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::requests;
use chrono::Duration;

/// "All employees" (no approval) waits at `stage` for Contoso.SodCheckProcess (1 hour).
async fn waiting_at(stage: Stage) -> (TestApp, TestReceiver, PolicyId) {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    sqlx::query("UPDATE custom_extensions SET endpoint_type = 'http', endpoint_url = ? WHERE display_name = 'Contoso.SodCheckProcess'")
        .bind(format!("{}/sod", receiver.url))
        .execute(&app.state.db)
        .await
        .unwrap();
    let policy: PolicyId = app
        .id_of("SELECT id FROM policies WHERE display_name = 'All employees'")
        .await
        .parse()
        .unwrap();
    let sod = app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Contoso.SodCheckProcess'")
        .await
        .parse()
        .unwrap();
    sqlx::query("DELETE FROM policy_stage_settings WHERE policy_id = ?")
        .bind(policy.to_string())
        .execute(&app.state.db)
        .await
        .unwrap();
    let mut conn = app.state.db.acquire().await.unwrap();
    app::store::packages::set_stage(&mut conn, policy, stage, sod)
        .await
        .unwrap();
    (app, receiver, policy)
}

async fn request_state(app: &TestApp, id: RequestId) -> (String, String) {
    sqlx::query_as("SELECT state, status FROM requests WHERE id = ?")
        .bind(id.to_string())
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_granted_stage_that_times_out_fails_the_delivery_and_removes_the_access() {
    let (app, _receiver, policy) = waiting_at(Stage::AssignmentRequestGranted).await;
    let adele = app.principal("adele@contoso.test").await;
    let id = requests::submit(&app.state, &adele, policy, "")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    assert_eq!(
        request_state(&app, id).await,
        ("delivering".into(), "WaitingForCallback".into())
    );
    let assignment: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(assignment, "delivering");

    app.state.clock.advance(Duration::minutes(59));
    drain(&app.state).await.unwrap();
    assert_eq!(
        request_state(&app, id).await.1,
        "WaitingForCallback",
        "not before the hour"
    );
    app.state.clock.advance(Duration::minutes(2));
    drain(&app.state).await.unwrap();
    assert_eq!(
        request_state(&app, id).await,
        ("deliveryFailed".into(), "Expired".into())
    );
    let assignment: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(
        assignment, "deliveryFailed",
        "access is not kept when the workflow never answered"
    );
    let instance: String = app.id_of("SELECT status FROM callout_instances").await;
    assert_eq!(instance, "callbackTimedOut");
}

#[tokio::test]
async fn a_removed_stage_that_times_out_still_completes_the_removal() {
    let (app, _receiver, policy) = waiting_at(Stage::AssignmentRequestRemoved).await;
    let adele = app.principal("adele@contoso.test").await;
    let id = requests::submit(&app.state, &adele, policy, "")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    assert_eq!(
        request_state(&app, id).await,
        ("delivered".into(), "Delivered".into())
    );
    let assignment = app
        .id_of("SELECT id FROM assignments")
        .await
        .parse()
        .unwrap();
    let removal = requests::remove_assignment(&app.state, &adele, assignment)
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "expired", "the access ends at once");
    assert_eq!(request_state(&app, removal).await.1, "WaitingForCallback");

    app.state.clock.advance(Duration::minutes(61));
    drain(&app.state).await.unwrap();
    let (state, status) = request_state(&app, removal).await;
    assert_eq!(
        (state.as_str(), status.as_str()),
        ("delivered", "Expired"),
        "the removal completes anyway"
    );
}

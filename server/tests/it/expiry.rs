//! Assignment expiry and the pre-expiration stages, driven by the clock (no sleeps): the
//! 14-day and 1-day callouts fire once each and only for assignments that existed at their
//! moment, late after downtime, and the expiration removes the assignment through the removed
//! stage.

use crate::harness::TestApp;
use crate::receiver::{Reply, TestReceiver};
use app::domain::ids::{PolicyId, RequestId};
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::{request_views, requests};
use chrono::Duration;

/// "All employees" (no approval) gives access for `days`, with both pre-expiry stages mapped
/// to "Expiry reminder" and the removed stage to "Welcome mail", both calling the receiver.
async fn expiring_after(days: i64) -> (TestApp, TestReceiver, PolicyId) {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    let reminder = app
        .extension_at("Expiry reminder", &format!("{}/reminder", receiver.url))
        .await;
    let welcome = app
        .extension_at("Welcome mail", &format!("{}/welcome", receiver.url))
        .await;
    let policy = app.policy("All employees").await;
    sqlx::query("UPDATE policies SET expiration_type = 'afterDuration', expiration_duration = $1 WHERE id = $2")
        .bind(format!("P{days}D"))
        .bind(policy.to_string())
        .execute(&app.state.db)
        .await
        .unwrap();
    app.map_stages(
        policy,
        &[
            (Stage::AssignmentFourteenDaysBeforeExpiration, reminder),
            (Stage::AssignmentOneDayBeforeExpiration, reminder),
            (Stage::AssignmentRequestRemoved, welcome),
        ],
    )
    .await;
    (app, receiver, policy)
}

async fn grant(app: &TestApp, policy: PolicyId) -> RequestId {
    let adele = app.principal("adele@contoso.test").await;
    let id = requests::submit(&app.state, &adele, policy, "Campaign")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "delivered");
    id
}

/// The stage of every callout the receiver got, in order.
fn stages(receiver: &TestReceiver) -> Vec<String> {
    receiver
        .calls()
        .iter()
        .map(|c| c.json()["Stage"].as_str().unwrap_or_default().to_string())
        .collect()
}

const FOURTEEN: &str = "assignmentFourteenDaysBeforeExpiration";
const ONE: &str = "assignmentOneDayBeforeExpiration";
const REMOVED: &str = "assignmentRequestRemoved";

#[tokio::test]
async fn a_thirty_day_assignment_gets_each_reminder_once_then_is_removed() {
    let (app, receiver, policy) = expiring_after(30).await;
    let request = grant(&app, policy).await;

    app.pass(Duration::days(16) - Duration::minutes(1)).await;
    assert!(stages(&receiver).is_empty(), "not before the 14-day moment");
    app.pass(Duration::minutes(1)).await;
    assert_eq!(stages(&receiver), [FOURTEEN]);
    let body = receiver.calls()[0].json();
    assert!(body["ExpirationDateTime"].is_string(), "{body}");
    assert!(
        body.get("CallbackUriPath").is_none(),
        "nothing waits for it"
    );

    app.pass(Duration::days(12)).await;
    assert_eq!(stages(&receiver), [FOURTEEN], "no repeat");
    app.pass(Duration::days(1)).await;
    assert_eq!(stages(&receiver), [FOURTEEN, ONE]);

    app.pass(Duration::hours(23)).await;
    assert_eq!(stages(&receiver), [FOURTEEN, ONE]);
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "delivered", "not before the expiration");

    app.pass(Duration::hours(1)).await;
    assert_eq!(stages(&receiver), [FOURTEEN, ONE, REMOVED]);
    let (state, expired_at): (String, Option<String>) =
        sqlx::query_as("SELECT state, expired_at FROM assignments")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(state, "expired");
    assert!(expired_at.is_some());
    let removal: (String, String, String) = sqlx::query_as(
        "SELECT request_type, state, requestor_kind FROM requests WHERE request_type = 'systemRemove'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        removal,
        ("systemRemove".into(), "delivered".into(), "system".into())
    );

    // What the requestor sees: no active access, and the original request's history shows
    // the reminders.
    let adele = app.principal("adele@contoso.test").await;
    let mine = request_views::my_assignments(&app.state, &adele, &Default::default())
        .await
        .unwrap()
        .rows;
    assert!(mine.iter().all(|a| a.state != "delivered"), "{mine:?}");
    let details = request_views::details(&app.state, &adele, request)
        .await
        .unwrap();
    let launched = details
        .history
        .iter()
        .filter(|h| {
            h.words.starts_with("Custom extension called at")
                && h.words.contains("before assignment expiry")
        })
        .count();
    assert_eq!(launched, 2, "{:?}", details.history);

    app.pass(Duration::days(60)).await;
    assert_eq!(stages(&receiver).len(), 3, "nothing more, ever");
}

#[tokio::test]
async fn a_seven_day_assignment_gets_only_the_one_day_reminder() {
    let (app, receiver, policy) = expiring_after(7).await;
    grant(&app, policy).await;
    app.pass(Duration::days(6)).await;
    assert_eq!(stages(&receiver), [ONE]);
    app.pass(Duration::days(1)).await;
    assert_eq!(stages(&receiver), [ONE, REMOVED]);
}

#[tokio::test]
async fn a_server_stopped_across_the_fourteen_day_moment_fires_it_on_start() {
    let (app, receiver, policy) = expiring_after(30).await;
    grant(&app, policy).await;
    app.pass(Duration::days(10)).await;
    // Down from day 10 to day 18: the 14-day moment (day 16) passes while nothing runs.
    let app = app.restart(Duration::days(8)).await;
    assert!(stages(&receiver).is_empty());
    drain(&app.state).await.unwrap();
    assert_eq!(stages(&receiver), [FOURTEEN]);
    app.pass(Duration::days(1)).await;
    assert_eq!(stages(&receiver), [FOURTEEN], "fired once");
}

#[tokio::test]
async fn a_server_stopped_across_the_expiration_removes_without_stale_reminders() {
    let (app, receiver, policy) = expiring_after(30).await;
    grant(&app, policy).await;
    let app = app.restart(Duration::days(31)).await;
    drain(&app.state).await.unwrap();
    assert_eq!(
        stages(&receiver),
        [REMOVED],
        "a reminder after the access is gone would be false"
    );
}

#[tokio::test]
async fn a_failing_reminder_endpoint_never_blocks_the_expiration() {
    let (app, receiver, policy) = expiring_after(7).await;
    receiver.reply(Reply::Status(400));
    grant(&app, policy).await;
    app.pass(Duration::days(6)).await;
    let status: String = app
        .id_of(
            "SELECT status FROM callout_instances WHERE stage = 'assignmentOneDayBeforeExpiration'",
        )
        .await;
    assert_eq!(status, "calloutFailed");
    let attempts = app.scalar("SELECT COUNT(*) FROM callout_attempts").await;
    assert_eq!(attempts, 1);
    app.pass(Duration::days(1)).await;
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "expired");
}

#[tokio::test]
async fn the_scan_reads_only_due_assignments_and_skips_ended_ones() {
    let (app, _receiver, policy) = expiring_after(30).await;
    grant(&app, policy).await;
    let due = |at| app::store::expiry::due(&app.state.db, at, 100);
    let now = app.state.clock.now();
    assert!(due(now).await.unwrap().is_empty());
    assert_eq!(due(now + Duration::days(16)).await.unwrap().len(), 1);
    let scan = "SELECT id FROM assignments WHERE state = 'delivered' AND next_due_at IS NOT NULL \
         AND next_due_at <= '2100-01-01' ORDER BY next_due_at LIMIT 100";
    let plan = crate::harness::query_plan(&app.state.db, scan).await;
    assert!(plan.contains("assignments_next_due"), "{plan}");

    // Removed by hand: nothing more is due for it.
    let adele = app.principal("adele@contoso.test").await;
    let assignment = app
        .id_of("SELECT id FROM assignments")
        .await
        .parse()
        .unwrap();
    requests::remove_assignment(&app.state, &adele, assignment)
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    assert!(due(now + Duration::days(60)).await.unwrap().is_empty());
}

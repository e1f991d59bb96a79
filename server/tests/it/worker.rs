//! The running worker (`engine::worker::run`, not the tests' `drain`): it claims new jobs as
//! slots free up, so one slow endpoint does not hold up the jobs queued behind it.

use crate::callouts::scenario;
use crate::receiver::Reply;
use app::domain::extension::ClientConfiguration;
use app::domain::stage::Stage;
use app::engine::run::DELIVER_JOB;
use app::engine::worker;
use app::services::requests;
use app::store::batch::Batch;
use app::store::jobs;
use std::time::{Duration, Instant};

/// Waits (for an event, not for time to pass) until `done` holds, failing after 10 s.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn jobs_queued_behind_a_slow_callout_run_while_it_waits() {
    let client = ClientConfiguration {
        timeout_in_milliseconds: 30_000,
        maximum_retries: 0,
    };
    let s = scenario(&[Stage::AssignmentRequestCreated], client).await;
    s.receiver.reply(Reply::Slow(Duration::from_secs(30)));
    let state = s.app.state.clone();
    let stop = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(worker::run(state.clone(), stop.clone().cancelled_owned()));

    let adele = s.app.principal("adele@contoso.test").await;
    requests::submit(&state, &adele, s.policy(), "Need it")
        .await
        .unwrap();
    until("the slow callout is in flight", || async {
        s.receiver.calls().len() == 1
    })
    .await;

    // Forty more jobs, each done at once (their callout instance no longer exists).
    let now = state.clock.now();
    let mut conn = state.db.acquire().await.unwrap();
    let mut batch = Batch::new();
    for _ in 0..40 {
        let payload = serde_json::json!({ "instance": uuid::Uuid::new_v4().to_string() });
        jobs::enqueue(&mut batch, DELIVER_JOB, &payload, now, None, now);
    }
    batch.run(&mut conn).await.unwrap();
    drop(conn);
    state.wake.notify_one();
    // Left: the slow delivery and the request's approval deadline, 14 days away.
    until("only the slow delivery is left", || async {
        s.app
            .scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'deliverCallout'")
            .await
            == 1
    })
    .await;
    assert_eq!(
        s.app.scalar("SELECT COUNT(*) FROM callout_attempts").await,
        0,
        "the slow callout has not answered yet"
    );
    running.abort();
}

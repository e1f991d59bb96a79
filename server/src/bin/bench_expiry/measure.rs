//! The measurements: the scan (`engine::expiry::scan`) and its query on the full table, and
//! the time from "due" to "callout received" under the real worker (`engine::worker::run`).

use std::time::{Duration, Instant};

use app::engine::{expiry, worker};
use app::state::AppState;
use app::store::db_time;
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::listener::Listener;

/// The query of `app::store::expiry::due`, word for word, for its plan.
pub const DUE_QUERY: &str =
    "SELECT id FROM assignments WHERE state = 'delivered' AND next_due_at IS NOT NULL \
     AND next_due_at <= $1 ORDER BY next_due_at LIMIT $2";
/// The query of `app::store::expiry::next_due` (the idle worker's "when is the next one").
pub const NEXT_DUE_QUERY: &str = "SELECT MIN(next_due_at) FROM assignments \
     WHERE state = 'delivered' AND next_due_at IS NOT NULL";

fn db(e: sqlx::Error) -> String {
    format!("database: {e}")
}

/// `EXPLAIN QUERY PLAN` of `sql`, one line per step, indented by depth.
pub async fn plan(state: &AppState, sql: &str, now: DateTime<Utc>) -> Result<Vec<String>, String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    if sql.contains('$') {
        query = query.bind(db_time(now)).bind(expiry::SCAN_BATCH);
    }
    let rows = query.fetch_all(&state.db).await.map_err(db)?;
    let mut depth: Vec<(i64, usize)> = Vec::new();
    Ok(rows
        .into_iter()
        .map(|(id, parent, _, detail)| {
            let level = depth
                .iter()
                .find(|(i, _)| *i == parent)
                .map_or(0, |(_, l)| l + 1);
            depth.push((id, level));
            format!("{}{detail}", "  ".repeat(level))
        })
        .collect())
}

/// How many assignments the scan would find due at `now` (no limit).
pub async fn due_count(state: &AppState, now: DateTime<Utc>) -> Result<i64, String> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM assignments WHERE state = 'delivered' AND next_due_at IS NOT NULL \
         AND next_due_at <= $1",
    )
    .bind(db_time(now))
    .fetch_one(&state.db)
    .await
    .map_err(db)
}

/// `n` scans that must find nothing; their times.
pub async fn empty_scans(state: &AppState, n: usize) -> Result<Vec<Duration>, String> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let found = expiry::scan(state).await.map_err(db)?;
        times.push(started.elapsed());
        if found != 0 {
            return Err(format!("a scan expected to find nothing handled {found}"));
        }
    }
    Ok(times)
}

/// `n` runs of the due query alone (it reads, so the state stays as it is).
pub async fn due_queries(state: &AppState, n: usize) -> Result<Vec<Duration>, String> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        app::store::expiry::due(&state.db, state.clock.now(), expiry::SCAN_BATCH)
            .await
            .map_err(db)?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// `n` runs of the idle worker's next-due probe.
pub async fn next_due_probes(state: &AppState, n: usize) -> Result<Vec<Duration>, String> {
    let mut conn = state.db.acquire().await.map_err(db)?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        app::store::expiry::next_due(&mut conn).await.map_err(db)?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// Scans until one finds nothing: how many each handled and how long each took, the empty
/// last one left out.
pub async fn scans_until_empty(state: &AppState) -> Result<Vec<(usize, Duration)>, String> {
    let mut scans = Vec::new();
    loop {
        let started = Instant::now();
        let found = expiry::scan(state).await.map_err(db)?;
        let took = started.elapsed();
        if found == 0 {
            return Ok(scans);
        }
        scans.push((found, took));
    }
}

/// Delivers the queued callouts one at a time (claim one job, read it, `engine::deliver::deliver`),
/// with nothing else running: each one's own cost, without the worker's 16 at once.
pub async fn deliver_one_by_one(state: &AppState) -> Result<Vec<Duration>, String> {
    let mut times = Vec::new();
    loop {
        let started = Instant::now();
        let claimed = app::store::jobs::claim_due(&state.db, state.clock.now(), worker::LEASE, 1)
            .await
            .map_err(db)?;
        let Some(job) = claimed.first() else {
            return Ok(times);
        };
        let mut read = app::engine::deliver::read_batch(state, &claimed)
            .await
            .map_err(db)?;
        app::engine::deliver::deliver(state, job, read.take(job))
            .await
            .map_err(db)?;
        times.push(started.elapsed());
    }
}

/// `n` RS256 signatures of a callout-sized token with Latch's key (`callout::token::sign_jwt`),
/// the CPU-heavy step of every delivery.
pub fn signatures(state: &AppState, n: usize) -> Vec<Duration> {
    let claims = serde_json::json!({
        "iss": state.settings.public_url,
        "appid": state.settings.callout_app_id,
        "aud": "http://127.0.0.1/expiry-reminder",
        "iat": 1_700_000_000,
        "nbf": 1_700_000_000,
        "exp": 1_700_000_300,
        "jti": uuid::Uuid::new_v4(),
    });
    (0..n)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(app::callout::token::sign_jwt(&state.keys, &claims));
            started.elapsed()
        })
        .collect()
}

pub struct Fallen {
    /// Arrival − T per callout, in arrival order.
    pub latencies: Vec<Duration>,
    /// T → the `expected`-th arrival, if that many came.
    pub all_received: Option<Duration>,
    pub distinct_instances: usize,
    pub stages: Vec<(String, usize)>,
}

/// Starts the worker on an idle moment, then at T moves the clock by `by` (which makes
/// `expected` assignments due) and wakes the worker, as `POST /_test/clock/advance` does;
/// waits for the callouts at `listener`.
pub async fn due_to_received(
    state: &AppState,
    listener: &Listener,
    by: chrono::Duration,
    expected: usize,
    timeout: Duration,
) -> Result<Fallen, String> {
    listener.take();
    let stop = CancellationToken::new();
    let running = {
        let (state, stop) = (state.clone(), stop.clone());
        tokio::spawn(async move { worker::run(state, stop.cancelled_owned()).await })
    };
    // Let its first round find nothing and go to sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;
    if listener.count() != 0 {
        return Err("callouts arrived before T".to_owned());
    }

    state.clock.advance(by);
    let t = Instant::now();
    state.wake.notify_one();
    let complete = listener.wait_for(expected, timeout).await;
    let last = Instant::now();

    stop.cancel();
    running
        .await
        .map_err(|e| format!("the worker panicked: {e}"))?;
    let arrivals = listener.take();
    let latencies: Vec<Duration> = arrivals
        .iter()
        .map(|a| a.at.saturating_duration_since(t))
        .collect();
    let all_received = complete.then(|| {
        arrivals
            .get(expected - 1)
            .map_or(last - t, |a| a.at.saturating_duration_since(t))
    });
    let mut instances: Vec<&str> = arrivals.iter().map(|a| a.instance.as_str()).collect();
    instances.sort_unstable();
    instances.dedup();
    let mut stages: Vec<(String, usize)> = Vec::new();
    for a in &arrivals {
        match stages.iter_mut().find(|(s, _)| *s == a.stage) {
            Some((_, n)) => *n += 1,
            None => stages.push((a.stage.clone(), 1)),
        }
    }
    Ok(Fallen {
        latencies,
        all_received,
        distinct_instances: instances.len(),
        stages,
    })
}

/// `status: count` of every callout instance and `HTTP status: count` of every attempt.
pub async fn outcomes(state: &AppState) -> Result<(String, String), String> {
    let instances: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM callout_instances GROUP BY status ORDER BY status",
    )
    .fetch_all(&state.db)
    .await
    .map_err(db)?;
    let attempts: Vec<(Option<i64>, i64)> = sqlx::query_as(
        "SELECT http_status, COUNT(*) FROM callout_attempts GROUP BY http_status ORDER BY http_status",
    )
    .fetch_all(&state.db)
    .await
    .map_err(db)?;
    let join = |parts: Vec<String>| parts.join(", ");
    Ok((
        join(instances.iter().map(|(s, n)| format!("{s}: {n}")).collect()),
        join(
            attempts
                .iter()
                .map(|(s, n)| match s {
                    Some(s) => format!("HTTP {s}: {n}"),
                    None => format!("no response: {n}"),
                })
                .collect(),
        ),
    ))
}

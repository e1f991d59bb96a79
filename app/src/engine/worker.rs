//! The background worker: claims due jobs (callout deliveries, timers, connection tests), runs
//! them outside any transaction, and sleeps until the next is due, new work is queued, or shutdown.

use crate::domain::ids::RequestId;
use crate::domain::lifecycle::{Event, Timer};
use crate::engine::connection_test::{self, CONNECTION_TEST_JOB};
use crate::engine::facts::ToDeliver;
use crate::engine::run::{run_event, RunError, DELIVER_JOB, TIMER_JOB};
use crate::engine::{deliver, expiry};
use crate::state::AppState;
use crate::store::jobs::{self, Job};
use chrono::Duration;
use tokio::task::JoinSet;

/// How long a claimed job is ours: longer than the longest call (30 s) plus its recording.
pub const LEASE: Duration = Duration::minutes(2);
/// Jobs a test's [`drain`] round claims at once.
pub const BATCH: i64 = 16;
/// Jobs the running worker keeps in flight (also the most calls one process has open at once):
/// enough that on a saturated machine callouts keep pace with new requests instead of queueing
/// for seconds (docs/decisions.md, "Engine throughput" 25).
pub const SLOTS: usize = 64;
/// Free slots worth a claim while others still run: one claim (a write transaction) per
/// finished job would cost more than the job's own recording.
pub const REFILL_AT: usize = SLOTS / 4;
/// The longest sleep: a safety net under the notification.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(5);
/// How often a busy worker still scans for expiries (an idle one scans each time it wakes).
pub const SCAN_WHILE_BUSY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs until `shutdown` resolves, then lets the jobs in hand finish. Keeps up to [`SLOTS`]
/// jobs in flight and claims more as they end, rather than waiting for a whole batch: one slow
/// endpoint no longer holds up the callouts behind it.
pub async fn run(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut running = JoinSet::new();
    let mut last_scan: Option<std::time::Instant> = None;
    // Several instances on one PostgreSQL: a job any of them adds wakes this one too. The
    // set ends the listener when the worker stops.
    let mut listening = JoinSet::new();
    if crate::store::is_postgres(&state.db) {
        let (db, wake) = (state.db.clone(), state.wake.clone());
        listening.spawn(async move { jobs::listen(&db, || wake.notify_one()).await });
    }
    loop {
        // Register for a wake-up before looking, so work queued meanwhile is not missed.
        let notified = state.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();

        let free = SLOTS - running.len();
        let mut found = false;
        if free >= REFILL_AT || running.is_empty() {
            match jobs::claim_due(&state.writer, state.clock.now(), LEASE, free as i64).await {
                Ok(batch) => {
                    // A full claim means more may be due: come back as soon as a slot frees.
                    found = batch.len() == free;
                    start(&mut running, &state, batch).await;
                }
                Err(e) => tracing::error!(error = %e, "worker could not claim jobs"),
            }
        }
        if running.is_empty() || last_scan.is_none_or(|at| at.elapsed() >= SCAN_WHILE_BUSY) {
            last_scan = Some(std::time::Instant::now());
            match expiry::scan(&state).await {
                Ok(n) => found |= n > 0,
                Err(e) => tracing::error!(error = %e, "worker could not scan expiries"),
            }
        }
        if found && running.len() < SLOTS {
            continue;
        }
        let sleep = if running.is_empty() {
            next_wake(&state).await.map_or(POLL, |wait| wait.min(POLL))
        } else {
            POLL
        };
        tokio::select! {
            Some(done) = running.join_next(), if !running.is_empty() => {
                report_panic(done);
                // Take every other finished job too, so the next claim fills their slots at once.
                while let Some(done) = running.try_join_next() {
                    report_panic(done);
                }
            }
            _ = &mut notified => {}
            _ = tokio::time::sleep(sleep) => {}
            _ = &mut shutdown => break,
        }
    }
    while let Some(done) = running.join_next().await {
        report_panic(done);
    }
    tracing::info!("worker stopped");
}

/// Runs a claimed batch, each job in a task of its own, after reading what its deliveries send
/// in one read for the batch rather than one each.
async fn start(running: &mut JoinSet<()>, state: &AppState, batch: Vec<Job>) {
    let mut ready = match deliver::read_batch(state, &batch).await {
        Ok(ready) => ready,
        Err(e) => {
            // Their leases run out and the jobs are claimed again, as when one fails.
            tracing::error!(error = %e, jobs = batch.len(), "worker could not read its deliveries");
            return;
        }
    };
    for job in batch {
        let found = ready.take(&job);
        let state = state.clone();
        running.spawn(async move {
            if let Err(e) = handle(&state, &job, found).await {
                // The lease runs out and the job is claimed again.
                tracing::error!(job = job.id, kind = %job.kind, error = %e, "job failed");
            }
        });
    }
}

fn report_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(panic) = done {
        tracing::error!(error = %panic, "a job panicked; it will run again when its lease ends");
    }
}

async fn next_wake(state: &AppState) -> Option<std::time::Duration> {
    let mut conn = state.db.acquire().await.ok()?;
    let job = jobs::next_wake(&mut conn).await.ok()?;
    let expiry = crate::store::expiry::next_due(&mut conn).await.ok()?;
    let at = job.into_iter().chain(expiry).min()?;
    Some((at - state.clock.now()).to_std().unwrap_or_default())
}

/// One round: a batch of due jobs, then a batch of due expiries; how much there was.
pub async fn work(state: &AppState) -> Result<usize, sqlx::Error> {
    let jobs = run_due(state).await?;
    let expiries = expiry::scan(state).await?;
    Ok(jobs + expiries)
}

/// Claims and runs one batch of due jobs to the end; returns how many ran.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let batch = jobs::claim_due(&state.writer, state.clock.now(), LEASE, BATCH).await?;
    let count = batch.len();
    let mut running = JoinSet::new();
    start(&mut running, state, batch).await;
    while let Some(done) = running.join_next().await {
        report_panic(done);
    }
    Ok(count)
}

/// Runs every job and expiry due now, and what those make due now, until none is left: tests
/// call this instead of waiting for the worker.
pub async fn drain(state: &AppState) -> Result<(), sqlx::Error> {
    while work(state).await? > 0 {}
    Ok(())
}

/// One job; `delivery` is what [`deliver::read_batch`] read for a delivery job.
async fn handle(
    state: &AppState,
    job: &Job,
    delivery: Option<ToDeliver>,
) -> Result<(), sqlx::Error> {
    match job.kind.as_str() {
        DELIVER_JOB => deliver::deliver(state, job, delivery).await,
        TIMER_JOB => fire_timer(state, job).await,
        CONNECTION_TEST_JOB => connection_test::handle_job(state, job).await,
        other => {
            tracing::error!(job = job.id, kind = other, "unknown job kind; dropped");
            let mut conn = state.db.acquire().await?;
            jobs::complete(&mut conn, job.id).await
        }
    }
}

async fn fire_timer(state: &AppState, job: &Job) -> Result<(), sqlx::Error> {
    let decode = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    let request: RequestId =
        serde_json::from_value(job.payload["request"].clone()).map_err(decode)?;
    let timer: Timer = serde_json::from_value(job.payload["timer"].clone()).map_err(decode)?;
    let event = match timer {
        Timer::WaitDeadline { instance } => Event::WaitTimedOut { instance },
        Timer::ApprovalDeadline => Event::ApprovalTimedOut,
    };
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    match run_event(&mut tx, request, event, now).await {
        Ok(_) => {}
        Err(RunError::Refused(refusal)) => {
            tracing::info!(%request, %refusal, "timer after the request moved on")
        }
        Err(RunError::Db(e)) => return Err(e),
        Err(other) => tracing::error!(%request, error = %other, "timer could not be applied"),
    }
    jobs::complete(&mut tx, job.id).await?;
    tx.commit().await
}

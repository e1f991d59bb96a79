//! The background worker: claims due jobs (callout deliveries, timers, connection tests), runs
//! them outside any transaction, and sleeps until the next is due, new work is queued, or shutdown.

use crate::domain::ids::RequestId;
use crate::domain::lifecycle::{Event, Timer};
use crate::engine::connection_test::{self, CONNECTION_TEST_JOB};
use crate::engine::run::{run_event, RunError, DELIVER_JOB, TIMER_JOB};
use crate::engine::{deliver, expiry};
use crate::state::AppState;
use crate::store::jobs::{self, Job};
use chrono::Duration;
use tokio::task::JoinSet;

/// How long a claimed job is ours: longer than the longest call (30 s) plus its recording.
pub const LEASE: Duration = Duration::minutes(2);
/// Jobs run at once.
pub const BATCH: i64 = 16;
/// The longest sleep: a safety net under the notification.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs until `shutdown` resolves, then lets the jobs in hand finish.
pub async fn run(state: AppState, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        // Register for a wake-up before looking, so work queued meanwhile is not missed.
        let notified = state.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let ran = match work(&state).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "worker could not claim jobs or scan expiries");
                0
            }
        };
        if ran > 0 {
            continue;
        }
        let sleep = match next_wake(&state).await {
            Some(wait) => wait.min(POLL),
            None => POLL,
        };
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(sleep) => {}
            _ = &mut shutdown => break,
        }
    }
    tracing::info!("worker stopped");
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

/// Claims and runs one batch of due jobs; returns how many ran.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let batch = jobs::claim_due(&state.writer, state.clock.now(), LEASE, BATCH).await?;
    let count = batch.len();
    let mut running = JoinSet::new();
    for job in batch {
        let state = state.clone();
        running.spawn(async move {
            if let Err(e) = handle(&state, &job).await {
                // The lease runs out and the job is claimed again.
                tracing::error!(job = job.id, kind = %job.kind, error = %e, "job failed");
            }
        });
    }
    while let Some(done) = running.join_next().await {
        if let Err(panic) = done {
            tracing::error!(error = %panic, "a job panicked; it will run again when its lease ends");
        }
    }
    Ok(count)
}

/// Runs every job and expiry due now, and what those make due now, until none is left: tests
/// call this instead of waiting for the worker.
pub async fn drain(state: &AppState) -> Result<(), sqlx::Error> {
    while work(state).await? > 0 {}
    Ok(())
}

async fn handle(state: &AppState, job: &Job) -> Result<(), sqlx::Error> {
    match job.kind.as_str() {
        DELIVER_JOB => deliver::deliver(state, job).await,
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

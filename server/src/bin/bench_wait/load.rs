//! The benchmark's load through the rig's (`server::rig::load`): N `adminAdd` requests timed,
//! then a read-only watch of the SQLite file until every request has ended (or the timeout).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::ids::{PolicyId, UserId};
use chrono::{DateTime, Utc};
use server::rig::load::{progress, Answer, Progress, Target};
use sqlx::SqlitePool;

/// How the submissions went.
pub struct Submitted {
    pub started: DateTime<Utc>,
    pub elapsed: Duration,
    pub created: usize,
    pub refused: usize,
    pub first_refusal: Option<String>,
    /// POST → 201 per request, in milliseconds.
    pub latencies_ms: Vec<f64>,
}

/// Posts one `adminAdd` per user, `concurrency` at a time.
pub async fn submit(
    client: &reqwest::Client,
    target: &Target<'_>,
    users: &[UserId],
    concurrency: usize,
) -> Submitted {
    let started = Utc::now();
    let clock = Instant::now();
    let never = Arc::new(AtomicBool::new(false));
    let posted = server::rig::load::submit(client, target, users, concurrency, &never).await;
    let elapsed = clock.elapsed();
    let mut submitted = Submitted {
        started,
        elapsed,
        created: 0,
        refused: 0,
        first_refusal: None,
        latencies_ms: Vec::with_capacity(posted.len()),
    };
    for p in posted {
        match p.answer {
            Answer::Created(_) => submitted.latencies_ms.push(p.took.as_secs_f64() * 1000.0),
            Answer::Refused(why) | Answer::Lost(why) => {
                submitted.refused += 1;
                submitted.first_refusal.get_or_insert(why);
            }
        }
    }
    submitted.created = submitted.latencies_ms.len();
    submitted
}

/// Not known yet: the submissions are still going.
pub const UNKNOWN: usize = usize::MAX;

/// Polls until `expected` requests have ended (`expected` holds [`UNKNOWN`] while they are
/// still being submitted) or `timeout` runs out (from `since`). Every five seconds a progress
/// line goes to stderr, ending with what `status` says; `status` fails the wait when a process
/// has died.
pub async fn wait_until_ended(
    db: &SqlitePool,
    policy: PolicyId,
    expected: &AtomicUsize,
    since: Instant,
    timeout: Duration,
    status: &mut dyn FnMut() -> Result<String, String>,
) -> Result<(Progress, bool), String> {
    let mut reported = Instant::now();
    loop {
        let p = progress(db, policy).await?;
        let expected = expected.load(Ordering::Acquire);
        if expected != UNKNOWN && p.delivered + p.failed >= expected {
            return Ok((p, true));
        }
        if since.elapsed() > timeout {
            return Ok((p, false));
        }
        if reported.elapsed() >= Duration::from_secs(5) {
            let status = status()?;
            eprintln!(
                "bench: {:>6.1} s  submitted {}, delivered {}, failed {}, open {}; {status}",
                since.elapsed().as_secs_f64(),
                p.all(),
                p.delivered,
                p.failed,
                p.open
            );
            reported = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

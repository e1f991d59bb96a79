//! The benchmark's load through the rig's (`server::rig::load`): N `adminAdd` requests timed,
//! a bounded number in flight (the rig's `submit`) or an open loop at a fixed rate (here, one
//! task per request through the rig's `Posting`), then a read-only watch of the SQLite file
//! until every request has ended and, for launch and continue, every callout has been
//! delivered (or the timeout).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::ids::{PolicyId, UserId};
use app::store::Pool;
use chrono::{DateTime, Utc};
use server::rig::load::{self as rig_load, Answer, Posted, Posting, Target};
use server::rig::seed::Behaviour;
use tokio::task::JoinSet;

use crate::measure;
use crate::options::Arrivals;

/// How the submissions went.
pub struct Submitted {
    pub started: DateTime<Utc>,
    /// From the first send to the last answer.
    pub elapsed: Duration,
    pub created: usize,
    pub refused: usize,
    pub first_refusal: Option<String>,
    /// POST → 201 per request, in milliseconds.
    pub latencies_ms: Vec<f64>,
    /// Open loop only: how long after its due time each send started, in milliseconds; a
    /// large figure means the driver, not the server, set the pace.
    pub lateness_ms: Vec<f64>,
}

/// Outcomes of the posts, gathered as they are answered.
#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    refused: usize,
    first_refusal: Option<String>,
    lateness_ms: Vec<f64>,
}

impl Tally {
    fn add(&mut self, posted: Posted) {
        match posted.answer {
            Answer::Created(_) => self.latencies_ms.push(posted.took.as_secs_f64() * 1000.0),
            Answer::Refused(why) | Answer::Lost(why) => {
                self.refused += 1;
                self.first_refusal.get_or_insert(why);
            }
        }
    }
}

/// Posts one `adminAdd` per user, as `arrivals` says, the users shared out over `targets`
/// (one per Latch instance) in turn, each target taking its share of the arrivals.
pub async fn submit(
    client: &reqwest::Client,
    targets: &[Target<'_>],
    users: &[UserId],
    arrivals: Arrivals,
) -> Submitted {
    let started = Utc::now();
    let clock = Instant::now();
    let k = targets.len();
    let shares: Vec<Vec<UserId>> = (0..k)
        .map(|i| users.iter().skip(i).step_by(k).copied().collect())
        .collect();
    let mut tally = Tally::default();
    match arrivals {
        Arrivals::InFlight(concurrency) => {
            let never = Arc::new(AtomicBool::new(false));
            let each = targets
                .iter()
                .zip(&shares)
                .enumerate()
                .map(|(i, (t, share))| {
                    let mine = (concurrency / k + usize::from(i < concurrency % k)).max(1);
                    rig_load::submit(client, t, share, mine, &never)
                });
            for posted in futures::future::join_all(each).await {
                posted.into_iter().for_each(|p| tally.add(p));
            }
        }
        Arrivals::OpenLoop(rate) => {
            let each = targets.iter().zip(&shares).map(|(t, share)| {
                let posting = Arc::new(Posting::new(client, t, share));
                open_loop(posting, rate / k as f64)
            });
            for mut tasks in futures::future::join_all(each).await {
                while let Some(done) = tasks.join_next().await {
                    let Ok((late, posted)) = done else { continue };
                    tally.lateness_ms.push(late.as_secs_f64() * 1000.0);
                    tally.add(posted);
                }
            }
        }
    }
    Submitted {
        started,
        elapsed: clock.elapsed(),
        created: tally.latencies_ms.len(),
        refused: tally.refused,
        first_refusal: tally.first_refusal,
        latencies_ms: tally.latencies_ms,
        lateness_ms: tally.lateness_ms,
    }
}

/// One task per request, the `i`th started at `i / rate` seconds; returns once the last has
/// started. Each task answers how late it started and what its POST came to; lateness is taken
/// inside the task, so that it includes the runtime's delay in starting it.
async fn open_loop(posting: Arc<Posting>, rate: f64) -> JoinSet<(Duration, Posted)> {
    let start = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..posting.count() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let posting = posting.clone();
        tasks.spawn(async move {
            let late = tokio::time::Instant::now().saturating_duration_since(due);
            (late, posting.post(i).await)
        });
    }
    tasks
}

/// Where the run stands: the bench policy's requests by state and, for launch and continue,
/// their callouts.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Progress {
    pub requests: rig_load::Progress,
    /// Launch and continue only: a request ends without waiting for its callout, so the run
    /// is over only once the callouts are too.
    pub callouts: Option<Callouts>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Callouts {
    /// Successful (2xx) delivery attempts to the policy's callouts.
    pub delivered: usize,
    /// Delivery jobs not done yet (first attempts and retries).
    pub queued: usize,
}

impl Progress {
    pub fn ended(&self) -> usize {
        self.requests.delivered + self.requests.failed
    }

    /// Whether every one of `expected` requests has ended and, when the callouts are
    /// followed, each has had its one successful delivery with nothing left to send.
    pub fn complete(&self, expected: usize) -> bool {
        self.ended() >= expected
            && self
                .callouts
                .is_none_or(|c| c.delivered >= expected && c.queued == 0)
    }

    /// `412 of 1000 requests ended` or, once they have, what the callouts still lack.
    pub fn shortfall(&self, expected: usize) -> String {
        match self.callouts {
            Some(c) if self.ended() >= expected => format!(
                "only {} of {expected} callouts delivered ({} deliveries still queued)",
                c.delivered, c.queued
            ),
            _ => format!("only {} of {expected} requests ended", self.ended()),
        }
    }
}

pub async fn progress(
    db: &Pool,
    policy: PolicyId,
    behaviour: Behaviour,
) -> Result<Progress, String> {
    let requests = rig_load::progress(db, policy).await?;
    // Not read for launch and wait, so that its runs poll the database as they always have.
    let callouts = match behaviour.waits() {
        true => None,
        false => Some(callouts(db, policy).await?),
    };
    Ok(Progress { requests, callouts })
}

async fn callouts(db: &Pool, policy: PolicyId) -> Result<Callouts, String> {
    Ok(Callouts {
        delivered: measure::delivered_callout_count(db, policy).await?,
        queued: measure::deliveries_queued(db).await?,
    })
}

/// Not known yet: the submissions are still going.
pub const UNKNOWN: usize = usize::MAX;

/// Polls until `expected` requests are [complete](Progress::complete) (`expected` holds
/// [`UNKNOWN`] while they are still being submitted) or `timeout` runs out (from `since`).
/// Every five seconds a progress line goes to stderr, ending with what `status` says; `status`
/// fails the wait when a process has died.
pub async fn wait_until_ended(
    db: &Pool,
    policy: PolicyId,
    behaviour: Behaviour,
    expected: &AtomicUsize,
    since: Instant,
    timeout: Duration,
    status: &mut dyn FnMut() -> Result<String, String>,
) -> Result<(Progress, bool), String> {
    let mut reported = Instant::now();
    loop {
        let p = progress(db, policy, behaviour).await?;
        let expected = expected.load(Ordering::Acquire);
        if expected != UNKNOWN && p.complete(expected) {
            return Ok((p, true));
        }
        if since.elapsed() > timeout {
            return Ok((p, false));
        }
        if reported.elapsed() >= Duration::from_secs(5) {
            let status = status()?;
            let callouts = p.callouts.map_or(String::new(), |c| {
                format!("; callouts delivered {}, queued {}", c.delivered, c.queued)
            });
            eprintln!(
                "bench: {:>6.1} s  submitted {}, delivered {}, failed {}, open {}{callouts}; {status}",
                since.elapsed().as_secs_f64(),
                p.requests.all(),
                p.requests.delivered,
                p.requests.failed,
                p.requests.open
            );
            reported = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

//! The load: a client-credentials token for the demo app, N `adminAdd` requests through the
//! Graph-compatible REST API (a bounded number in flight, or an open loop at a fixed rate),
//! then a read-only watch of the SQLite file until every request has ended and, for launch and
//! continue, every callout has been delivered (or the timeout).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::ids::{PolicyId, UserId};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use tokio::task::JoinSet;

use crate::measure;
use crate::options::{Arrivals, Behaviour};

const REQUESTS: &str = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests";

/// A Bearer token for `client_id` (client credentials).
pub async fn token(
    client: &reqwest::Client,
    base: &str,
    client_id: &str,
    secret: &str,
) -> Result<String, String> {
    let form = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={secret}\
         &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
    );
    let response = client
        .post(format!("{base}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| format!("token: {e}"))?;
    let status = response.status();
    let body = json_of(response).await.map_err(|e| format!("token: {e}"))?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("token: {status} {body}"))
}

/// A response body as JSON (`Response::json` needs a reqwest feature the workspace leaves off).
pub async fn json_of(response: reqwest::Response) -> Result<Value, String> {
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))
}

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

pub struct Target<'a> {
    pub base: &'a str,
    pub token: &'a str,
    pub policy: PolicyId,
    pub package: &'a str,
}

/// What every sender shares: where to post, as whom, and one body per user.
struct Posting {
    client: reqwest::Client,
    url: String,
    auth: String,
    bodies: Vec<Vec<u8>>,
}

impl Posting {
    fn new(client: &reqwest::Client, target: &Target<'_>, users: &[UserId]) -> Posting {
        let bodies = users
            .iter()
            .map(|user| {
                json!({
                    "requestType": "adminAdd",
                    "assignment": {
                        "targetId": user.to_string(),
                        "assignmentPolicyId": target.policy.to_string(),
                        "accessPackageId": target.package,
                    },
                    "justification": "bench_wait",
                })
                .to_string()
                .into_bytes()
            })
            .collect();
        Posting {
            client: client.clone(),
            url: format!("{}{REQUESTS}", target.base),
            auth: format!("Bearer {}", target.token),
            bodies,
        }
    }

    /// Posts the `i`th body: POST → 201 in milliseconds, or why it was refused.
    async fn post(&self, i: usize) -> Result<f64, String> {
        let sent = Instant::now();
        let response = self
            .client
            .post(self.url.as_str())
            .header("authorization", self.auth.as_str())
            .header("content-type", "application/json")
            .body(self.bodies[i].clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status() == reqwest::StatusCode::CREATED {
            return Ok(sent.elapsed().as_secs_f64() * 1000.0);
        }
        Err(format!(
            "{}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        ))
    }
}

/// Outcomes of some posts, gathered per sender and merged at the end.
#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    refused: usize,
    first_refusal: Option<String>,
    lateness_ms: Vec<f64>,
}

impl Tally {
    fn add(&mut self, outcome: Result<f64, String>) {
        match outcome {
            Ok(ms) => self.latencies_ms.push(ms),
            Err(why) => {
                self.refused += 1;
                self.first_refusal.get_or_insert(why);
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies_ms.extend(other.latencies_ms);
        self.lateness_ms.extend(other.lateness_ms);
        self.refused += other.refused;
        if self.first_refusal.is_none() {
            self.first_refusal = other.first_refusal;
        }
    }
}

/// Posts one `adminAdd` per user, as `arrivals` says.
pub async fn submit(
    client: &reqwest::Client,
    target: &Target<'_>,
    users: &[UserId],
    arrivals: Arrivals,
) -> Submitted {
    let posting = Arc::new(Posting::new(client, target, users));
    let started = Utc::now();
    let clock = Instant::now();
    let mut tasks = match arrivals {
        Arrivals::InFlight(concurrency) => in_flight(posting, concurrency),
        Arrivals::OpenLoop(rate) => open_loop(posting, rate).await,
    };
    let mut tally = Tally::default();
    while let Some(done) = tasks.join_next().await {
        tally.merge(done.unwrap_or_default());
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

/// `concurrency` senders, each taking the next body as soon as its last one is answered.
fn in_flight(posting: Arc<Posting>, concurrency: usize) -> JoinSet<Tally> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let (posting, next) = (posting.clone(), next.clone());
        tasks.spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= posting.bodies.len() {
                    return tally;
                }
                tally.add(posting.post(i).await);
            }
        });
    }
    tasks
}

/// One task per body, the `i`th started at `i / rate` seconds; returns once the last has
/// started. Lateness is taken inside the task, so that it includes the runtime's delay in
/// starting it.
async fn open_loop(posting: Arc<Posting>, rate: f64) -> JoinSet<Tally> {
    let start = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..posting.bodies.len() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let posting = posting.clone();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let late = tokio::time::Instant::now().saturating_duration_since(due);
            tally.lateness_ms.push(late.as_secs_f64() * 1000.0);
            tally.add(posting.post(i).await);
            tally
        });
    }
    tasks
}

/// A read-only view of the server's database file.
pub async fn open_read_only(url: &str) -> Result<SqlitePool, String> {
    let options: SqliteConnectOptions = url
        .parse::<SqliteConnectOptions>()
        .map_err(|e| format!("{url}: {e}"))?
        .read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| format!("read-only {url}: {e}"))
}

/// Requests of the bench policy by state and, for launch and continue, their callouts.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Progress {
    pub delivered: usize,
    /// Ended otherwise: deliveryFailed, denied, canceled.
    pub failed: usize,
    pub open: usize,
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
        self.delivered + self.failed
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
    db: &SqlitePool,
    policy: PolicyId,
    behaviour: Behaviour,
) -> Result<Progress, String> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM requests WHERE policy_id = ? GROUP BY state")
            .bind(policy.to_string())
            .fetch_all(db)
            .await
            .map_err(|e| format!("progress: {e}"))?;
    let mut p = Progress::default();
    for (state, count) in rows {
        let count = usize::try_from(count).unwrap_or_default();
        match state.as_str() {
            "delivered" => p.delivered += count,
            "deliveryFailed" | "denied" | "canceled" => p.failed += count,
            _ => p.open += count,
        }
    }
    // Not read for launch and wait, so that its runs poll the database as they always have.
    if !behaviour.waits() {
        p.callouts = Some(callouts(db, policy).await?);
    }
    Ok(p)
}

async fn callouts(db: &SqlitePool, policy: PolicyId) -> Result<Callouts, String> {
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
    db: &SqlitePool,
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
                p.delivered + p.failed + p.open,
                p.delivered,
                p.failed,
                p.open
            );
            reported = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

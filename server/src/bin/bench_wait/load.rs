//! The load: a client-credentials token for the demo app, N `adminAdd` requests through the
//! Graph-compatible REST API with a bounded number in flight, then a read-only watch of the
//! SQLite file until every request has ended (or the timeout).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::domain::ids::{PolicyId, UserId};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

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
    pub elapsed: Duration,
    pub created: usize,
    pub refused: usize,
    pub first_refusal: Option<String>,
    /// POST → 201 per request, in milliseconds.
    pub latencies_ms: Vec<f64>,
}

pub struct Target<'a> {
    pub base: &'a str,
    pub token: &'a str,
    pub policy: PolicyId,
    pub package: &'a str,
}

/// Posts one `adminAdd` per user, `concurrency` at a time.
pub async fn submit(
    client: &reqwest::Client,
    target: &Target<'_>,
    users: &[UserId],
    concurrency: usize,
) -> Submitted {
    let url = Arc::new(format!("{}{REQUESTS}", target.base));
    let auth = Arc::new(format!("Bearer {}", target.token));
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        users
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
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let refusals = Arc::new(Mutex::new((0usize, None::<String>)));
    let started = Utc::now();
    let clock = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, auth, bodies, next, refusals) = (
            client.clone(),
            url.clone(),
            auth.clone(),
            bodies.clone(),
            next.clone(),
            refusals.clone(),
        );
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let sent = Instant::now();
                let outcome = client
                    .post(url.as_str())
                    .header("authorization", auth.as_str())
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                let refusal = match outcome {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => None,
                    Ok(r) => Some(format!(
                        "{}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => Some(e.to_string()),
                };
                match refusal {
                    None => latencies.push(sent.elapsed().as_secs_f64() * 1000.0),
                    Some(why) => {
                        let mut r = refusals.lock().unwrap_or_else(PoisonError::into_inner);
                        r.0 += 1;
                        r.1.get_or_insert(why);
                    }
                }
            }
            latencies
        });
    }
    let mut latencies_ms = Vec::with_capacity(users.len());
    while let Some(done) = tasks.join_next().await {
        latencies_ms.extend(done.unwrap_or_default());
    }
    let elapsed = clock.elapsed();
    let (refused, first_refusal) =
        std::mem::take(&mut *refusals.lock().unwrap_or_else(PoisonError::into_inner));
    Submitted {
        started,
        elapsed,
        created: latencies_ms.len(),
        refused,
        first_refusal,
        latencies_ms,
    }
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

/// Requests of the bench policy by state.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Progress {
    pub delivered: usize,
    /// Ended otherwise: deliveryFailed, denied, canceled.
    pub failed: usize,
    pub open: usize,
}

pub async fn progress(db: &SqlitePool, policy: PolicyId) -> Result<Progress, String> {
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
    Ok(p)
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

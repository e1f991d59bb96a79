//! The load: a client-credentials token for the demo app, `adminAdd` requests through the
//! Graph-compatible REST API (one POST at a time by [`Posting`], or a bounded number in flight
//! by [`submit`]), and a read-only view of the SQLite file to watch them end.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::domain::ids::{PolicyId, UserId};
use app::store::Pool;
use serde_json::{json, Value};

pub const REQUESTS: &str = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests";

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

pub struct Target<'a> {
    pub base: &'a str,
    pub token: &'a str,
    pub policy: PolicyId,
    pub package: &'a str,
}

/// What became of one `adminAdd` POST.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 201, with the new request's id.
    Created(String),
    /// Answered otherwise: the status and body.
    Refused(String),
    /// Never answered: the connection failed or was cut (the server died with it in flight).
    Lost(String),
}

#[derive(Debug, Clone)]
pub struct Posted {
    pub user: UserId,
    pub answer: Answer,
    /// From sending the POST to reading its answer.
    pub took: Duration,
}

/// What every sender shares: where to post, as whom, and one `adminAdd` body per user.
pub struct Posting {
    client: reqwest::Client,
    url: String,
    auth: String,
    bodies: Vec<(UserId, Vec<u8>)>,
}

impl Posting {
    pub fn new(client: &reqwest::Client, target: &Target<'_>, users: &[UserId]) -> Posting {
        let bodies = users
            .iter()
            .map(|user| {
                let body = json!({
                    "requestType": "adminAdd",
                    "assignment": {
                        "targetId": user.to_string(),
                        "assignmentPolicyId": target.policy.to_string(),
                        "accessPackageId": target.package,
                    },
                    "justification": "bench_wait",
                });
                (*user, body.to_string().into_bytes())
            })
            .collect();
        Posting {
            client: client.clone(),
            url: format!("{}{REQUESTS}", target.base),
            auth: format!("Bearer {}", target.token),
            bodies,
        }
    }

    /// How many requests there are to post.
    pub fn count(&self) -> usize {
        self.bodies.len()
    }

    /// Posts the `i`th user's request (`i` below [`count`](Posting::count)): what it came to.
    pub async fn post(&self, i: usize) -> Posted {
        let (user, body) = &self.bodies[i];
        let sent = Instant::now();
        let outcome = self
            .client
            .post(self.url.as_str())
            .header("authorization", self.auth.as_str())
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        let answer = match outcome {
            Ok(r) if r.status() == reqwest::StatusCode::CREATED => match json_of(r).await {
                Ok(created) => match created["id"].as_str() {
                    Some(id) => Answer::Created(id.to_owned()),
                    None => Answer::Refused(format!("201 without an id: {created}")),
                },
                Err(e) => Answer::Lost(format!("201, then the body was lost: {e}")),
            },
            Ok(r) => Answer::Refused(format!(
                "{}: {}",
                r.status(),
                r.text().await.unwrap_or_default()
            )),
            Err(e) => Answer::Lost(e.to_string()),
        };
        Posted {
            user: *user,
            answer,
            took: sent.elapsed(),
        }
    }
}

/// Posts one `adminAdd` per user, `concurrency` at a time (a closed loop: each sender takes
/// the next as soon as its last is answered), until all are posted or `stop` is set (the POSTs
/// already sent still count); what each came to, in the order answered. Users missing from the
/// result were never posted.
pub async fn submit(
    client: &reqwest::Client,
    target: &Target<'_>,
    users: &[UserId],
    concurrency: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<Posted> {
    let posting = Arc::new(Posting::new(client, target, users));
    let next = Arc::new(AtomicUsize::new(0));
    let posted = Arc::new(Mutex::new(Vec::with_capacity(users.len())));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (posting, next, posted, stop) =
            (posting.clone(), next.clone(), posted.clone(), stop.clone());
        tasks.spawn(async move {
            while !stop.load(Ordering::Acquire) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= posting.count() {
                    break;
                }
                let done = posting.post(i).await;
                posted
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(done);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let posted = std::mem::take(&mut *posted.lock().unwrap_or_else(PoisonError::into_inner));
    posted
}

/// A view of the server's database: the file opened read-only, or a PostgreSQL connection.
pub async fn open_read_only(url: &str) -> Result<Pool, String> {
    let url = if app::store::is_postgres_url(url) {
        url.to_owned()
    } else {
        app::store::sqlite_in_mode(url, "ro")
    };
    app::store::pool_options(&url, 1)
        .connect(&url)
        .await
        .map_err(|e| format!("read-only {}: {e}", app::store::redacted_url(&url)))
}

/// Requests of a policy by state.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Progress {
    pub delivered: usize,
    /// Ended otherwise: deliveryFailed, denied, canceled.
    pub failed: usize,
    pub open: usize,
}

impl Progress {
    pub fn all(&self) -> usize {
        self.delivered + self.failed + self.open
    }
}

pub async fn progress(db: &Pool, policy: PolicyId) -> Result<Progress, String> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM requests WHERE policy_id = $1 GROUP BY state")
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

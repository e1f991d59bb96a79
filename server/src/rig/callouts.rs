//! What the sample receiver recorded (`GET /_receiver/callouts`): each callout it was sent
//! and, once it has finished, its resume and what Latch answered.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::rig::load::json_of;

/// Where the receiver lists what it recorded.
pub const PATH: &str = "/_receiver/callouts";

/// One callout as the receiver recorded it (only the fields the rig reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    pub received_at: DateTime<Utc>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub resume: Option<Resume>,
}

/// The receiver's resume of a callout, once it has finished.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub latency_ms: Option<f64>,
    #[serde(default)]
    pub error: Option<String>,
}

pub async fn callouts(client: &reqwest::Client, url: &str) -> Result<Vec<Recorded>, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("receiver callouts: {e}"))?;
    let body = json_of(response)
        .await
        .map_err(|e| format!("receiver callouts: {e}"))?;
    serde_json::from_value(body).map_err(|e| format!("receiver callouts: {e}"))
}

/// The receiver's records once every one of them has its resume (a resume is recorded after
/// Latch answers it, so the last few may lag the database), or what there is after `within`.
/// When the receiver does not resume (`resumes` false) the records are complete once Latch has
/// its 202s, as the receiver records a callout before it answers.
pub async fn settled_callouts(
    client: &reqwest::Client,
    url: &str,
    resumes: bool,
    within: Duration,
) -> Result<Vec<Recorded>, String> {
    let start = Instant::now();
    loop {
        let records = callouts(client, url).await?;
        if !resumes || records.iter().all(|r| r.resume.is_some()) || start.elapsed() > within {
            return Ok(records);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

//! What the run measured, from the two sides that saw it: the receiver's record of each
//! callout and its resume (`GET /_receiver/callouts`), and Latch's database (when each stage
//! instance started, when each request ended, every delivery attempt and when the successful
//! ones were answered). Both sides read the same machine clock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::domain::ids::PolicyId;
use app::engine::run::DELIVER_JOB;
use app::store::parse_db_time;
use app::store::Pool;
use chrono::{DateTime, Utc};

pub use server::rig::callouts::Recorded;
use server::rig::callouts::Resume;

/// Delivery jobs not done yet: first attempts and retries.
pub async fn deliveries_queued(db: &Pool) -> Result<usize, String> {
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1")
        .bind(DELIVER_JOB)
        .fetch_one(db)
        .await
        .map_err(|e| format!("jobs: {e}"))?;
    Ok(usize::try_from(left).unwrap_or_default())
}

/// Waits (up to `within`) until no delivery job is left: with a resume quicker than Latch's
/// recording of the delivery, a request can end before its attempt is written.
pub async fn deliveries_settled(db: &Pool, within: Duration) -> Result<(), String> {
    let start = Instant::now();
    while deliveries_queued(db).await? > 0 && start.elapsed() <= within {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn time(text: &str) -> Result<DateTime<Utc>, String> {
    parse_db_time(text).map_err(|e| format!("a time in the database: {e}"))
}

fn millis(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from)
        .num_microseconds()
        .map_or(f64::NAN, |us| us as f64 / 1000.0)
}

/// When each callout instance of the policy's requests was created (its stage started).
pub async fn instance_starts(
    db: &Pool,
    policy: PolicyId,
) -> Result<HashMap<String, DateTime<Utc>>, String> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.id, i.created_at FROM callout_instances i JOIN requests r ON r.id = i.request_id \
         WHERE r.policy_id = $1",
    )
    .bind(policy.to_string())
    .fetch_all(db)
    .await
    .map_err(|e| format!("callout instances: {e}"))?;
    rows.into_iter()
        .map(|(id, at)| Ok((id, time(&at)?)))
        .collect()
}

/// Stage start → callout received, per instance, from the first time the receiver saw it;
/// also how many records repeated an instance (a redelivery) or named none Latch knows.
pub struct CalloutLatency {
    pub latencies_ms: Vec<f64>,
    pub repeated: usize,
    pub unknown: usize,
}

pub fn callout_latency(
    records: &[Recorded],
    starts: &HashMap<String, DateTime<Utc>>,
) -> CalloutLatency {
    let mut first: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut repeated = 0;
    let mut unknown = 0;
    for r in records {
        let Some(id) = r
            .instance_id
            .as_deref()
            .filter(|id| starts.contains_key(*id))
        else {
            unknown += 1;
            continue;
        };
        match first.get_mut(id) {
            Some(seen) => {
                repeated += 1;
                *seen = (*seen).min(r.received_at);
            }
            None => {
                first.insert(id, r.received_at);
            }
        }
    }
    let latencies_ms = first
        .iter()
        .map(|(id, received)| millis(starts[*id], *received))
        .collect();
    CalloutLatency {
        latencies_ms,
        repeated,
        unknown,
    }
}

/// The delivered requests' (created, completed) times.
pub async fn delivered_times(
    db: &Pool,
    policy: PolicyId,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, String> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT created_at, completed_at FROM requests \
         WHERE policy_id = $1 AND state = 'delivered' AND completed_at IS NOT NULL",
    )
    .bind(policy.to_string())
    .fetch_all(db)
    .await
    .map_err(|e| format!("requests: {e}"))?;
    rows.iter().map(|(c, d)| Ok((time(c)?, time(d)?))).collect()
}

pub fn request_latencies_ms(times: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<f64> {
    times.iter().map(|(c, d)| millis(*c, *d)).collect()
}

/// Delivery attempts: all of them, and those without a 2xx answer.
pub async fn attempts(db: &Pool) -> Result<(i64, i64), String> {
    sqlx::query_as(
        "SELECT COUNT(*), COUNT(CASE WHEN http_status IS NULL \
                OR http_status NOT BETWEEN 200 AND 299 THEN 1 END) FROM callout_attempts",
    )
    .fetch_one(db)
    .await
    .map_err(|e| format!("attempts: {e}"))
}

/// The policy's successful (2xx) delivery attempts, for a query to select from.
const DELIVERED_ATTEMPTS: &str = "FROM callout_attempts a \
    JOIN callout_instances i ON i.id = a.instance_id JOIN requests r ON r.id = i.request_id \
    WHERE r.policy_id = $1 AND a.http_status BETWEEN 200 AND 299";

pub async fn delivered_callout_count(db: &Pool, policy: PolicyId) -> Result<usize, String> {
    let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {DELIVERED_ATTEMPTS}"))
        .bind(policy.to_string())
        .fetch_one(db)
        .await
        .map_err(|e| format!("attempts: {e}"))?;
    Ok(usize::try_from(count).unwrap_or_default())
}

/// When each successful delivery attempt to the policy's callouts was answered: its start
/// plus its latency, as Latch recorded them.
pub async fn delivered_callouts(db: &Pool, policy: PolicyId) -> Result<Vec<DateTime<Utc>>, String> {
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT a.started_at, a.latency_ms {DELIVERED_ATTEMPTS}"
    ))
    .bind(policy.to_string())
    .fetch_all(db)
    .await
    .map_err(|e| format!("attempts: {e}"))?;
    rows.iter()
        .map(|(at, ms)| Ok(time(at)? + chrono::Duration::milliseconds(*ms)))
        .collect()
}

/// Resumes by outcome (`continue 204`, `error: …`), most frequent first.
pub fn resume_outcomes(records: &[Recorded]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in records {
        let key = match &r.resume {
            None => "not finished".to_owned(),
            Some(Resume { error: Some(e), .. }) => format!("error: {e}"),
            Some(resume) => match resume.http_status {
                Some(status) => format!("{} {status}", resume.state),
                None => resume.state.clone(),
            },
        };
        *counts.entry(key).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

pub fn milliseconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    millis(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::milliseconds(ms)
    }

    fn record(instance: &str, ms: i64, resume: Option<(&str, u16)>) -> Recorded {
        Recorded {
            received_at: at(ms),
            instance_id: Some(instance.to_owned()),
            request_id: None,
            verified: true,
            resume: resume.map(|(state, status)| Resume {
                state: state.to_owned(),
                http_status: Some(status),
                latency_ms: Some(3.0),
                error: None,
            }),
        }
    }

    #[test]
    fn a_redelivered_instance_counts_once_from_its_first_arrival() {
        let starts = HashMap::from([("a".to_owned(), at(0)), ("b".to_owned(), at(100))]);
        let records = [
            record("a", 40, None),
            record("b", 112, Some(("continue", 204))),
            record("a", 1040, Some(("continue", 204))),
            record("zzz", 5, None),
        ];
        let mut l = callout_latency(&records, &starts);
        l.latencies_ms.sort_by(f64::total_cmp);
        assert_eq!(l.latencies_ms, [12.0, 40.0]);
        assert_eq!((l.repeated, l.unknown), (1, 1));
        assert_eq!(
            resume_outcomes(&records),
            [
                ("continue 204".to_owned(), 2),
                ("not finished".to_owned(), 2)
            ]
        );
    }

    #[test]
    fn the_receivers_json_is_read() {
        let json = r#"[{"receivedAt":"2026-11-27T10:00:00.250Z","path":"/sod","stage":"assignmentRequestCreated",
            "instanceId":"i1","requestId":"r1","verified":true,
            "resume":{"at":"2026-11-27T10:00:00.300Z","state":"continue","reason":null,"httpStatus":204,"latencyMs":4,"error":null}},
            {"receivedAt":"2026-11-27T10:00:01Z","instanceId":"i2","verified":false}]"#;
        let records: Vec<Recorded> = serde_json::from_str(json).unwrap();
        assert_eq!(records[0].received_at, at(250));
        assert_eq!(records[0].resume.as_ref().unwrap().latency_ms, Some(4.0));
        assert!(records[1].resume.is_none() && !records[1].verified);
    }
}

//! Durable work and timers: every retry, deadline and trigger is a row with a due time.
//! A worker claims due rows with one short `UPDATE … RETURNING` that sets a lease, commits,
//! does the work outside any transaction, then completes or reschedules the row in a second
//! short write. A lease that runs out (the process died mid-job) makes the row claimable again.

use crate::store::batch::Batch;
use crate::store::{db_time, parse_db_time};
use crate::store::{locks, Conn, Pool};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    /// Claims so far, this one included.
    pub attempts: i64,
    pub due_at: DateTime<Utc>,
}

/// Adds a job; with a `dedupe_key`, a job already waiting under that key is kept instead
/// (a timer set twice is one timer).
pub fn enqueue(
    b: &mut Batch<'_>,
    kind: &str,
    payload: &Value,
    due_at: DateTime<Utc>,
    dedupe_key: Option<&str>,
    now: DateTime<Utc>,
) {
    b.push(
        "INSERT INTO jobs (kind, payload, dedupe_key, due_at, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(kind.to_owned())
    .bind(payload.to_string())
    .bind(dedupe_key.map(str::to_owned))
    .bind(db_time(due_at))
    .bind(db_time(now));
}

/// Removes a waiting job by its key (a timer that no longer applies).
pub fn cancel(b: &mut Batch<'_>, dedupe_key: &str) {
    b.push("DELETE FROM jobs WHERE dedupe_key = ?")
        .bind(dedupe_key.to_owned());
}

/// Claims up to `limit` due jobs, most overdue first, for `lease`.
pub async fn claim_due(
    db: &Pool,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Job>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    // Other processes claiming at the same moment pass over the rows this claim holds, rather
    // than wait for them and claim them a second time.
    let sql = format!(
        "UPDATE jobs SET lease_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs WHERE due_at <= $2 AND (lease_until IS NULL OR lease_until <= $3) \
                      ORDER BY due_at, id LIMIT $4{}) \
         RETURNING id, kind, payload, attempts, due_at",
        locks::skip_locked(&conn)
    );
    let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(&sql)
        .bind(db_time(now + lease))
        .bind(db_time(now))
        .bind(db_time(now))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut jobs = rows
        .into_iter()
        .map(|(id, kind, payload, attempts, due_at)| {
            Ok(Job {
                id,
                kind,
                payload: serde_json::from_str(&payload)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                attempts,
                due_at: parse_db_time(&due_at)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    jobs.sort_by_key(|j| (j.due_at, j.id));
    Ok(jobs)
}

pub async fn complete(conn: &mut Conn, id: i64) -> Result<(), sqlx::Error> {
    let mut b = Batch::new();
    complete_in(&mut b, id);
    b.run(conn).await
}

/// [`complete`] as part of a batch.
pub fn complete_in(b: &mut Batch<'_>, id: i64) {
    b.push("DELETE FROM jobs WHERE id = ?").bind(id);
}

/// Puts a claimed job back for later (a retry), keeping why it failed.
pub fn reschedule_in<'q>(
    b: &mut Batch<'q>,
    id: i64,
    due_at: DateTime<Utc>,
    error: Option<&'q str>,
) {
    b.push("UPDATE jobs SET due_at = ?, lease_until = NULL, last_error = ? WHERE id = ?")
        .bind(db_time(due_at))
        .bind(error)
        .bind(id);
}

/// On PostgreSQL: calls `added` each time any process adds jobs (the `jobs_added` trigger's
/// notification), for as long as the task runs. A lost connection is opened again; what was
/// announced meanwhile is found by the worker's poll.
pub async fn listen(db: &Pool, added: impl Fn()) {
    use sqlx::postgres::PgListener;
    let url = db.connect_options().database_url.clone();
    loop {
        let listened = async {
            let mut listener = PgListener::connect(url.as_str()).await?;
            listener.listen(super::migrations::JOBS_CHANNEL).await?;
            loop {
                listener.recv().await?;
                added();
            }
        };
        let stopped: Result<(), sqlx::Error> = listened.await;
        if let Err(e) = stopped {
            tracing::warn!(error = %e, "not listening for new jobs; trying again in 5 s (the poll runs meanwhile)");
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// When the next job falls due (or its lease runs out), so the worker can sleep until then.
pub async fn next_wake(conn: &mut Conn) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > due_at THEN lease_until ELSE due_at END) FROM jobs")
            .fetch_one(conn)
            .await?;
    next.map(|t| parse_db_time(&t)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_db;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// [`enqueue`] on its own.
    async fn queue(
        conn: &mut Conn,
        kind: &str,
        payload: &Value,
        due_at: DateTime<Utc>,
        dedupe_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let mut b = Batch::new();
        enqueue(&mut b, kind, payload, due_at, dedupe_key, now);
        b.run(conn).await
    }

    #[tokio::test]
    async fn due_jobs_are_claimed_once_until_their_lease_runs_out() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let t0 = at("2026-01-01T00:00:00Z");
        queue(&mut conn, "a", &json!({"n": 1}), t0, None, t0)
            .await
            .unwrap();
        queue(
            &mut conn,
            "b",
            &json!({}),
            t0 + Duration::hours(1),
            None,
            t0,
        )
        .await
        .unwrap();

        let claimed = claim_due(&db, t0, Duration::minutes(5), 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "only the due one");
        assert_eq!((claimed[0].kind.as_str(), claimed[0].attempts), ("a", 1));
        assert_eq!(claimed[0].payload, json!({"n": 1}));
        assert!(
            claim_due(&db, t0, Duration::minutes(5), 10)
                .await
                .unwrap()
                .is_empty(),
            "leased"
        );

        // The worker died: after the lease the job is claimable again.
        let again = claim_due(&db, t0 + Duration::minutes(6), Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        complete(&mut conn, again[0].id).await.unwrap();
        assert_eq!(
            next_wake(&mut conn).await.unwrap(),
            Some(t0 + Duration::hours(1))
        );
    }

    #[tokio::test]
    async fn a_dedupe_key_keeps_one_timer_and_cancel_removes_it() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let t0 = at("2026-01-01T00:00:00Z");
        queue(&mut conn, "deadline", &json!({}), t0, Some("wait:1"), t0)
            .await
            .unwrap();
        queue(
            &mut conn,
            "deadline",
            &json!({}),
            t0 + Duration::hours(9),
            Some("wait:1"),
            t0,
        )
        .await
        .unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(count, 1);
        assert_eq!(
            next_wake(&mut conn).await.unwrap(),
            Some(t0),
            "the first timer stands"
        );
        let mut b = Batch::new();
        cancel(&mut b, "wait:1");
        b.run(&mut conn).await.unwrap();
        assert_eq!(next_wake(&mut conn).await.unwrap(), None);
    }

    #[tokio::test]
    async fn reschedule_releases_the_lease_and_keeps_the_error() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let t0 = at("2026-01-01T00:00:00Z");
        queue(&mut conn, "a", &json!({}), t0, None, t0)
            .await
            .unwrap();
        let job = claim_due(&db, t0, Duration::minutes(5), 1)
            .await
            .unwrap()
            .remove(0);
        let mut b = Batch::new();
        reschedule_in(&mut b, job.id, t0 + Duration::seconds(30), Some("HTTP 500"));
        b.run(&mut conn).await.unwrap();
        assert!(
            claim_due(&db, t0 + Duration::seconds(29), Duration::minutes(5), 1)
                .await
                .unwrap()
                .is_empty()
        );
        let retried = claim_due(&db, t0 + Duration::seconds(30), Duration::minutes(5), 1)
            .await
            .unwrap();
        assert_eq!(retried[0].attempts, 2);
        let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM jobs")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(error.as_deref(), Some("HTTP 500"));
    }

    #[tokio::test]
    async fn claims_at_the_same_moment_never_share_a_job() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let t0 = at("2026-01-01T00:00:00Z");
        let mut b = Batch::new();
        for _ in 0..200 {
            enqueue(&mut b, "a", &json!({}), t0, None, t0);
        }
        b.run(&mut conn).await.unwrap();
        let claimer = || async {
            let mut mine = Vec::new();
            loop {
                let got = claim_due(&db, t0, Duration::minutes(5), 7).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
        };
        let (a, b, c, d) = tokio::join!(claimer(), claimer(), claimer(), claimer());
        let mut all: Vec<i64> = [a, b, c, d].concat();
        all.sort_unstable();
        let claimed = all.len();
        all.dedup();
        assert_eq!((claimed, all.len()), (200, 200));
    }

    #[tokio::test]
    #[ignore = "PostgreSQL only: make test's PostgreSQL pass runs it"]
    async fn on_postgres_a_listener_hears_of_jobs_added_anywhere() {
        let (db, _dir) = test_db().await;
        let (heard, mut hearing) = tokio::sync::mpsc::unbounded_channel();
        let listening = tokio::spawn({
            let db = db.clone();
            async move {
                listen(&db, move || {
                    let _ = heard.send(());
                })
                .await
            }
        });
        let t0 = at("2026-01-01T00:00:00Z");
        let mut conn = db.acquire().await.unwrap();
        // The listener may not be listening yet when the first job is added: add one more
        // each 100 ms until it hears one.
        let heard = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                queue(&mut conn, "a", &json!({}), t0, None, t0)
                    .await
                    .unwrap();
                let wait =
                    tokio::time::timeout(std::time::Duration::from_millis(100), hearing.recv());
                if let Ok(Some(())) = wait.await {
                    return;
                }
            }
        })
        .await;
        listening.abort();
        assert!(heard.is_ok(), "no notification in 10 s");
    }
}

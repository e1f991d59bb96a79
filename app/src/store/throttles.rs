//! The tallies of failed credential checks (`domain::throttle` decides what they mean).

use crate::domain::throttle::{count_attempt, Tally, ThrottleLimits, Verdict};
use crate::store::Conn;
use crate::store::{db_time, parse_db_time};
use chrono::{DateTime, Utc};

/// Counts an attempt at `subject` as a failure until `forgive` says otherwise.
/// Run it in a write transaction: the read and the write must not interleave with another
/// attempt's.
pub async fn count(
    tx: &mut Conn,
    subject: &str,
    now: DateTime<Utc>,
    limits: &ThrottleLimits,
) -> Result<Verdict, sqlx::Error> {
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT failures, last_at, locked_until FROM throttles WHERE subject = $1")
            .bind(subject)
            .fetch_optional(&mut *tx)
            .await?;
    let previous = match row {
        Some((failures, last_at, locked_until)) => Some(Tally {
            failures: u32::try_from(failures).unwrap_or(u32::MAX),
            last_at: parse_db_time(&last_at)?,
            locked_until: locked_until.as_deref().map(parse_db_time).transpose()?,
        }),
        None => None,
    };
    let (tally, verdict) = count_attempt(previous, now, limits);
    if Some(tally) != previous {
        sqlx::query(
            "INSERT INTO throttles (subject, failures, last_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, \
             last_at = excluded.last_at, locked_until = excluded.locked_until",
        )
        .bind(subject)
        .bind(i64::from(tally.failures))
        .bind(db_time(tally.last_at))
        .bind(tally.locked_until.map(db_time))
        .execute(&mut *tx)
        .await?;
    }
    Ok(verdict)
}

/// The credentials proved right: `reset` forgets every failure (the account or client
/// itself); otherwise only this attempt is taken back (an address many people share).
pub async fn forgive(conn: &mut Conn, subject: &str, reset: bool) -> Result<(), sqlx::Error> {
    let sql = if reset {
        "DELETE FROM throttles WHERE subject = $1 AND locked_until IS NULL"
    } else {
        "UPDATE throttles SET failures = failures - 1 \
         WHERE subject = $1 AND locked_until IS NULL AND failures > 0"
    };
    sqlx::query(sql).bind(subject).execute(conn).await?;
    Ok(())
}

/// Deletes the tallies that the rules have forgotten anyway (quiet and not locked), so a
/// spray of made-up names leaves nothing behind.
pub async fn prune(
    conn: &mut Conn,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM throttles WHERE last_at < $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(db_time(quiet_since))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_db, write_tx};
    use chrono::Duration;

    #[tokio::test]
    async fn failures_count_up_and_a_success_forgives_them() {
        let (db, _dir) = test_db().await;
        let limits = ThrottleLimits::ACCOUNT;
        let now = Utc::now();
        let mut tx = write_tx(&db).await.unwrap();
        for _ in 0..limits.free_failures {
            assert_eq!(
                count(&mut tx, "account:a", now, &limits).await.unwrap(),
                Verdict::Go
            );
        }
        assert!(matches!(
            count(&mut tx, "account:a", now, &limits).await.unwrap(),
            Verdict::Hold(_)
        ));
        forgive(&mut tx, "account:a", true).await.unwrap();
        assert_eq!(
            count(&mut tx, "account:a", now, &limits).await.unwrap(),
            Verdict::Go
        );

        count(&mut tx, "address:1", now, &limits).await.unwrap();
        count(&mut tx, "address:1", now, &limits).await.unwrap();
        forgive(&mut tx, "address:1", false).await.unwrap();
        let failures: i64 =
            sqlx::query_scalar("SELECT failures FROM throttles WHERE subject = 'address:1'")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        assert_eq!(failures, 1, "one attempt taken back, the other kept");
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_lockout_survives_a_right_password_and_quiet_rows_are_pruned() {
        let (db, _dir) = test_db().await;
        let limits = ThrottleLimits::ACCOUNT;
        let now = Utc::now();
        let mut conn = db.acquire().await.unwrap();
        for _ in 0..=limits.max_failures {
            count(&mut conn, "client:x", now, &limits).await.unwrap();
        }
        count(
            &mut conn,
            "account:quiet",
            now - Duration::hours(1),
            &limits,
        )
        .await
        .unwrap();
        forgive(&mut conn, "client:x", true).await.unwrap();
        assert!(matches!(
            count(&mut conn, "client:x", now, &limits).await.unwrap(),
            Verdict::Locked { newly: false, .. }
        ));
        let pruned = prune(&mut conn, now - limits.lockout, now).await.unwrap();
        assert_eq!(pruned, 1, "only the quiet, unlocked row goes");
        let pruned_later = prune(
            &mut conn,
            now + Duration::hours(1),
            now + Duration::hours(1),
        )
        .await
        .unwrap();
        assert_eq!(pruned_later, 1, "the lockout's row goes once it ended");
    }
}

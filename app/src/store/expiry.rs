//! The expiry scan's reads and writes: which assignments have something due (by the indexed
//! `next_due_at`, most urgent first) and their expiry facts.

use crate::domain::expiry::{next_due_at, AssignmentExpiry};
use crate::domain::ids::{AssignmentId, InvalidId, PolicyId, RequestId};
use crate::store::{db_time, parse_db_time};
use crate::store::{locks, Conn, Pool};
use chrono::{DateTime, Utc};

/// Up to `limit` active assignments with something due at `now`, most overdue first.
pub async fn due(
    db: &Pool,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AssignmentId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM assignments WHERE state = 'delivered' AND next_due_at IS NOT NULL \
         AND next_due_at <= $1 ORDER BY next_due_at LIMIT $2",
    )
    .bind(db_time(now))
    .bind(limit)
    .fetch_all(db)
    .await?;
    ids.iter()
        .map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

/// The earliest moment the scan has work, if any.
pub async fn next_due(conn: &mut Conn) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<String> = sqlx::query_scalar(
        "SELECT MIN(next_due_at) FROM assignments WHERE state = 'delivered' AND next_due_at IS NOT NULL",
    )
    .fetch_one(conn)
    .await?;
    at.as_deref().map(parse_db_time).transpose()
}

/// An active assignment as the scan needs it.
pub struct Expiring {
    pub policy: PolicyId,
    pub request: RequestId,
    pub delivered: bool,
    pub facts: AssignmentExpiry,
}

#[derive(sqlx::FromRow)]
struct Row {
    policy_id: String,
    request_id: String,
    state: String,
    start_at: String,
    expires_at: Option<String>,
    expired_at: Option<String>,
    fourteen_days_fired_at: Option<String>,
    one_day_fired_at: Option<String>,
}

fn time(text: Option<String>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    text.as_deref().map(parse_db_time).transpose()
}

/// The assignment, claimed for the rest of the transaction: `None` also when another process
/// holds it (its scan, or a removal), which then decides about it.
pub async fn claim(conn: &mut Conn, id: AssignmentId) -> Result<Option<Expiring>, sqlx::Error> {
    let sql = format!(
        "SELECT policy_id, request_id, state, start_at, expires_at, expired_at, \
                fourteen_days_fired_at, one_day_fired_at FROM assignments WHERE id = $1{}",
        locks::skip_locked(conn)
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let decode = |e: InvalidId| sqlx::Error::Decode(Box::new(e));
    Ok(Some(Expiring {
        policy: r.policy_id.parse().map_err(decode)?,
        request: r.request_id.parse().map_err(decode)?,
        delivered: r.state == "delivered",
        facts: AssignmentExpiry {
            start_at: parse_db_time(&r.start_at)?,
            expires_at: time(r.expires_at)?,
            ended_at: time(r.expired_at)?,
            fourteen_days_fired_at: time(r.fourteen_days_fired_at)?,
            one_day_fired_at: time(r.one_day_fired_at)?,
        },
    }))
}

/// Writes the markers and the next due moment that follow from `facts`. The end itself is
/// written by the removal that ends the assignment.
pub async fn save(
    conn: &mut Conn,
    id: AssignmentId,
    facts: &AssignmentExpiry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments SET fourteen_days_fired_at = $1, one_day_fired_at = $2, next_due_at = $3 \
         WHERE id = $4",
    )
    .bind(facts.fourteen_days_fired_at.map(db_time))
    .bind(facts.one_day_fired_at.map(db_time))
    .bind(next_due_at(facts).map(db_time))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves an assignment the scan could not handle to the back, so it cannot hold up the others.
pub async fn postpone(
    db: &Pool,
    id: AssignmentId,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE assignments SET next_due_at = $1 WHERE id = $2")
        .bind(db_time(until))
        .bind(id.to_string())
        .execute(db)
        .await?;
    Ok(())
}

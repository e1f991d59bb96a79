//! The benchmark's database: the schema and demo data through the app crate, Marketing's
//! "All employees" policy given a 30-day expiration with both pre-expiry stages mapped to
//! "Expiry reminder" (launch and continue) pointed at the bench's listener, then N users,
//! N delivered requests and N delivered assignments inserted in bulk.
//!
//! Every bench assignment lasts 30 days, as the policy says. Relative to `base` (where the
//! clock starts), with `W` = one hour:
//! - cohort 1 (`due` rows): 14-day moments spread over (base, base + W];
//! - cohort 2 (`due` rows): 14-day moments spread over (base + W, base + 2W];
//! - the others: granted over (base − 28 d, base − 16 d] (their 14-day callout fired on time,
//!   next due is the 1-day moment, more than a day away) or (base − 16 d + 2W, base] (next due
//!   is the 14-day moment, after base + 2W).
//!
//! So nothing is due at `base`; at base + W exactly cohort 1 is; once cohort 1 is handled, at
//! base + 2W exactly cohort 2 is. The cohorts are spread evenly through the table, the others'
//! grant times rise with the row number. Ids are generated in ascending order, so the id
//! indexes grow at their end, as the time indexes mostly do.

use std::path::Path;
use std::time::{Duration, Instant};

use app::domain::expiry::{next_due_at, AssignmentExpiry, Trigger};
use app::domain::ids::PolicyId;
use app::domain::stage::Stage;
use app::store::{self, db_time};
use chrono::{DateTime, Utc};
use server::rig::seed::statement;
use sqlx::Connection;
use sqlx::SqliteConnection;
use uuid::Uuid;

pub const POLICY: &str = "All employees";
pub const EXTENSION: &str = "Expiry reminder";
/// How far apart the two measuring moments are, and how wide each cohort's window is.
pub const WINDOW: chrono::Duration = chrono::Duration::hours(1);
/// Rows per transaction.
const TX_ROWS: usize = 50_000;
/// Rows per INSERT statement (10 bound values each at most, well under SQLite's 32,766).
const STATEMENT_ROWS: usize = 500;

pub struct Seeded {
    /// Demo data, policy and extension set-up.
    pub setup: Duration,
    /// The bulk inserts.
    pub insert: Duration,
    pub analyze: Duration,
    /// WAL checkpoint and fsync of the file.
    pub flush: Duration,
}

fn failed(step: &str) -> impl Fn(sqlx::Error) -> String + '_ {
    move |e| format!("seeding: {step}: {e}")
}

/// Where row `i` of `total` belongs: `Cohort(c, j)` is the j-th row of cohort c (0 or 1),
/// `Other(k)` the k-th of the others.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Row {
    Cohort(u8, usize),
    Other(usize),
}

fn row(i: usize, total: usize, due: usize) -> Row {
    let stride = total / due;
    let (block, at) = (i / stride, i % stride);
    if block < due && at == stride / 2 {
        return Row::Cohort(0, block);
    }
    if block < due && at == stride / 2 + 1 {
        return Row::Cohort(1, block);
    }
    // Cohort rows before this one.
    let before = |offset: usize| (i + stride - stride / 2 - offset) / stride;
    let cohorts = before(0).min(due) + before(1).min(due);
    Row::Other(i - cohorts)
}

/// The grant time and expiry facts of a row.
fn facts(row: Row, base: DateTime<Utc>, total: usize, due: usize) -> AssignmentExpiry {
    let lasts = chrono::Duration::days(30);
    let fourteen = Trigger::FourteenDays.lead();
    let window_ms = WINDOW.num_milliseconds();
    let start = match row {
        Row::Cohort(c, j) => {
            let moment = base
                + WINDOW * i32::from(c)
                + chrono::Duration::milliseconds(window_ms * (j as i64 + 1) / due as i64);
            moment + fourteen - lasts
        }
        Row::Other(k) => {
            let others = (total - 2 * due) as i64;
            let span = chrono::Duration::days(28) - WINDOW * 2;
            let offset =
                chrono::Duration::milliseconds(span.num_milliseconds() * (k as i64 + 1) / others);
            let start = base - chrono::Duration::days(28) + offset;
            if start > base + fourteen - lasts {
                start + WINDOW * 2
            } else {
                start
            }
        }
    };
    let mut facts = AssignmentExpiry::granted(start, Some(start + lasts));
    let moment = Trigger::FourteenDays.moment(start + lasts);
    if moment <= base {
        // Fired on time.
        facts.fourteen_days_fired_at = Some(moment);
    }
    facts
}

/// Demo data, the policy's expiration and stages, then the bulk rows.
pub async fn seed(
    url: &str,
    file: &Path,
    base: DateTime<Utc>,
    total: usize,
    due: usize,
    endpoint: &str,
) -> Result<Seeded, String> {
    let started = Instant::now();
    let db = server::rig::seed::demo_database(url, base).await?;
    let mut tx = store::write_tx(&db).await.map_err(failed("begin"))?;
    let (policy, package): (String, String) =
        sqlx::query_as("SELECT id, access_package_id FROM policies WHERE display_name = $1")
            .bind(POLICY)
            .fetch_one(&mut *tx)
            .await
            .map_err(failed("the policy"))?;
    sqlx::query(
        "UPDATE policies SET expiration_type = 'afterDuration', expiration_duration = 'P30D' \
         WHERE id = $1",
    )
    .bind(&policy)
    .execute(&mut *tx)
    .await
    .map_err(failed("the expiration"))?;
    let extension = server::rig::seed::repoint_extension(&mut tx, EXTENSION, endpoint).await?;
    let policy_id: PolicyId = policy.parse().map_err(|e| format!("seeding: {e}"))?;
    let stages = [
        (Stage::AssignmentFourteenDaysBeforeExpiration, extension),
        (Stage::AssignmentOneDayBeforeExpiration, extension),
    ];
    store::packages::replace_stage_settings(&mut tx, policy_id, &stages)
        .await
        .map_err(failed("map the stages"))?;
    tx.commit().await.map_err(failed("commit"))?;
    db.close().await;
    let setup = started.elapsed();

    let mut conn = server::rig::seed::bulk_connection(url).await?;
    let started = Instant::now();
    let ids = Ids::new(total);
    let fixed = Fixed {
        package: &package,
        policy: &policy,
    };
    for first in (0..total).step_by(TX_ROWS) {
        let rows = first..(first + TX_ROWS).min(total);
        let mut tx = conn.begin().await.map_err(failed("begin"))?;
        insert_users(&mut tx, &ids, rows.clone(), base, total, due).await?;
        insert_requests(&mut tx, &ids, &fixed, rows.clone(), base, total, due).await?;
        insert_assignments(&mut tx, &ids, &fixed, rows, base, total, due).await?;
        tx.commit().await.map_err(failed("commit"))?;
        eprintln!(
            "bench: seeded {:>9} of {total} ({:.1} s)",
            (first + TX_ROWS).min(total),
            started.elapsed().as_secs_f64()
        );
    }
    let insert = started.elapsed();
    let started = Instant::now();
    sqlx::query("ANALYZE")
        .execute(&mut conn)
        .await
        .map_err(failed("ANALYZE"))?;
    let analyze = started.elapsed();
    let started = Instant::now();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(failed("checkpoint"))?;
    conn.close().await.map_err(failed("close"))?;
    // Written without syncing: flush it now, or the first checkpoint the measured part makes
    // (its fsync) would pay for the seeding's gigabyte of dirty pages.
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("seeding: sync {}: {e}", file.display()))?;
    let flush = started.elapsed();
    Ok(Seeded {
        setup,
        insert,
        analyze,
        flush,
    })
}

/// Ascending random ids, one of each kind per row (kept as UUIDs, written as text).
struct Ids {
    users: Vec<Uuid>,
    requests: Vec<Uuid>,
    assignments: Vec<Uuid>,
}

fn text(id: &Uuid) -> String {
    id.hyphenated().to_string()
}

impl Ids {
    fn new(total: usize) -> Ids {
        let sorted = || {
            let mut ids: Vec<Uuid> = (0..total).map(|_| Uuid::new_v4()).collect();
            ids.sort_unstable();
            ids
        };
        Ids {
            users: sorted(),
            requests: sorted(),
            assignments: sorted(),
        }
    }
}

struct Fixed<'a> {
    package: &'a str,
    policy: &'a str,
}

async fn insert_users(
    conn: &mut SqliteConnection,
    ids: &Ids,
    rows: std::ops::Range<usize>,
    base: DateTime<Utc>,
    total: usize,
    due: usize,
) -> Result<(), String> {
    let rows: Vec<usize> = rows.collect();
    for chunk in rows.chunks(STATEMENT_ROWS) {
        let sql = statement(
            "users (id, user_principal_name, display_name, enabled, created_at)",
            "(?, ?, ?, 1, ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &i in chunk {
            let start = facts(row(i, total, due), base, total, due).start_at;
            query = query
                .bind(text(&ids.users[i]))
                .bind(format!("bench-{i:07}@contoso.test"))
                .bind(format!("Bench user {i}"))
                .bind(db_time(start));
        }
        query.execute(&mut *conn).await.map_err(failed("users"))?;
    }
    Ok(())
}

async fn insert_requests(
    conn: &mut SqliteConnection,
    ids: &Ids,
    fixed: &Fixed<'_>,
    rows: std::ops::Range<usize>,
    base: DateTime<Utc>,
    total: usize,
    due: usize,
) -> Result<(), String> {
    let rows: Vec<usize> = rows.collect();
    for chunk in rows.chunks(STATEMENT_ROWS) {
        let sql = statement(
            "requests (id, request_type, state, status, access_package_id, policy_id, \
             requestor_kind, requestor_id, target_id, assignment_id, justification, created_at, \
             completed_at)",
            "(?, 'userAdd', 'delivered', 'Delivered', ?, ?, 'user', ?, ?, ?, 'bench_expiry', ?, ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &i in chunk {
            let start = db_time(facts(row(i, total, due), base, total, due).start_at);
            query = query
                .bind(text(&ids.requests[i]))
                .bind(fixed.package)
                .bind(fixed.policy)
                .bind(text(&ids.users[i]))
                .bind(text(&ids.users[i]))
                .bind(text(&ids.assignments[i]))
                .bind(start.clone())
                .bind(start);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(failed("requests"))?;
    }
    Ok(())
}

async fn insert_assignments(
    conn: &mut SqliteConnection,
    ids: &Ids,
    fixed: &Fixed<'_>,
    rows: std::ops::Range<usize>,
    base: DateTime<Utc>,
    total: usize,
    due: usize,
) -> Result<(), String> {
    let rows: Vec<usize> = rows.collect();
    for chunk in rows.chunks(STATEMENT_ROWS) {
        let sql = statement(
            "assignments (id, access_package_id, policy_id, target_id, request_id, state, status, \
             start_at, expires_at, fourteen_days_fired_at, next_due_at, created_at)",
            "(?, ?, ?, ?, ?, 'delivered', 'Delivered', ?, ?, ?, ?, ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for &i in chunk {
            let f = facts(row(i, total, due), base, total, due);
            let start = db_time(f.start_at);
            query = query
                .bind(text(&ids.assignments[i]))
                .bind(fixed.package)
                .bind(fixed.policy)
                .bind(text(&ids.users[i]))
                .bind(text(&ids.requests[i]))
                .bind(start.clone())
                .bind(f.expires_at.map(db_time))
                .bind(f.fourteen_days_fired_at.map(db_time))
                .bind(next_due_at(&f).map(db_time))
                .bind(start);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(failed("assignments"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn rows_split_into_two_cohorts_and_the_others_in_order() {
        let (total, due) = (10_000, 10);
        let rows: Vec<Row> = (0..total).map(|i| row(i, total, due)).collect();
        for c in 0..2 {
            let cohort: Vec<usize> = rows
                .iter()
                .filter_map(|r| match r {
                    Row::Cohort(x, j) if *x == c => Some(*j),
                    _ => None,
                })
                .collect();
            assert_eq!(cohort, (0..due).collect::<Vec<_>>());
        }
        let others: Vec<usize> = rows
            .iter()
            .filter_map(|r| match r {
                Row::Other(k) => Some(*k),
                _ => None,
            })
            .collect();
        assert_eq!(others, (0..total - 2 * due).collect::<Vec<_>>());
    }

    #[test]
    fn exactly_one_cohort_is_due_at_each_moment() {
        let (total, due) = (9_000, 30);
        let b = base();
        let due_at = |now: DateTime<Utc>, skip_first: bool| {
            (0..total)
                .filter(|&i| {
                    let r = row(i, total, due);
                    let mut f = facts(r, b, total, due);
                    if skip_first && matches!(r, Row::Cohort(0, _)) {
                        f.fourteen_days_fired_at = Some(b + WINDOW);
                    }
                    next_due_at(&f).is_some_and(|at| at <= now)
                })
                .count()
        };
        assert_eq!(due_at(b, false), 0);
        assert_eq!(due_at(b + WINDOW, false), due);
        assert_eq!(due_at(b + WINDOW * 2, true), due);
    }
}

//! The benchmark's database: the demo data through the app crate, then U people, R requests
//! and one assignment per request (up to A) inserted in bulk, as an organization's year of
//! requests would look.
//!
//! - People are named from a short list of first and last names and numbered, so a name
//!   prefix matches a few thousand of them and an e-mail prefix with the number one.
//! - Requests are spread evenly over the year before `base`, the newest last, over the demo
//!   policies; the requestor is the target. Their states cycle through what a year
//!   leaves: mostly delivered, then denied, "Process expired", canceled, pending approval,
//!   waiting for a workflow and failed (one open request per person and package: a second
//!   one is canceled). Every 997th is for Alex (a demo account), so My
//!   Access has a thousand rows to page through.
//! - Each of the first A requests has an assignment (a year of grants and renewals: the lists'
//!   rows, not a consistent lifecycle): the newest of each person and package whose request
//!   was delivered is active, ending a year after it started (so those of the year's first two
//!   weeks end within 14 days), the others expired after 30 days. None has a next expiry
//!   moment, so the running server's expiry scan leaves them alone.
//! - The lists in name order: [`CATALOGS`] catalogs named from the same names (so that a
//!   name start is shared by 25), the first of them ("Aaron Adams 0000") with
//!   [`PACKAGES`] access packages, and [`APPS`] apps.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use app::store::db_time;
use chrono::{DateTime, Utc};
use server::rig::seed::{bulk_connection, statement};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

/// Rows per transaction.
const TX_ROWS: usize = 50_000;
/// Rows per INSERT statement (at most 13 bound values each).
const STATEMENT_ROWS: usize = 500;

const FIRST: [&str; 20] = [
    "Aaron", "Bianca", "Carlos", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
];
const LAST: [&str; 20] = [
    "Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi",
    "Silva", "Tanaka",
];

/// (state, status) of request `i`, in a cycle of twenty.
fn outcome(i: usize) -> (&'static str, &'static str) {
    match i % 20 {
        0..=11 => ("delivered", "Delivered"),
        12 | 13 => ("denied", "Denied"),
        14 => ("denied", "Expired"),
        15 => ("canceled", "Canceled"),
        16 => ("pendingApproval", "PendingApproval"),
        17 => ("submitted", "WaitingForCallback"),
        18 => ("deliveryFailed", "DeliveryFailed"),
        _ => ("delivered", "Delivered"),
    }
}

/// A number that looks random but is the same on every run (SplitMix64's mix), so that
/// people, policies and states meet in every combination: a plain `i % n` for each would
/// pair them in fixed cycles (every request of one person in one state).
fn scatter(i: usize, salt: u64) -> usize {
    let mut z = (i as u64).wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as usize
}

pub const CATALOGS: usize = 10_000;
pub const PACKAGES: usize = 10_000;
pub const APPS: usize = 1_000;

pub struct Counts {
    pub users: usize,
    pub requests: usize,
    pub assignments: usize,
}

pub struct Seeded {
    pub assignments: usize,
    pub insert: Duration,
}

fn failed(step: &str) -> impl Fn(sqlx::Error) -> String + '_ {
    move |e| format!("seeding: {step}: {e}")
}

/// A person's e-mail address (the bench's people are numbered from 0).
pub fn address(i: usize) -> String {
    let (first, last) = (FIRST[i % 20], LAST[(i / 20) % 20]);
    format!(
        "{}.{}.{i:06}@example.test",
        first.to_lowercase(),
        last.to_lowercase()
    )
}

pub async fn seed(url: &str, base: DateTime<Utc>, n: &Counts) -> Result<Seeded, String> {
    let db = server::rig::seed::demo_database(url, base).await?;
    let policies: Vec<(String, String)> =
        sqlx::query_as("SELECT id, access_package_id FROM policies ORDER BY id")
            .fetch_all(&db)
            .await
            .map_err(failed("policies"))?;
    let alex: String =
        sqlx::query_scalar("SELECT id FROM users WHERE user_principal_name = 'alex@contoso.test'")
            .fetch_one(&db)
            .await
            .map_err(failed("alex"))?;
    db.close().await;

    let mut conn = bulk_connection(url).await?;
    let started = Instant::now();
    let users: Vec<String> = (0..n.users).map(|_| Uuid::new_v4().to_string()).collect();
    for chunk in users.chunks(TX_ROWS).enumerate() {
        let mut tx = conn.begin().await.map_err(failed("begin"))?;
        insert_users(&mut tx, chunk.1, chunk.0 * TX_ROWS, base).await?;
        tx.commit().await.map_err(failed("commit"))?;
    }
    // Newest first, so that the newest assignment of a person and package is the active one.
    let year = chrono::Duration::days(365);
    let step = year.num_microseconds().unwrap_or(i64::MAX) / n.requests.max(1) as i64;
    let mut active = HashSet::new();
    let mut waiting = HashSet::new();
    let mut rows = Vec::with_capacity(n.requests);
    for i in (0..n.requests).rev() {
        let target = if i % 997 == 0 {
            alex.clone()
        } else {
            users[scatter(i, 1) % users.len()].clone()
        };
        let (policy, package) = &policies[scatter(i, 2) % policies.len()];
        let (mut state, mut status) = outcome(i);
        // One open request per person and package, as the schema has it.
        let open = matches!(state, "submitted" | "pendingApproval");
        if open && !waiting.insert((target.clone(), package.clone())) {
            (state, status) = ("canceled", "Canceled");
        }
        let at = base - year + chrono::Duration::microseconds(step * i as i64);
        let assignment = (i < n.assignments).then(|| {
            let live = state == "delivered" && active.insert((target.clone(), package.clone()));
            (Uuid::new_v4().to_string(), live)
        });
        rows.push(Row {
            id: Uuid::new_v4().to_string(),
            at,
            target,
            policy: policy.clone(),
            package: package.clone(),
            state,
            status,
            assignment,
        });
    }
    rows.reverse();
    let mut assignments = 0;
    for (k, chunk) in rows.chunks(TX_ROWS).enumerate() {
        let mut tx = conn.begin().await.map_err(failed("begin"))?;
        insert_requests(&mut tx, chunk).await?;
        assignments += insert_assignments(&mut tx, chunk).await?;
        tx.commit().await.map_err(failed("commit"))?;
        eprintln!(
            "bench: seeded {:>9} of {} requests ({:.1} s)",
            ((k + 1) * TX_ROWS).min(rows.len()),
            rows.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let mut tx = conn.begin().await.map_err(failed("begin"))?;
    insert_named(&mut tx, base).await?;
    tx.commit().await.map_err(failed("commit"))?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(failed("checkpoint"))?;
    conn.close().await.map_err(failed("close"))?;
    Ok(Seeded {
        assignments,
        insert: started.elapsed(),
    })
}

struct Row {
    id: String,
    at: DateTime<Utc>,
    target: String,
    policy: String,
    package: String,
    state: &'static str,
    status: &'static str,
    /// The assignment's id, and whether it is the active one.
    assignment: Option<(String, bool)>,
}

async fn insert_users(
    conn: &mut SqliteConnection,
    ids: &[String],
    first: usize,
    base: DateTime<Utc>,
) -> Result<(), String> {
    let joined = db_time(base - chrono::Duration::days(400));
    for (c, chunk) in ids.chunks(STATEMENT_ROWS).enumerate() {
        let sql = statement(
            "users (id, user_principal_name, display_name, enabled, created_at)",
            "(?, ?, ?, 1, ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for (k, id) in chunk.iter().enumerate() {
            let i = first + c * STATEMENT_ROWS + k;
            let (given, family) = (FIRST[i % 20], LAST[(i / 20) % 20]);
            query = query
                .bind(id)
                .bind(address(i))
                .bind(format!("{given} {family} {i:06}"))
                .bind(&joined);
        }
        query.execute(&mut *conn).await.map_err(failed("users"))?;
    }
    Ok(())
}

/// The id of the catalog with [`PACKAGES`] packages.
pub const BIG_CATALOG: &str = "00000000-0000-4000-8000-00000000ca7a";

/// [`CATALOGS`] catalogs, [`PACKAGES`] packages in [`BIG_CATALOG`] and [`APPS`] apps, each
/// named "Given Family 0042".
async fn insert_named(conn: &mut SqliteConnection, base: DateTime<Utc>) -> Result<(), String> {
    let at = db_time(base - chrono::Duration::days(400));
    let name = |i: usize| format!("{} {} {i:04}", FIRST[i % 20], LAST[(i / 20) % 20]);
    let id = |i: usize| {
        if i == 0 {
            BIG_CATALOG.to_owned()
        } else {
            Uuid::new_v4().to_string()
        }
    };
    let tables: [(&str, &str, usize); 3] = [
        (
            "catalogs (id, display_name, description, created_at, modified_at)",
            "(?, ?, '', ?, ?)",
            CATALOGS,
        ),
        (
            "access_packages (id, display_name, description, is_hidden, created_at, modified_at, catalog_id)",
            "(?, ?, '', 0, ?, ?, ?)",
            PACKAGES,
        ),
        ("apps (id, display_name, created_at)", "(?, ?, ?)", APPS),
    ];
    for (head, row, count) in tables {
        let indices: Vec<usize> = (0..count).collect();
        for chunk in indices.chunks(STATEMENT_ROWS) {
            let sql = statement(head, row, chunk.len());
            let mut query = sqlx::query(&sql);
            for &i in chunk {
                let is_package = head.starts_with("access_packages");
                let row_id = if is_package {
                    Uuid::new_v4().to_string()
                } else {
                    id(i)
                };
                query = query.bind(row_id).bind(name(i)).bind(&at);
                if !head.starts_with("apps") {
                    query = query.bind(&at);
                }
                if is_package {
                    query = query.bind(BIG_CATALOG);
                }
            }
            query.execute(&mut *conn).await.map_err(failed(head))?;
        }
    }
    Ok(())
}

async fn insert_requests(conn: &mut SqliteConnection, rows: &[Row]) -> Result<(), String> {
    for chunk in rows.chunks(STATEMENT_ROWS) {
        let sql = statement(
            "requests (id, request_type, state, status, access_package_id, policy_id, \
             requestor_kind, requestor_id, target_id, assignment_id, justification, created_at)",
            "(?, 'userAdd', ?, ?, ?, ?, 'user', ?, ?, ?, 'bench_lists', ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for r in chunk {
            query = query
                .bind(&r.id)
                .bind(r.state)
                .bind(r.status)
                .bind(&r.package)
                .bind(&r.policy)
                .bind(&r.target)
                .bind(&r.target)
                .bind(
                    r.assignment
                        .as_ref()
                        .filter(|_| r.state == "delivered")
                        .map(|(id, _)| id.clone()),
                )
                .bind(db_time(r.at));
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(failed("requests"))?;
    }
    Ok(())
}

/// The assignments of `rows`; how many.
async fn insert_assignments(conn: &mut SqliteConnection, rows: &[Row]) -> Result<usize, String> {
    let held: Vec<&Row> = rows.iter().filter(|r| r.assignment.is_some()).collect();
    for chunk in held.chunks(STATEMENT_ROWS) {
        let sql = statement(
            "assignments (id, access_package_id, policy_id, target_id, request_id, state, \
             status, start_at, expires_at, expired_at, created_at)",
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for r in chunk {
            let Some((id, live)) = &r.assignment else {
                continue;
            };
            let ends = r.at + chrono::Duration::days(if *live { 365 } else { 30 });
            let (state, status) = if *live {
                ("delivered", "Delivered")
            } else {
                ("expired", "Expired")
            };
            query = query
                .bind(id)
                .bind(&r.package)
                .bind(&r.policy)
                .bind(&r.target)
                .bind(&r.id)
                .bind(state)
                .bind(status)
                .bind(db_time(r.at))
                .bind(db_time(ends))
                .bind((!live).then(|| db_time(ends)))
                .bind(db_time(r.at));
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(failed("assignments"))?;
    }
    Ok(held.len())
}

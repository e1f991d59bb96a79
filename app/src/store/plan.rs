//! How the database would run a query, for tests that a list's query uses an index.

use crate::store::{is_postgres, Pool};

/// The plan of `sql` with `binds` as text: SQLite's `EXPLAIN QUERY PLAN` (one step a line),
/// or PostgreSQL's `EXPLAIN` with sequential scans priced out, since on a test's few rows it
/// would rightly prefer one and the question is whether an index can serve the query.
pub async fn query_plan(db: &Pool, sql: &str, binds: &[String]) -> Result<String, sqlx::Error> {
    let mut conn = db.acquire().await?;
    if is_postgres(db) {
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *conn)
            .await?;
        let explain = format!("EXPLAIN {sql}");
        let mut query = sqlx::query_scalar::<_, String>(&explain);
        for value in binds {
            query = query.bind(value.as_str());
        }
        let lines = query.fetch_all(&mut *conn).await;
        sqlx::query("RESET enable_seqscan")
            .execute(&mut *conn)
            .await?;
        return Ok(lines?.join("\n"));
    }
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for value in binds {
        query = query.bind(value.as_str());
    }
    let steps = query.fetch_all(&mut *conn).await?;
    Ok(steps
        .into_iter()
        .map(|(_, _, _, step)| step)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Whether `plan` reads a whole table (the list's, the people's, the approvers'…) rather
/// than an index range or an index in order.
pub fn reads_a_whole_table(plan: &str) -> bool {
    plan.lines().any(|l| {
        let l = l.trim();
        // `SCAN armN` reads a page read per value (`Arms`), not a table.
        let sqlite_scan = l
            .strip_prefix("SCAN ")
            .is_some_and(|table| !table.contains(' ') && !table.starts_with("arm"));
        sqlite_scan || l.contains("Seq Scan on")
    })
}

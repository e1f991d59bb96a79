//! What this disk allows: SQLite's rate of small write transactions, measured in the same run
//! (after the load, in the run's own directory) so Latch's figures can be read against it.
//! Through sqlx, as Latch writes: each statement is a round trip to the connection's thread,
//! so this is the ceiling of one-transaction-per-step on one write connection, not the disk's.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::SqliteConnection;
use sqlx::{ConnectOptions, Connection};

/// Commits per second of one-row `INSERT` transactions (`BEGIN IMMEDIATE`, WAL, as Latch
/// writes) on a fresh file in `dir`, for `span`.
pub async fn commit_rate(
    dir: &Path,
    synchronous: SqliteSynchronous,
    span: Duration,
) -> Result<f64, String> {
    let file = dir.join(format!("commit-rate-{synchronous:?}.db"));
    let error = |e: sqlx::Error| format!("commit rate ({}): {e}", file.display());
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))
        .map_err(error)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .connect()
        .await
        .map_err(error)?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .map_err(error)?;
    // A first, untimed quarter warms the file and the connection's statement cache.
    commit_for(&mut conn, span / 4).await.map_err(error)?;
    let started = Instant::now();
    let commits = commit_for(&mut conn, span).await.map_err(error)?;
    let rate = commits as f64 / started.elapsed().as_secs_f64();
    conn.close().await.map_err(error)?;
    let _ = std::fs::remove_file(&file);
    Ok(rate)
}

async fn commit_for(conn: &mut SqliteConnection, span: Duration) -> Result<u64, sqlx::Error> {
    let started = Instant::now();
    let mut commits = 0;
    while started.elapsed() < span {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO t (at) VALUES ($1)")
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        commits += 1;
    }
    Ok(commits)
}

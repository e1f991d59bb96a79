//! Row locks for PostgreSQL, where several Latch processes write at once.
//!
//! A write transaction that decides from what it reads (is this request still waiting? is
//! this reminder still due?) must read what no other process can change before it commits.
//! SQLite gives that for free: `BEGIN IMMEDIATE` holds the whole database. PostgreSQL runs
//! transactions side by side, so each such read locks its rows first (`FOR UPDATE`); a
//! second process deciding about the same rows waits and then reads the first one's outcome.
//! Rows are locked in id order, so two transactions locking overlapping sets cannot deadlock
//! on them. On SQLite every function here costs nothing.

use crate::store::{is_postgres_conn, params, Conn};

/// What a query appends to lock the rows it reads (nothing on SQLite).
pub fn for_update(conn: &Conn) -> &'static str {
    if is_postgres_conn(conn) {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// What a query appends to lock the rows it reads and pass over those another transaction
/// holds: a claim, which leaves them to the process that has them.
pub fn skip_locked(conn: &Conn) -> &'static str {
    if is_postgres_conn(conn) {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    }
}

/// Locks the rows of `table` with these ids until the transaction ends.
pub async fn rows(conn: &mut Conn, table: &str, ids: &[String]) -> Result<(), sqlx::Error> {
    if ids.is_empty() || !is_postgres_conn(conn) {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM {table} WHERE id IN ({}) ORDER BY id FOR UPDATE",
        params(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.as_str());
    }
    query.execute(conn).await?;
    Ok(())
}

/// Held while an instance starts (the secrets check, the demo data, the signing key), so that
/// instances starting at once on an empty PostgreSQL database do each of these once; the
/// others wait and find them done. The lock belongs to a connection of its own: a process that
/// dies holding it releases it with the connection. Nothing on SQLite (one process).
pub struct StartupLock(Option<Conn>);

/// The advisory lock's number ("latch" in ASCII).
const STARTUP_LOCK: i64 = 0x6c_61_74_63_68;

impl StartupLock {
    pub async fn take(db: &crate::store::Pool) -> Result<StartupLock, sqlx::Error> {
        if !crate::store::is_postgres(db) {
            return Ok(StartupLock(None));
        }
        let mut conn = db.acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(STARTUP_LOCK)
            .execute(&mut conn)
            .await?;
        Ok(StartupLock(Some(conn)))
    }

    pub async fn release(self) {
        if let Some(conn) = self.0 {
            // Closing the session releases its advisory lock.
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

/// Locks these requests (see [`rows`]).
pub async fn requests(
    conn: &mut Conn,
    ids: &[crate::domain::ids::RequestId],
) -> Result<(), sqlx::Error> {
    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
    rows(conn, "requests", &ids).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{is_postgres, test_db, write_tx};

    #[tokio::test]
    async fn a_second_transaction_waits_for_the_first_and_reads_its_outcome() {
        let (db, _dir) = test_db().await;
        sqlx::query("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)")
            .execute(&db)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t (id, n) VALUES ('a', 0)")
            .execute(&db)
            .await
            .unwrap();
        // Two read-then-write transactions at once; with the lock neither loses the other's
        // increment.
        let bump = || async {
            let mut tx = write_tx(&db).await.unwrap();
            rows(&mut tx, "t", &["a".to_string()]).await.unwrap();
            let sql = format!("SELECT n FROM t WHERE id = 'a'{}", for_update(&tx));
            let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *tx).await.unwrap();
            tokio::task::yield_now().await;
            sqlx::query("UPDATE t SET n = $1 WHERE id = 'a'")
                .bind(n + 1)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        };
        tokio::join!(bump(), bump());
        let n: i64 = sqlx::query_scalar("SELECT n FROM t")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(n, 2);
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(for_update(&conn).is_empty(), !is_postgres(&db));
        rows(&mut conn, "t", &[]).await.unwrap();
    }
}

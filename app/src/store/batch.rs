//! Writes sent to the database together.
//!
//! sqlx runs SQLite on a thread of its own, so every statement is a round trip between
//! threads, and on a busy two-core machine each one costs more than the statement itself.
//! A step of the engine writes up to a dozen rows; gathered in a [`Batch`] they go as one
//! multi-statement query (SQLite binds the `?` of each statement in turn from one argument
//! list), inside the caller's transaction like any other statement. Only writes belong
//! here: a batch returns no rows.
//!
//! PostgreSQL will not prepare several statements as one, so there each statement goes on
//! its own with its `?` numbered `$1, $2, …`. The arguments are therefore kept unbound until
//! the batch runs and knows which database it is on.

use crate::store::{Conn, Db};
use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;
use sqlx::{Arguments, Encode, Type};

/// The largest part whose prepared statements a connection keeps: one step's writes.
const KEEP_PREPARED_MAX: usize = 32;

/// One argument, bound when the batch runs.
type Bind<'q> = Box<dyn FnOnce(&mut AnyArguments<'q>) -> Result<(), BoxDynError> + Send + 'q>;

/// Writes to send together, in parts: each part is one query on SQLite.
#[derive(Default)]
pub struct Batch<'q> {
    parts: Vec<Vec<Written<'q>>>,
}

/// One statement and its arguments.
struct Written<'q> {
    sql: String,
    binds: Vec<Bind<'q>>,
}

/// One statement of a batch: bind its `?` parameters in order.
pub struct Statement<'b, 'q> {
    written: &'b mut Written<'q>,
}

impl<'q> Batch<'q> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a statement (without its `;`).
    pub fn push(&mut self, sql: &str) -> Statement<'_, 'q> {
        if self.parts.is_empty() {
            self.parts.push(Vec::new());
        }
        let part = self.parts.last_mut().expect("a part was just made");
        part.push(Written {
            sql: sql.to_owned(),
            binds: Vec::new(),
        });
        Statement {
            written: part.last_mut().expect("a statement was just pushed"),
        }
    }

    /// Ends a part: what follows goes as a query of its own. A group of steps ends one after
    /// each step, so that each part is one of a few shapes whose prepared statements the
    /// connection keeps; one query of all the group's writes would be a text never seen
    /// again, compiled statement by statement each time (about 30 µs a statement here, more
    /// than the round trip a part costs).
    pub fn end_part(&mut self) {
        if self.parts.last().is_some_and(|p| !p.is_empty()) {
            self.parts.push(Vec::new());
        }
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs every statement in order; the first failure stops it and is returned (the
    /// caller's transaction then rolls back what ran before it).
    pub async fn run(self, conn: &mut Conn) -> Result<(), sqlx::Error> {
        let postgres = crate::store::is_postgres_conn(conn);
        for part in self.parts.into_iter().filter(|p| !p.is_empty()) {
            if postgres {
                for written in part {
                    let mut args = AnyArguments::default();
                    bind_all(&mut args, written.binds)?;
                    sqlx::query_with(&numbered(&written.sql), args)
                        .execute(&mut *conn)
                        .await?;
                }
            } else {
                let keep = part.len() <= KEEP_PREPARED_MAX;
                let mut args = AnyArguments::default();
                let mut sql = String::new();
                for written in part {
                    if !sql.is_empty() {
                        sql.push_str(";\n");
                    }
                    sql.push_str(&written.sql);
                    bind_all(&mut args, written.binds)?;
                }
                sqlx::query_with(&sql, args)
                    .persistent(keep)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }
}

fn bind_all<'q>(args: &mut AnyArguments<'q>, binds: Vec<Bind<'q>>) -> Result<(), sqlx::Error> {
    binds
        .into_iter()
        .try_for_each(|bind| bind(args))
        .map_err(sqlx::Error::Encode)
}

/// `sql` with its `?` parameters numbered `$1, $2, …` in order. Batches' statements are
/// Latch's own text and put no `?` inside a quoted string.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl<'q> Statement<'_, 'q> {
    pub fn bind<T: Encode<'q, Db> + Type<Db> + Send + 'q>(self, value: T) -> Self {
        self.written
            .binds
            .push(Box::new(move |args| args.add(value)));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_db;

    #[tokio::test]
    async fn statements_run_in_order_with_their_own_arguments() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        sqlx::query("CREATE TABLE t (a TEXT, b INTEGER, c TEXT)")
            .execute(&mut *conn)
            .await
            .unwrap();
        let mut batch = Batch::new();
        batch
            .push("INSERT INTO t (a, b, c) VALUES (?, ?, ?)")
            .bind("one")
            .bind(1_i64)
            .bind(None::<String>);
        batch.end_part();
        batch.end_part();
        batch
            .push("INSERT INTO t (a, b) VALUES (?, ?)")
            .bind("two")
            .bind(2_i64);
        batch.end_part();
        // A statement that reads what an earlier one wrote, in a part before, sees it.
        batch
            .push("UPDATE t SET c = (SELECT a FROM t WHERE b = ?) WHERE b = ?")
            .bind(2_i64)
            .bind(1_i64);
        assert_eq!(batch.len(), 3);
        batch.run(&mut conn).await.unwrap();
        let rows: Vec<(String, i64, Option<String>)> =
            sqlx::query_as("SELECT a, b, c FROM t ORDER BY b")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            rows,
            [
                ("one".to_owned(), 1, Some("two".to_owned())),
                ("two".to_owned(), 2, None)
            ]
        );
        Batch::new().run(&mut conn).await.unwrap();
    }

    #[test]
    fn postgres_gets_numbered_parameters() {
        assert_eq!(
            numbered("UPDATE t SET a = ?, b = ? WHERE c = ?"),
            "UPDATE t SET a = $1, b = $2 WHERE c = $3"
        );
        assert_eq!(numbered("DELETE FROM t"), "DELETE FROM t");
    }

    #[tokio::test]
    async fn a_failing_statement_fails_the_batch_and_its_transaction_keeps_nothing() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        sqlx::query("CREATE TABLE t (a TEXT PRIMARY KEY)")
            .execute(&mut *conn)
            .await
            .unwrap();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        let mut batch = Batch::new();
        batch.push("INSERT INTO t (a) VALUES (?)").bind("x");
        batch.end_part();
        batch.push("INSERT INTO t (a) VALUES (?)").bind("x");
        batch.push("INSERT INTO t (a) VALUES (?)").bind("y");
        assert!(batch.run(&mut tx).await.is_err());
        tx.rollback().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}

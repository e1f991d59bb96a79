//! Moving an installation from SQLite to PostgreSQL (`server db copy`): every row of every
//! table, in one transaction on the target, checked by counting before it commits.
//!
//! The tables and their order come from the source's own catalogue (each table after those
//! its foreign keys name), so a table a later migration adds is copied without a change here.
//! A column that refers to its own table (a person's manager) is filled in after the rows,
//! since a row may name one that comes later. Values keep their stored form: times are text
//! in both, sealed secrets stay sealed (the same `LATCH_SECRET_KEY` opens them), and
//! identity columns continue after the highest id copied.

use crate::store::{is_postgres, Pool};
use sqlx::any::AnyRow;
use sqlx::{Acquire, Row};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// What the operator can correct (the wrong databases, a target in use).
    #[error("{0}")]
    Refused(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// A table as the copy sees it.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    /// (name, declared type), in the table's order.
    columns: Vec<(String, String)>,
    /// The primary key column, when it is a single one.
    key: Option<String>,
    /// Whether the key is SQLite's row id (an identity column on PostgreSQL).
    row_id: bool,
    /// Tables its foreign keys name (itself left out).
    needs: BTreeSet<String>,
    /// Columns that name a row of the same table.
    self_refs: Vec<String>,
}

/// Rows copied, by table.
pub type Copied = BTreeMap<String, i64>;

/// Copies the SQLite database `from` into `to`, a migrated PostgreSQL database without rows.
pub async fn sqlite_to_postgres(from: &Pool, to: &Pool) -> Result<Copied, CopyError> {
    if is_postgres(from) || !is_postgres(to) {
        return Err(CopyError::Refused(
            "copies a SQLite database (--from sqlite://…) into a PostgreSQL one (--to postgres://…)"
                .into(),
        ));
    }
    let mut source = from.acquire().await?;
    // One read transaction: every table as of one moment.
    let mut snapshot = source.begin().await?;
    check_schema(&mut snapshot, to).await?;
    let tables = in_dependency_order(read_tables(&mut snapshot).await?)?;
    let mut target = to.begin().await?;
    for table in &tables {
        let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", table.name))
            .fetch_one(&mut *target)
            .await?;
        if rows > 0 {
            return Err(CopyError::Refused(format!(
                "the target database is not empty ({} has {rows} rows): copy into a new, empty \
                 database",
                table.name
            )));
        }
    }
    let mut copied = Copied::new();
    for table in &tables {
        let rows = sqlx::query(&format!("SELECT * FROM {}", table.name))
            .fetch_all(&mut *snapshot)
            .await?;
        insert_rows(&mut target, table, &rows).await?;
        fill_self_refs(&mut target, table, &rows).await?;
        if table.row_id {
            continue_identity(&mut target, table).await?;
        }
        let (stored,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {}", table.name))
            .fetch_one(&mut *target)
            .await?;
        let read = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if stored != read {
            return Err(CopyError::Refused(format!(
                "{}: {read} rows read but {stored} stored; nothing was copied",
                table.name
            )));
        }
        copied.insert(table.name.clone(), stored);
    }
    target.commit().await?;
    snapshot.rollback().await?;
    Ok(copied)
}

/// The source must be at the schema this Latch knows, as the target now is.
async fn check_schema(source: &mut crate::store::Conn, to: &Pool) -> Result<(), CopyError> {
    let ours = latest_migration(&mut *to.acquire().await?).await?;
    let theirs = latest_migration(source).await.map_err(|_| {
        CopyError::Refused("the source is not a Latch database (it has no migrations)".into())
    })?;
    if theirs != ours {
        return Err(CopyError::Refused(format!(
            "the source's schema is at migration {theirs:?} and this Latch's at {ours:?}: start \
             this version of Latch on the source once (it migrates it), stop it, then copy"
        )));
    }
    Ok(())
}

async fn latest_migration(conn: &mut crate::store::Conn) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_one(conn)
        .await
}

async fn read_tables(conn: &mut crate::store::Conn) -> Result<Vec<Table>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
         ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let columns: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
        let refs: Vec<(String, String)> =
            sqlx::query_as("SELECT \"table\", \"from\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?;
        let keys: Vec<&(String, String, i64)> = columns.iter().filter(|c| c.2 > 0).collect();
        let key = (keys.len() == 1).then(|| keys[0].0.clone());
        let row_id = keys.len() == 1 && keys[0].1.eq_ignore_ascii_case("INTEGER");
        tables.push(Table {
            needs: refs
                .iter()
                .filter(|(to, _)| *to != name)
                .map(|(to, _)| to.clone())
                .collect(),
            self_refs: refs
                .iter()
                .filter(|(to, _)| *to == name)
                .map(|(_, from)| from.clone())
                .collect(),
            columns: columns.into_iter().map(|(n, t, _)| (n, t)).collect(),
            key,
            row_id,
            name,
        });
    }
    Ok(tables)
}

/// Each table after every table it needs.
fn in_dependency_order(mut left: Vec<Table>) -> Result<Vec<Table>, CopyError> {
    let mut ordered: Vec<Table> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let done: BTreeSet<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        let ready = left
            .iter()
            .position(|t| t.needs.iter().all(|n| done.contains(n.as_str())));
        let Some(i) = ready else {
            let names: Vec<&str> = left.iter().map(|t| t.name.as_str()).collect();
            return Err(CopyError::Refused(format!(
                "these tables refer to each other in a circle: {names:?}"
            )));
        };
        ordered.push(left.remove(i));
    }
    Ok(ordered)
}

/// Rows per INSERT: PostgreSQL takes at most 65,535 parameters a statement.
fn rows_per_insert(columns: usize) -> usize {
    (60_000 / columns.max(1)).clamp(1, 500)
}

async fn insert_rows(
    target: &mut crate::store::Conn,
    table: &Table,
    rows: &[AnyRow],
) -> Result<(), sqlx::Error> {
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect();
    let width = table.columns.len();
    for chunk in rows.chunks(rows_per_insert(width)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", crate::store::params(r * width + 1, width)))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            names.join(", "),
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for (i, (column, declared)) in table.columns.iter().enumerate() {
                let later = table.self_refs.contains(column);
                query = bind_cell(query, row, i, declared, later)?;
            }
        }
        query.execute(&mut *target).await?;
    }
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, crate::store::Db, sqlx::any::AnyArguments<'q>>;

/// Binds column `i` of `row` as its declared type says (so that a NULL has the column's type
/// on PostgreSQL); `later` binds NULL, for a value filled in after every row is in.
fn bind_cell<'q>(
    query: Query<'q>,
    row: &AnyRow,
    i: usize,
    declared: &str,
    later: bool,
) -> Result<Query<'q>, sqlx::Error> {
    Ok(if declared.eq_ignore_ascii_case("INTEGER") {
        let value: Option<i64> = if later { None } else { row.try_get(i)? };
        query.bind(value)
    } else if declared.eq_ignore_ascii_case("REAL") {
        let value: Option<f64> = if later { None } else { row.try_get(i)? };
        query.bind(value)
    } else if declared.eq_ignore_ascii_case("BLOB") {
        let value: Option<Vec<u8>> = if later { None } else { row.try_get(i)? };
        query.bind(value)
    } else {
        let value: Option<String> = if later { None } else { row.try_get(i)? };
        query.bind(value)
    })
}

/// Sets the columns that name a row of the same table, now that every row is there.
async fn fill_self_refs(
    target: &mut crate::store::Conn,
    table: &Table,
    rows: &[AnyRow],
) -> Result<(), sqlx::Error> {
    let Some(key) = &table.key else {
        return Ok(());
    };
    for column in &table.self_refs {
        let sql = format!(
            "UPDATE {} SET \"{column}\" = $1 WHERE \"{key}\" = $2",
            table.name
        );
        for row in rows {
            let value: Option<String> = row.try_get(column.as_str())?;
            if let Some(value) = value {
                let id: String = row.try_get(key.as_str())?;
                sqlx::query(&sql)
                    .bind(value)
                    .bind(id)
                    .execute(&mut *target)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The identity column continues after the highest id copied (else the next insert would take
/// an id that is in use).
async fn continue_identity(
    target: &mut crate::store::Conn,
    table: &Table,
) -> Result<(), sqlx::Error> {
    let Some(key) = &table.key else {
        return Ok(());
    };
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence('{0}', '{key}'), MAX(\"{key}\")) FROM {0} \
         HAVING MAX(\"{key}\") IS NOT NULL",
        table.name
    );
    sqlx::query(&sql).execute(&mut *target).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, needs: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: vec![],
            key: None,
            row_id: false,
            needs: needs.iter().map(|n| n.to_string()).collect(),
            self_refs: vec![],
        }
    }

    #[test]
    fn each_table_comes_after_those_it_refers_to() {
        let ordered = in_dependency_order(vec![
            table("attempts", &["instances"]),
            table("instances", &["requests", "users"]),
            table("requests", &["users"]),
            table("users", &[]),
        ])
        .unwrap();
        let names: Vec<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["users", "requests", "instances", "attempts"]);
        let circle = in_dependency_order(vec![table("a", &["b"]), table("b", &["a"])]);
        assert!(matches!(circle, Err(CopyError::Refused(m)) if m.contains("circle")));
    }

    #[test]
    fn an_insert_stays_under_postgresqls_parameter_limit() {
        for width in [1, 7, 13, 200, 500] {
            assert!(rows_per_insert(width) * width <= 60_000, "{width}");
        }
        assert_eq!((rows_per_insert(10), rows_per_insert(1000)), (500, 60));
    }
}

//! SQLite storage: one file per table group, short transactions, no HTTP inside any of them.
//! Functions take a connection or transaction so callers choose the transaction's extent.

pub mod apps;
pub mod at_rest;
pub mod audit;
pub mod batch;
pub mod catalogs;
pub mod copy;
pub mod demo;
pub mod expiry;
pub mod extensions;
mod flag;
pub mod groups;
pub mod identities;
pub mod jobs;
pub mod keys;
pub mod locks;
pub mod migrations;
pub mod name_pages;
pub mod opaque_token;
pub mod packages;
pub mod paging;
pub mod plan;
pub mod request_views;
pub mod requests;
pub mod roles;
pub mod scratch;
pub mod sealed;
pub mod sessions;
pub mod setup_links;
pub mod throttles;
pub mod users;

pub use flag::{Flag, OptionalFlag};

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;

/// The database the store speaks to, its connection and its pool: every store function takes
/// these names, so that the backend is chosen in one place. sqlx's `Any` picks the driver from
/// the URL at run time.
pub type Db = sqlx::Any;
pub type Conn = sqlx::AnyConnection;
pub type Pool = sqlx::Pool<Db>;

/// `n` numbered parameters from `$first` on (`$3, $4, $5`), for an `IN (…)` list.
pub fn params(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`params`] inside `IN (…)`: with no values, a value no column holds (`IN ()` is not SQL),
/// so that an empty list keeps no row.
pub fn params_or_none(first: usize, n: usize) -> String {
    if n == 0 {
        "NULL".to_owned()
    } else {
        params(first, n)
    }
}

/// What every SQLite connection is set to when it opens: WAL, a sync on every commit (a 201 is
/// on disk), foreign keys, and a wait for the write lock rather than an error.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

/// A pool of at most `max` connections to `url`'s database, each set up as Latch needs.
pub fn pool_options(url: &str, max: u32) -> AnyPoolOptions {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(max)
        // An in-process SQLite connection cannot drop: a ping per loan is a round trip for
        // nothing. A PostgreSQL server can restart or fail over: the ping finds a dead
        // connection before a request does.
        .test_before_acquire(is_postgres_url(url))
        .after_connect(|conn, _| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    conn.execute(SQLITE_SETTINGS).await?;
                }
                Ok(())
            })
        })
}

/// Whether `url` names a PostgreSQL database (else SQLite).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// `url` fit for a log or an error message: a password in it is replaced by `***`.
pub fn redacted_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Not a URL at all: nothing in it can be told apart as a password, so show none of it.
        Err(_) => "(the database URL, which is not a valid URL)".to_string(),
    }
}

/// A SQLite `url` opened in `mode` (`rwc`: create if missing; `ro`: read only).
pub fn sqlite_in_mode(url: &str, mode: &str) -> String {
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}mode={mode}")
}

/// `url` with SQLite told to create a missing file unless it says otherwise.
fn creating(url: &str) -> String {
    if is_postgres_url(url) || url.contains("mode=") || url.contains(":memory:") {
        return url.to_string();
    }
    sqlite_in_mode(url, "rwc")
}

/// Opens (creating if missing) the database and runs every pending migration. A migration
/// that fails is returned as an error: the server must not start on a half-migrated schema.
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let pool = pool_options(url, 8).connect(&creating(url)).await?;
    migrations::run(url, &pool).await?;
    Ok(pool)
}

/// A transaction that will write. SQLite upgrades a plain (deferred) transaction from reading
/// to writing only if no one wrote meanwhile, and otherwise fails at once with "database is
/// locked"; `BEGIN IMMEDIATE` takes the write lock up front and waits its turn (busy timeout).
/// PostgreSQL has no such lock (and no such statement): rows are locked as they are written.
pub async fn write_tx(db: &Pool) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
    if is_postgres(db) {
        db.begin().await
    } else {
        db.begin_with("BEGIN IMMEDIATE").await
    }
}

/// Whether `db` is a PostgreSQL database (else SQLite).
pub fn is_postgres(db: &Pool) -> bool {
    is_postgres_url(db.connect_options().database_url.as_str())
}

/// Whether `conn` is to a PostgreSQL database (else SQLite).
pub fn is_postgres_conn(conn: &Conn) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// The condition that `column` starts with a text whatever its case, as the range
/// `[$n, $n+1)` under the `nocase` collation: an index of the column in that collation serves
/// it on both backends (SQLite's `LIKE` uses no index of a column not declared `NOCASE`, and
/// PostgreSQL's `ILIKE` none at all). Bind [`prefix_bounds`] to the two parameters.
pub fn starts_with(column: &str, n: usize) -> String {
    format!(
        "({column} COLLATE NOCASE >= ${n} AND {column} COLLATE NOCASE < ${})",
        n + 1
    )
}

/// The two ends of [`starts_with`]'s range for `text`: the text itself, and the text followed
/// by the character this backend's `nocase` orders after every other (SQLite compares UTF-8
/// bytes, so the last code point; PostgreSQL's ICU gives U+FFFF the highest weight).
pub fn prefix_bounds(conn: &Conn, text: &str) -> [String; 2] {
    let text = text.trim();
    let last = if is_postgres_conn(conn) {
        '\u{FFFF}'
    } else {
        char::MAX
    };
    [text.to_owned(), format!("{text}{last}")]
}

/// The one text form of a time in the database: fixed width, so text order is time order.
pub fn db_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_db_time(text: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A fresh, migrated database for a test (see [`scratch`]).
#[cfg(test)]
pub(crate) async fn test_db() -> (Pool, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = scratch::url(dir.path()).await;
    let pool = connect(&url).await.expect("migrated test database");
    (pool, dir)
}

/// [`test_db`] with the demo data in it (hashes stand in for the passwords).
#[cfg(test)]
pub(crate) async fn demo_test_db() -> (Pool, tempfile::TempDir) {
    let (db, dir) = test_db().await;
    let hashes = demo::DemoHashes {
        password: "hash".into(),
        app_secret: "hash".into(),
        app_secret_hint: "latch-d".into(),
    };
    demo::load_if_empty(&db, &sealed::Sealer::none(), Utc::now(), &hashes)
        .await
        .expect("demo data");
    (db, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_never_reaches_a_message() {
        assert_eq!(
            redacted_url("postgres://latch:s3cret@db.example:5432/latch"),
            "postgres://latch:***@db.example:5432/latch"
        );
        assert_eq!(
            redacted_url("postgres://latch@db/latch"),
            "postgres://latch@db/latch"
        );
        assert_eq!(redacted_url("sqlite://latch.db"), "sqlite://latch.db");
        assert!(!redacted_url("postgres://a:s3cret@[::1").contains("s3cret"));
    }

    #[test]
    fn db_time_is_fixed_width_utc() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T10:00:00+02:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(db_time(at), "2026-11-27T08:00:00.000000Z");
        assert_eq!(parse_db_time(&db_time(at)).unwrap(), at);
    }

    #[tokio::test]
    async fn migrations_create_the_whole_model() {
        let (db, _dir) = test_db().await;
        let sql = if is_postgres(&db) {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        };
        let tables: Vec<String> = sqlx::query_scalar(sql).fetch_all(&db).await.unwrap();
        for table in [
            "access_packages",
            "app_secrets",
            "apps",
            "assignments",
            "audit_events",
            "callout_attempts",
            "callout_instances",
            "catalogs",
            "custom_extensions",
            "jobs",
            "policies",
            "policy_allowed_targets",
            "policy_approvers",
            "policy_stage_settings",
            "request_history",
            "requests",
            "role_assignments",
            "sessions",
            "signing_keys",
            "users",
        ] {
            assert!(
                tables.iter().any(|t| t == table),
                "missing table {table}: {tables:?}"
            );
        }
    }
}

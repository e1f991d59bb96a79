//! SQLite storage: one file per table group, short transactions, no HTTP inside any of them.
//! Functions take a connection or transaction so callers choose the transaction's extent.

pub mod apps;
pub mod at_rest;
pub mod audit;
pub mod batch;
pub mod catalogs;
pub mod demo;
pub mod expiry;
pub mod extensions;
pub mod groups;
pub mod identities;
pub mod jobs;
pub mod keys;
pub mod opaque_token;
pub mod packages;
pub mod request_views;
pub mod requests;
pub mod roles;
pub mod sealed;
pub mod sessions;
pub mod setup_links;
pub mod throttles;
pub mod users;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// The database the store speaks to, its connection and its pool: every store function takes
/// these names, so that the backend is chosen in one place.
pub type Db = sqlx::Sqlite;
pub type Conn = sqlx::SqliteConnection;
pub type Pool = sqlx::Pool<Db>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if missing) the database and runs every pending migration. A migration
/// that fails is returned as an error: the server must not start on a half-migrated schema.
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A transaction that will write. SQLite upgrades a plain (deferred) transaction from reading
/// to writing only if no one wrote meanwhile, and otherwise fails at once with "database is
/// locked"; `BEGIN IMMEDIATE` takes the write lock up front and waits its turn (busy timeout).
pub async fn write_tx(
    db: &Pool,
) -> Result<sqlx::Transaction<'static, crate::store::Db>, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
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

/// A fresh, migrated database in a temporary directory, for tests.
#[cfg(test)]
pub(crate) async fn test_db() -> (Pool, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
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
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' \
             AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
        .fetch_all(&db)
        .await
        .unwrap();
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

//! Throwaway databases for tests, on either backend.
//!
//! `LATCH_TEST_POSTGRES` names a PostgreSQL database (`postgres://user@host:port/db`; the
//! test command starts one); each scratch database is then a schema of its own in it, which
//! costs a few kilobytes where a database costs megabytes. Without it, a scratch database is
//! a SQLite file in the caller's directory.

use std::path::Path;

/// The variable that sends the tests to PostgreSQL.
pub const TEST_POSTGRES: &str = "LATCH_TEST_POSTGRES";

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(TEST_POSTGRES).is_some()
}

/// The URL of a new, empty database: a fresh schema in `LATCH_TEST_POSTGRES`'s database, or
/// `latch.db` in `dir`.
pub async fn url(dir: &Path) -> String {
    match std::env::var(TEST_POSTGRES) {
        Ok(database) => schema_in(&database).await,
        Err(_) => format!("sqlite://{}", dir.join("latch.db").display()),
    }
}

/// The URL of a new, empty schema in the PostgreSQL `database` (which the URL then uses).
pub async fn schema_in(database: &str) -> String {
    let schema = format!("scratch_{}", uuid::Uuid::new_v4().simple());
    let admin = super::pool_options(database, 1)
        .connect(database)
        .await
        .expect("the PostgreSQL database named for the tests or the benchmark");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("a scratch schema");
    admin.close().await;
    let join = if database.contains('?') { '&' } else { '?' };
    format!("{database}{join}options[search_path]={schema}")
}

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
    let Ok(server) = std::env::var(TEST_POSTGRES) else {
        return format!("sqlite://{}", dir.join("latch.db").display());
    };
    let schema = format!("scratch_{}", uuid::Uuid::new_v4().simple());
    let admin = super::pool_options(&server, 1)
        .connect(&server)
        .await
        .expect("the PostgreSQL server that LATCH_TEST_POSTGRES names");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("a scratch schema");
    admin.close().await;
    let join = if server.contains('?') { '&' } else { '?' };
    format!("{server}{join}options[search_path]={schema}")
}

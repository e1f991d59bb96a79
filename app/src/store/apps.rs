//! Apps (API clients) and their secrets. A secret is stored as an argon2id hash and shown
//! once; the hint (its first characters) tells secrets apart in lists.

use crate::domain::ids::AppId;
use crate::store::db_time;
use crate::store::name_pages::NameList;
use crate::store::Conn;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppRecord {
    pub id: String,
    pub display_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecretRecord {
    pub id: String,
    pub secret_hash: String,
    pub hint: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub async fn insert(
    conn: &mut Conn,
    id: AppId,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO apps (id, display_name, created_at) VALUES ($1, $2, $3)")
        .bind(id.to_string())
        .bind(display_name)
        .bind(db_time(now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: AppId) -> Result<Option<AppRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, display_name, created_at FROM apps WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// The apps in name order, those named `prefix…` (any case).
pub fn named(prefix: &str) -> NameList<'_> {
    NameList {
        table: "apps",
        columns: "id, display_name, created_at",
        within: None,
        prefix,
    }
}

/// Stores a secret's hash; returns the secret's row id.
pub async fn add_secret(
    conn: &mut Conn,
    app: AppId,
    secret_hash: &str,
    hint: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO app_secrets (id, app_id, secret_hash, hint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(app.to_string())
    .bind(secret_hash)
    .bind(hint)
    .bind(db_time(now))
    .bind(expires_at.map(db_time))
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn revoke_secret(
    conn: &mut Conn,
    app: AppId,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE app_secrets SET revoked_at = $1 WHERE id = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(db_time(now))
    .bind(secret)
    .bind(app.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn secrets(conn: &mut Conn, app: AppId) -> Result<Vec<SecretRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, secret_hash, hint, created_at, expires_at, revoked_at FROM app_secrets \
         WHERE app_id = $1 ORDER BY created_at, id",
    )
    .bind(app.to_string())
    .fetch_all(conn)
    .await
}

/// The hashes of the secrets that may sign in now (not revoked, not expired).
pub async fn live_secret_hashes(
    conn: &mut Conn,
    app: AppId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT secret_hash FROM app_secrets WHERE app_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(app.to_string())
    .bind(db_time(now))
    .fetch_all(conn)
    .await
}

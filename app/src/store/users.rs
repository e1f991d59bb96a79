//! Users: local accounts.

use crate::domain::ids::UserId;
use crate::store::db_time;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub enabled: bool,
    pub password_hash: Option<String>,
}

impl UserRecord {
    pub fn user_id(&self) -> UserId {
        self.id.parse().expect("user ids in the database are UUIDs")
    }
}

pub async fn insert(
    conn: &mut SqliteConnection,
    id: UserId,
    upn: &str,
    display_name: &str,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, user_principal_name, display_name, enabled, password_hash, created_at) \
         VALUES (?, ?, ?, 1, ?, ?)",
    )
    .bind(id.to_string())
    .bind(upn.to_lowercase())
    .bind(display_name)
    .bind(password_hash)
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_by_upn(
    conn: &mut SqliteConnection,
    upn: &str,
) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_principal_name, display_name, enabled, password_hash FROM users \
         WHERE user_principal_name = ?",
    )
    .bind(upn.trim().to_lowercase())
    .fetch_optional(conn)
    .await
}

pub async fn get(
    conn: &mut SqliteConnection,
    id: UserId,
) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_principal_name, display_name, enabled, password_hash FROM users WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

pub async fn count(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await
}

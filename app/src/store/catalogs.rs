//! Catalogs.

use crate::domain::ids::CatalogId;
use crate::store::db_time;
use crate::store::name_pages::NameList;
use crate::store::Conn;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CatalogRecord {
    pub id: String,
    pub display_name: String,
    pub description: String,
}

impl CatalogRecord {
    pub fn catalog_id(&self) -> CatalogId {
        self.id
            .parse()
            .expect("catalog ids in the database are UUIDs")
    }
}

pub async fn insert(
    conn: &mut Conn,
    id: CatalogId,
    display_name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO catalogs (id, display_name, description, created_at, modified_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(display_name)
    .bind(description)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The catalogs in name order, those named `prefix…` (any case), only `within` these ids
/// when given (the caller's catalogs).
pub fn named<'a>(within: Option<&'a [String]>, prefix: &'a str) -> NameList<'a> {
    NameList {
        table: "catalogs",
        columns: "id, display_name, description",
        within: within.map(|ids| ("id", ids)),
        prefix,
    }
}

pub async fn list_all(conn: &mut Conn) -> Result<Vec<CatalogRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, display_name, description FROM catalogs ORDER BY display_name, id")
        .fetch_all(conn)
        .await
}

pub async fn get(conn: &mut Conn, id: CatalogId) -> Result<Option<CatalogRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, display_name, description FROM catalogs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

pub async fn update(
    conn: &mut Conn,
    id: CatalogId,
    display_name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE catalogs SET display_name = $1, description = $2, modified_at = $3 WHERE id = $4",
    )
    .bind(display_name)
    .bind(description)
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// What still lives in a catalog: (access packages, custom extensions).
pub async fn contents(conn: &mut Conn, id: CatalogId) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM access_packages WHERE catalog_id = $1), \
                (SELECT COUNT(*) FROM custom_extensions WHERE catalog_id = $2)",
    )
    .bind(id.to_string())
    .bind(id.to_string())
    .fetch_one(conn)
    .await
}

/// Deletes an empty catalog and its role assignments.
pub async fn delete(conn: &mut Conn, id: CatalogId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM role_assignments WHERE catalog_id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM catalogs WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

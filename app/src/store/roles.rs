//! Role assignments of users and apps.

use crate::domain::ids::{AppId, CatalogId, UserId};
use crate::domain::role::Role;
use crate::store::db_time;
use crate::store::Conn;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct RoleGrant {
    pub role: Role,
    pub catalog_id: Option<CatalogId>,
}

pub async fn grant_to_user(
    conn: &mut Conn,
    user: UserId,
    role: Role,
    catalog: Option<CatalogId>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    grant(conn, "user", &user.to_string(), role, catalog, now).await
}

pub async fn grant_to_app(
    conn: &mut Conn,
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    grant(conn, "app", &app.to_string(), role, catalog, now).await
}

async fn grant(
    conn: &mut Conn,
    kind: &str,
    principal: &str,
    role: Role,
    catalog: Option<CatalogId>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO role_assignments (id, principal_kind, principal_id, role, catalog_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(kind)
    .bind(principal)
    .bind(role.db_name())
    .bind(catalog.map(|c| c.to_string()))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_user(conn: &mut Conn, user: UserId) -> Result<Vec<RoleGrant>, sqlx::Error> {
    of(conn, "user", &user.to_string()).await
}

pub async fn of_app(conn: &mut Conn, app: AppId) -> Result<Vec<RoleGrant>, sqlx::Error> {
    of(conn, "app", &app.to_string()).await
}

async fn of(conn: &mut Conn, kind: &str, principal: &str) -> Result<Vec<RoleGrant>, sqlx::Error> {
    let rows: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT role, catalog_id FROM role_assignments WHERE principal_kind = $1 AND principal_id = $2",
    )
    .bind(kind)
    .bind(principal)
    .fetch_all(conn)
    .await?;
    grants(rows)
}

/// An app's display name and its roles in one read (every REST call asks both); `None` when
/// there is no such app.
pub async fn app_with_grants(
    conn: &mut Conn,
    app: AppId,
) -> Result<Option<(String, Vec<RoleGrant>)>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT a.display_name, r.role, r.catalog_id FROM apps a \
         LEFT JOIN role_assignments r ON r.principal_kind = 'app' AND r.principal_id = a.id \
         WHERE a.id = $1",
    )
    .bind(app.to_string())
    .fetch_all(conn)
    .await?;
    let Some(name) = rows.first().map(|(name, _, _)| name.clone()) else {
        return Ok(None);
    };
    let grants = grants(rows.into_iter().map(|(_, role, catalog)| (role, catalog)))?;
    Ok(Some((name, grants)))
}

/// Rows of (role, catalog) as grants; a row without a role (an outer join's) is none.
fn grants(
    rows: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> Result<Vec<RoleGrant>, sqlx::Error> {
    rows.into_iter()
        .filter_map(|(role, catalog)| role.map(|role| (role, catalog)))
        .map(|(role, catalog)| {
            let role = Role::from_db_name(&role)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?;
            let catalog_id = catalog
                .map(|c| c.parse::<CatalogId>())
                .transpose()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(RoleGrant { role, catalog_id })
        })
        .collect()
}

/// Who holds which role on a catalog (for the catalog's Roles tab).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CatalogMember {
    pub role: String,
    pub principal_kind: String,
    pub display_name: String,
}

pub async fn members_of_catalog(
    conn: &mut Conn,
    catalog: CatalogId,
) -> Result<Vec<CatalogMember>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.role, r.principal_kind, COALESCE(u.display_name, a.display_name, r.principal_id) AS display_name \
         FROM role_assignments r \
         LEFT JOIN users u ON r.principal_kind = 'user' AND u.id = r.principal_id \
         LEFT JOIN apps a ON r.principal_kind = 'app' AND a.id = r.principal_id \
         WHERE r.catalog_id = $1 ORDER BY r.role, display_name",
    )
    .bind(catalog.to_string())
    .fetch_all(conn)
    .await
}

/// Removes an app's role assignment; returns whether it held that role there.
pub async fn revoke_from_app(
    conn: &mut Conn,
    app: AppId,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<bool, sqlx::Error> {
    revoke(conn, "app", &app.to_string(), role, catalog).await
}

async fn revoke(
    conn: &mut Conn,
    kind: &str,
    principal: &str,
    role: Role,
    catalog: Option<CatalogId>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM role_assignments WHERE principal_kind = $1 AND principal_id = $2 AND role = $3 \
         AND COALESCE(catalog_id, '') = COALESCE($4, '')",
    )
    .bind(kind)
    .bind(principal)
    .bind(role.db_name())
    .bind(catalog.map(|c| c.to_string()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

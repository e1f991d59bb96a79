//! Access packages, their assignment policies and the policies' custom extension stage settings.

use crate::domain::ids::{AccessPackageId, CatalogId, ExtensionId, PolicyId, UserId};
use crate::domain::stage::Stage;
use crate::store::db_time;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRecord {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub is_hidden: bool,
    pub policy_count: i64,
}

pub async fn insert_package(
    conn: &mut SqliteConnection,
    id: AccessPackageId,
    catalog: CatalogId,
    display_name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO access_packages (id, catalog_id, display_name, description, is_hidden, created_at, modified_at) \
         VALUES (?, ?, ?, ?, 0, ?, ?)",
    )
    .bind(id.to_string())
    .bind(catalog.to_string())
    .bind(display_name)
    .bind(description)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn list_in_catalog(
    conn: &mut SqliteConnection,
    catalog: CatalogId,
) -> Result<Vec<PackageRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.display_name, p.description, p.is_hidden, \
                (SELECT COUNT(*) FROM policies WHERE access_package_id = p.id) AS policy_count \
         FROM access_packages p WHERE p.catalog_id = ? ORDER BY p.display_name, p.id",
    )
    .bind(catalog.to_string())
    .fetch_all(conn)
    .await
}

/// What a policy is created with; the policy editor of a later change fills the same columns.
pub struct NewPolicy<'a> {
    pub id: PolicyId,
    pub package: AccessPackageId,
    pub display_name: &'a str,
    pub description: &'a str,
    pub approvers: &'a [UserId],
    /// ISO-8601 duration such as `P30D`; `None` for no expiration.
    pub expiration: Option<&'a str>,
}

pub async fn insert_policy(
    conn: &mut SqliteConnection,
    policy: &NewPolicy<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let expiration_type = if policy.expiration.is_some() {
        "afterDuration"
    } else {
        "noExpiration"
    };
    sqlx::query(
        "INSERT INTO policies (id, access_package_id, display_name, description, is_approval_required, \
                               expiration_type, expiration_duration, created_at, modified_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(policy.id.to_string())
    .bind(policy.package.to_string())
    .bind(policy.display_name)
    .bind(policy.description)
    .bind(!policy.approvers.is_empty())
    .bind(expiration_type)
    .bind(policy.expiration)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(&mut *conn)
    .await?;
    for approver in policy.approvers {
        sqlx::query("INSERT INTO policy_approvers (policy_id, user_id) VALUES (?, ?)")
            .bind(policy.id.to_string())
            .bind(approver.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_stage(
    conn: &mut SqliteConnection,
    policy: PolicyId,
    stage: Stage,
    extension: ExtensionId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO policy_stage_settings (policy_id, stage, custom_extension_id) VALUES (?, ?, ?) \
         ON CONFLICT (policy_id, stage) DO UPDATE SET custom_extension_id = excluded.custom_extension_id",
    )
    .bind(policy.to_string())
    .bind(stage.wire_name())
    .bind(extension.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The policy facts the lifecycle and the callouts need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRecord {
    pub id: String,
    pub access_package_id: String,
    pub display_name: String,
    pub allowed_target_scope: String,
    pub is_approval_required: bool,
    pub approval_timeout: String,
    pub expiration_type: String,
    pub expiration_duration: Option<String>,
    pub expiration_end: Option<String>,
}

pub async fn get_policy(
    conn: &mut SqliteConnection,
    id: PolicyId,
) -> Result<Option<PolicyRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, access_package_id, display_name, allowed_target_scope, is_approval_required, approval_timeout, \
                expiration_type, expiration_duration, expiration_end FROM policies WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

/// (stage, extension id) of every stage setting of a policy.
pub async fn stage_settings(
    conn: &mut SqliteConnection,
    policy: PolicyId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT stage, custom_extension_id FROM policy_stage_settings WHERE policy_id = ? ORDER BY stage")
        .bind(policy.to_string())
        .fetch_all(conn)
        .await
}

pub async fn is_approver(
    conn: &mut SqliteConnection,
    policy: PolicyId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_approvers WHERE policy_id = ? AND user_id = ?",
    )
    .bind(policy.to_string())
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn is_allowed_target(
    conn: &mut SqliteConnection,
    policy: PolicyId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_allowed_targets WHERE policy_id = ? AND user_id = ?",
    )
    .bind(policy.to_string())
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The catalog an access package belongs to.
pub async fn catalog_of_package(
    conn: &mut SqliteConnection,
    package: AccessPackageId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT catalog_id FROM access_packages WHERE id = ?")
        .bind(package.to_string())
        .fetch_optional(conn)
        .await
}

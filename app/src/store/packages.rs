//! Access packages, their assignment policies and the policies' custom extension stage settings.

use crate::domain::ids::{AccessPackageId, CatalogId, ExtensionId, PolicyId, UserId};
use crate::domain::stage::Stage;
use crate::store::db_time;
use crate::store::name_pages::NameList;
use crate::store::{Conn, Flag};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRecord {
    pub id: String,
    pub display_name: String,
    pub description: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub is_hidden: bool,
    pub policy_count: i64,
}

pub async fn insert_package(
    conn: &mut Conn,
    id: AccessPackageId,
    catalog: CatalogId,
    display_name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO access_packages (id, catalog_id, display_name, description, is_hidden, created_at, modified_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6)",
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

/// A catalog's access packages in name order (`catalog` holds its one id), those named
/// `prefix…` (any case), each with how many policies it has.
pub fn named<'a>(catalog: &'a [String], prefix: &'a str) -> NameList<'a> {
    NameList {
        table: "access_packages p",
        columns: "p.id, p.display_name, p.description, p.is_hidden, \
                  (SELECT COUNT(*) FROM policies WHERE access_package_id = p.id) AS policy_count",
        within: Some(("catalog_id", catalog)),
        prefix,
    }
}

pub async fn list_in_catalog(
    conn: &mut Conn,
    catalog: CatalogId,
) -> Result<Vec<PackageRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.display_name, p.description, p.is_hidden, \
                (SELECT COUNT(*) FROM policies WHERE access_package_id = p.id) AS policy_count \
         FROM access_packages p WHERE p.catalog_id = $1 ORDER BY p.display_name, p.id",
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
    conn: &mut Conn,
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
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(policy.id.to_string())
    .bind(policy.package.to_string())
    .bind(policy.display_name)
    .bind(policy.description)
    .bind(Flag(!policy.approvers.is_empty()))
    .bind(expiration_type)
    .bind(policy.expiration)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(&mut *conn)
    .await?;
    for approver in policy.approvers {
        sqlx::query("INSERT INTO policy_approvers (policy_id, user_id) VALUES ($1, $2)")
            .bind(policy.id.to_string())
            .bind(approver.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_stage(
    conn: &mut Conn,
    policy: PolicyId,
    stage: Stage,
    extension: ExtensionId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO policy_stage_settings (policy_id, stage, custom_extension_id) VALUES ($1, $2, $3) \
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
    #[sqlx(try_from = "crate::store::Flag")]
    pub is_approval_required: bool,
    pub approval_timeout: String,
    pub expiration_type: String,
    pub expiration_duration: Option<String>,
    pub expiration_end: Option<String>,
}

/// The columns of [`PolicyRecord`].
const POLICY_COLUMNS: &str =
    "id, access_package_id, display_name, allowed_target_scope, is_approval_required, \
     approval_timeout, expiration_type, expiration_duration, expiration_end";

pub async fn get_policy(
    conn: &mut Conn,
    id: PolicyId,
) -> Result<Option<PolicyRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {POLICY_COLUMNS} FROM policies WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

/// What a direct assignment (`adminAdd`) checks before it is submitted, in one read: the
/// package's catalog, the policy if it belongs to that package, and the target's names and
/// whether its account is enabled. Each is `None` when there is no such row.
#[derive(Debug, Clone)]
pub struct DirectAssignmentChecks {
    pub catalog: Option<String>,
    pub policy: Option<PolicyRecord>,
    pub target: Option<CheckedTarget>,
}

/// The target of a direct assignment as its checks read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedTarget {
    pub display_name: String,
    pub user_principal_name: String,
    pub enabled: bool,
}

pub async fn direct_assignment_checks(
    conn: &mut Conn,
    package: AccessPackageId,
    policy: PolicyId,
    target: UserId,
) -> Result<DirectAssignmentChecks, sqlx::Error> {
    use sqlx::{FromRow, Row};
    // One row whatever is missing: the three are joined to a row of their own.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT p.catalog_id AS package_catalog, pol.*, \
                    u.display_name AS target_name, u.user_principal_name AS target_upn, \
                    u.enabled AS target_enabled \
             FROM (SELECT 1 AS one) d \
             LEFT JOIN access_packages p ON p.id = $1 \
             LEFT JOIN (SELECT {POLICY_COLUMNS} FROM policies \
                        WHERE id = $2 AND access_package_id = $1) pol ON 1 = 1 \
             LEFT JOIN users u ON u.id = $3"
        )
    });
    let row = sqlx::query(&SQL)
        .bind(package.to_string())
        .bind(policy.to_string())
        .bind(target.to_string())
        .fetch_one(conn)
        .await?;
    let policy = match row.try_get::<Option<String>, _>("id")? {
        Some(_) => Some(PolicyRecord::from_row(&row)?),
        None => None,
    };
    let target = match row.try_get::<Option<String>, _>("target_name")? {
        Some(display_name) => Some(CheckedTarget {
            display_name,
            user_principal_name: row.try_get("target_upn")?,
            enabled: row.try_get::<Flag, _>("target_enabled")?.into(),
        }),
        None => None,
    };
    Ok(DirectAssignmentChecks {
        catalog: row.try_get("package_catalog")?,
        policy,
        target,
    })
}

/// (stage, extension id) of every stage setting of a policy.
pub async fn stage_settings(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT stage, custom_extension_id FROM policy_stage_settings WHERE policy_id = $1 ORDER BY stage")
        .bind(policy.to_string())
        .fetch_all(conn)
        .await
}

pub async fn is_approver(
    conn: &mut Conn,
    policy: PolicyId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_approvers WHERE policy_id = $1 AND user_id = $2",
    )
    .bind(policy.to_string())
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn is_allowed_target(
    conn: &mut Conn,
    policy: PolicyId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    // Named directly, or a member of a group the policy names.
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM policy_allowed_targets WHERE policy_id = $1 AND user_id = $2) \
              + (SELECT COUNT(*) FROM policy_allowed_groups g JOIN group_members m ON m.group_id = g.group_id \
                 WHERE g.policy_id = $3 AND m.user_id = $4)",
    )
    .bind(policy.to_string())
    .bind(user.to_string())
    .bind(policy.to_string())
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The catalog an access package belongs to.
pub async fn catalog_of_package(
    conn: &mut Conn,
    package: AccessPackageId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT catalog_id FROM access_packages WHERE id = $1")
        .bind(package.to_string())
        .fetch_optional(conn)
        .await
}

/// One policy in a catalog's package list, with the package it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyListRecord {
    pub id: String,
    pub access_package_id: String,
    pub display_name: String,
    pub description: String,
}

/// The policies of these access packages, by name.
pub async fn policies_of_packages(
    conn: &mut Conn,
    packages: &[String],
) -> Result<Vec<PolicyListRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT id, access_package_id, display_name, description FROM policies \
         WHERE access_package_id IN ({}) ORDER BY display_name, id",
        crate::store::params_or_none(1, packages.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in packages {
        query = query.bind(id);
    }
    query.fetch_all(conn).await
}

/// A policy's editable settings, as stored, with its package's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicySettingsRecord {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub package_name: String,
    pub allowed_target_scope: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub is_approval_required: bool,
    pub approval_timeout: String,
    pub expiration_type: String,
    pub expiration_duration: Option<String>,
    pub expiration_end: Option<String>,
}

/// The policy, if it belongs to an access package of this catalog.
pub async fn get_policy_in_catalog(
    conn: &mut Conn,
    catalog: CatalogId,
    policy: PolicyId,
) -> Result<Option<PolicySettingsRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.display_name, p.description, a.display_name AS package_name, p.allowed_target_scope, \
                p.is_approval_required, p.approval_timeout, p.expiration_type, p.expiration_duration, p.expiration_end \
         FROM policies p JOIN access_packages a ON a.id = p.access_package_id \
         WHERE p.id = $1 AND a.catalog_id = $2",
    )
    .bind(policy.to_string())
    .bind(catalog.to_string())
    .fetch_optional(conn)
    .await
}

/// The approvers of a policy (user ids), in a stable order.
pub async fn policy_approvers(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM policy_approvers WHERE policy_id = $1 ORDER BY user_id")
        .bind(policy.to_string())
        .fetch_all(conn)
        .await
}

/// The users a `specificDirectoryUsers` policy lets request (user ids), in a stable order.
pub async fn policy_allowed_targets(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM policy_allowed_targets WHERE policy_id = $1 ORDER BY user_id",
    )
    .bind(policy.to_string())
    .fetch_all(conn)
    .await
}

/// The policy columns the editor writes, in their stored forms.
pub struct PolicySettingsUpdate<'a> {
    /// `allMemberUsers` or `specificDirectoryUsers`.
    pub allowed_target_scope: &'a str,
    pub is_approval_required: bool,
    /// ISO-8601 days, `P14D`.
    pub approval_timeout: &'a str,
    /// `noExpiration`, `afterDuration` or `afterDateTime`.
    pub expiration_type: &'a str,
    /// `P30D`, with `afterDuration`.
    pub expiration_duration: Option<&'a str>,
    /// A database time, with `afterDateTime`.
    pub expiration_end: Option<&'a str>,
}

pub async fn update_policy_settings(
    conn: &mut Conn,
    policy: PolicyId,
    settings: &PolicySettingsUpdate<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE policies SET allowed_target_scope = $1, is_approval_required = $2, approval_timeout = $3, \
                expiration_type = $4, expiration_duration = $5, expiration_end = $6, modified_at = $7 \
         WHERE id = $8",
    )
    .bind(settings.allowed_target_scope)
    .bind(Flag(settings.is_approval_required))
    .bind(settings.approval_timeout)
    .bind(settings.expiration_type)
    .bind(settings.expiration_duration)
    .bind(settings.expiration_end)
    .bind(db_time(now))
    .bind(policy.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The two user lists of a policy.
#[derive(Debug, Clone, Copy)]
pub enum PolicyUsers {
    Approvers,
    AllowedTargets,
}

impl PolicyUsers {
    fn table(self) -> &'static str {
        match self {
            PolicyUsers::Approvers => "policy_approvers",
            PolicyUsers::AllowedTargets => "policy_allowed_targets",
        }
    }
}

/// Replaces one of a policy's user lists with these users.
pub async fn replace_users(
    conn: &mut Conn,
    list: PolicyUsers,
    policy: PolicyId,
    users: &[UserId],
) -> Result<(), sqlx::Error> {
    let table = list.table();
    sqlx::query(&format!("DELETE FROM {table} WHERE policy_id = $1"))
        .bind(policy.to_string())
        .execute(&mut *conn)
        .await?;
    for user in users {
        sqlx::query(&format!(
            "INSERT INTO {table} (policy_id, user_id) VALUES ($1, $2)"
        ))
        .bind(policy.to_string())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces every custom extension stage setting of a policy with these.
pub async fn replace_stage_settings(
    conn: &mut Conn,
    policy: PolicyId,
    settings: &[(Stage, ExtensionId)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policy_stage_settings WHERE policy_id = $1")
        .bind(policy.to_string())
        .execute(&mut *conn)
        .await?;
    for (stage, extension) in settings {
        set_stage(&mut *conn, policy, *stage, *extension).await?;
    }
    Ok(())
}

/// A user a policy can name as a requestor or an approver.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserChoiceRecord {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub enabled: bool,
}

/// Every user, by name: the people a policy can list (a disabled one stays listable, so a
/// policy that names one can still be saved).
pub async fn user_choices(conn: &mut Conn) -> Result<Vec<UserChoiceRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name, user_principal_name, enabled FROM users \
         ORDER BY display_name, user_principal_name",
    )
    .fetch_all(conn)
    .await
}

// ---- access packages and policies as the REST API manages them ----

/// An access package with its catalog and times, as the REST API shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PackageDetailRecord {
    pub id: String,
    pub catalog_id: String,
    pub display_name: String,
    pub description: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub is_hidden: bool,
    pub created_at: String,
    pub modified_at: String,
}

const PACKAGE_DETAIL: &str =
    "SELECT id, catalog_id, display_name, description, is_hidden, created_at, modified_at FROM access_packages";

pub async fn get_package(
    conn: &mut Conn,
    id: AccessPackageId,
) -> Result<Option<PackageDetailRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{PACKAGE_DETAIL} WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// Every access package, by catalog then name.
pub async fn list_package_details(
    conn: &mut Conn,
) -> Result<Vec<PackageDetailRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PACKAGE_DETAIL} ORDER BY catalog_id, display_name, id"
    ))
    .fetch_all(conn)
    .await
}

pub async fn update_package(
    conn: &mut Conn,
    id: AccessPackageId,
    display_name: &str,
    description: &str,
    is_hidden: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE access_packages SET display_name = $1, description = $2, is_hidden = $3, modified_at = $4 WHERE id = $5",
    )
    .bind(display_name)
    .bind(description)
    .bind(Flag(is_hidden))
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// What still refers to an access package or a policy, so that it can't be deleted yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Usage {
    pub policies: i64,
    /// Assignments in any state (ended ones are history that names the package).
    pub assignments: i64,
    /// Requests in any state.
    pub requests: i64,
}

pub async fn package_usage(conn: &mut Conn, id: AccessPackageId) -> Result<Usage, sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM policies WHERE access_package_id = $1) AS policies, \
                (SELECT COUNT(*) FROM assignments WHERE access_package_id = $1) AS assignments, \
                (SELECT COUNT(*) FROM requests WHERE access_package_id = $1) AS requests",
    )
    .bind(id.to_string())
    .fetch_one(conn)
    .await
}

/// Deletes an access package that nothing refers to any more.
pub async fn delete_package(conn: &mut Conn, id: AccessPackageId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM access_packages WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Where a policy sits and when it changed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyPlaceRecord {
    pub access_package_id: String,
    pub catalog_id: String,
    pub created_at: String,
    pub modified_at: String,
}

pub async fn policy_place(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<Option<PolicyPlaceRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.access_package_id, a.catalog_id, p.created_at, p.modified_at \
         FROM policies p JOIN access_packages a ON a.id = p.access_package_id WHERE p.id = $1",
    )
    .bind(policy.to_string())
    .fetch_optional(conn)
    .await
}

/// Every policy id, by catalog, package and name.
pub async fn all_policy_ids(conn: &mut Conn) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT p.id FROM policies p JOIN access_packages a ON a.id = p.access_package_id \
         ORDER BY a.catalog_id, a.display_name, p.display_name, p.id",
    )
    .fetch_all(conn)
    .await
}

pub async fn rename_policy(
    conn: &mut Conn,
    policy: PolicyId,
    display_name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE policies SET display_name = $1, description = $2, modified_at = $3 WHERE id = $4",
    )
    .bind(display_name)
    .bind(description)
    .bind(db_time(now))
    .bind(policy.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn policy_usage(conn: &mut Conn, policy: PolicyId) -> Result<Usage, sqlx::Error> {
    sqlx::query_as(
        "SELECT 0 AS policies, \
                (SELECT COUNT(*) FROM assignments WHERE policy_id = $1) AS assignments, \
                (SELECT COUNT(*) FROM requests WHERE policy_id = $1) AS requests",
    )
    .bind(policy.to_string())
    .fetch_one(conn)
    .await
}

/// Deletes a policy that no request or assignment names; its user lists and stage settings
/// go with it.
pub async fn delete_policy(conn: &mut Conn, policy: PolicyId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policies WHERE id = $1")
        .bind(policy.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{demo_test_db, users};

    /// The one read agrees with the three it replaced, and says which row is missing.
    #[tokio::test]
    async fn a_direct_assignments_checks_are_one_read_that_names_what_is_missing() {
        let (db, _dir) = demo_test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let (policy, package, other_policy): (String, String, String) = sqlx::query_as(
            "SELECT p.id, p.access_package_id, \
                    (SELECT id FROM policies o WHERE o.access_package_id <> p.access_package_id LIMIT 1) \
             FROM policies p LIMIT 1",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let (policy, package, other_policy): (PolicyId, AccessPackageId, PolicyId) = (
            policy.parse().unwrap(),
            package.parse().unwrap(),
            other_policy.parse().unwrap(),
        );
        let user: UserId = sqlx::query_scalar::<_, String>("SELECT id FROM users LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .parse()
            .unwrap();

        let found = direct_assignment_checks(&mut conn, package, policy, user)
            .await
            .unwrap();
        assert_eq!(
            found.catalog,
            catalog_of_package(&mut conn, package).await.unwrap()
        );
        let expected = get_policy(&mut conn, policy).await.unwrap().unwrap();
        let read = found.policy.unwrap();
        // Every column alike, not only the three below: both reads list them from one constant.
        assert_eq!(format!("{read:?}"), format!("{expected:?}"));
        assert_eq!(
            (read.id, read.display_name, read.is_approval_required),
            (
                expected.id,
                expected.display_name,
                expected.is_approval_required
            )
        );
        let person = users::get(&mut conn, user).await.unwrap().unwrap();
        assert_eq!(
            found.target,
            Some(CheckedTarget {
                display_name: person.display_name,
                user_principal_name: person.user_principal_name,
                enabled: true
            })
        );

        sqlx::query("UPDATE users SET enabled = 0 WHERE id = $1")
            .bind(user.to_string())
            .execute(&mut *conn)
            .await
            .unwrap();
        let disabled = direct_assignment_checks(&mut conn, package, policy, user)
            .await
            .unwrap();
        assert_eq!(disabled.target.map(|t| t.enabled), Some(false));

        let elsewhere = direct_assignment_checks(&mut conn, package, other_policy, user)
            .await
            .unwrap();
        assert!(elsewhere.catalog.is_some());
        assert!(
            elsewhere.policy.is_none(),
            "a policy of another package is not this package's"
        );

        let nothing = direct_assignment_checks(
            &mut conn,
            AccessPackageId::new(),
            PolicyId::new(),
            UserId::new(),
        )
        .await
        .unwrap();
        assert!(nothing.catalog.is_none() && nothing.policy.is_none() && nothing.target.is_none());
    }
}

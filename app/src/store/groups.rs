//! Groups of users, as provisioning (SCIM) pushes them, and the groups a policy names.

use crate::domain::ids::{GroupId, PolicyId, UserId};
use crate::store::db_time;
use crate::store::Conn;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupRecord {
    pub id: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub created_at: String,
    pub modified_at: String,
}

impl GroupRecord {
    pub fn group_id(&self) -> GroupId {
        self.id
            .parse()
            .expect("group ids in the database are UUIDs")
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MemberRecord {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

const GROUP_COLUMNS: &str = "id, display_name, external_id, created_at, modified_at";

pub async fn insert(
    conn: &mut Conn,
    id: GroupId,
    display_name: &str,
    external_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO groups (id, display_name, external_id, created_at, modified_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(display_name.trim())
    .bind(external_id)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(
    conn: &mut Conn,
    id: GroupId,
    display_name: &str,
    external_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE groups SET display_name = $1, external_id = $2, modified_at = $3 WHERE id = $4",
    )
    .bind(display_name.trim())
    .bind(external_id)
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a group changed (its members changed).
pub async fn touch(conn: &mut Conn, id: GroupId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE groups SET modified_at = $1 WHERE id = $2")
        .bind(db_time(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: GroupId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policy_allowed_groups WHERE group_id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: GroupId) -> Result<Option<GroupRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {GROUP_COLUMNS} FROM groups WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// Every group, by name: what a policy may name among those who may request.
pub async fn list_all(conn: &mut Conn) -> Result<Vec<GroupRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {GROUP_COLUMNS} FROM groups ORDER BY display_name COLLATE NOCASE, id"
    ))
    .fetch_all(conn)
    .await
}

/// Which groups a list shows (SCIM's `eq` filters compare display names in any case).
#[derive(Debug, Clone, PartialEq)]
pub enum GroupMatch<'a> {
    All,
    DisplayName(&'a str),
    ExternalId(&'a str),
}

/// The condition and its argument, if any, as `$1`.
fn group_where<'a>(m: &GroupMatch<'a>) -> (&'static str, Option<&'a str>) {
    match m {
        GroupMatch::All => ("1 = 1", None),
        GroupMatch::DisplayName(name) => ("display_name = $1 COLLATE NOCASE", Some(name)),
        GroupMatch::ExternalId(id) => ("external_id = $1", Some(id)),
    }
}

pub async fn find(
    conn: &mut Conn,
    m: &GroupMatch<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<GroupRecord>, sqlx::Error> {
    let (condition, bind) = group_where(m);
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM groups WHERE {condition} \
         ORDER BY display_name COLLATE NOCASE, id LIMIT ${} OFFSET ${}",
        usize::from(bind.is_some()) + 1,
        usize::from(bind.is_some()) + 2
    );
    let mut query = sqlx::query_as(&sql);
    if let Some(b) = bind {
        query = query.bind(b);
    }
    query.bind(limit).bind(offset).fetch_all(conn).await
}

pub async fn count(conn: &mut Conn, m: &GroupMatch<'_>) -> Result<i64, sqlx::Error> {
    let (condition, bind) = group_where(m);
    let sql = format!("SELECT COUNT(*) FROM groups WHERE {condition}");
    let mut query = sqlx::query_scalar(&sql);
    if let Some(b) = bind {
        query = query.bind(b);
    }
    query.fetch_one(conn).await
}

pub async fn members(conn: &mut Conn, id: GroupId) -> Result<Vec<MemberRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.user_principal_name FROM group_members m JOIN users u ON u.id = m.user_id \
         WHERE m.group_id = $1 ORDER BY u.display_name COLLATE NOCASE, u.id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await
}

pub async fn add_member(conn: &mut Conn, group: GroupId, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(group.to_string())
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_member(
    conn: &mut Conn,
    group: GroupId,
    user: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group.to_string())
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn remove_all_members(conn: &mut Conn, group: GroupId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(group.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The groups a user belongs to, by name.
pub async fn of_user(conn: &mut Conn, user: UserId) -> Result<Vec<GroupRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.id, g.display_name, g.external_id, g.created_at, g.modified_at FROM groups g \
         JOIN group_members m ON m.group_id = g.id WHERE m.user_id = $1 ORDER BY g.display_name COLLATE NOCASE, g.id",
    )
    .bind(user.to_string())
    .fetch_all(conn)
    .await
}

/// The groups a `specificDirectoryUsers` policy names, by id.
pub async fn of_policy(conn: &mut Conn, policy: PolicyId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT group_id FROM policy_allowed_groups WHERE policy_id = $1 ORDER BY group_id",
    )
    .bind(policy.to_string())
    .fetch_all(conn)
    .await
}

/// Replaces the groups a policy names.
pub async fn set_policy_groups(
    conn: &mut Conn,
    policy: PolicyId,
    groups: &[GroupId],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policy_allowed_groups WHERE policy_id = $1")
        .bind(policy.to_string())
        .execute(&mut *conn)
        .await?;
    for g in groups {
        sqlx::query("INSERT INTO policy_allowed_groups (policy_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(policy.to_string())
            .bind(g.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

//! Users: local accounts.

use crate::domain::ids::UserId;
use crate::store::db_time;
use crate::store::paging::{finish, Key, Order, Page, PageAt};
use crate::store::{prefix_bounds, starts_with, Conn, Flag};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub enabled: bool,
    pub password_hash: Option<String>,
}

impl UserRecord {
    pub fn user_id(&self) -> UserId {
        self.id.parse().expect("user ids in the database are UUIDs")
    }
}

pub async fn insert(
    conn: &mut Conn,
    id: UserId,
    upn: &str,
    display_name: &str,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, user_principal_name, display_name, enabled, password_hash, created_at) \
         VALUES ($1, $2, $3, 1, $4, $5)",
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

pub async fn find_by_upn(conn: &mut Conn, upn: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_principal_name, display_name, enabled, password_hash FROM users \
         WHERE user_principal_name = $1",
    )
    .bind(upn.trim().to_lowercase())
    .fetch_optional(conn)
    .await
}

pub async fn get(conn: &mut Conn, id: UserId) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_principal_name, display_name, enabled, password_hash FROM users WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

pub async fn count(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await
}

/// Everything the directory keeps about a person (the Users page, SCIM).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PersonRecord {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub enabled: bool,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub manager_id: Option<String>,
    #[sqlx(try_from = "crate::store::Flag")]
    pub has_password: bool,
    #[sqlx(try_from = "crate::store::Flag")]
    pub deleted: bool,
    pub created_at: String,
    pub modified_at: String,
}

impl PersonRecord {
    pub fn user_id(&self) -> UserId {
        self.id.parse().expect("user ids in the database are UUIDs")
    }
}

const PERSON_COLUMNS: &str =
    "id, user_principal_name, display_name, enabled, external_id, given_name, \
     family_name, department, job_title, manager_id, password_hash IS NOT NULL AS has_password, \
     deleted_at IS NOT NULL AS deleted, created_at, COALESCE(modified_at, created_at) AS modified_at";

/// The profile a person is created or replaced with. Empty optional texts are stored as NULL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub user_principal_name: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub manager_id: Option<UserId>,
}

fn blank_is_none(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

pub async fn insert_person(
    conn: &mut Conn,
    id: UserId,
    profile: &Profile,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, user_principal_name, display_name, enabled, external_id, given_name, \
         family_name, department, job_title, manager_id, created_at, modified_at, disabled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(profile.user_principal_name.trim().to_lowercase())
    .bind(profile.display_name.trim())
    .bind(Flag(enabled))
    .bind(blank_is_none(&profile.external_id))
    .bind(blank_is_none(&profile.given_name))
    .bind(blank_is_none(&profile.family_name))
    .bind(blank_is_none(&profile.department))
    .bind(blank_is_none(&profile.job_title))
    .bind(profile.manager_id.map(|m| m.to_string()))
    .bind(db_time(now))
    .bind(db_time(now))
    .bind((!enabled).then(|| db_time(now)))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the profile (not the password, not whether the account is enabled).
pub async fn update_profile(
    conn: &mut Conn,
    id: UserId,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET user_principal_name = $1, display_name = $2, external_id = $3, given_name = $4, \
         family_name = $5, department = $6, job_title = $7, manager_id = $8, modified_at = $9 WHERE id = $10",
    )
    .bind(profile.user_principal_name.trim().to_lowercase())
    .bind(profile.display_name.trim())
    .bind(blank_is_none(&profile.external_id))
    .bind(blank_is_none(&profile.given_name))
    .bind(blank_is_none(&profile.family_name))
    .bind(blank_is_none(&profile.department))
    .bind(blank_is_none(&profile.job_title))
    .bind(profile.manager_id.map(|m| m.to_string()))
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_enabled(
    conn: &mut Conn,
    id: UserId,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET enabled = $1, disabled_at = $2, modified_at = $3 WHERE id = $4")
        .bind(Flag(enabled))
        .bind((!enabled).then(|| db_time(now)))
        .bind(db_time(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the password hash; `None` ends local sign-in until a new password is chosen.
pub async fn set_password_hash(
    conn: &mut Conn,
    id: UserId,
    hash: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, modified_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(db_time(now))
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn person(conn: &mut Conn, id: UserId) -> Result<Option<PersonRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {PERSON_COLUMNS} FROM users WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

/// Deletes a person as SCIM sees it: the row stays for the history that names them, without
/// the provisioning id, so the same id can provision someone again.
pub async fn mark_deleted(
    conn: &mut Conn,
    id: UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET deleted_at = $1, external_id = NULL, modified_at = $2 WHERE id = $3",
    )
    .bind(db_time(now))
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM group_members WHERE user_id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Brings a deleted person back (provisioned again under the same user name).
pub async fn undelete(conn: &mut Conn, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET deleted_at = NULL WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Which people a list shows.
#[derive(Debug, Clone, PartialEq)]
pub enum PersonMatch<'a> {
    All,
    /// Display name or e-mail address starts with this (any case): the Users page's search.
    Prefix(&'a str),
    /// SCIM's `eq` filters; user principal names and display names compare in any case.
    UserName(&'a str),
    ExternalId(&'a str),
    DisplayName(&'a str),
    /// Everyone SCIM sees: all but the deleted.
    Provisioned,
}

/// A user's name or e-mail address starts with a text whatever its case: the bounds of
/// [`prefix_bounds`] as parameters `$n` and `$n+1`, each side an index range.
pub fn name_or_address_starts(n: usize) -> String {
    format!(
        "({} OR {})",
        starts_with("display_name", n),
        starts_with("user_principal_name", n)
    )
}

/// The condition and its arguments, numbered from `$1`.
fn person_where(conn: &Conn, m: &PersonMatch<'_>) -> (String, Vec<String>) {
    let fixed = |sql: &str, binds: Vec<String>| (sql.to_owned(), binds);
    match m {
        PersonMatch::All => fixed("1 = 1", vec![]),
        PersonMatch::Prefix(text) => (name_or_address_starts(1), prefix_bounds(conn, text).into()),
        PersonMatch::UserName(upn) => {
            fixed("user_principal_name = $1", vec![upn.trim().to_lowercase()])
        }
        PersonMatch::ExternalId(id) => fixed(
            "external_id = $1 AND deleted_at IS NULL",
            vec![id.to_string()],
        ),
        PersonMatch::DisplayName(name) => fixed(
            "display_name = $1 COLLATE NOCASE AND deleted_at IS NULL",
            vec![name.to_string()],
        ),
        PersonMatch::Provisioned => fixed("deleted_at IS NULL", vec![]),
    }
}

/// A page of the Users list: people in name order (any case, then id) by key, as the
/// `(display_name COLLATE NOCASE, id)` index holds them.
pub async fn people_page(
    conn: &mut Conn,
    m: &PersonMatch<'_>,
    at: &PageAt,
    size: usize,
) -> Result<Page<PersonRecord>, sqlx::Error> {
    let (sql, binds) = people_page_sql(conn, m, at, size);
    let mut query = sqlx::query_as(&sql);
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(conn).await?;
    Ok(finish(rows, at, size, |r: &PersonRecord| Key {
        at: r.display_name.clone(),
        id: r.id.clone(),
    }))
}

/// [`people_page`]'s query and its arguments.
pub fn people_page_sql(
    conn: &Conn,
    m: &PersonMatch<'_>,
    at: &PageAt,
    size: usize,
) -> (String, Vec<String>) {
    let (condition, mut binds) = person_where(conn, m);
    let (side, order) = at.sql_in(
        Order::Ascending,
        "display_name COLLATE NOCASE",
        "id",
        binds.len() + 1,
    );
    binds.extend(at.binds());
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM users WHERE {condition} AND {side} ORDER BY {order} LIMIT {}",
        size + 1
    );
    (sql, binds)
}

/// A page of people in name order, `offset` rows in (SCIM's `startIndex`).
pub async fn find_people(
    conn: &mut Conn,
    m: &PersonMatch<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<PersonRecord>, sqlx::Error> {
    let (condition, binds) = person_where(conn, m);
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM users WHERE {condition} \
         ORDER BY display_name COLLATE NOCASE, id LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2
    );
    let mut query = sqlx::query_as(&sql);
    for b in binds {
        query = query.bind(b);
    }
    query.bind(limit).bind(offset).fetch_all(conn).await
}

pub async fn count_people(conn: &mut Conn, m: &PersonMatch<'_>) -> Result<i64, sqlx::Error> {
    let (condition, binds) = person_where(conn, m);
    let sql = format!("SELECT COUNT(*) FROM users WHERE {condition}");
    let mut query = sqlx::query_scalar(&sql);
    for b in binds {
        query = query.bind(b);
    }
    query.fetch_one(conn).await
}

/// How many enabled people hold Identity Governance Administrator, leaving out `except`.
pub async fn other_enabled_admins(conn: &mut Conn, except: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT u.id) FROM users u JOIN role_assignments r \
           ON r.principal_kind = 'user' AND r.principal_id = u.id \
         WHERE r.role = 'identityGovernanceAdministrator' AND u.enabled = 1 AND u.id <> $1",
    )
    .bind(except.to_string())
    .fetch_one(conn)
    .await
}

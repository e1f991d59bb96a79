//! Accounts at the OpenID provider linked to users: issuer + subject, once linked, name the
//! person whatever their e-mail address becomes.

use crate::domain::ids::UserId;
use crate::store::db_time;
use crate::store::Conn;
use chrono::{DateTime, Utc};

pub async fn user_of(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(conn)
    .await?;
    id.map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

pub async fn link(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user.to_string())
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

//! Sign-in sessions. The cookie holds a random token; the table holds only its SHA-256, so a
//! copy of the database does not sign anyone in.

use crate::domain::ids::UserId;
use crate::store::db_time;
use crate::store::opaque_token::{new_token, token_hash as hash};
use crate::store::Conn;
use chrono::{DateTime, Duration, Utc};

pub const SESSION_LIFETIME: Duration = Duration::hours(8);

/// How a session began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedInWith {
    Password,
    Oidc,
}

impl SignedInWith {
    fn db_name(self) -> &'static str {
        match self {
            SignedInWith::Password => "password",
            SignedInWith::Oidc => "oidc",
        }
    }
}

/// Starts a password session and returns the token for the cookie.
pub async fn create(
    conn: &mut Conn,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    create_with(conn, user, SignedInWith::Password, now).await
}

/// Starts a session and returns the token for the cookie.
pub async fn create_with(
    conn: &mut Conn,
    user: UserId,
    with: SignedInWith,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, signed_in_with) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash(&token))
    .bind(user.to_string())
    .bind(db_time(now))
    .bind(db_time(now + SESSION_LIFETIME))
    .bind(with.db_name())
    .execute(conn)
    .await?;
    Ok(token)
}

/// How the session behind a token began, if it exists.
pub async fn signed_in_with(
    conn: &mut Conn,
    token: &str,
) -> Result<Option<SignedInWith>, sqlx::Error> {
    let with: Option<String> =
        sqlx::query_scalar("SELECT signed_in_with FROM sessions WHERE token_hash = $1")
            .bind(hash(token))
            .fetch_optional(conn)
            .await?;
    Ok(with.map(|w| {
        if w == "oidc" {
            SignedInWith::Oidc
        } else {
            SignedInWith::Password
        }
    }))
}

/// The user of a live session, if the token names one and the user is still enabled.
pub async fn user_of(
    conn: &mut Conn,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.enabled = 1",
    )
    .bind(hash(token))
    .bind(db_time(now))
    .fetch_optional(conn)
    .await?;
    id.map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

pub async fn delete(conn: &mut Conn, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash(token))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (a leaver, a password reset). Returns how many ended.
pub async fn delete_for_user(conn: &mut Conn, user: UserId) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.to_string())
        .execute(conn)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_db, users};

    #[tokio::test]
    async fn a_session_lives_until_it_expires_or_is_deleted() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let now = Utc::now();
        let user = UserId::new();
        users::insert(&mut conn, user, "a@contoso.test", "A", None, now)
            .await
            .unwrap();
        let token = create(&mut conn, user, now).await.unwrap();
        assert_eq!(user_of(&mut conn, &token, now).await.unwrap(), Some(user));
        assert_eq!(user_of(&mut conn, "forged", now).await.unwrap(), None);
        let later = now + SESSION_LIFETIME + Duration::seconds(1);
        assert_eq!(user_of(&mut conn, &token, later).await.unwrap(), None);
        delete(&mut conn, &token).await.unwrap();
        assert_eq!(user_of(&mut conn, &token, now).await.unwrap(), None);
    }
}

//! One-time setup links: where a new user (or one whose password was reset) chooses a
//! password. The token is shown once; the table keeps its SHA-256, when it expires and when it
//! was used.

use crate::domain::ids::UserId;
use crate::store::db_time;
use crate::store::opaque_token::{new_token, token_hash};
use crate::store::Conn;
use chrono::{DateTime, Duration, Utc};

pub const SETUP_LINK_LIFETIME: Duration = Duration::hours(24);

/// Issues a link for `user`; every earlier unused link of theirs stops working. Returns the
/// token, which appears nowhere else.
pub async fn issue(
    conn: &mut Conn,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    revoke_unused(&mut *conn, user, now).await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO setup_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&token))
    .bind(user.to_string())
    .bind(db_time(now))
    .bind(db_time(now + SETUP_LINK_LIFETIME))
    .execute(conn)
    .await?;
    Ok(token)
}

/// Marks the user's unused links as spent.
pub async fn revoke_unused(
    conn: &mut Conn,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE setup_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(db_time(now))
        .bind(user.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The user a live link belongs to: unused, unexpired, and the user enabled.
pub async fn user_of(
    conn: &mut Conn,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT l.user_id FROM setup_links l JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.enabled = 1",
    )
    .bind(token_hash(token))
    .bind(db_time(now))
    .fetch_optional(conn)
    .await?;
    id.map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

/// Spends a link. `false` when it was not live (used meanwhile, expired): the caller refuses.
pub async fn spend(conn: &mut Conn, token: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query(
        "UPDATE setup_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(db_time(now))
    .bind(token_hash(token))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(spent.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{test_db, users};

    #[tokio::test]
    async fn a_link_works_once_until_it_expires_and_a_new_one_replaces_it() {
        let (db, _dir) = test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let now = Utc::now();
        let user = UserId::new();
        users::insert(&mut conn, user, "n@contoso.test", "N", None, now)
            .await
            .unwrap();
        let first = issue(&mut conn, user, now).await.unwrap();
        assert_eq!(user_of(&mut conn, &first, now).await.unwrap(), Some(user));
        let later = now + SETUP_LINK_LIFETIME;
        assert_eq!(
            user_of(&mut conn, &first, later).await.unwrap(),
            None,
            "expired"
        );
        let second = issue(&mut conn, user, now).await.unwrap();
        assert_eq!(
            user_of(&mut conn, &first, now).await.unwrap(),
            None,
            "replaced"
        );
        assert!(spend(&mut conn, &second, now).await.unwrap());
        assert!(!spend(&mut conn, &second, now).await.unwrap(), "spent once");
        assert_eq!(user_of(&mut conn, &second, now).await.unwrap(), None);
        let stored: String = sqlx::query_scalar("SELECT token_hash FROM setup_links LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(
            stored != first && stored != second,
            "only hashes are stored"
        );
    }
}

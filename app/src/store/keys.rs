//! Latch's own signing key: made on first start, kept in the database (sealed when
//! `LATCH_SECRET_KEY` is set), so tokens stay verifiable across restarts.

use crate::callout::keys::SigningKey;
use crate::store::db_time;
use crate::store::sealed::{unreadable, Sealer, PRIVATE_KEY};
use crate::store::Pool;
use chrono::{DateTime, Utc};

fn broken(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Protocol(format!("signing key: {e}"))
}

/// The current key, creating and storing one if there is none.
pub async fn load_or_create(
    db: &Pool,
    sealer: &Sealer,
    now: DateTime<Utc>,
) -> Result<SigningKey, sqlx::Error> {
    let stored: Option<(String, String)> = sqlx::query_as(
        "SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    if let Some((kid, stored)) = stored {
        let pem = sealer
            .open(&stored, PRIVATE_KEY.at(&kid))
            .map_err(unreadable)?;
        return SigningKey::from_pkcs8_pem(&pem).map_err(broken);
    }
    let key = tokio::task::spawn_blocking(|| SigningKey::generate(&mut rand::rngs::OsRng))
        .await
        .map_err(broken)?
        .map_err(broken)?;
    let kid = key.kid();
    let pem = sealer.seal(&key.to_pkcs8_pem().map_err(broken)?, PRIVATE_KEY.at(kid));
    // Two processes starting at once: the first insert wins and both use what is stored.
    sqlx::query("INSERT INTO signing_keys (kid, private_key_pem, public_jwk, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(kid)
        .bind(&pem)
        .bind(key.public_jwk().to_string())
        .bind(db_time(now))
        .execute(db)
        .await?;
    Ok(key)
}

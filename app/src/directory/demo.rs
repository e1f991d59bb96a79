//! The demo data (`LATCH_DEMO`), with the demo password and app secret hashed here rather than
//! in storage, and the start-up check that warns while a demo account keeps that password.

use crate::auth::password;
use crate::services::apps::secret_hint;
use crate::store::demo::{self, DemoHashes, DEMO_APP_SECRET, DEMO_PASSWORD};
use crate::store::sealed::Sealer;
use crate::store::Pool;
use chrono::{DateTime, Utc};

/// Loads the demo data into an empty database, its secrets in the clear (no
/// `LATCH_SECRET_KEY`); returns whether it did.
pub async fn load_if_empty(db: &Pool, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    load_if_empty_sealed(db, &Sealer::none(), now).await
}

/// As [`load_if_empty`], the extensions' signing secrets sealed with the key set.
pub async fn load_if_empty_sealed(
    db: &Pool,
    sealer: &Sealer,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let hashes = tokio::task::spawn_blocking(|| DemoHashes {
        password: password::hash(DEMO_PASSWORD),
        app_secret: password::hash(DEMO_APP_SECRET),
        app_secret_hint: secret_hint(DEMO_APP_SECRET),
    })
    .await
    .map_err(|e| sqlx::Error::Protocol(format!("hashing the demo passwords failed: {e}")))?;
    demo::load_if_empty(db, sealer, now, &hashes).await
}

/// Demo accounts that still sign in with the published demo password.
pub async fn accounts_with_demo_password(db: &Pool) -> Result<Vec<String>, sqlx::Error> {
    let accounts = demo::demo_account_hashes(db).await?;
    Ok(accounts
        .into_iter()
        .filter(|(_, hash)| {
            hash.as_deref()
                .is_some_and(|h| password::verify(DEMO_PASSWORD, h))
        })
        .map(|(upn, _)| upn)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::AppId;
    use crate::store::{apps, test_db};

    #[tokio::test]
    async fn demo_accounts_and_the_demo_app_verify_with_the_published_secrets() {
        let (db, _dir) = test_db().await;
        let now = Utc::now();
        assert!(load_if_empty(&db, now).await.unwrap());
        assert_eq!(accounts_with_demo_password(&db).await.unwrap().len(), 6);
        let mut conn = db.acquire().await.unwrap();
        let app: AppId = demo::DEMO_APP_ID.parse().unwrap();
        let hashes = apps::live_secret_hashes(&mut conn, app, now).await.unwrap();
        assert!(password::verify(DEMO_APP_SECRET, &hashes[0]));
        assert_ne!(hashes[0], DEMO_APP_SECRET);
        sqlx::query("UPDATE users SET password_hash = NULL WHERE user_principal_name = 'adele@contoso.test'")
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_eq!(accounts_with_demo_password(&db).await.unwrap().len(), 5);
    }
}

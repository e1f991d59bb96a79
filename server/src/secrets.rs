//! Secrets at rest at start-up: the check every start makes (serving and the operator
//! commands alike) before anything reads a secret.

use app::store::at_rest::{self, AtRestError};
use app::store::sealed::{Sealer, SecretKey};
use app::store::Pool;

/// Checks the stored secrets against `LATCH_SECRET_KEY` and seals those still in the clear;
/// the sealer for `AppState`, or the message start-up stops with (it names the setting and
/// the key id the database needs).
pub async fn unlock(db: &Pool, key: Option<&SecretKey>) -> Result<Sealer, String> {
    let sealer = Sealer::new(key);
    match at_rest::prepare(db, &sealer).await {
        Ok(0) => {}
        Ok(sealed) => tracing::info!(
            "encrypted {sealed} secret(s) that were stored in the clear (key id {})",
            key.map(|k| k.id().to_string()).unwrap_or_default()
        ),
        Err(AtRestError::Seal(e)) => return Err(e.to_string()),
        Err(AtRestError::Database(e)) => {
            return Err(format!(
                "cannot check the secrets stored in the database: {e}"
            ))
        }
    }
    match sealer.key_id() {
        Some(id) => tracing::info!("secrets at rest are encrypted (key id {id})"),
        None => tracing::warn!(
            "LATCH_SECRET_KEY is not set: signing secrets and Latch's private key are stored in \
             the clear"
        ),
    }
    Ok(sealer)
}

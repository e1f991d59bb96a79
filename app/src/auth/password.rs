//! argon2id password hashes (PHC strings), for users' passwords and apps' client secrets.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// `hash`, off the async threads (argon2 is deliberately slow).
pub async fn hash_off_thread(secret: &str) -> Result<String, crate::error::AppError> {
    let secret = secret.to_string();
    tokio::task::spawn_blocking(move || hash(&secret))
        .await
        .map_err(|error| {
            tracing::error!(%error, "hashing a password or secret failed");
            crate::error::AppError::Internal
        })
}

/// Spends the time of one verification when there is no account, so that a sign-in attempt
/// does not tell whether an e-mail address has an account.
pub fn verify_nothing(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("no account has this password"));
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_salted() {
        let a = hash("latch-demo");
        let b = hash("latch-demo");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("latch-demo", &a));
        assert!(!verify("latch-demo!", &a));
        assert!(!verify("latch-demo", "not a phc string"));
    }
}

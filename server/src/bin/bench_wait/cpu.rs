//! What this CPU allows: RS256 signatures per second on one core, by Latch's own signing
//! path, measured in the same run. Every callout carries a token signed for it alone, so a
//! machine whose CPU signs slowly has a lower ceiling of callouts/s whatever Latch does: on a
//! CPU without AVX-512 IFMA one 2048-bit signature costs about twice as much (README, Issue 14).

use std::time::{Duration, Instant};

use app::callout::keys::SigningKey;

/// Signatures per second of a 60-byte message with a new 2048-bit key, for `span`, on the
/// calling thread.
pub fn signatures_per_s(span: Duration) -> Result<f64, String> {
    let key = SigningKey::generate(&mut rand::thread_rng()).map_err(|e| format!("key: {e}"))?;
    let message = [7u8; 60];
    // An untimed quarter first, as for the disk.
    sign_for(&key, &message, span / 4);
    let started = Instant::now();
    let signed = sign_for(&key, &message, span);
    Ok(signed as f64 / started.elapsed().as_secs_f64())
}

fn sign_for(key: &SigningKey, message: &[u8], span: Duration) -> u64 {
    let started = Instant::now();
    let mut signed = 0;
    while started.elapsed() < span {
        std::hint::black_box(key.sign_rs256(std::hint::black_box(message)));
        signed += 1;
    }
    signed
}

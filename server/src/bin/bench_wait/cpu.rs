//! What this CPU allows: RS256 signatures per second on one core, with the key and signing path
//! the server used, measured in the same run. Every callout carries a token signed for it
//! alone, so a machine whose CPU signs slowly has a lower ceiling of callouts/s whatever Latch
//! does: on a CPU without AVX-512 IFMA one 2048-bit signature costs two to three times as much
//! (README, Issue 14's eighth look).

use std::time::{Duration, Instant};

use app::callout::keys::SigningKey;

/// Signatures per second of a 60-byte message with `key`, for `span`, on the calling thread.
pub fn signatures_per_s(key: &SigningKey, span: Duration) -> f64 {
    let message = [7u8; 60];
    // An untimed quarter first, as for the disk.
    sign_for(key, &message, span / 4);
    let started = Instant::now();
    let signed = sign_for(key, &message, span);
    signed as f64 / started.elapsed().as_secs_f64()
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

//! Standard Webhooks signatures (`webhook-signature`): HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the extension's `whsec_` secret, so the
//! official Standard Webhooks libraries verify Latch's callouts unchanged.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret.
pub const SECRET_BYTES: usize = 32;
/// How far a receiver lets `webhook-timestamp` drift from its clock, as the reference libraries.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

/// The reference libraries pad the secret before decoding, so they accept it with or without
/// `=` padding; so does Latch.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signing secret is not base64 after its whsec_ prefix")]
    SecretNotBase64,
    #[error("the signing secret is empty")]
    EmptySecret,
    #[error("no signing secret to sign with")]
    NoSecret,
}

/// A new secret, `whsec_` + base64 of [`SECRET_BYTES`] random bytes: shown once, stored as is.
pub fn generate_secret<R: RngCore + ?Sized>(rng: &mut R) -> String {
    let mut key = [0u8; SECRET_BYTES];
    rng.fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// `v1,<base64 signature>` for one secret. The prefix is optional, as in the reference
/// libraries.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SignatureError> {
    let mac = keyed_mac(secret, msg_id, timestamp, body)?;
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` value: one signature per secret, space-separated, so a receiver
/// holding either the old or the new secret accepts the callout during a rotation.
pub fn signature_header(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SignatureError> {
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// Whether any `v1` signature in `header` matches, compared in constant time. Entries of other
/// versions and undecodable ones are skipped. The caller checks the timestamp's age with
/// [`timestamp_is_fresh`].
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(mac) = keyed_mac(secret, msg_id, timestamp, body) else {
        return false;
    };
    header.split(' ').any(|entry| {
        let Some(("v1", encoded)) = entry.split_once(',') else {
            return false;
        };
        match STANDARD.decode(encoded) {
            Ok(signature) => mac.clone().verify_slice(&signature).is_ok(),
            Err(_) => false,
        }
    })
}

/// Whether `webhook-timestamp` is within [`TIMESTAMP_TOLERANCE_SECS`] of `now`, either way; a
/// receiver refuses older ones so that a captured callout cannot be replayed later.
pub fn timestamp_is_fresh(timestamp: i64, now: DateTime<Utc>) -> bool {
    now.timestamp().abs_diff(timestamp) <= TIMESTAMP_TOLERANCE_SECS.unsigned_abs()
}

fn keyed_mac(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<Hmac<Sha256>, SignatureError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = SECRET_BASE64
        .decode(encoded)
        .map_err(|_| SignatureError::SecretNotBase64)?;
    if key.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    // Vectors from the Python reference library (`pip install standardwebhooks`, version
    // 1.1.0): `Webhook(secret).sign(msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body)`.
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    /// The secret of the example in the Standard Webhooks specification.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    /// `"whsec_" + base64.b64encode(bytes(range(32)))`.
    const COUNTING_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const COUNTING_SIGNATURE: &str = "v1,O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI=";
    /// A Latch connection-test body, id and timestamp, signed with `COUNTING_SECRET`.
    const LATCH_ID: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";
    const LATCH_TIMESTAMP: i64 = 1_767_225_600;
    const LATCH_BODY: &str = r#"{"Stage":"CustomExtensionConnectionTest","CustomExtensionStageInstanceId":"957d0c50-466b-4840-bb5b-c92cea7141ff","AccessPackageCatalog":{"Id":"2409f9d5-3a1c-4b7e-9b1e-7f89378c2d73","DisplayName":"Marketing","Description":"Tools for marketing"}}"#;
    const LATCH_SIGNATURE: &str = "v1,MMnV2uYjAgpSBPUNmRAtj39o6QWC3G3ZV4MmhBC+r6M=";

    #[test]
    fn matches_the_reference_library() {
        let sign = |secret, id, ts, body: &str| sign(secret, id, ts, body.as_bytes()).unwrap();
        assert_eq!(sign(SPEC_SECRET, MSG_ID, TIMESTAMP, BODY), SPEC_SIGNATURE);
        assert_eq!(
            sign(COUNTING_SECRET, MSG_ID, TIMESTAMP, BODY),
            COUNTING_SIGNATURE
        );
        assert_eq!(
            sign(COUNTING_SECRET, LATCH_ID, LATCH_TIMESTAMP, LATCH_BODY),
            LATCH_SIGNATURE
        );
    }

    #[test]
    fn prefix_and_padding_are_optional() {
        let bare = SPEC_SECRET.strip_prefix(SECRET_PREFIX).unwrap();
        assert_eq!(
            sign(bare, MSG_ID, TIMESTAMP, BODY.as_bytes()).unwrap(),
            SPEC_SIGNATURE
        );
        let unpadded = COUNTING_SECRET.trim_end_matches('=');
        assert_eq!(
            sign(unpadded, MSG_ID, TIMESTAMP, BODY.as_bytes()).unwrap(),
            COUNTING_SIGNATURE
        );
    }

    #[test]
    fn bad_secrets_are_errors() {
        let sign = |secret| sign(secret, MSG_ID, TIMESTAMP, BODY.as_bytes());
        assert_eq!(sign("whsec_"), Err(SignatureError::EmptySecret));
        assert_eq!(sign(""), Err(SignatureError::EmptySecret));
        assert_eq!(
            sign("whsec_not base64!"),
            Err(SignatureError::SecretNotBase64)
        );
        assert_eq!(
            signature_header(&[], MSG_ID, TIMESTAMP, BODY.as_bytes()),
            Err(SignatureError::NoSecret)
        );
        assert_eq!(
            signature_header(
                &[SPEC_SECRET, "whsec_%%"],
                MSG_ID,
                TIMESTAMP,
                BODY.as_bytes()
            ),
            Err(SignatureError::SecretNotBase64)
        );
    }

    #[test]
    fn header_carries_one_signature_per_secret() {
        let header = signature_header(
            &[COUNTING_SECRET, SPEC_SECRET],
            MSG_ID,
            TIMESTAMP,
            BODY.as_bytes(),
        )
        .unwrap();
        assert_eq!(header, format!("{COUNTING_SIGNATURE} {SPEC_SIGNATURE}"));
        let single = signature_header(&[SPEC_SECRET], MSG_ID, TIMESTAMP, BODY.as_bytes()).unwrap();
        assert_eq!(single, SPEC_SIGNATURE);
    }

    #[test]
    fn verify_accepts_any_matching_entry() {
        let verify = |secret, header| verify(secret, MSG_ID, TIMESTAMP, BODY.as_bytes(), header);
        assert!(verify(SPEC_SECRET, SPEC_SIGNATURE));
        let rotated = format!("{COUNTING_SIGNATURE} {SPEC_SIGNATURE}");
        assert!(verify(SPEC_SECRET, &rotated));
        assert!(verify(COUNTING_SECRET, &rotated));
        let with_others = format!("v2,abc v1,!!! {SPEC_SIGNATURE}");
        assert!(verify(SPEC_SECRET, &with_others));
    }

    #[test]
    fn verify_refuses_changes() {
        let body = BODY.as_bytes();
        assert!(!verify(
            COUNTING_SECRET,
            MSG_ID,
            TIMESTAMP,
            body,
            SPEC_SIGNATURE
        ));
        assert!(!verify(
            SPEC_SECRET,
            "msg_other",
            TIMESTAMP,
            body,
            SPEC_SIGNATURE
        ));
        assert!(!verify(
            SPEC_SECRET,
            MSG_ID,
            TIMESTAMP + 1,
            body,
            SPEC_SIGNATURE
        ));
        assert!(!verify(
            SPEC_SECRET,
            MSG_ID,
            TIMESTAMP,
            br#"{"test": 2432232315}"#,
            SPEC_SIGNATURE
        ));
        let without_version = SPEC_SIGNATURE.strip_prefix("v1,").unwrap();
        assert!(!verify(
            SPEC_SECRET,
            MSG_ID,
            TIMESTAMP,
            body,
            without_version
        ));
        let other_version = SPEC_SIGNATURE.replace("v1,", "v1a,");
        assert!(!verify(
            SPEC_SECRET,
            MSG_ID,
            TIMESTAMP,
            body,
            &other_version
        ));
        let truncated = &SPEC_SIGNATURE[..SPEC_SIGNATURE.len() - 4];
        assert!(!verify(SPEC_SECRET, MSG_ID, TIMESTAMP, body, truncated));
        assert!(!verify(SPEC_SECRET, MSG_ID, TIMESTAMP, body, ""));
        assert!(!verify("whsec_", MSG_ID, TIMESTAMP, body, SPEC_SIGNATURE));
    }

    #[test]
    fn generated_secrets_have_the_documented_shape_and_sign() {
        let mut rng = StdRng::seed_from_u64(7);
        let secret = generate_secret(&mut rng);
        let encoded = secret.strip_prefix("whsec_").unwrap();
        assert_eq!(STANDARD.decode(encoded).unwrap().len(), SECRET_BYTES);
        assert_ne!(secret, generate_secret(&mut rng));
        let signature = sign(&secret, MSG_ID, TIMESTAMP, BODY.as_bytes()).unwrap();
        assert!(verify(
            &secret,
            MSG_ID,
            TIMESTAMP,
            BODY.as_bytes(),
            &signature
        ));
    }

    #[test]
    fn timestamp_tolerance_is_five_minutes_either_way() {
        let now = Utc.timestamp_opt(TIMESTAMP, 0).unwrap();
        assert!(timestamp_is_fresh(TIMESTAMP, now));
        assert!(timestamp_is_fresh(TIMESTAMP - 300, now));
        assert!(timestamp_is_fresh(TIMESTAMP + 300, now));
        assert!(!timestamp_is_fresh(TIMESTAMP - 301, now));
        assert!(!timestamp_is_fresh(TIMESTAMP + 301, now));
        assert!(!timestamp_is_fresh(i64::MIN, now));
    }
}

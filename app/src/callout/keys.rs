//! Latch's own RSA signing keys and their public JWKS form.
//!
//! A key's `kid` is its RFC 7638 JWK thumbprint, so it follows from the key itself: storing the
//! PKCS#8 PEM is enough, and a key cannot be published under two ids.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The size of a new key, and the smallest Latch accepts from storage.
pub const KEY_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not generate an RSA key: {0}")]
    Generate(#[source] rsa::Error),
    #[error("the stored signing key is not a PKCS#8 PEM RSA private key: {0}")]
    Pem(#[source] rsa::pkcs8::Error),
    #[error("could not encode the signing key as PKCS#8 PEM: {0}")]
    Encode(#[source] rsa::pkcs8::Error),
    #[error("the signing key has {bits} bits; at least {KEY_BITS} are required")]
    TooSmall { bits: usize },
    #[error("the JWK is not a usable RSA public key: {0}")]
    Jwk(&'static str),
    #[error("the signing key cannot be used for RS256: {0}")]
    Unusable(String),
}

/// One of Latch's RSA keys with its `kid`. Debug shows only the `kid`.
///
/// The key is held twice: as `rsa`'s key for PEM, JWKS and key generation, and as
/// `aws-lc-rs`'s key pair for signing, which takes a fraction of `rsa`'s time (PKCS#1 v1.5 is
/// deterministic, so both give the same signature; a test checks it).
#[derive(Clone)]
pub struct SigningKey {
    private: RsaPrivateKey,
    signer: Arc<aws_lc_rs::signature::RsaKeyPair>,
    kid: String,
}

impl SigningKey {
    /// A new [`KEY_BITS`]-bit key. Slow in unoptimised builds (seconds).
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Result<Self, KeyError> {
        let private = RsaPrivateKey::new(rng, KEY_BITS).map_err(KeyError::Generate)?;
        Self::from_private_key(private)
    }

    /// Refuses keys smaller than [`KEY_BITS`]; signing with what is accepted cannot fail.
    pub fn from_private_key(private: RsaPrivateKey) -> Result<Self, KeyError> {
        let bits = private.size() * 8;
        if bits < KEY_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        let kid = thumbprint(&private.to_public_key());
        let der = private.to_pkcs8_der().map_err(KeyError::Encode)?;
        let signer = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.as_bytes())
            .map_err(|e| KeyError::Unusable(e.to_string()))?;
        Ok(Self {
            private,
            signer: Arc::new(signer),
            kid,
        })
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(KeyError::Pem)?;
        Self::from_private_key(private)
    }

    /// `-----BEGIN PRIVATE KEY-----` with LF line endings, for the database.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let pem = self
            .private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(KeyError::Encode)?;
        Ok(pem.as_str().to_owned())
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn public_key(&self) -> RsaPublicKey {
        self.private.to_public_key()
    }

    /// `{"kty","use","alg","kid","n","e"}`, for the JWKS.
    pub fn public_jwk(&self) -> Value {
        public_jwk(&self.public_key(), &self.kid)
    }

    /// The RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.signer.public_modulus_len()];
        self.signer
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("RS256 signing with a key aws-lc-rs accepted when it was loaded");
        signature
    }

    #[cfg(test)]
    pub(crate) fn private_key(&self) -> &RsaPrivateKey {
        &self.private
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The JWKS document (`{"keys": [...]}`) for the given keys, current key first by convention.
pub fn jwks<'a>(keys: impl IntoIterator<Item = &'a SigningKey>) -> Value {
    let keys: Vec<Value> = keys.into_iter().map(SigningKey::public_jwk).collect();
    json!({ "keys": keys })
}

pub fn public_jwk(key: &RsaPublicKey, kid: &str) -> Value {
    json!({
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
    })
}

/// RFC 7638: base64url SHA-256 of `{"e":…,"kty":"RSA","n":…}`, members in that order, no
/// whitespace.
pub fn thumbprint(key: &RsaPublicKey) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
        URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Reads an RSA JWK back into a key and its `kid` (if it has one), for verifiers. Keys marked
/// for another use or algorithm are refused.
pub fn public_key_from_jwk(jwk: &Value) -> Result<(Option<String>, RsaPublicKey), KeyError> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    if member("kty") != Some("RSA") {
        return Err(KeyError::Jwk("kty is not RSA"));
    }
    if member("use").is_some_and(|u| u != "sig") {
        return Err(KeyError::Jwk("use is not sig"));
    }
    if member("alg").is_some_and(|alg| alg != "RS256") {
        return Err(KeyError::Jwk("alg is not RS256"));
    }
    let number = |name: &'static str| -> Result<BigUint, KeyError> {
        let encoded = member(name).ok_or(KeyError::Jwk("n or e is missing"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| KeyError::Jwk("n or e is not base64url"))?;
        Ok(BigUint::from_bytes_be(&bytes))
    };
    let key = RsaPublicKey::new(number("n")?, number("e")?)
        .map_err(|_| KeyError::Jwk("n and e do not make an RSA key"))?;
    Ok((member("kid").map(str::to_owned), key))
}

/// One key per test binary: generating a 2048-bit key is slow.
#[cfg(test)]
pub(crate) fn test_key() -> &'static SigningKey {
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(&mut StdRng::seed_from_u64(2026)).unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example key and thumbprint of RFC 7638, section 3.1.
    const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    const RFC7638_THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    #[test]
    fn thumbprint_matches_rfc_7638() {
        let jwk = json!({ "kty": "RSA", "e": "AQAB", "n": RFC7638_N, "kid": "2011-04-29" });
        let (kid, key) = public_key_from_jwk(&jwk).unwrap();
        assert_eq!(kid.as_deref(), Some("2011-04-29"));
        assert_eq!(thumbprint(&key), RFC7638_THUMBPRINT);
        // And the JWK Latch writes for it round-trips n and e exactly.
        let written = public_jwk(&key, "x");
        assert_eq!(written["n"], RFC7638_N);
        assert_eq!(written["e"], "AQAB");
    }

    #[test]
    fn public_jwk_shape() {
        let key = test_key();
        let jwk = key.public_jwk();
        let object = jwk.as_object().unwrap();
        let mut members: Vec<_> = object.keys().map(String::as_str).collect();
        members.sort_unstable();
        assert_eq!(members, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["kid"], key.kid());
        let n = jwk["n"].as_str().unwrap();
        assert!(!n.contains(['=', '+', '/']), "{n}");
        assert_eq!(URL_SAFE_NO_PAD.decode(n).unwrap().len(), 256);
        assert_eq!(key.kid(), thumbprint(&key.public_key()));
        assert_eq!(key.kid().len(), 43);
    }

    #[test]
    fn jwks_lists_every_key() {
        let key = test_key();
        assert_eq!(jwks([key]), json!({ "keys": [key.public_jwk()] }));
        assert_eq!(jwks([key, key])["keys"].as_array().unwrap().len(), 2);
        assert_eq!(jwks(std::iter::empty()), json!({ "keys": [] }));
    }

    #[test]
    fn pem_round_trip_keeps_the_key_and_kid() {
        let key = test_key();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        assert!(!pem.contains('\r'));
        let back = SigningKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(back.kid(), key.kid());
        assert_eq!(back.public_key(), key.public_key());
    }

    /// Signing moved from `rsa` to `ring`, then to `aws-lc-rs`: the bytes must not change
    /// (PKCS#1 v1.5 is deterministic), so tokens are "signed as today".
    #[test]
    fn aws_lc_signs_exactly_as_rsa_did() {
        use rsa::Pkcs1v15Sign;
        let key = test_key();
        for message in [
            &b""[..],
            b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0",
            &[0xff; 1000],
        ] {
            let digest = Sha256::digest(message);
            let by_rsa = key
                .private_key()
                .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
                .unwrap();
            assert_eq!(key.sign_rs256(message), by_rsa);
        }
    }

    #[test]
    fn bad_pem_and_small_keys_are_refused() {
        assert!(matches!(
            SigningKey::from_pkcs8_pem("not a key"),
            Err(KeyError::Pem(_))
        ));
        let small = RsaPrivateKey::new(&mut rand::thread_rng(), 512).unwrap();
        assert!(matches!(
            SigningKey::from_private_key(small),
            Err(KeyError::TooSmall { bits: 512 })
        ));
    }

    #[test]
    fn debug_hides_the_private_key() {
        let shown = format!("{:?}", test_key());
        assert_eq!(
            shown,
            format!("SigningKey {{ kid: {:?}, .. }}", test_key().kid())
        );
    }

    #[test]
    fn jwk_reader_refuses_other_keys() {
        let good = test_key().public_jwk();
        assert_eq!(
            public_key_from_jwk(&good).unwrap(),
            (Some(test_key().kid().to_owned()), test_key().public_key())
        );
        let with = |name: &str, value: Value| {
            let mut jwk = good.clone();
            jwk[name] = value;
            public_key_from_jwk(&jwk).unwrap_err().to_string()
        };
        assert!(with("kty", json!("EC")).contains("kty"));
        assert!(with("use", json!("enc")).contains("use"));
        assert!(with("alg", json!("RS512")).contains("alg"));
        assert!(with("n", json!("***")).contains("base64url"));
        assert!(with("e", Value::Null).contains("missing"));
        assert!(with("e", json!("")).contains("do not make"));
    }
}

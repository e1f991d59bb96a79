//! Secrets at rest (`LATCH_SECRET_KEY`): the columns that hold secrets Latch must read back
//! (extension signing secrets, the previous one of a rotation, Latch's RSA private key) are
//! stored as `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext)>`, XChaCha20-Poly1305 with a
//! random 24-byte nonce. The associated data names the value's place (table, column, row), so
//! a sealed value copied into another row or column does not open.
//!
//! Without a key, values are stored and read in the clear; a sealed value then names the
//! setting that is missing. With a key, a value in the clear is refused: start-up
//! (`store::at_rest::prepare`) seals every one before anything reads them.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

/// What every sealed value starts with; the version names the cipher and the layout.
pub const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// A column that holds a secret, with the column that names its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretColumn {
    pub table: &'static str,
    pub row_key: &'static str,
    pub column: &'static str,
}

pub const EXTENSION_SECRET: SecretColumn = SecretColumn {
    table: "custom_extensions",
    row_key: "id",
    column: "signing_secret",
};
pub const EXTENSION_PREVIOUS_SECRET: SecretColumn = SecretColumn {
    table: "custom_extensions",
    row_key: "id",
    column: "previous_signing_secret",
};
pub const PRIVATE_KEY: SecretColumn = SecretColumn {
    table: "signing_keys",
    row_key: "kid",
    column: "private_key_pem",
};
/// Every secret column; start-up sealing and key rotation go through all of them.
pub const SECRET_COLUMNS: [SecretColumn; 3] =
    [EXTENSION_SECRET, EXTENSION_PREVIOUS_SECRET, PRIVATE_KEY];

impl SecretColumn {
    /// The place of this column's value in one row.
    pub fn at<'a>(&self, row: &'a str) -> Place<'a> {
        Place { column: *self, row }
    }
}

/// Where a sealed value lives; it is the associated data of the seal.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    column: SecretColumn,
    row: &'a str,
}

impl Place<'_> {
    fn associated_data(&self) -> Vec<u8> {
        let c = self.column;
        format!("latch:{PREFIX}{}\0{}\0{}", c.table, c.column, self.row).into_bytes()
    }
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} of {}",
            self.column.table, self.column.column, self.row
        )
    }
}

/// A key's public name: the first 8 bytes of SHA-256 over a label and the key, in hex. It
/// tells keys apart and reveals nothing of the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 32-byte key of `LATCH_SECRET_KEY`. Its `Debug` shows the key id only.
#[derive(Clone)]
pub struct SecretKey {
    bytes: [u8; KEY_LEN],
}

/// Why a setting's text is not a key; the message says the rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "is empty; it must be 32 random bytes in base64 (`server secrets generate-key` prints one)"
    )]
    Empty,
    #[error("is not base64; it must be 32 random bytes in base64 (`server secrets generate-key` prints one)")]
    NotBase64,
    #[error("decodes to {0} bytes; it must be 32 random bytes in base64 (`server secrets generate-key` prints one)")]
    WrongLength(usize),
}

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretKey { bytes }
    }

    /// The key from its setting: standard or URL-safe base64, padded or not, surrounding
    /// whitespace ignored.
    pub fn from_base64(text: &str) -> Result<SecretKey, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let unpadded = text.trim_end_matches('=');
        let decoded = URL_SAFE_NO_PAD
            .decode(unpadded.replace('+', "-").replace('/', "_"))
            .map_err(|_| KeyError::NotBase64)?;
        let bytes: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(decoded.len()))?;
        Ok(SecretKey { bytes })
    }

    /// The key as the setting takes it (standard base64).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    pub fn id(&self) -> KeyId {
        let digest = Sha256::new()
            .chain_update(b"latch secret key id\0")
            .chain_update(self.bytes)
            .finalize();
        KeyId(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

/// Why a stored value does not open. No variant carries the value or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "{place} is encrypted (key id {key_id}) and no key is set: set LATCH_SECRET_KEY or \
         LATCH_SECRET_KEY_FILE to the key the database was encrypted with"
    )]
    NoKey { place: String, key_id: String },
    #[error(
        "LATCH_SECRET_KEY does not match the key the database was encrypted with (key id \
         {stored}); the key set has id {ours}"
    )]
    WrongKey {
        place: String,
        stored: String,
        ours: KeyId,
    },
    #[error(
        "{place} is stored in the clear although LATCH_SECRET_KEY is set; restart Latch to \
         encrypt it"
    )]
    InTheClear { place: String },
    #[error("{place} does not decrypt: it was altered or moved from another row")]
    Corrupt { place: String },
}

/// Seals and opens secret columns with the configured key, or passes them through in the
/// clear when there is none. Cheap to clone; `Debug` shows only the key id.
#[derive(Clone, Default)]
pub struct Sealer {
    key: Option<Arc<Keyed>>,
}

struct Keyed {
    id: KeyId,
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("key_id", &self.key_id())
            .finish()
    }
}

/// The key id a stored value was sealed with, or `None` for a value in the clear.
pub fn sealed_with(stored: &str) -> Option<&str> {
    stored
        .strip_prefix(PREFIX)
        .map(|rest| rest.split_once(':').map_or(rest, |(kid, _)| kid))
}

impl Sealer {
    /// No key: values are written and read in the clear.
    pub fn none() -> Sealer {
        Sealer { key: None }
    }

    pub fn new(key: Option<&SecretKey>) -> Sealer {
        Sealer {
            key: key.map(|k| {
                Arc::new(Keyed {
                    id: k.id(),
                    cipher: XChaCha20Poly1305::new(&k.bytes.into()),
                })
            }),
        }
    }

    pub fn key_id(&self) -> Option<&KeyId> {
        self.key.as_deref().map(|k| &k.id)
    }

    /// The text to store for `plain` at `place`.
    pub fn seal(&self, plain: &str, place: Place<'_>) -> String {
        let Some(keyed) = self.key.as_deref() else {
            return plain.to_string();
        };
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = place.associated_data();
        let sealed = keyed
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message shorter than 256 GiB");
        let mut joined = Vec::with_capacity(NONCE_LEN + sealed.len());
        joined.extend_from_slice(&nonce);
        joined.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", keyed.id, URL_SAFE_NO_PAD.encode(joined))
    }

    /// The secret a stored value holds.
    pub fn open(&self, stored: &str, place: Place<'_>) -> Result<String, SealError> {
        let corrupt = || SealError::Corrupt {
            place: place.to_string(),
        };
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return match self.key {
                None => Ok(stored.to_string()),
                Some(_) => Err(SealError::InTheClear {
                    place: place.to_string(),
                }),
            };
        };
        let (kid, encoded) = rest.split_once(':').ok_or_else(corrupt)?;
        let Some(keyed) = self.key.as_deref() else {
            return Err(SealError::NoKey {
                place: place.to_string(),
                key_id: kid.to_string(),
            });
        };
        if kid != keyed.id.as_str() {
            return Err(SealError::WrongKey {
                place: place.to_string(),
                stored: kid.to_string(),
                ours: keyed.id.clone(),
            });
        }
        let joined = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| corrupt())?;
        if joined.len() < NONCE_LEN {
            return Err(corrupt());
        }
        let (nonce, sealed) = joined.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| corrupt())?;
        let aad = place.associated_data();
        let plain = keyed
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }
}

/// A store error for a value that does not open (callers see a database error: the row is
/// unreadable as it stands).
pub fn unreadable(e: SealError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = "6a1f0000-0000-4000-8000-000000000001";
    const OTHER_ROW: &str = "6a1f0000-0000-4000-8000-000000000002";

    fn sealer() -> (SecretKey, Sealer) {
        let key = SecretKey::generate();
        let sealer = Sealer::new(Some(&key));
        (key, sealer)
    }

    #[test]
    fn a_sealed_value_opens_at_its_place_and_hides_the_secret() {
        let (key, sealer) = sealer();
        let secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";
        let stored = sealer.seal(secret, EXTENSION_SECRET.at(ROW));
        assert!(stored.starts_with(&format!("sealed:v1:{}:", key.id())));
        assert!(!stored.contains("whsec_") && !stored.contains("c2VjcmV0"));
        assert_eq!(sealed_with(&stored), Some(key.id().as_str()));
        assert_eq!(
            sealer.open(&stored, EXTENSION_SECRET.at(ROW)).unwrap(),
            secret
        );
        let again = sealer.seal(secret, EXTENSION_SECRET.at(ROW));
        assert_ne!(stored, again, "a fresh nonce each time");
    }

    #[test]
    fn another_key_does_not_open_it_and_says_which_key_it_needs() {
        let (key, sealer) = sealer();
        let stored = sealer.seal("s", PRIVATE_KEY.at("kid-1"));
        let (other_key, other) = self::sealer();
        match other.open(&stored, PRIVATE_KEY.at("kid-1")) {
            Err(e @ SealError::WrongKey { .. }) => {
                let message = e.to_string();
                assert!(message.starts_with(
                    "LATCH_SECRET_KEY does not match the key the database was encrypted with"
                ));
                assert!(message.contains(key.id().as_str()));
                assert!(message.contains(other_key.id().as_str()));
            }
            other => panic!("{other:?}"),
        }
        // A forged key id in front of another key's ciphertext still fails authentication.
        let forged = stored.replace(key.id().as_str(), other_key.id().as_str());
        assert!(matches!(
            other.open(&forged, PRIVATE_KEY.at("kid-1")),
            Err(SealError::Corrupt { .. })
        ));
    }

    #[test]
    fn without_a_key_a_sealed_value_names_the_settings() {
        let (key, sealer) = sealer();
        let stored = sealer.seal("s", EXTENSION_SECRET.at(ROW));
        let e = Sealer::none()
            .open(&stored, EXTENSION_SECRET.at(ROW))
            .unwrap_err();
        let message = e.to_string();
        assert!(message.contains("LATCH_SECRET_KEY or LATCH_SECRET_KEY_FILE"));
        assert!(message.contains(key.id().as_str()));
    }

    #[test]
    fn a_tampered_value_does_not_open() {
        let (_, sealer) = sealer();
        let stored = sealer.seal("whsec_abc", EXTENSION_SECRET.at(ROW));
        let (head, body) = stored.rsplit_once(':').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = format!("{head}:{}", URL_SAFE_NO_PAD.encode(&bytes));
        for bad in [
            flipped,
            format!("{head}:"),
            format!("{head}:not base64!"),
            head.to_string(),
        ] {
            assert!(
                matches!(
                    sealer.open(&bad, EXTENSION_SECRET.at(ROW)),
                    Err(SealError::Corrupt { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_value_moved_to_another_row_or_column_does_not_open() {
        let (_, sealer) = sealer();
        let stored = sealer.seal("whsec_abc", EXTENSION_SECRET.at(ROW));
        for place in [
            EXTENSION_SECRET.at(OTHER_ROW),
            EXTENSION_PREVIOUS_SECRET.at(ROW),
            PRIVATE_KEY.at(ROW),
        ] {
            let e = sealer.open(&stored, place).unwrap_err();
            assert!(matches!(e, SealError::Corrupt { .. }), "{place}");
            assert!(e.to_string().contains("altered or moved"));
        }
    }

    #[test]
    fn without_a_key_values_pass_through_in_the_clear() {
        let none = Sealer::none();
        assert_eq!(
            none.seal("whsec_abc", EXTENSION_SECRET.at(ROW)),
            "whsec_abc"
        );
        assert_eq!(
            none.open("whsec_abc", EXTENSION_SECRET.at(ROW)).unwrap(),
            "whsec_abc"
        );
        assert_eq!(sealed_with("whsec_abc"), None);
        assert_eq!(none.key_id(), None);
    }

    #[test]
    fn with_a_key_a_value_in_the_clear_is_refused() {
        let (_, sealer) = sealer();
        let e = sealer
            .open("whsec_abc", EXTENSION_SECRET.at(ROW))
            .unwrap_err();
        assert!(matches!(e, SealError::InTheClear { .. }));
        assert!(!e.to_string().contains("whsec_abc"));
    }

    #[test]
    fn keys_parse_from_base64_and_name_the_rule() {
        let key = SecretKey::generate();
        let text = key.to_base64();
        assert_eq!(SecretKey::from_base64(&text).unwrap().id(), key.id());
        assert_eq!(
            SecretKey::from_base64(&format!("  {text}\n")).unwrap().id(),
            key.id()
        );
        let url_safe = URL_SAFE_NO_PAD.encode(key.bytes);
        assert_eq!(SecretKey::from_base64(&url_safe).unwrap().id(), key.id());
        let refusal = |text: &str| SecretKey::from_base64(text).unwrap_err();
        assert_eq!(refusal(" "), KeyError::Empty);
        assert_eq!(refusal("not base64 at all!"), KeyError::NotBase64);
        assert_eq!(
            refusal(&STANDARD.encode([7u8; 16])),
            KeyError::WrongLength(16)
        );
        assert!(KeyError::WrongLength(16)
            .to_string()
            .contains("32 random bytes in base64"));
    }

    #[test]
    fn key_ids_are_short_stable_and_distinct() {
        let key = SecretKey::from_base64(&STANDARD.encode([1u8; 32])).unwrap();
        assert_eq!(key.id().as_str().len(), 16);
        assert_eq!(key.id(), key.clone().id());
        assert_ne!(key.id(), SecretKey::generate().id());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = SecretKey::generate();
        let shown = format!("{key:?} {:?}", Sealer::new(Some(&key)));
        assert!(!shown.contains(&key.to_base64()));
        assert!(shown.contains(key.id().as_str()));
        assert!(!shown.contains("bytes"));
    }
}

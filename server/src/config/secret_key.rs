//! The key that seals secrets at rest (`LATCH_SECRET_KEY` or `LATCH_SECRET_KEY_FILE`). Read
//! from the environment only, never from `latch.toml`: the key should not sit beside the
//! rest of the configuration. A value that is not a key stops start-up naming the setting and
//! the rule, never echoing the value.

use super::{invalid, ConfigError};
use app::store::sealed::SecretKey;

pub const KEYS: [(&str, &str); 2] = [
    (
        "LATCH_SECRET_KEY",
        "32 random bytes in base64 that encrypt signing secrets and Latch's private key in the database (default none: stored in the clear)",
    ),
    (
        "LATCH_SECRET_KEY_FILE",
        "a file holding LATCH_SECRET_KEY instead (for container secrets)",
    ),
];

/// The key, if one is set. `get` reads an environment variable.
pub fn load(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<SecretKey>, ConfigError> {
    match (get("LATCH_SECRET_KEY"), get("LATCH_SECRET_KEY_FILE")) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(invalid(
            "LATCH_SECRET_KEY_FILE",
            "set LATCH_SECRET_KEY or LATCH_SECRET_KEY_FILE, not both",
        )),
        (Some(text), None) => SecretKey::from_base64(&text)
            .map(Some)
            .map_err(|e| invalid("LATCH_SECRET_KEY", e.to_string())),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path.trim()).map_err(|e| {
                invalid(
                    "LATCH_SECRET_KEY_FILE",
                    format!("cannot read {:?}: {e}", path.trim()),
                )
            })?;
            SecretKey::from_base64(&text)
                .map(Some)
                .map_err(|e| invalid("LATCH_SECRET_KEY_FILE", format!("the file's key {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_from(pairs: &[(&str, &str)]) -> Result<Option<SecretKey>, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load(&|k| env.get(k).cloned())
    }

    #[test]
    fn no_setting_is_no_key() {
        assert!(load_from(&[]).unwrap().is_none());
    }

    #[test]
    fn the_key_comes_from_the_variable_or_the_file() {
        let key = SecretKey::generate();
        let from_env = load_from(&[("LATCH_SECRET_KEY", &key.to_base64())])
            .unwrap()
            .unwrap();
        assert_eq!(from_env.id(), key.id());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latch.key");
        std::fs::write(&path, format!("{}\n", key.to_base64())).unwrap();
        let from_file = load_from(&[("LATCH_SECRET_KEY_FILE", path.to_str().unwrap())])
            .unwrap()
            .unwrap();
        assert_eq!(from_file.id(), key.id());
    }

    #[test]
    fn bad_keys_name_the_setting_and_the_rule_not_the_value() {
        let short = "c2hvcnQga2V5";
        let err = load_from(&[("LATCH_SECRET_KEY", short)]).unwrap_err();
        assert_eq!(err.setting, "LATCH_SECRET_KEY");
        assert!(err.message.contains("32 random bytes in base64"), "{err}");
        assert!(!err.to_string().contains(short));

        let err = load_from(&[("LATCH_SECRET_KEY", "")]).unwrap_err();
        assert_eq!(err.setting, "LATCH_SECRET_KEY");
        assert!(err.message.starts_with("is empty"), "{err}");

        let err = load_from(&[("LATCH_SECRET_KEY", "no such thing!")]).unwrap_err();
        assert!(err.message.starts_with("is not base64"), "{err}");

        let err = load_from(&[("LATCH_SECRET_KEY_FILE", "/nonexistent/latch.key")]).unwrap_err();
        assert_eq!(err.setting, "LATCH_SECRET_KEY_FILE");
        assert!(err.message.contains("cannot read"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latch.key");
        std::fs::write(&path, short).unwrap();
        let err = load_from(&[("LATCH_SECRET_KEY_FILE", path.to_str().unwrap())]).unwrap_err();
        assert_eq!(err.setting, "LATCH_SECRET_KEY_FILE");
        assert!(err.message.contains("32 random bytes"), "{err}");

        let key = SecretKey::generate().to_base64();
        let err = load_from(&[
            ("LATCH_SECRET_KEY", &key),
            ("LATCH_SECRET_KEY_FILE", path.to_str().unwrap()),
        ])
        .unwrap_err();
        assert!(err.message.contains("not both"), "{err}");
    }
}

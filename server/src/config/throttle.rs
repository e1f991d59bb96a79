//! The brute-force settings (`LATCH_THROTTLE_*`, `LATCH_CLIENT_ADDRESS_HEADER`), checked like
//! every other setting: an invalid value stops start-up naming it.

use super::{invalid, number, ConfigError};
use app::domain::throttle::ThrottleLimits;
use app::state::ThrottleSettings;

pub const KEYS: [(&str, &str); 6] = [
    (
        "LATCH_THROTTLE_FREE_FAILURES",
        "failed sign-ins or client secrets per account or app answered at once (default 5)",
    ),
    (
        "LATCH_THROTTLE_MAX_FAILURES",
        "failures per account or app, each answered twice as slowly, before a lockout (default 10)",
    ),
    (
        "LATCH_THROTTLE_ADDRESS_FREE_FAILURES",
        "the same per network address (default 20)",
    ),
    (
        "LATCH_THROTTLE_ADDRESS_MAX_FAILURES",
        "the same per network address (default 50)",
    ),
    (
        "LATCH_THROTTLE_LOCKOUT_SECONDS",
        "how long a lockout lasts and a quiet account's failures are remembered (default 900)",
    ),
    (
        "LATCH_CLIENT_ADDRESS_HEADER",
        "behind a reverse proxy: the header with the caller's address, e.g. X-Forwarded-For (default none: the connection's peer)",
    ),
];

/// The same settings as `latch.toml` gives them (lower case, without the prefix).
#[derive(Default)]
pub struct FileThrottle {
    pub throttle_free_failures: Option<u32>,
    pub throttle_max_failures: Option<u32>,
    pub throttle_address_free_failures: Option<u32>,
    pub throttle_address_max_failures: Option<u32>,
    pub throttle_lockout_seconds: Option<u32>,
    pub client_address_header: Option<String>,
}

pub fn load(
    get: &dyn Fn(&str) -> Option<String>,
    file: FileThrottle,
) -> Result<ThrottleSettings, ConfigError> {
    let number = |key: &str, from_file: Option<u32>, default: u32| match get(key) {
        Some(v) => number(key, &v),
        None => Ok(from_file.unwrap_or(default)),
    };
    let lockout_seconds = number(
        "LATCH_THROTTLE_LOCKOUT_SECONDS",
        file.throttle_lockout_seconds,
        ThrottleLimits::ACCOUNT.lockout.num_seconds() as u32,
    )?;
    let lockout = chrono::Duration::seconds(i64::from(lockout_seconds));
    let account = ThrottleLimits {
        free_failures: number(
            "LATCH_THROTTLE_FREE_FAILURES",
            file.throttle_free_failures,
            ThrottleLimits::ACCOUNT.free_failures,
        )?,
        max_failures: number(
            "LATCH_THROTTLE_MAX_FAILURES",
            file.throttle_max_failures,
            ThrottleLimits::ACCOUNT.max_failures,
        )?,
        lockout,
        ..ThrottleLimits::ACCOUNT
    };
    let address = ThrottleLimits {
        free_failures: number(
            "LATCH_THROTTLE_ADDRESS_FREE_FAILURES",
            file.throttle_address_free_failures,
            ThrottleLimits::ADDRESS.free_failures,
        )?,
        max_failures: number(
            "LATCH_THROTTLE_ADDRESS_MAX_FAILURES",
            file.throttle_address_max_failures,
            ThrottleLimits::ADDRESS.max_failures,
        )?,
        lockout,
        ..ThrottleLimits::ADDRESS
    };
    if lockout_seconds == 0 {
        return Err(invalid(
            "LATCH_THROTTLE_LOCKOUT_SECONDS",
            "must be at least 1",
        ));
    }
    for (limits, free, max) in [
        (
            &account,
            "LATCH_THROTTLE_FREE_FAILURES",
            "LATCH_THROTTLE_MAX_FAILURES",
        ),
        (
            &address,
            "LATCH_THROTTLE_ADDRESS_FREE_FAILURES",
            "LATCH_THROTTLE_ADDRESS_MAX_FAILURES",
        ),
    ] {
        if limits.free_failures == 0 {
            return Err(invalid(free, "must allow at least 1 failure"));
        }
        if limits.max_failures < limits.free_failures {
            return Err(invalid(
                max,
                format!("cannot be fewer than {free} ({})", limits.free_failures),
            ));
        }
    }
    let address_header = match get("LATCH_CLIENT_ADDRESS_HEADER").or(file.client_address_header) {
        Some(name) if name.trim().is_empty() => None,
        Some(name) => {
            let name = name.trim().to_ascii_lowercase();
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(invalid(
                    "LATCH_CLIENT_ADDRESS_HEADER",
                    format!("{name:?} is not an HTTP header name"),
                ));
            }
            Some(name)
        }
        None => None,
    };
    Ok(ThrottleSettings {
        account,
        address,
        address_header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_env(pairs: &[(&str, &str)]) -> Result<ThrottleSettings, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load(&|k| env.get(k).cloned(), FileThrottle::default())
    }

    #[test]
    fn defaults_are_the_domain_limits() {
        assert_eq!(load_env(&[]).unwrap(), ThrottleSettings::default());
    }

    #[test]
    fn limits_and_the_proxy_header_are_read() {
        let s = load_env(&[
            ("LATCH_THROTTLE_FREE_FAILURES", "3"),
            ("LATCH_THROTTLE_MAX_FAILURES", "4"),
            ("LATCH_THROTTLE_LOCKOUT_SECONDS", "60"),
            ("LATCH_CLIENT_ADDRESS_HEADER", "X-Forwarded-For"),
        ])
        .unwrap();
        assert_eq!((s.account.free_failures, s.account.max_failures), (3, 4));
        assert_eq!(s.account.lockout.num_seconds(), 60);
        assert_eq!(s.address.lockout.num_seconds(), 60);
        assert_eq!(s.address_header.as_deref(), Some("x-forwarded-for"));
    }

    #[test]
    fn invalid_values_name_the_setting() {
        let cases = [
            (
                "LATCH_THROTTLE_FREE_FAILURES",
                "many",
                "LATCH_THROTTLE_FREE_FAILURES",
            ),
            (
                "LATCH_THROTTLE_FREE_FAILURES",
                "0",
                "LATCH_THROTTLE_FREE_FAILURES",
            ),
            (
                "LATCH_THROTTLE_MAX_FAILURES",
                "2",
                "LATCH_THROTTLE_MAX_FAILURES",
            ),
            (
                "LATCH_THROTTLE_ADDRESS_MAX_FAILURES",
                "1",
                "LATCH_THROTTLE_ADDRESS_MAX_FAILURES",
            ),
            (
                "LATCH_THROTTLE_LOCKOUT_SECONDS",
                "0",
                "LATCH_THROTTLE_LOCKOUT_SECONDS",
            ),
            (
                "LATCH_CLIENT_ADDRESS_HEADER",
                "not a header",
                "LATCH_CLIENT_ADDRESS_HEADER",
            ),
        ];
        for (key, value, named) in cases {
            let err = load_env(&[(key, value)]).unwrap_err();
            assert_eq!(err.setting, named, "{key}={value}");
        }
    }
}

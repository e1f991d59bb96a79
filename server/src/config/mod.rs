//! Configuration: defaults, then an optional `latch.toml`, then environment variables.
//! Unknown `LATCH_*` variables are reported (typos); an invalid value stops start-up with a
//! message naming the setting.

pub mod oidc;
pub mod secret_key;
pub mod throttle;

use app::domain::limits::ExtensionLimits;
use app::state::{OidcSettings, Settings, ThrottleSettings, DEFAULT_CALLOUT_APP_ID};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

/// Every key, its meaning and default; `latch.toml` uses the same names in lower case
/// without the prefix (`database_url = "sqlite://latch.db"`).
pub const KEYS: [(&str, &str); 10] = [
    (
        "LEPTOS_SITE_ADDR",
        "address to listen on (default 127.0.0.1:3000)",
    ),
    (
        "LATCH_DATABASE_URL",
        "the database (default sqlite://latch.db, created if missing)",
    ),
    (
        "LATCH_PUBLIC_URL",
        "base URL for tokens, links and discovery (default http:// + the listen address)",
    ),
    (
        "LATCH_DEMO",
        "on a new, empty database, load the demo data (default off)",
    ),
    (
        "LATCH_CALLOUT_ALLOW_HOSTS",
        "hosts callouts may reach over http or on private addresses (default empty)",
    ),
    (
        "LATCH_WORKER",
        "run the background worker in this process (default on)",
    ),
    (
        "LATCH_TEST_CLOCK",
        "tests and demos only: a controllable clock (default off)",
    ),
    (
        "LATCH_EXTENSIONS_PER_CATALOG",
        "custom extensions per catalog (default 20)",
    ),
    (
        "LATCH_EXTENSIONS_PER_TENANT",
        "custom extensions in all (default 500)",
    ),
    (
        "LATCH_CALLOUT_APP_ID",
        "the app id Latch names itself with (appid) in callout tokens",
    ),
];

#[derive(Debug, Clone)]
pub struct Config {
    pub site_addr: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub demo: bool,
    pub callout_allow_hosts: Vec<String>,
    pub worker: bool,
    pub test_clock: bool,
    pub limits: ExtensionLimits,
    pub callout_app_id: String,
    pub oidc: Option<OidcSettings>,
    pub local_sign_in: bool,
    pub throttle: ThrottleSettings,
    /// `LATCH_SECRET_KEY`: seals secrets at rest (`app::store::sealed`).
    pub secret_key: Option<app::store::sealed::SecretKey>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    site_addr: Option<String>,
    database_url: Option<String>,
    public_url: Option<String>,
    demo: Option<bool>,
    callout_allow_hosts: Option<Vec<String>>,
    worker: Option<bool>,
    test_clock: Option<bool>,
    extensions_per_catalog: Option<u32>,
    extensions_per_tenant: Option<u32>,
    callout_app_id: Option<String>,
    oidc_issuer: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_name: Option<String>,
    oidc_scopes: Option<String>,
    oidc_create_users: Option<bool>,
    local_sign_in: Option<bool>,
    throttle_free_failures: Option<u32>,
    throttle_max_failures: Option<u32>,
    throttle_address_free_failures: Option<u32>,
    throttle_address_max_failures: Option<u32>,
    throttle_lockout_seconds: Option<u32>,
    client_address_header: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

pub(crate) fn invalid(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.into(),
        message: message.into(),
    }
}

/// What is wrong with `latch.toml`, by line: the parser's own words, never the text itself
/// (a line may hold a database password). Some errors come without words.
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    let message = if message.is_empty() {
        "is not valid TOML"
    } else {
        message
    };
    match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message.to_owned(),
    }
}

/// SQLite (`sqlite:`) or PostgreSQL (`postgres://` or `postgresql://`, with a host). The
/// message never repeats the value: it may hold a password.
fn check_database_url(url: &str) -> Result<(), ConfigError> {
    const SETTING: &str = "LATCH_DATABASE_URL";
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    if !app::store::is_postgres_url(url) {
        return Err(invalid(
            SETTING,
            "must be a sqlite: URL (sqlite://latch.db) or a PostgreSQL one \
             (postgres://user:password@host:5432/database)",
        ));
    }
    match url::Url::parse(url) {
        Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(invalid(
            SETTING,
            "a PostgreSQL URL must name a host (postgres://user:password@host:5432/database)",
        )),
        Err(e) => Err(invalid(
            SETTING,
            format!("is not a valid PostgreSQL URL ({e})"),
        )),
    }
}

pub(crate) fn flag(setting: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" | "" => Ok(false),
        other => Err(invalid(
            setting,
            format!("{other:?} is not on/off (use 1 or 0)"),
        )),
    }
}

pub(crate) fn number(setting: &str, value: &str) -> Result<u32, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(setting, format!("{value:?} is not a whole number")))
}

impl Config {
    /// Reads `latch.toml` (if `file` is given and exists) and the environment.
    pub fn load(
        file: Option<&str>,
        env: &HashMap<String, String>,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let from_file: FileConfig = match file {
            Some(text) => {
                toml::from_str(text).map_err(|e| invalid("latch.toml", toml_problem(text, &e)))?
            }
            None => FileConfig::default(),
        };
        let get = |key: &str| env.get(key).map(String::as_str);

        let site_addr_text = get("LEPTOS_SITE_ADDR")
            .map(str::to_string)
            .or(from_file.site_addr)
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr: SocketAddr = site_addr_text.parse().map_err(|_| {
            invalid(
                "LEPTOS_SITE_ADDR",
                format!("{site_addr_text:?} is not an address such as 127.0.0.1:3000"),
            )
        })?;
        let public_url = get("LATCH_PUBLIC_URL")
            .map(str::to_string)
            .or(from_file.public_url)
            .unwrap_or_else(|| format!("http://{site_addr}"));
        let parsed = url::Url::parse(&public_url).map_err(|_| {
            invalid(
                "LATCH_PUBLIC_URL",
                format!("{public_url:?} is not an absolute URL"),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("LATCH_PUBLIC_URL", "must be an http or https URL"));
        }
        let database_url = get("LATCH_DATABASE_URL")
            .map(str::to_string)
            .or(from_file.database_url)
            .unwrap_or_else(|| "sqlite://latch.db".into());
        check_database_url(&database_url)?;
        let callout_allow_hosts = match get("LATCH_CALLOUT_ALLOW_HOSTS") {
            Some(list) => list
                .split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect(),
            None => from_file.callout_allow_hosts.unwrap_or_default(),
        };
        let demo = match get("LATCH_DEMO") {
            Some(v) => flag("LATCH_DEMO", v)?,
            None => from_file.demo.unwrap_or(false),
        };
        let worker = match get("LATCH_WORKER") {
            Some(v) => flag("LATCH_WORKER", v)?,
            None => from_file.worker.unwrap_or(true),
        };
        let test_clock = match get("LATCH_TEST_CLOCK") {
            Some(v) => flag("LATCH_TEST_CLOCK", v)?,
            None => from_file.test_clock.unwrap_or(false),
        };
        let defaults = ExtensionLimits::default();
        let limits = ExtensionLimits {
            per_catalog: match get("LATCH_EXTENSIONS_PER_CATALOG") {
                Some(v) => number("LATCH_EXTENSIONS_PER_CATALOG", v)?,
                None => from_file
                    .extensions_per_catalog
                    .unwrap_or(defaults.per_catalog),
            },
            per_tenant: match get("LATCH_EXTENSIONS_PER_TENANT") {
                Some(v) => number("LATCH_EXTENSIONS_PER_TENANT", v)?,
                None => from_file
                    .extensions_per_tenant
                    .unwrap_or(defaults.per_tenant),
            },
        };
        let callout_app_id = get("LATCH_CALLOUT_APP_ID")
            .map(str::to_string)
            .or(from_file.callout_app_id)
            .unwrap_or_else(|| DEFAULT_CALLOUT_APP_ID.to_string());
        if uuid::Uuid::parse_str(&callout_app_id).is_err() {
            return Err(invalid(
                "LATCH_CALLOUT_APP_ID",
                format!("{callout_app_id:?} is not a GUID"),
            ));
        }
        let file_oidc = oidc::FileOidc {
            oidc_issuer: from_file.oidc_issuer,
            oidc_client_id: from_file.oidc_client_id,
            oidc_client_secret: from_file.oidc_client_secret,
            oidc_name: from_file.oidc_name,
            oidc_scopes: from_file.oidc_scopes,
            oidc_create_users: from_file.oidc_create_users,
            local_sign_in: from_file.local_sign_in,
        };
        let (oidc, local_sign_in) = oidc::load(&|k| get(k).map(str::to_string), file_oidc)?;
        let file_throttle = throttle::FileThrottle {
            throttle_free_failures: from_file.throttle_free_failures,
            throttle_max_failures: from_file.throttle_max_failures,
            throttle_address_free_failures: from_file.throttle_address_free_failures,
            throttle_address_max_failures: from_file.throttle_address_max_failures,
            throttle_lockout_seconds: from_file.throttle_lockout_seconds,
            client_address_header: from_file.client_address_header,
        };
        let throttle = throttle::load(&|k| get(k).map(str::to_string), file_throttle)?;
        let secret_key = secret_key::load(&|k| get(k).map(str::to_string))?;
        let unknown = env
            .keys()
            .filter(|k| {
                k.starts_with("LATCH_")
                    && !KEYS
                        .iter()
                        .chain(oidc::KEYS.iter())
                        .chain(throttle::KEYS.iter())
                        .chain(secret_key::KEYS.iter())
                        .any(|(known, _)| known == k)
            })
            .cloned()
            .collect();
        Ok((
            Config {
                site_addr,
                database_url,
                public_url,
                demo,
                callout_allow_hosts,
                worker,
                test_clock,
                limits,
                callout_app_id,
                oidc,
                local_sign_in,
                throttle,
                secret_key,
            },
            unknown,
        ))
    }

    pub fn settings(&self) -> Settings {
        Settings {
            secure_cookies: self.public_url.starts_with("https://"),
            public_url: self.public_url.clone(),
            callout_allow_hosts: self.callout_allow_hosts.clone(),
            limits: self.limits,
            callout_app_id: self.callout_app_id.clone(),
            test_clock: self.test_clock,
            oidc: self.oidc.clone(),
            local_sign_in: self.local_sign_in,
            throttle: self.throttle.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults() {
        let (c, unknown) = Config::load(None, &env(&[])).unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://latch.db");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(!c.demo && c.worker && !c.test_clock);
        assert!(c.callout_allow_hosts.is_empty());
        assert_eq!(c.limits.per_catalog, 20);
        assert!(unknown.is_empty());
        assert!(!c.settings().secure_cookies);
    }

    #[test]
    fn environment_beats_file() {
        let file = "database_url = \"sqlite://file.db\"\ndemo = true\ncallout_allow_hosts = [\"localhost\"]\n";
        let (c, _) = Config::load(
            Some(file),
            &env(&[("LATCH_DATABASE_URL", "sqlite://env.db")]),
        )
        .unwrap();
        assert_eq!(c.database_url, "sqlite://env.db");
        assert!(c.demo);
        assert_eq!(c.callout_allow_hosts, vec!["localhost"]);
        let (c, _) = Config::load(
            None,
            &env(&[("LATCH_CALLOUT_ALLOW_HOSTS", "127.0.0.1, localhost")]),
        )
        .unwrap();
        assert_eq!(c.callout_allow_hosts, vec!["127.0.0.1", "localhost"]);
    }

    #[test]
    fn invalid_values_name_the_setting() {
        let err = Config::load(None, &env(&[("LATCH_DEMO", "maybe")])).unwrap_err();
        assert_eq!(err.setting, "LATCH_DEMO");
        let err = Config::load(None, &env(&[("LEPTOS_SITE_ADDR", "nowhere")])).unwrap_err();
        assert_eq!(err.setting, "LEPTOS_SITE_ADDR");
        for bad in [
            "mysql://db/latch",
            "postgres://",
            "postgres://u:s3cret@[::1/x",
            "latch.db",
        ] {
            let err = Config::load(None, &env(&[("LATCH_DATABASE_URL", bad)])).unwrap_err();
            assert_eq!(err.setting, "LATCH_DATABASE_URL", "{bad}");
            assert!(!err.message.contains("s3cret"), "{}", err.message);
        }
        let err = Config::load(Some("colour = 1"), &env(&[])).unwrap_err();
        assert_eq!(err.setting, "latch.toml");
        // Found by the fuzz target: an error the parser gives no words for still has some.
        let err = Config::load(Some("\rats3c"), &env(&[])).unwrap_err();
        assert_eq!(err.setting, "latch.toml");
        assert!(err.message.starts_with("line 1: "), "{}", err.message);
        assert!(err.message.len() > "line 1: ".len(), "{}", err.message);
        let err = Config::load(
            Some("demo = true\ndatabase_url = \"postgres://u:s3cret@db/x\" x"),
            &env(&[]),
        )
        .unwrap_err();
        assert!(err.message.starts_with("line 2: "), "{}", err.message);
        assert!(!err.message.contains("s3cret"), "{}", err.message);
    }

    #[test]
    fn postgres_urls_select_postgresql() {
        for url in [
            "postgres://latch:pw@db.internal:5432/latch",
            "postgresql://latch@127.0.0.1/latch?sslmode=require",
        ] {
            let (c, _) = Config::load(None, &env(&[("LATCH_DATABASE_URL", url)])).unwrap();
            assert_eq!(c.database_url, url);
        }
    }

    #[test]
    fn unknown_latch_variables_are_reported() {
        let (_, unknown) =
            Config::load(None, &env(&[("LATCH_DEMOO", "1"), ("PATH", "/bin")])).unwrap();
        assert_eq!(unknown, vec!["LATCH_DEMOO"]);
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let (c, _) = Config::load(
            None,
            &env(&[("LATCH_PUBLIC_URL", "https://latch.contoso.test")]),
        )
        .unwrap();
        assert!(c.settings().secure_cookies);
    }
}

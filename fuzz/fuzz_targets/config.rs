#![no_main]
//! The configuration: a `latch.toml` text and `LATCH_*` variables (here split at the first NUL
//! byte, one `NAME=value` a line after it). No panic; a refusal names its setting; an accepted
//! database URL is SQLite or PostgreSQL; a database password never reaches a message.

use libfuzzer_sys::fuzz_target;
use server::config::Config;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (file, vars) = text.split_once('\0').unwrap_or((text, ""));
    let env: HashMap<String, String> = vars
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let file = (!file.is_empty()).then_some(file);
    match Config::load(file, &env) {
        Ok((config, _unknown)) => {
            let url = &config.database_url;
            assert!(
                url.starts_with("sqlite:") || app::store::is_postgres_url(url),
                "{url}"
            );
        }
        Err(error) => {
            assert!(!error.setting.is_empty() && !error.message.is_empty());
            // The password as a URL writes it: the messages' own example URL aside.
            if let Some(url) = env.get("LATCH_DATABASE_URL") {
                let password = url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.password().map(str::to_owned));
                if let Some(password) = password.filter(|p| p != "password") {
                    assert!(!error.message.contains(&format!(":{password}@")), "{error}");
                }
            }
        }
    }
    // Whatever the text, its redacted form has no password but the mask.
    if let Ok(parsed) = url::Url::parse(text) {
        if parsed.password().is_some() {
            let redacted = url::Url::parse(&app::store::redacted_url(text)).unwrap();
            assert_eq!(redacted.password(), Some("***"));
        }
    }
});

//! The single sign-on settings (`LATCH_OIDC_*`, `LATCH_LOCAL_SIGN_IN`), checked like every
//! other setting: an invalid value stops start-up naming it.

use super::{flag, invalid, ConfigError};
use app::state::OidcSettings;

pub const KEYS: [(&str, &str); 7] = [
    (
        "LATCH_OIDC_ISSUER",
        "OpenID provider for single sign-on; discovery at {issuer}/.well-known/openid-configuration (default none)",
    ),
    ("LATCH_OIDC_CLIENT_ID", "the client id Latch has at the provider"),
    ("LATCH_OIDC_CLIENT_SECRET", "the client secret Latch has at the provider"),
    (
        "LATCH_OIDC_NAME",
        "the sign-in button's words: Sign in with … (default your organization's account)",
    ),
    ("LATCH_OIDC_SCOPES", "scopes asked for (default openid profile email)"),
    (
        "LATCH_OIDC_CREATE_USERS",
        "a first sign-in of someone not in Latch's directory creates them (default off)",
    ),
    ("LATCH_LOCAL_SIGN_IN", "sign-in with a password (default on)"),
];

pub const DEFAULT_NAME: &str = "your organization's account";
pub const DEFAULT_SCOPES: &str = "openid profile email";

/// The same settings as `latch.toml` gives them (lower case, without the prefix).
#[derive(Default)]
pub struct FileOidc {
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_name: Option<String>,
    pub oidc_scopes: Option<String>,
    pub oidc_create_users: Option<bool>,
    pub local_sign_in: Option<bool>,
}

/// Single sign-on (if configured) and whether password sign-in stays on.
pub fn load(
    get: &dyn Fn(&str) -> Option<String>,
    file: FileOidc,
) -> Result<(Option<OidcSettings>, bool), ConfigError> {
    let text = |key: &str, from_file: Option<String>| {
        get(key)
            .or(from_file)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let local_sign_in = match get("LATCH_LOCAL_SIGN_IN") {
        Some(v) => flag("LATCH_LOCAL_SIGN_IN", &v)?,
        None => file.local_sign_in.unwrap_or(true),
    };
    let create_users = match get("LATCH_OIDC_CREATE_USERS") {
        Some(v) => flag("LATCH_OIDC_CREATE_USERS", &v)?,
        None => file.oidc_create_users.unwrap_or(false),
    };
    let client_id = text("LATCH_OIDC_CLIENT_ID", file.oidc_client_id);
    let client_secret = text("LATCH_OIDC_CLIENT_SECRET", file.oidc_client_secret);
    let name = text("LATCH_OIDC_NAME", file.oidc_name);
    let scopes = text("LATCH_OIDC_SCOPES", file.oidc_scopes);
    let Some(issuer) = text("LATCH_OIDC_ISSUER", file.oidc_issuer) else {
        if !local_sign_in {
            return Err(invalid(
                "LATCH_LOCAL_SIGN_IN",
                "cannot be off without single sign-on: set LATCH_OIDC_ISSUER too, or nobody can sign in",
            ));
        }
        for (key, value) in [
            ("LATCH_OIDC_CLIENT_ID", &client_id),
            ("LATCH_OIDC_CLIENT_SECRET", &client_secret),
        ] {
            if value.is_some() {
                return Err(invalid(key, "is set but LATCH_OIDC_ISSUER is not"));
            }
        }
        return Ok((None, local_sign_in));
    };
    let parsed = url::Url::parse(&issuer).map_err(|_| {
        invalid(
            "LATCH_OIDC_ISSUER",
            format!("{issuer:?} is not an absolute URL"),
        )
    })?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return Err(invalid(
            "LATCH_OIDC_ISSUER",
            "must be an https URL (plain http only on loopback, for tests)",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(
            "LATCH_OIDC_ISSUER",
            "must not have a query or fragment",
        ));
    }
    let client_id = client_id
        .ok_or_else(|| invalid("LATCH_OIDC_CLIENT_ID", "is required with LATCH_OIDC_ISSUER"))?;
    let client_secret = client_secret.ok_or_else(|| {
        invalid(
            "LATCH_OIDC_CLIENT_SECRET",
            "is required with LATCH_OIDC_ISSUER",
        )
    })?;
    let scopes: Vec<String> = scopes
        .as_deref()
        .unwrap_or(DEFAULT_SCOPES)
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(invalid("LATCH_OIDC_SCOPES", "must include openid"));
    }
    if let Some(bad) = scopes.iter().find(|s| {
        !s.chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    }) {
        return Err(invalid(
            "LATCH_OIDC_SCOPES",
            format!("{bad:?} is not a scope"),
        ));
    }
    let name = name.unwrap_or_else(|| DEFAULT_NAME.to_string());
    if name.chars().count() > 100 {
        return Err(invalid("LATCH_OIDC_NAME", "is longer than 100 characters"));
    }
    Ok((
        Some(OidcSettings {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id,
            client_secret,
            name,
            scopes,
            create_users,
        }),
        local_sign_in,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_env(pairs: &[(&str, &str)]) -> Result<(Option<OidcSettings>, bool), ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load(&|k| env.get(k).cloned(), FileOidc::default())
    }

    const FULL: [(&str, &str); 3] = [
        (
            "LATCH_OIDC_ISSUER",
            "https://login.example.com/tenant/v2.0/",
        ),
        ("LATCH_OIDC_CLIENT_ID", "latch"),
        ("LATCH_OIDC_CLIENT_SECRET", "s3cret"),
    ];

    #[test]
    fn off_by_default_and_complete_when_configured() {
        assert_eq!(load_env(&[]), Ok((None, true)));
        let (oidc, local) = load_env(&FULL).unwrap();
        let oidc = oidc.unwrap();
        assert!(local);
        assert_eq!(oidc.issuer, "https://login.example.com/tenant/v2.0");
        assert_eq!(oidc.scopes, ["openid", "profile", "email"]);
        assert_eq!(oidc.name, DEFAULT_NAME);
        assert!(!oidc.create_users);
        assert!(
            !format!("{oidc:?}").contains("s3cret"),
            "the secret never reaches a log"
        );
        let mut more = FULL.to_vec();
        more.extend([
            ("LATCH_OIDC_NAME", "Contoso"),
            ("LATCH_OIDC_SCOPES", "openid email"),
            ("LATCH_OIDC_CREATE_USERS", "on"),
            ("LATCH_LOCAL_SIGN_IN", "off"),
        ]);
        let (oidc, local) = load_env(&more).unwrap();
        assert!(!local);
        let oidc = oidc.unwrap();
        assert_eq!((oidc.name.as_str(), oidc.create_users), ("Contoso", true));
        assert_eq!(oidc.scopes, ["openid", "email"]);
    }

    #[test]
    fn bad_values_name_the_setting() {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = FULL.to_vec();
            pairs.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
            pairs.extend_from_slice(extra);
            load_env(&pairs).unwrap_err().setting
        };
        assert_eq!(
            with(&[("LATCH_OIDC_ISSUER", "login.example.com")]),
            "LATCH_OIDC_ISSUER"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_ISSUER", "http://login.example.com")]),
            "LATCH_OIDC_ISSUER"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_ISSUER", "https://a.example/?x=1")]),
            "LATCH_OIDC_ISSUER"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_CLIENT_ID", " ")]),
            "LATCH_OIDC_CLIENT_ID"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_CLIENT_SECRET", "")]),
            "LATCH_OIDC_CLIENT_SECRET"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_SCOPES", "profile email")]),
            "LATCH_OIDC_SCOPES"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_SCOPES", "openid \"x")]),
            "LATCH_OIDC_SCOPES"
        );
        assert_eq!(
            with(&[("LATCH_OIDC_CREATE_USERS", "maybe")]),
            "LATCH_OIDC_CREATE_USERS"
        );
        assert_eq!(
            load_env(&[("LATCH_LOCAL_SIGN_IN", "off")])
                .unwrap_err()
                .setting,
            "LATCH_LOCAL_SIGN_IN"
        );
        assert_eq!(
            load_env(&[("LATCH_OIDC_CLIENT_ID", "x")])
                .unwrap_err()
                .setting,
            "LATCH_OIDC_CLIENT_ID"
        );
        assert!(
            load_env(&[
                ("LATCH_OIDC_ISSUER", "http://127.0.0.1:9000"),
                ("LATCH_OIDC_CLIENT_ID", "latch"),
                ("LATCH_OIDC_CLIENT_SECRET", "x"),
            ])
            .is_ok(),
            "plain http on loopback, for tests"
        );
    }
}

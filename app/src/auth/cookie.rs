//! The session cookie: HttpOnly, SameSite=Lax, Secure when Latch is served over https.
//! SameSite=Lax keeps the cookie off cross-site POSTs; the server's origin check refuses them
//! outright (defence in depth against cross-site request forgery).

use crate::store::sessions::SESSION_LIFETIME;

pub const SESSION_COOKIE: &str = "latch_session";

pub fn session_token(headers: &http::HeaderMap) -> Option<String> {
    read(headers, SESSION_COOKIE)
}

/// The value of the cookie `name` the browser sent, if any and not empty.
pub fn read(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

pub fn set_session(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_LIFETIME.num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A local path to return to after sign-in; anything else (another site, `//host`) is
/// replaced by the home page so the sign-in form can't be used as an open redirect.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; latch_session=tok; b=2".parse().unwrap(),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("tok"));
        headers.insert(http::header::COOKIE, "latch_session=".parse().unwrap());
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn cookie_attributes() {
        let c = set_session("tok", true);
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"),
            "{c}"
        );
        assert!(!set_session("tok", false).contains("Secure"));
        assert!(clear_session(false).contains("Max-Age=0"));
    }

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next("/catalogs/x?tab=1"), "/catalogs/x?tab=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}

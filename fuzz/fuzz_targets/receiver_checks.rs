#![no_main]
//! What the sample receiver checks on each callout, over the `app::callout` code it uses:
//! the `Authorization` token (a JWT against Latch's JWKS, then the PoP claims against the
//! request), the `webhook-signature` header against `whsec_` secrets, and the
//! `webhook-timestamp`. The first byte picks the check; the rest is its input. No panic;
//! nothing unsigned verifies; what Latch signs verifies, and a PoP token Latch makes for an
//! endpoint passes the receiver's claim check at that endpoint.

use std::sync::OnceLock;

use app::callout::keys::{jwks, public_key_from_jwk, SigningKey};
use app::callout::pop::{pop_problems, RequestFacts};
use app::callout::signature;
use app::callout::token::{
    pop_claims, sign_jwt, verify_jwt, TokenError, CLOCK_SKEW, LOGIC_APP_HOST,
};
use app::domain::endpoint::Endpoint;
use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{Map, Value};
use uuid::Uuid;

const ISSUER: &str = "https://latch.example.com";

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(&mut StdRng::seed_from_u64(12)).unwrap())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// A token from anywhere but Latch's key never verifies.
fn token(text: &str) {
    let published = jwks([key()]);
    let error = verify_jwt(&published, text, now()).expect_err("an unsigned token verified");
    assert!(!error.to_string().is_empty());
    // The receiver splits `PoP <jwt>` / `Bearer <jwt>` the same way.
    if let Some((_, jwt)) = text.trim().split_once(' ') {
        assert!(verify_jwt(&published, jwt.trim(), now()).is_err());
    }
}

/// Claims Latch signs verify to themselves, unless their lifetime says otherwise.
fn claims(text: &str) {
    let Ok(Value::Object(claims)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let token = sign_jwt(key(), &Value::Object(claims.clone()));
    let at = now().timestamp();
    let skew = CLOCK_SKEW.num_seconds();
    let expected = match claims.get("exp").and_then(Value::as_i64) {
        None => Err(TokenError::MissingExpiry),
        Some(exp) if at >= exp.saturating_add(skew) => Err(TokenError::Expired),
        Some(_) => match claims.get("nbf").and_then(Value::as_i64) {
            Some(nbf) if at + skew < nbf => Err(TokenError::NotYetValid),
            _ => Ok(()),
        },
    };
    match verify_jwt(&jwks([key()]), &token, now()) {
        Ok(verified) => {
            assert_eq!(expected, Ok(()));
            assert_eq!(verified.claims, claims);
        }
        Err(error) => assert_eq!(Err(error), expected),
    }
    let facts = RequestFacts {
        host: Some("hooks.example.com"),
        path: "/latch",
        body: text.as_bytes(),
    };
    for problem in pop_problems(&claims, &facts) {
        assert!(!problem.is_empty());
    }
}

/// A PoP token Latch makes for `url` passes the receiver's check there.
fn endpoint(text: &str) {
    let (url, body) = text.split_once('\n').unwrap_or((text, ""));
    let endpoint = Endpoint::Http {
        url: url.to_owned(),
    };
    let Ok(claims) = pop_claims(
        ISSUER,
        "app",
        &endpoint,
        body.as_bytes(),
        now(),
        Uuid::nil(),
    ) else {
        return;
    };
    let token = sign_jwt(key(), &claims);
    let verified = verify_jwt(&jwks([key()]), &token, now()).expect("Latch's own token");
    let parsed = url::Url::parse(url).expect("pop_claims parsed it");
    let host = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap()),
        None => parsed.host_str().unwrap().to_owned(),
    };
    if parsed.host_str() == Some(LOGIC_APP_HOST) {
        // The receiver takes a token whose `u` is management.azure.com for a Logic App's
        // (bound to a workflow's resource path, not to the URL); so does Entra.
        return;
    }
    let facts = RequestFacts {
        host: Some(&host),
        path: parsed.path(),
        body: body.as_bytes(),
    };
    let problems = pop_problems(&verified.claims, &facts);
    assert!(problems.is_empty(), "{url}: {problems:?}");
}

/// `webhook-signature`: lines are the secret, `webhook-id`, `webhook-timestamp` and the
/// header; the rest is the body. Only the signature Latch makes verifies.
fn webhook(text: &str) {
    let mut lines = text.splitn(5, '\n');
    let mut next = || lines.next().unwrap_or_default();
    let (secret, id, timestamp, header, body) = (next(), next(), next(), next(), next());
    // The receiver reads the timestamp header so, and refuses it when it is not a number.
    let Ok(timestamp) = timestamp.trim().parse::<i64>() else {
        return;
    };
    let _ = signature::timestamp_is_fresh(timestamp, now());
    let verified = signature::verify(secret, id, timestamp, body.as_bytes(), header);
    match signature::sign(secret, id, timestamp, body.as_bytes()) {
        Ok(latch) => {
            let forged = header.split(' ').any(|entry| entry == latch);
            assert_eq!(verified, forged, "{header:?} against {latch:?}");
            let rotating = format!("{header} {latch}");
            assert!(signature::verify(
                secret,
                id,
                timestamp,
                body.as_bytes(),
                &rotating
            ));
        }
        Err(error) => {
            assert!(!verified);
            assert!(!error.to_string().is_empty());
        }
    }
}

/// A JWKS from outside: no panic, and Latch's token verifies only against Latch's key.
fn key_set(text: &str) {
    let Ok(published) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if let Some(keys) = published.get("keys").and_then(Value::as_array) {
        for jwk in keys {
            let _ = public_key_from_jwk(jwk);
        }
    }
    let mut claims = Map::new();
    claims.insert("exp".into(), (now().timestamp() + 60).into());
    static TOKEN: OnceLock<String> = OnceLock::new();
    let token = TOKEN.get_or_init(|| sign_jwt(key(), &Value::Object(claims)));
    if verify_jwt(&published, token, now()).is_ok() {
        let ours = key().public_key();
        let keys = published["keys"].as_array().unwrap();
        assert!(
            keys.iter()
                .filter_map(|jwk| public_key_from_jwk(jwk).ok())
                .any(|(_, key)| key == ours),
            "verified against a key that isn't Latch's"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 5 {
        0 => token(text),
        1 => claims(text),
        2 => endpoint(text),
        3 => webhook(text),
        _ => key_set(text),
    }
});

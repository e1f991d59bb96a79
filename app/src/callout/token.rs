//! The token in a callout's `Authorization` header: a JWT signed RS256 with Latch's own key,
//! built by hand (header and claims are small, and a JWT crate would add a second RSA stack).
//!
//! The new kinds send `PoP <token>` with claims bound to the request (`m`, `u`, `p`, `bh`);
//! legacy sends `Bearer <token>`. The JOSE header says `"typ": "JWT"` for both: Microsoft's own
//! signed-HTTP-request PoP tokens (MSAL.NET's `PoPAuthenticationScheme`) use `JWT` too, Logic Apps'
//! authorization policies look only at claims, and every JOSE library accepts it. The `PoP`
//! scheme in the header and the `m`/`u`/`p`/`bh` claims are what tell the two apart.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use url::Url;
use uuid::Uuid;

use super::keys::{public_key_from_jwk, SigningKey};
use crate::domain::endpoint::Endpoint;
use crate::domain::kind::{ExtensionKind, TokenSecurity};

/// `exp` is this long after `iat`.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(5);
/// What a Logic App's authorization policy expects as `aud`, and as `u`.
pub const LOGIC_APP_AUDIENCE: &str = "https://management.azure.com";
pub const LOGIC_APP_HOST: &str = "management.azure.com";
/// Clock difference a verifier forgives on `exp` and `nbf`.
pub const CLOCK_SKEW: Duration = Duration::seconds(60);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the endpoint URL {0:?} cannot be parsed")]
    EndpointUrl(String),
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    #[error("the token's algorithm {0:?} is not RS256")]
    UnsupportedAlgorithm(String),
    #[error("no published key matches the token's kid")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token has no exp claim")]
    MissingExpiry,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
}

/// A token whose signature and lifetime checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

/// `header.claims.signature`, each part base64url without padding.
pub fn sign_jwt(key: &SigningKey, claims: &Value) -> String {
    let header = Header {
        alg: "RS256",
        typ: "JWT",
        kid: key.kid(),
    };
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("a header serializes")),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("a Value serializes")),
    );
    // Only keys of 2048 bits or more become a `SigningKey`, so signing cannot fail.
    let signature = key.sign_rs256(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The claims of a PoP token for one attempt, bound to the endpoint and the exact body bytes.
pub fn pop_claims(
    issuer: &str,
    app_id: &str,
    endpoint: &Endpoint,
    body: &[u8],
    now: DateTime<Utc>,
    jti: Uuid,
) -> Result<Value, TokenError> {
    let (audience, host, path) = match endpoint {
        Endpoint::LogicApp(logic_app) => (
            LOGIC_APP_AUDIENCE.to_owned(),
            LOGIC_APP_HOST.to_owned(),
            logic_app.resource_path(),
        ),
        Endpoint::Http { url } => {
            let url = parse_url(url)?;
            // The query is left out: a trigger URL carries its SAS signature there.
            (origin(&url)?, host_and_port(&url)?, url.path().to_owned())
        }
    };
    let mut claims = lifetime_claims(issuer, app_id, &audience, now, jti);
    claims["m"] = json!("POST");
    claims["u"] = json!(host);
    claims["p"] = json!(path);
    claims["bh"] = json!(body_hash(body));
    Ok(claims)
}

/// The claims of a legacy extension's bearer token.
pub fn bearer_claims(
    issuer: &str,
    app_id: &str,
    audience: &str,
    now: DateTime<Utc>,
    jti: Uuid,
) -> Value {
    lifetime_claims(issuer, app_id, audience, now, jti)
}

/// A legacy token's `aud`: the configured resource id, else the endpoint URL's origin.
pub fn bearer_audience(
    resource_id: Option<&str>,
    endpoint: &Endpoint,
) -> Result<String, TokenError> {
    match resource_id.map(str::trim) {
        Some(resource_id) if !resource_id.is_empty() => Ok(resource_id.to_owned()),
        _ => origin(&parse_url(endpoint.url())?),
    }
}

/// The `Authorization` header value for the kind: `PoP <token>` or `Bearer <token>`.
pub fn authorization_value(kind: ExtensionKind, token: &str) -> String {
    match kind.token_security() {
        TokenSecurity::ProofOfPossession => format!("PoP {token}"),
        TokenSecurity::Regular => format!("Bearer {token}"),
    }
}

/// base64url SHA-256 of the body bytes (the `bh` claim).
pub fn body_hash(body: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(body))
}

/// Checks a token against a JWKS document (`{"keys": [...]}`): the key named by the header's
/// `kid`, or any key when the token names none.
pub fn verify_jwt(
    jwks: &Value,
    token: &str,
    now: DateTime<Utc>,
) -> Result<VerifiedJwt, TokenError> {
    let parts = split(token)?;
    let header = decode_header(&parts)?;
    let kid = header.get("kid").and_then(Value::as_str);
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(TokenError::UnknownKey)?;
    let candidates: Vec<RsaPublicKey> = keys
        .iter()
        .filter_map(|jwk| public_key_from_jwk(jwk).ok())
        .filter(|(key_id, _)| kid.is_none() || key_id.as_deref() == kid)
        .map(|(_, key)| key)
        .collect();
    if candidates.is_empty() {
        return Err(TokenError::UnknownKey);
    }
    if !candidates.iter().any(|key| signature_matches(key, &parts)) {
        return Err(TokenError::BadSignature);
    }
    finish(header, &parts, now)
}

/// Checks a token against one public key: RS256 signature, then `exp` (required) and `nbf`,
/// each with [`CLOCK_SKEW`] of leeway.
pub fn verify_jwt_with_key(
    key: &RsaPublicKey,
    token: &str,
    now: DateTime<Utc>,
) -> Result<VerifiedJwt, TokenError> {
    let parts = split(token)?;
    let header = decode_header(&parts)?;
    if !signature_matches(key, &parts) {
        return Err(TokenError::BadSignature);
    }
    finish(header, &parts, now)
}

fn lifetime_claims(
    issuer: &str,
    app_id: &str,
    audience: &str,
    now: DateTime<Utc>,
    jti: Uuid,
) -> Value {
    let issued = now.timestamp();
    json!({
        "iss": issuer,
        "aud": audience,
        "appid": app_id,
        "iat": issued,
        "nbf": issued,
        "exp": (now + TOKEN_LIFETIME).timestamp(),
        "jti": jti.to_string(),
    })
}

fn parse_url(url: &str) -> Result<Url, TokenError> {
    Url::parse(url).map_err(|_| TokenError::EndpointUrl(url.to_owned()))
}

/// `scheme://host[:port]`, the port only when it is not the scheme's default.
fn origin(url: &Url) -> Result<String, TokenError> {
    let origin = url.origin();
    if !origin.is_tuple() {
        return Err(TokenError::EndpointUrl(url.to_string()));
    }
    Ok(origin.ascii_serialization())
}

fn host_and_port(url: &Url) -> Result<String, TokenError> {
    let host = url
        .host_str()
        .ok_or_else(|| TokenError::EndpointUrl(url.to_string()))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

struct Parts<'a> {
    header: &'a str,
    claims: &'a str,
    signature: &'a str,
}

impl Parts<'_> {
    fn signing_input_len(&self) -> usize {
        self.header.len() + 1 + self.claims.len()
    }
}

fn split(token: &str) -> Result<Parts<'_>, TokenError> {
    let mut pieces = token.split('.');
    match (pieces.next(), pieces.next(), pieces.next(), pieces.next()) {
        (Some(header), Some(claims), Some(signature), None) => Ok(Parts {
            header,
            claims,
            signature,
        }),
        _ => Err(TokenError::Malformed("a JWT has three dot-separated parts")),
    }
}

fn decode_object(part: &str, what: &'static str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed(what))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(TokenError::Malformed(what)),
    }
}

/// Only RS256: a token naming `none` or an HMAC algorithm is refused before anything else.
fn decode_header(parts: &Parts<'_>) -> Result<Map<String, Value>, TokenError> {
    let header = decode_object(parts.header, "the header is not base64url JSON")?;
    match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => Ok(header),
        Some(other) => Err(TokenError::UnsupportedAlgorithm(other.to_owned())),
        None => Err(TokenError::UnsupportedAlgorithm(String::new())),
    }
}

fn signature_matches(key: &RsaPublicKey, parts: &Parts<'_>) -> bool {
    let Ok(signature) = URL_SAFE_NO_PAD.decode(parts.signature) else {
        return false;
    };
    let mut signing_input = String::with_capacity(parts.signing_input_len());
    signing_input.push_str(parts.header);
    signing_input.push('.');
    signing_input.push_str(parts.claims);
    // aws-lc, as for signing: rsa's arithmetic was a tenth of the server's CPU under load.
    // Keys under 2048 bits are refused, as `SigningKey` refuses them.
    let components = aws_lc_rs::signature::RsaPublicKeyComponents {
        n: key.n().to_bytes_be(),
        e: key.e().to_bytes_be(),
    };
    components
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &signature,
        )
        .is_ok()
}

fn finish(
    header: Map<String, Value>,
    parts: &Parts<'_>,
    now: DateTime<Utc>,
) -> Result<VerifiedJwt, TokenError> {
    let claims = decode_object(parts.claims, "the claims are not base64url JSON")?;
    Lifetime::of(&claims)?.check(now)?;
    Ok(VerifiedJwt { header, claims })
}

/// A token's `nbf` and `exp` (Unix seconds), kept by whoever remembers a checked token so
/// that it is checked again on each use by the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub not_before: Option<i64>,
    pub expires: i64,
}

impl Lifetime {
    /// `exp` is required, `nbf` optional.
    pub fn of(claims: &Map<String, Value>) -> Result<Self, TokenError> {
        Ok(Lifetime {
            not_before: claims.get("nbf").and_then(Value::as_i64),
            expires: claims
                .get("exp")
                .and_then(Value::as_i64)
                .ok_or(TokenError::MissingExpiry)?,
        })
    }

    /// Valid at `now`, with [`CLOCK_SKEW`] of leeway each side.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), TokenError> {
        let now = now.timestamp();
        let skew = CLOCK_SKEW.num_seconds();
        if now >= self.expires.saturating_add(skew) {
            return Err(TokenError::Expired);
        }
        match self.not_before {
            Some(nbf) if now.saturating_add(skew) < nbf => Err(TokenError::NotYetValid),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::callout::keys::{jwks, test_key};
    use crate::domain::endpoint::LogicAppEndpoint;

    const ISSUER: &str = "https://latch.example.com";
    const APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";
    const BODY: &[u8] = br#"{"Stage":"CustomExtensionConnectionTest"}"#;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn jti() -> Uuid {
        Uuid::parse_str("0b6f3c1e-2d4a-4e5f-8a9b-0c1d2e3f4a5b").unwrap()
    }

    fn logic_app() -> Endpoint {
        Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0c".to_owned(),
            resource_group_name: "rg-latch".to_owned(),
            logic_app_workflow_name: "sod-check".to_owned(),
            url: "https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sig=secret".to_owned(),
        })
    }

    fn http(url: &str) -> Endpoint {
        Endpoint::Http {
            url: url.to_owned(),
        }
    }

    fn b64_sha256(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
    }

    #[test]
    fn logic_app_pop_claims() {
        let claims = pop_claims(ISSUER, APP_ID, &logic_app(), BODY, now(), jti()).unwrap();
        let iat = now().timestamp();
        assert_eq!(
            claims,
            json!({
                "iss": ISSUER,
                "aud": "https://management.azure.com",
                "appid": APP_ID,
                "iat": iat,
                "nbf": iat,
                "exp": iat + 300,
                "jti": "0b6f3c1e-2d4a-4e5f-8a9b-0c1d2e3f4a5b",
                "m": "POST",
                "u": "management.azure.com",
                "p": "/subscriptions/0f3c2b4e-9a1d-4c7e-8b2a-5d6e7f8a9b0c/resourceGroups/rg-latch/providers/Microsoft.Logic/workflows/sod-check",
                "bh": b64_sha256(BODY),
            })
        );
    }

    #[test]
    fn http_pop_claims_use_the_url_without_its_query() {
        let endpoint = http("https://Hooks.Example.com/latch/in?sig=secret#frag");
        let claims = pop_claims(ISSUER, APP_ID, &endpoint, BODY, now(), jti()).unwrap();
        assert_eq!(claims["aud"], "https://hooks.example.com");
        assert_eq!(claims["u"], "hooks.example.com");
        assert_eq!(claims["p"], "/latch/in");
        assert_eq!(claims["m"], "POST");
        assert!(!claims.to_string().contains("secret"));

        let endpoint = http("http://127.0.0.1:8080");
        let claims = pop_claims(ISSUER, APP_ID, &endpoint, BODY, now(), jti()).unwrap();
        assert_eq!(claims["aud"], "http://127.0.0.1:8080");
        assert_eq!(claims["u"], "127.0.0.1:8080");
        assert_eq!(claims["p"], "/");

        let endpoint = http("https://hooks.example.com:443/x");
        let claims = pop_claims(ISSUER, APP_ID, &endpoint, BODY, now(), jti()).unwrap();
        assert_eq!(claims["aud"], "https://hooks.example.com");
        assert_eq!(claims["u"], "hooks.example.com");
    }

    #[test]
    fn body_hash_covers_the_exact_bytes() {
        // SHA-256 of the empty string, base64url without padding.
        assert_eq!(
            body_hash(b""),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        let claims = pop_claims(ISSUER, APP_ID, &logic_app(), BODY, now(), jti()).unwrap();
        assert_eq!(claims["bh"], body_hash(BODY));
        let spaced = br#"{"Stage": "CustomExtensionConnectionTest"}"#;
        assert_ne!(body_hash(spaced), body_hash(BODY));
    }

    #[test]
    fn bad_endpoint_urls_are_errors() {
        assert_eq!(
            pop_claims(ISSUER, APP_ID, &http("not a url"), BODY, now(), jti()),
            Err(TokenError::EndpointUrl("not a url".to_owned()))
        );
        assert!(bearer_audience(None, &http("mailto:a@example.com")).is_err());
    }

    #[test]
    fn bearer_claims_and_audience() {
        let endpoint = http("https://hooks.example.com/legacy?code=x");
        assert_eq!(
            bearer_audience(None, &endpoint).unwrap(),
            "https://hooks.example.com"
        );
        assert_eq!(
            bearer_audience(Some("  "), &endpoint).unwrap(),
            "https://hooks.example.com"
        );
        assert_eq!(
            bearer_audience(Some("api://latch-receiver"), &endpoint).unwrap(),
            "api://latch-receiver"
        );
        assert_eq!(
            bearer_audience(None, &logic_app()).unwrap(),
            "https://prod-01.westus.logic.azure.com"
        );
        let iat = now().timestamp();
        assert_eq!(
            bearer_claims(ISSUER, APP_ID, "api://latch-receiver", now(), jti()),
            json!({
                "iss": ISSUER, "aud": "api://latch-receiver", "appid": APP_ID,
                "iat": iat, "nbf": iat, "exp": iat + 300,
                "jti": "0b6f3c1e-2d4a-4e5f-8a9b-0c1d2e3f4a5b",
            })
        );
    }

    #[test]
    fn authorization_schemes() {
        assert_eq!(
            authorization_value(ExtensionKind::AssignmentRequest, "t"),
            "PoP t"
        );
        assert_eq!(
            authorization_value(ExtensionKind::PreExpiration, "t"),
            "PoP t"
        );
        assert_eq!(authorization_value(ExtensionKind::Legacy, "t"), "Bearer t");
    }

    // An RS256 token from an independent implementation, PyJWT 2.15.1 (with `cryptography`):
    // `jwt.encode(claims, key, algorithm="RS256", headers={"kid": "pyjwt-test"})` for a fresh
    // 2048-bit key, whose public half came from `RSAAlgorithm.to_jwk(key.public_key())`.
    const PYJWT_N: &str = "p3bK3uTsSIzO3qxfMwUPvoDeg6MrDatHF0s3BVo4tR4Uu9cIhz--ZyRCjgW8WA3P6YnsxU8Il9W-yY6uI4iZ9VMBCimcem8nSv2ORUst2dFxNrSM_SP1u7QlkI2moZ0A4W74zTnsE3WiCwqgm6vJv-8areJvZ-I2ChbLuAw2SpvQsHq4msxfFRaKCrlEpaR78YXQs3oPPGw8bwPY8xmD-mB7Eufc30yFMrtjXCWiqxXk1Ncuu1nc57c7kb59s-qTF148zYxrv6c6GoY2rTbP48I5n1GD9msxbdRRGTW60fb9NYLKW0nGGPrTJ24HNwYbEnfZYc2l_w8e35TYnzkjsQ";
    const PYJWT_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6InB5and0LXRlc3QiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2xhdGNoLmV4YW1wbGUuY29tIiwiYXVkIjoiaHR0cHM6Ly9ob29rcy5leGFtcGxlLmNvbSIsImFwcGlkIjoiODEwZGNmMTQtMTg1OC00YmYyLTgxMzQtNGMzNjlmYTMyMzViIiwiaWF0IjoxNzY3MjY4ODAwLCJuYmYiOjE3NjcyNjg4MDAsImV4cCI6MTc2NzI2OTEwMCwianRpIjoiMGI2ZjNjMWUtMmQ0YS00ZTVmLThhOWItMGMxZDJlM2Y0YTViIn0.fh-FEBQN3skK2jB3hUso038GLkbbqegEFNecb7wM3xiGoYHvXKihjBkcIpJFlnqAnVZEJWnN1Dzn35fNdH6HI7iRNAGLxN9n7JOhIUmltYoSWhUGntiBU58QtHnVe3csDCieuOMdlJxMuZeB0JHasEkCUCHLWCwuY8H5cv8qeW7Kh-tscD03rBrKXY4_xfQPSIZdohnsqT_oxudDaXA1Z5p15ZSrpNQpkGAJzGn01TLKai0y-6RX0KT70o0jOvpyKhDm-vcmbZBmgZoTTdzuGSCFtt7hDq5tiAlHNiC1FnhQmHZTUdEUejy1xzHqKSYN3DrHjWEQWoMUjm9KK6D90w";

    #[test]
    fn verifies_a_token_made_by_pyjwt() {
        let keys = json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "pyjwt-test",
            "n": PYJWT_N, "e": "AQAB",
        }] });
        let verified = verify_jwt(&keys, PYJWT_TOKEN, now()).unwrap();
        let iat = now().timestamp();
        assert_eq!(
            Value::Object(verified.claims),
            json!({
                "iss": ISSUER, "aud": "https://hooks.example.com", "appid": APP_ID,
                "iat": iat, "nbf": iat, "exp": iat + 300,
                "jti": "0b6f3c1e-2d4a-4e5f-8a9b-0c1d2e3f4a5b",
            })
        );
        assert_eq!(verified.header["kid"], "pyjwt-test");
        let mut tampered = PYJWT_TOKEN.to_owned();
        tampered.pop();
        tampered.push(if PYJWT_TOKEN.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(
            verify_jwt(&keys, &tampered, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn sign_then_verify() {
        let key = test_key();
        let claims = pop_claims(ISSUER, APP_ID, &logic_app(), BODY, now(), jti()).unwrap();
        let token = sign_jwt(key, &claims);
        assert_eq!(token.split('.').count(), 3);
        assert!(!token.contains(['=', '+', '/']));

        let verified = verify_jwt(&jwks([key]), &token, now()).unwrap();
        assert_eq!(Value::Object(verified.claims.clone()), claims);
        assert_eq!(
            Value::Object(verified.header),
            json!({ "alg": "RS256", "typ": "JWT", "kid": key.kid() })
        );
        let with_key = verify_jwt_with_key(&key.public_key(), &token, now()).unwrap();
        assert_eq!(Value::Object(with_key.claims), claims);
        // Deterministic: the same claims give the same token.
        assert_eq!(sign_jwt(key, &claims), token);
        // The header is written alg, typ, kid.
        let header = URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, key.kid())
        );
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let key = test_key();
        let claims = bearer_claims(ISSUER, APP_ID, "api://x", now(), jti());
        let token = sign_jwt(key, &claims);
        let parts: Vec<&str> = token.split('.').collect();

        let mut forged_claims = claims.clone();
        forged_claims["aud"] = json!("api://other");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(forged_claims.to_string()),
            parts[2]
        );
        assert_eq!(
            verify_jwt(&jwks([key]), &forged, now()),
            Err(TokenError::BadSignature)
        );

        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        signature[10] ^= 1;
        let flipped = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(signature)
        );
        assert_eq!(
            verify_jwt_with_key(&key.public_key(), &flipped, now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn other_algorithms_and_malformed_tokens_are_refused() {
        let key = test_key();
        let token = sign_jwt(key, &bearer_claims(ISSUER, APP_ID, "a", now(), jti()));
        let rest = token.split_once('.').unwrap().1;
        for (alg, expected) in [
            (
                json!("none"),
                TokenError::UnsupportedAlgorithm("none".to_owned()),
            ),
            (
                json!("HS256"),
                TokenError::UnsupportedAlgorithm("HS256".to_owned()),
            ),
            (Value::Null, TokenError::UnsupportedAlgorithm(String::new())),
        ] {
            let header = json!({ "alg": alg, "kid": key.kid() });
            let forged = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header.to_string()));
            assert_eq!(verify_jwt(&jwks([key]), &forged, now()), Err(expected));
        }
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.sig", "e30.e30.sig"] {
            assert!(
                matches!(
                    verify_jwt_with_key(&key.public_key(), bad, now()),
                    Err(TokenError::Malformed(_) | TokenError::UnsupportedAlgorithm(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_kid_is_refused() {
        let key = test_key();
        let token = sign_jwt(key, &bearer_claims(ISSUER, APP_ID, "a", now(), jti()));
        let mut other = key.public_jwk();
        other["kid"] = json!("another-key");
        assert_eq!(
            verify_jwt(&json!({ "keys": [other] }), &token, now()),
            Err(TokenError::UnknownKey)
        );
        assert_eq!(
            verify_jwt(&json!({}), &token, now()),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn lifetime_is_checked_with_a_minute_of_skew() {
        let key = test_key();
        let token = sign_jwt(key, &bearer_claims(ISSUER, APP_ID, "a", now(), jti()));
        let keys = jwks([key]);
        let at = |seconds| verify_jwt(&keys, &token, now() + Duration::seconds(seconds));
        assert!(at(0).is_ok());
        assert!(at(359).is_ok());
        assert_eq!(at(360), Err(TokenError::Expired));
        assert!(at(-60).is_ok());
        assert_eq!(at(-61), Err(TokenError::NotYetValid));

        let mut claims = bearer_claims(ISSUER, APP_ID, "a", now(), jti());
        claims.as_object_mut().unwrap().remove("exp");
        let no_exp = sign_jwt(key, &claims);
        assert_eq!(
            verify_jwt(&keys, &no_exp, now()),
            Err(TokenError::MissingExpiry)
        );
    }
}

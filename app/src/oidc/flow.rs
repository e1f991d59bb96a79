//! The authorization code flow: `begin` sends the browser to the provider with a fresh
//! `state`, `nonce` and PKCE challenge, kept in a short-lived cookie; `finish` checks the
//! provider's answer against that cookie and the ID token against the provider's keys.

use super::provider::{error_chain, Oidc};
use base64::Engine;
use chrono::{DateTime, Utc};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};

/// The cookie that carries a sign-in from Latch to the provider and back: HttpOnly,
/// SameSite=Lax (the provider's redirect back is a top-level navigation), ten minutes.
pub const FLOW_COOKIE: &str = "latch_oidc";
pub const FLOW_LIFETIME_SECONDS: i64 = 600;

/// What the browser keeps during a sign-in. It never leaves this browser but for the `state`,
/// which the provider hands back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowCookie {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// The local page to return to.
    pub next: String,
    /// Unix seconds when the sign-in began.
    pub started: i64,
}

impl FlowCookie {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("the flow cookie serializes");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// `None` for anything that is not a cookie Latch wrote.
    pub fn decode(text: &str) -> Option<FlowCookie> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Who the provider says signed in, from a verified ID token.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub preferred_username: Option<String>,
    pub upn: Option<String>,
    pub name: Option<String>,
}

impl Identity {
    /// The names to match against user principal names, in the issue's order.
    pub fn login_names(&self) -> Vec<&str> {
        [&self.preferred_username, &self.email, &self.upn]
            .into_iter()
            .filter_map(|n| n.as_deref())
            .map(str::trim)
            .filter(|n| n.contains('@'))
            .collect()
    }
}

/// Why a sign-in was refused. The log gets `reason()` (never a token); the person gets
/// `sentence()`.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The provider answered with an error (`access_denied`, …).
    Provider {
        error: String,
    },
    /// No sign-in under way in this browser (no cookie, expired, or already used).
    NoFlow,
    StateMismatch,
    MissingCode,
    Discovery(String),
    TokenExchange(String),
    NoIdToken,
    IdToken(String),
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Refusal::Provider { error } => format!("the provider answered error={error}"),
            Refusal::NoFlow => {
                "no sign-in under way in this browser (cookie missing, expired or used)".into()
            }
            Refusal::StateMismatch => "state does not match this browser's sign-in".into(),
            Refusal::MissingCode => "the provider's answer has no code".into(),
            Refusal::Discovery(e) => format!("discovery failed: {e}"),
            Refusal::TokenExchange(e) => format!("the code exchange failed: {e}"),
            Refusal::NoIdToken => "the token response has no ID token".into(),
            Refusal::IdToken(e) => format!("the ID token was refused: {e}"),
        }
    }

    pub fn sentence(&self) -> &'static str {
        match self {
            Refusal::Provider { error } if error == "access_denied" => {
                "Sign-in was cancelled or refused at your organization's sign-in page."
            }
            Refusal::Provider { .. } => {
                "Your organization's sign-in page reported a problem. Please try again."
            }
            Refusal::NoFlow | Refusal::StateMismatch | Refusal::MissingCode => {
                "That sign-in attempt expired or did not start here. Please sign in again."
            }
            Refusal::Discovery(_) | Refusal::TokenExchange(_) => {
                "Latch could not reach your organization's sign-in service. Please try again later."
            }
            Refusal::NoIdToken | Refusal::IdToken(_) => {
                "Your organization's sign-in could not be verified. Please sign in again."
            }
        }
    }
}

/// The provider's answer at the redirect URI.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

impl Oidc {
    /// The provider's authorization URL and the cookie to set before sending the browser there.
    pub async fn begin(
        &self,
        next: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, FlowCookie), Refusal> {
        let found = self
            .discovered()
            .await
            .map_err(|e| Refusal::Discovery(e.to_string()))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = found.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            FlowCookie {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_string(),
                started: now.timestamp(),
            },
        ))
    }

    /// Checks the provider's answer: the flow of this browser, its state, the code exchanged
    /// with the PKCE verifier, and the ID token (signature, issuer, audience, expiry, nonce).
    pub async fn finish(
        &self,
        flow: Option<&FlowCookie>,
        answer: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<Identity, Refusal> {
        if let Some(error) = &answer.error {
            return Err(Refusal::Provider {
                error: error.chars().take(64).collect(),
            });
        }
        let flow = flow
            .filter(|f| now.timestamp() - f.started <= FLOW_LIFETIME_SECONDS)
            .ok_or(Refusal::NoFlow)?;
        if answer.state.as_deref() != Some(flow.state.as_str()) {
            return Err(Refusal::StateMismatch);
        }
        let code = answer.code.clone().ok_or(Refusal::MissingCode)?;
        let found = self
            .discovered()
            .await
            .map_err(|e| Refusal::Discovery(e.to_string()))?;
        let response = found
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Refusal::TokenExchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(exchange_refusal)?;
        let id_token = response.id_token().ok_or(Refusal::NoIdToken)?;
        let nonce = Nonce::new(flow.nonce.clone());
        let verify = |found: &super::provider::Discovered| {
            let verifier = found
                .client
                .id_token_verifier()
                .set_allowed_algs(found.algs.clone())
                .set_time_fn(move || now);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match verify(&found) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys since Latch fetched them.
                let fresh = self
                    .refresh(Some(&found))
                    .await
                    .map_err(|e| Refusal::Discovery(e.to_string()))?;
                verify(&fresh)
            }
            other => other,
        }
        .map_err(|e| Refusal::IdToken(error_chain(&e)))?;
        Ok(Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            email: claims.email().map(|e| e.as_str().to_string()),
            preferred_username: claims.preferred_username().map(|u| u.as_str().to_string()),
            upn: upn_of(&id_token.to_string()),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
        })
    }

    /// Where to send the browser to sign out at the provider too, if it offers that.
    pub async fn end_session_url(&self, after: &str) -> Option<String> {
        let found = self.discovered().await.ok()?;
        let mut url = url::Url::parse(found.end_session.as_deref()?).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("post_logout_redirect_uri", after);
        Some(url.to_string())
    }
}

/// A token response that does not parse is a bad ID token (malformed, `alg: none`, a
/// shared-secret algorithm the crate refuses to read); the rest is the exchange failing. The
/// parser's message can quote the token, so only the path of the problem is kept.
fn exchange_refusal<RE: std::error::Error + 'static>(
    error: openidconnect::RequestTokenError<
        RE,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> Refusal {
    match error {
        openidconnect::RequestTokenError::Parse(e, _) => Refusal::IdToken(format!(
            "the token response could not be read at {}",
            e.path()
        )),
        openidconnect::RequestTokenError::ServerResponse(e) => {
            Refusal::TokenExchange(format!("the provider answered {}", e.error()))
        }
        other => Refusal::TokenExchange(error_chain(&other)),
    }
}

/// Entra ID's `upn` claim, from the payload of a token whose signature was already checked
/// (the crate's standard claims have no `upn`).
fn upn_of(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("upn")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flow_cookie_round_trips_and_refuses_anything_else() {
        let flow = FlowCookie {
            state: "s".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            next: "/my-access".into(),
            started: 1_700_000_000,
        };
        assert_eq!(FlowCookie::decode(&flow.encode()), Some(flow));
        for junk in ["", "not base64 !", "e30", "eyJzdGF0ZSI6MX0"] {
            assert_eq!(FlowCookie::decode(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn login_names_are_the_addresses_in_the_issues_order() {
        let who = Identity {
            issuer: "https://idp".into(),
            subject: "1".into(),
            email: Some("Megan@Contoso.com".into()),
            preferred_username: Some("megan".into()),
            upn: Some("megan@contoso.onmicrosoft.com".into()),
            name: None,
        };
        assert_eq!(
            who.login_names(),
            ["Megan@Contoso.com", "megan@contoso.onmicrosoft.com"]
        );
    }

    #[test]
    fn refusals_say_a_plain_sentence() {
        let denied = Refusal::Provider {
            error: "access_denied".into(),
        };
        assert!(denied.sentence().contains("cancelled"));
        assert!(Refusal::IdToken("Invalid nonce".into())
            .reason()
            .contains("nonce"));
    }
}

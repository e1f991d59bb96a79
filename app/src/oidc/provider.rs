//! The provider's discovery document and keys, fetched when first needed and again when an ID
//! token names a key Latch has not seen (the provider rotated its keys).

use crate::state::OidcSettings;
use openidconnect::core::CoreClient;
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    ProviderMetadataWithLogout, RedirectUrl,
};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The client as discovery makes it: the token and user-info endpoints may be absent.
pub(super) type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// After a refresh for an unknown key, keys are fetched again at most this often, so forged
/// `kid`s can't make Latch hammer the provider.
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Discovered {
    pub client: Client,
    pub end_session: Option<String>,
    /// The algorithms the provider signs ID tokens with, without the shared-secret ones.
    pub algs: Vec<openidconnect::core::CoreJwsSigningAlgorithm>,
    fetched: Instant,
    /// Fetched again because a token named an unknown key (rather than on first use).
    by_refresh: bool,
}

/// One configured provider: its settings, an HTTP client that follows no redirects, and the
/// discovery result once fetched.
pub struct Oidc {
    pub settings: OidcSettings,
    pub redirect_uri: String,
    pub(super) http: openidconnect::reqwest::Client,
    discovered: RwLock<Option<std::sync::Arc<Discovered>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("the provider's discovery document could not be read: {0}")]
    Fetch(String),
    #[error("a configured URL is invalid: {0}")]
    Url(String),
}

impl Oidc {
    pub fn new(settings: OidcSettings, public_url: &str) -> Oidc {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a TLS backend is compiled in");
        Oidc {
            redirect_uri: format!("{}/auth/oidc/callback", public_url.trim_end_matches('/')),
            settings,
            http,
            discovered: RwLock::new(None),
        }
    }

    /// The discovery result, fetched on first use.
    pub(super) async fn discovered(&self) -> Result<std::sync::Arc<Discovered>, DiscoveryError> {
        if let Some(d) = self.discovered.read().await.as_ref() {
            return Ok(d.clone());
        }
        self.refresh(None).await
    }

    /// Fetches discovery and keys again, unless `stale` is no longer the current result (someone
    /// else refreshed meanwhile) or the last fetch was less than a minute ago.
    pub(super) async fn refresh(
        &self,
        stale: Option<&Discovered>,
    ) -> Result<std::sync::Arc<Discovered>, DiscoveryError> {
        let mut slot = self.discovered.write().await;
        if let Some(current) = slot.as_ref() {
            let replaced = stale.is_some_and(|s| !std::ptr::eq(s, current.as_ref()));
            let too_soon = current.by_refresh && current.fetched.elapsed() < REFRESH_AT_MOST_EVERY;
            if stale.is_none() || replaced || too_soon {
                return Ok(current.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| DiscoveryError::Url(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| DiscoveryError::Fetch(error_chain(&e)))?;
        let end_session = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .map(|u| u.url().to_string());
        use openidconnect::core::CoreJwsSigningAlgorithm as Alg;
        let mut algs: Vec<Alg> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| {
                !matches!(
                    a,
                    Alg::HmacSha256 | Alg::HmacSha384 | Alg::HmacSha512 | Alg::None
                )
            })
            .cloned()
            .collect();
        if algs.is_empty() {
            algs.push(Alg::RsaSsaPkcs1V15Sha256);
        }
        let redirect = RedirectUrl::new(self.redirect_uri.clone())
            .map_err(|e| DiscoveryError::Url(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        let found = std::sync::Arc::new(Discovered {
            client,
            end_session,
            algs,
            fetched: Instant::now(),
            by_refresh: stale.is_some(),
        });
        *slot = Some(found.clone());
        Ok(found)
    }
}

/// An error and its causes on one line, for the log.
pub(super) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

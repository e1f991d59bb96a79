//! Single sign-on with the organization's OpenID provider: the authorization code flow with
//! PKCE, `state` and `nonce`, and the ID token checked against the provider's keys, all with the
//! `openidconnect` crate. This adapter answers "who is this" (an [`Identity`]); the directory
//! decides whether that person may sign in.

mod flow;
mod provider;

pub use flow::{CallbackQuery, FlowCookie, Identity, Refusal, FLOW_COOKIE, FLOW_LIFETIME_SECONDS};
pub use provider::Oidc;

//! What every server function and handler reaches through the Leptos context or axum state.

use crate::clock::Clock;
use crate::domain::limits::ExtensionLimits;
use sqlx::SqlitePool;
use std::sync::Arc;

/// Settings the application layer needs; the server crate loads them (defaults, `latch.toml`,
/// `LATCH_*` variables) and validates them before anything starts.
#[derive(Debug, Clone)]
pub struct Settings {
    pub public_url: String,
    /// Hosts a callout may reach over plain http or on a private address.
    pub callout_allow_hosts: Vec<String>,
    pub limits: ExtensionLimits,
    /// Set the session cookie's `Secure` attribute (the public URL is https).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub settings: Arc<Settings>,
    pub clock: Clock,
}

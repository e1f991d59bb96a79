//! What every server function, handler and the worker reach through the Leptos context or
//! axum state.

use crate::callout::keys::SigningKey;
use crate::clock::Clock;
use crate::delivery::http::HttpDeliverer;
use crate::domain::limits::ExtensionLimits;
use crate::domain::throttle::ThrottleLimits;
use crate::engine::group::{GroupWriter, Groups, Queue};
use crate::store::sealed::Sealer;
use crate::store::Pool;
use std::sync::Arc;
use tokio::sync::Notify;

/// The id Latch names itself with (`appid`) in the tokens of its callouts, unless configured.
pub const DEFAULT_CALLOUT_APP_ID: &str = "1a7c4e00-5e1f-4a7c-8000-00000000a7c4";

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
    pub callout_app_id: String,
    /// `LATCH_TEST_CLOCK`: serve `POST /_test/clock/advance` (tests and demos only).
    pub test_clock: bool,
    /// Single sign-on with the organization's OpenID provider, when configured.
    pub oidc: Option<OidcSettings>,
    /// `LATCH_LOCAL_SIGN_IN`: the password form and `/api/sign_in`.
    pub local_sign_in: bool,
    /// How many failed credential checks an account, client or address may make.
    pub throttle: ThrottleSettings,
}

/// `LATCH_THROTTLE_*`: brute-force limits (`domain::throttle`).
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleSettings {
    /// Per account (sign-in name) and per client (app id).
    pub account: ThrottleLimits,
    /// Per network address.
    pub address: ThrottleLimits,
    /// `LATCH_CLIENT_ADDRESS_HEADER`: behind a reverse proxy, the header it puts the caller's
    /// address in (its last entry counts); otherwise the peer of the connection.
    pub address_header: Option<String>,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            account: ThrottleLimits::ACCOUNT,
            address: ThrottleLimits::ADDRESS,
            address_header: None,
        }
    }
}

/// The OpenID provider Latch signs people in with (`LATCH_OIDC_*`).
#[derive(Clone, PartialEq)]
pub struct OidcSettings {
    /// Discovery is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The sign-in button says "Sign in with {name}".
    pub name: String,
    pub scopes: Vec<String>,
    /// A first sign-in of someone not in the directory creates them.
    pub create_users: bool,
}

/// The client secret never reaches a log through `{:?}`.
impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("create_users", &self.create_users)
            .finish()
    }
}

impl Settings {
    /// Settings for tests: loopback allowed, default limits.
    pub fn for_tests() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            callout_allow_hosts: vec!["127.0.0.1".into(), "localhost".into()],
            limits: ExtensionLimits::default(),
            secure_cookies: false,
            callout_app_id: DEFAULT_CALLOUT_APP_ID.into(),
            test_clock: false,
            oidc: None,
            local_sign_in: true,
            throttle: ThrottleSettings::default(),
        }
    }
}

/// What every handler, server function and job works with. Cloned for each request and task,
/// so it is one shared pointer to [`Shared`] rather than a dozen of its own.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub db: Pool,
    /// Connections for write transactions (`store::write_tx`). On SQLite one: writers wait
    /// their turn in the process, woken as soon as the one before commits, instead of sleeping
    /// and retrying in SQLite's busy handler (1 to 100 ms steps), which is what bounded the
    /// benchmarks. On PostgreSQL several.
    pub writer: Pool,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub keys: Arc<SigningKey>,
    pub deliverer: HttpDeliverer,
    /// Wakes the worker: new work was queued or the clock moved.
    pub wake: Arc<Notify>,
    /// The OpenID provider people sign in with, when configured.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// Seals and opens the secret columns (`LATCH_SECRET_KEY`); no key unless
    /// [`AppState::with_sealer`] gives one.
    pub sealer: Sealer,
    /// Delivery attempts waiting to be written together (`engine::record`).
    pub recorder: Arc<Groups<crate::engine::record::Finished>>,
    /// Workflows' resumes waiting to be written together (`services::resume`).
    pub resumes: Arc<Groups<crate::services::resume::ResumeStep>>,
    /// New requests waiting to be written together (`services::submissions`).
    pub submissions: Arc<Groups<crate::services::submissions::Submission>>,
    /// Writes what waits in those three, a turn at a time (`engine::group`).
    pub group_writer: Arc<GroupWriter>,
    /// REST callers' tokens and roles already checked (`services::callers`).
    pub callers: crate::services::callers::Callers,
}

impl AppState {
    pub fn new(db: Pool, settings: Settings, clock: Clock, keys: SigningKey) -> Self {
        // SQLite takes one writer at a time (a second would wait for its lock); PostgreSQL
        // writes side by side, with row locks where a write decides from what it read.
        let options = (*db.connect_options()).clone();
        let url = options.database_url.to_string();
        let writers = if crate::store::is_postgres_url(&url) {
            8
        } else {
            1
        };
        let writer = crate::store::pool_options(&url, writers).connect_lazy_with(options);
        let oidc = settings
            .oidc
            .clone()
            .map(|o| Arc::new(crate::oidc::Oidc::new(o, &settings.public_url)));
        let (recorder, resumes, submissions) = (Arc::default(), Arc::default(), Arc::default());
        let group_writer = Arc::new(GroupWriter::new(vec![
            Arc::clone(&submissions) as Arc<dyn Queue>,
            Arc::clone(&recorder) as Arc<dyn Queue>,
            Arc::clone(&resumes) as Arc<dyn Queue>,
        ]));
        AppState(Arc::new(Shared {
            oidc,
            deliverer: HttpDeliverer::new(settings.callout_allow_hosts.clone()),
            writer,
            db,
            settings: Arc::new(settings),
            clock,
            keys: Arc::new(keys),
            wake: Arc::new(Notify::new()),
            sealer: Sealer::none(),
            recorder,
            resumes,
            submissions,
            group_writer,
            callers: Default::default(),
        }))
    }

    /// The same state with the key that seals secrets at rest.
    pub fn with_sealer(self, sealer: Sealer) -> Self {
        let shared =
            Arc::into_inner(self.0).expect("the sealer is given before the state is shared");
        AppState(Arc::new(Shared { sealer, ..shared }))
    }
}

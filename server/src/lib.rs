#![recursion_limit = "256"]
//! The Latch server: configuration, the HTTP router (pages, server functions, static files)
//! and start-up. The application itself lives in the `app` crate.

pub mod cli;
pub mod client_address;
pub mod config;
pub mod csp_report;
pub mod discovery;
pub mod guard;
pub mod headers;
pub mod health;
pub mod oidc;
pub mod precompress;
pub mod rest;
pub mod rig;
pub mod scim;
pub mod secrets;
pub mod server_fn_status;
pub mod static_files;
pub mod test_clock;

use app::state::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;

/// Every route of the server, with the guard in front.
pub fn router(state: AppState, leptos_options: LeptosOptions) -> Router {
    let routes = page_routes().to_vec();
    let context_state = state.clone();
    let address_header = client_address::AddressHeader(
        state
            .settings
            .throttle
            .address_header
            .as_deref()
            .map(Into::into),
    );
    let security_headers = headers::SecurityHeaders::new(&state.settings);
    let clock = if state.settings.test_clock {
        test_clock::routes(state.clone())
    } else {
        Router::new()
    };
    Router::new()
        .merge(clock)
        .merge(csp_report::routes(state.settings.test_clock))
        .merge(discovery::routes(state.clone()))
        .merge(health::routes(state.clone()))
        .merge(rest::routes(state.clone()))
        .merge(scim::routes(state.clone()))
        .merge(oidc::routes(state.clone()))
        .leptos_routes_with_context(
            &leptos_options,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(axum::middleware::from_fn(server_fn_status::statuses))
        .layer(axum::middleware::from_fn_with_state(
            address_header,
            client_address::client_address,
        ))
        .layer(axum::middleware::from_fn_with_state(state, guard::guard))
        .layer(axum::middleware::from_fn(static_files::cache_control))
        // Outside the guard, so its refusals and redirects carry the headers too.
        .layer(axum::middleware::from_fn_with_state(
            security_headers,
            headers::security_headers,
        ))
        // Outermost: every layer inside (the status layer reads error bodies) sees the answer
        // uncompressed.
        .layer(static_files::compression())
        .with_state(leptos_options)
}

/// The pages' routes, generated once per process. They depend on the app alone, and while
/// Leptos generates them it holds every resource first polled in the process for good (a
/// process-wide flag, leptos#4773): a page rendering then would never finish. A second router
/// in one process (each in-process test builds one) must not generate them again.
fn page_routes() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}

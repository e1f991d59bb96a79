#![recursion_limit = "256"]
//! Latch: the Leptos application (pages, server functions) and, behind the `ssr` feature,
//! everything the server needs to answer them (store, authorization, services).
//! `domain` is plain Rust and compiles for the browser too.

pub mod api;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod oidc;
pub mod pages;
pub mod views;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod callout;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use pages::app::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // What `leptos::mount::hydrate_lazy` does (the admin screens are split into files of their
    // own, pages/lazy.rs), and then `body[data-hydrated]`, once the page's lazy files have
    // loaded and every part of it is live. Tests wait for it before they click (a click before
    // hydration is lost); an effect in `App` would run while a lazy screen is still loading.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

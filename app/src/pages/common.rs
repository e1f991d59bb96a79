//! Small pieces every page uses.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// An error as a person should read it. "Not permitted" and "not signed in" are states of the
/// page, not failures, and say what to do.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    match error {
        AppError::NotSignedIn => {
            let location = use_location();
            let next = location.pathname.get_untracked();
            view! {
                <div class="notice" role="alert" data-testid="not-signed-in">
                    "Your session has ended. "
                    <a href=format!("/sign-in?next={next}")>"Sign in again"</a>
                </div>
            }
            .into_any()
        }
        AppError::NotPermitted(reason) => view! {
            <div class="notice notice-denied" role="alert" data-testid="not-permitted">
                <strong>"Not permitted. "</strong>
                {reason}
            </div>
        }
        .into_any(),
        other => view! {
            <div class="notice notice-error" role="alert" data-testid="error">
                {other.to_string()}
            </div>
        }
        .into_any(),
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"Loading…"</p> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}

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

/// A secret shown once, with a Copy button: a custom extension's signing secret, an app's
/// client secret. `what` names it for the button ("Copy client secret") and the status line.
#[component]
pub fn CopyableSecret(secret: String, what: &'static str, testid: &'static str) -> impl IntoView {
    let copied = RwSignal::new(String::new());
    let to_copy = secret.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&to_copy);
            copied.set(format!("The {what} was copied to the clipboard."));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
    };
    view! {
        <div class="secret-row">
            <code data-testid=testid>{secret}</code>
            <button type="button" aria-label=format!("Copy {what}") on:click=copy>"Copy"</button>
        </div>
        <p role="status">{move || copied.get()}</p>
    }
}

/// Calls `refetch` every `every` while the page is open, so a status that changes on the server
/// (a workflow resumed, a timeout) shows without a reload. Polling a server function was chosen
/// over server-sent events: changes are rare, a few small requests a minute cost nothing, and it
/// works through any proxy.
pub fn refresh_every(every: std::time::Duration, refetch: impl Fn() + Clone + 'static) {
    Effect::new(move |_| {
        let refetch = refetch.clone();
        if let Ok(handle) = set_interval_with_handle(refetch, every) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The parts of a long value without spaces (a host and path, a dotted workflow name), each
/// ending at a separator, where a line may break.
pub fn break_points(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if matches!(c, '/' | '.' | '?' | '&') {
            let end = i + c.len_utf8();
            parts.push(&value[start..end]);
            start = end;
        }
    }
    if start < value.len() || parts.is_empty() {
        parts.push(&value[start..]);
    }
    parts
}

/// A long value that wraps between its parts in a narrow column (`<wbr>` after each
/// separator) rather than one character per line.
#[component]
pub fn Breakable(value: String) -> impl IntoView {
    let parts: Vec<String> = break_points(&value)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let last = parts.len().saturating_sub(1);
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| view! { {part}{(i < last).then(|| view! { <wbr/> })} })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::break_points;

    #[test]
    fn a_value_breaks_after_its_separators() {
        assert_eq!(
            break_points("127.0.0.1:7071/welcome-mail"),
            ["127.", "0.", "0.", "1:7071/", "welcome-mail"]
        );
        assert_eq!(
            break_points("Contoso.SodCheckProcess"),
            ["Contoso.", "SodCheckProcess"]
        );
        assert_eq!(break_points("plain"), ["plain"]);
        assert_eq!(break_points("ends/"), ["ends/"]);
        assert_eq!(break_points(""), [""]);
    }
}

//! The one-time setup link of a user just added or whose password was reset. It lives only in
//! the page's memory: the server keeps a hash, so leaving the page loses it (reset the
//! password again for a new one).

use crate::pages::common::CopyableSecret;
use crate::views::people::SetupLink;
use crate::views::utc_minutes;
use chrono::{DateTime, Utc};
use leptos::html::H2;
use leptos::prelude::*;

/// "2026-11-27 08:00 UTC" from the server's fixed-width UTC text; the text itself if it does
/// not parse.
fn expiry_words(expires_at: &str) -> String {
    DateTime::parse_from_rfc3339(expires_at)
        .map(|at| utc_minutes(at.with_timezone(&Utc)))
        .unwrap_or_else(|_| format!("{expires_at} UTC"))
}

#[component]
pub(super) fn SetupLinkBox(link: SetupLink, shown: RwSignal<Option<SetupLink>>) -> impl IntoView {
    let heading = NodeRef::<H2>::new();
    // It appears after a click elsewhere on the page: take the reader to it.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let name = link.display_name.clone();
    view! {
        <section class="card secret-panel" data-testid="setup-link" aria-labelledby="setup-link-title">
            <h2 id="setup-link-title" tabindex="-1" node_ref=heading>
                "Setup link for " {link.display_name.clone()}
            </h2>
            <p data-testid="setup-link-words">
                "Hand this link to " {name} "; it works once, until " {expiry_words(&link.expires_at)} "."
            </p>
            <CopyableSecret secret=link.url.clone() what="setup link" testid="setup-link-url"/>
            <p class="hint">"It is shown only this once. If it is lost, reset the user\u{2019}s password for a new one."</p>
            <button type="button" on:click=move |_| shown.set(None)>"Done"</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_shown_to_the_minute_in_utc() {
        assert_eq!(
            expiry_words("2026-11-27T08:00:00.000000Z"),
            "2026-11-27 08:00 UTC"
        );
        assert_eq!(expiry_words("soon"), "soon UTC");
    }
}

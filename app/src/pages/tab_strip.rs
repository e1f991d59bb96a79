//! A row of tabs over one panel (the extension wizard's steps, the policy editor's settings).
//! One Tab stop: the selected tab; the arrow keys, Home and End select and focus another.

use crate::pages::keyboard::{elements, roving_index, Orientation};
use leptos::prelude::*;

#[component]
pub fn TabStrip(
    /// The strip's accessible name.
    label: &'static str,
    /// Each tab's id is `{id_prefix}-{index}`; the panel names the selected one.
    id_prefix: &'static str,
    /// The id of the panel the tabs control.
    panel: &'static str,
    labels: Vec<&'static str>,
    tab: RwSignal<usize>,
    /// Whether a tab holds a field that needs fixing (marked "(fix)").
    has_errors: Callback<usize, bool>,
) -> impl IntoView {
    let count = labels.len();
    let strip = NodeRef::<leptos::html::Div>::new();
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let Some(next) = roving_index(
            &ev.key(),
            tab.get_untracked(),
            count,
            Orientation::Horizontal,
        ) else {
            return;
        };
        ev.prevent_default();
        tab.set(next);
        focus_tab(strip, next);
    };
    view! {
        <div class="tab-strip" role="tablist" aria-label=label node_ref=strip on:keydown=on_keydown>
            {labels.into_iter().enumerate().map(|(i, text)| view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("{id_prefix}-{i}")
                    aria-selected=move || (tab.get() == i).to_string()
                    aria-controls=panel
                    tabindex=move || if tab.get() == i { "0" } else { "-1" }
                    class:has-errors=move || has_errors.run(i)
                    on:click=move |_| tab.set(i)
                >{text}</button>
            }).collect_view()}
        </div>
    }
}

fn focus_tab(strip: NodeRef<leptos::html::Div>, index: usize) {
    let tab = strip
        .get_untracked()
        .and_then(|el| elements(&el, "[role=tab]").into_iter().nth(index));
    if let Some(tab) = tab {
        let _ = tab.focus();
    }
}

//! Access package → Policy: the policy editor with its Custom extensions (rules) tab.

use leptos::prelude::*;

#[component]
pub fn PolicyEditor() -> impl IntoView {
    view! { <section class="page"><h1>"Policy"</h1></section> }
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A plain HTML form posting to the `sign_in` server function: it works before hydration and
/// without JavaScript, and the answer is a redirect either way.
#[component]
pub fn SignIn() -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let next = {
        let n = get("next");
        if n.is_empty() {
            "/".to_string()
        } else {
            n
        }
    };
    let error = get("error");
    let email = get("email");
    view! {
        <Title text="Sign in · Latch"/>
        <section class="page sign-in">
            <h1>"Sign in to Latch"</h1>
            <form method="post" action="/api/sign_in" class="card form">
                <input type="hidden" name="next" value=next/>
                <label for="email">"E-mail address"</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <Show when={let e = error.clone(); move || !e.is_empty()}>
                    <p class="field-error" role="alert" data-testid="sign-in-error">{error.clone()}</p>
                </Show>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
        </section>
    }
}

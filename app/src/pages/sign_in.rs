use crate::api::session::get_sign_in_options;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Single sign-on first when it is configured (a plain link to `/auth/oidc/start`), then the
/// password form while local sign-in is on: a plain HTML form posting to the `sign_in` server
/// function, so it works before hydration and without JavaScript.
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
    let options = Resource::new(|| (), |_| get_sign_in_options());
    let start: String = url::form_urlencoded::Serializer::new(String::from("/auth/oidc/start?"))
        .append_pair("next", &next)
        .finish();
    view! {
        <Title text="Sign in · Latch"/>
        <section class="page sign-in">
            <h1>"Sign in to Latch"</h1>
            <Show when={let e = error.clone(); move || !e.is_empty()}>
                <p class="field-error" role="alert" data-testid="sign-in-error">{error.clone()}</p>
            </Show>
            <Suspense fallback=|| ()>
                {move || {
                    let (next, email, start) = (next.clone(), email.clone(), start.clone());
                    Suspend::new(async move {
                        // Without an answer, offer what a default installation offers.
                        let options = options.await.unwrap_or(crate::views::SignInOptions {
                            single_sign_on: None,
                            password: true,
                        });
                        let sso = options.single_sign_on.map(|name| view! {
                            <div class="card sso" data-testid="single-sign-on">
                                <a class="button primary" rel="external" href=start.clone()>{format!("Sign in with {name}")}</a>
                            </div>
                        });
                        let password = options.password.then(|| view! {
                            <form method="post" action="/api/sign_in" class="card form" data-testid="password-form">
                                <input type="hidden" name="next" value=next.clone()/>
                                <label for="email">"E-mail address"</label>
                                <input id="email" name="email" type="email" autocomplete="username" required value=email.clone()/>
                                <label for="password">"Password"</label>
                                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                                <button type="submit" class="primary">"Sign in"</button>
                            </form>
                        });
                        view! { {sso} {password} }
                    })
                }}
            </Suspense>
        </section>
    }
}

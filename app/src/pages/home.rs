use crate::pages::app::UserResource;
use crate::pages::common::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Home() -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Title text="Latch"/>
        <section class="page">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! {
                            <h1>"Welcome, " {u.display_name.clone()}</h1>
                            {if u.governance {
                                view! {
                                    <div class="cards">
                                        <a class="card" href="/catalogs">
                                            <h2>"Catalogs"</h2>
                                            <p>"Access packages, policies and the custom extensions that call your workflows."</p>
                                        </a>
                                    </div>
                                }.into_any()
                            } else {
                                view! {
                                    <p data-testid="no-governance">
                                        "You hold no identity-governance role, so there is nothing here for you to manage."
                                    </p>
                                }.into_any()
                            }}
                        }.into_any(),
                        Ok(None) => view! { <p><a href="/sign-in">"Sign in"</a></p> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

use crate::api::catalogs::list_catalogs;
use crate::pages::common::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CatalogList() -> impl IntoView {
    let catalogs = Resource::new(|| (), |_| list_catalogs());
    view! {
        <Title text="Catalogs · Latch"/>
        <section class="page">
            <h1>"Catalogs"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match catalogs.await {
                        Ok(list) if list.is_empty() => view! { <p>"There are no catalogs yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-scroll"><table class="grid" data-testid="catalog-table">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Your roles"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|c| view! {
                                        <tr>
                                            <td><a href=format!("/catalogs/{}", c.id)>{c.display_name}</a></td>
                                            <td>{c.description}</td>
                                            <td>{c.my_roles.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

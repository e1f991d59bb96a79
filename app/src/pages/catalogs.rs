use crate::api::catalogs::list_catalogs;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::lists::{use_name_query, NamePager, NameSearch};
use crate::views::lists::NameQuery;
use crate::views::CatalogList;
use leptos::prelude::*;
use leptos_meta::Title;

const PATH: &str = "/catalogs";

#[component]
pub fn CatalogList() -> impl IntoView {
    let query = use_name_query();
    let catalogs = Resource::new(move || query.get(), list_catalogs);
    view! {
        <Title text="Catalogs · Latch"/>
        <section class="page">
            <h1>"Catalogs"</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match catalogs.await {
                        Ok(list) => view! { <CatalogTable list here/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CatalogTable(list: CatalogList, here: NameQuery) -> impl IntoView {
    let search = view! { <NameSearch path=PATH here=here.clone() pages=list.pages.clone() testid="catalog-search"/> };
    if list.rows.is_empty() {
        let words = match (list.pages.total, here.name.as_str()) {
            (0, "") => "There are no catalogs yet.".to_owned(),
            (0, name) => format!("No catalog\u{2019}s name starts with \u{201c}{name}\u{201d}."),
            _ => "There are no more catalogs past this point.".to_owned(),
        };
        return view! {
            {search}
            <p class="empty" data-testid="no-catalogs">{words}</p>
        }
        .into_any();
    }
    view! {
        {search}
        <div class="table-scroll"><table class="grid" data-testid="catalog-table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Your roles"</th></tr></thead>
            <tbody>
                {list.rows.into_iter().map(|c| view! {
                    <tr data-testid="catalog-row">
                        <td><a href=format!("/catalogs/{}", c.id)>{c.display_name}</a></td>
                        <td>{c.description}</td>
                        <td>{c.my_roles.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        <NamePager path=PATH here pages=list.pages of=("catalog", "catalogs")/>
    }
    .into_any()
}

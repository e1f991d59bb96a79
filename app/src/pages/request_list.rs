//! The managers' Requests page: the requests of their catalogs a page at a time, narrowed by
//! what they show, their package, a person and dates, with the filter and the page in the URL
//! (a link, a reload and Back return to the same place); and the active assignments.

use crate::api::requests::{managed_assignments, managed_requests};
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::my_access::{AssignmentTable, RequestTable};
use crate::views::request_list::{RequestListPage, RequestsQuery, SHOW};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Requests and active assignments in the catalogs the caller manages.
#[component]
pub fn ManagedRequests() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        RequestsQuery::from_pairs(|name| params.get_str(name))
    });
    let requests = Resource::new(move || query.get(), managed_requests);
    let assignments = Resource::new(|| (), |_| managed_assignments());
    let status = RwSignal::new(String::new());
    let done = Callback::new(move |message: String| {
        status.set(message);
        requests.refetch();
        assignments.refetch();
    });
    view! {
        <Title text="Requests · Latch"/>
        <section class="page">
            <h1>"Requests"</h1>
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status">{move || status.get()}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match requests.await {
                        Ok(page) => view! { <RequestList page here/> }.into_any(),
                        Err(e) => view! {
                            <FilterForm here=here.clone() packages=Vec::new()/>
                            <ErrorNotice error=e/>
                        }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Assignments"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match assignments.await {
                        Ok(list) if list.is_empty() => view! { <p>"No active assignments."</p> }.into_any(),
                        Ok(list) => view! { <AssignmentTable list done/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RequestList(page: RequestListPage, here: RequestsQuery) -> impl IntoView {
    let filtered = here.paged(None, None) != RequestsQuery::default();
    let RequestListPage {
        rows,
        newer,
        older,
        packages,
    } = page;
    let empty = if filtered {
        "No requests match."
    } else {
        "No requests yet."
    };
    view! {
        <FilterForm here=here.clone() packages/>
        {if rows.is_empty() {
            view! { <p data-testid="requests-empty">{empty}</p> }.into_any()
        } else {
            view! { <RequestTable rows base="/requests"/> }.into_any()
        }}
        <Pager here newer older/>
    }
}

/// A plain GET form, so it works before the page is interactive; its fields start from the
/// URL, and applying it starts again from the newest page.
#[component]
fn FilterForm(here: RequestsQuery, packages: Vec<(String, String)>) -> impl IntoView {
    view! {
        <form class="request-filter" role="search" method="get" action="/requests" data-testid="request-filter">
            <label>"Show"
                <select name="show">
                    {SHOW.iter().map(|(key, words)| view! {
                        <option value=*key selected=here.show == *key>{*words}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Access package"
                <select name="package">
                    <option value="" selected=here.package.is_empty()>"Any"</option>
                    {packages.into_iter().map(|(id, name)| {
                        let selected = here.package == id;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Person (name or e-mail)"
                <input type="search" name="person" value=here.person.clone() maxlength="100"
                       autocomplete="off" placeholder="Start of a name or address"/>
            </label>
            <label>"From" <input type="date" name="from" value=here.from.clone()/></label>
            <label>"To" <input type="date" name="to" value=here.to.clone()/></label>
            <button type="submit">"Apply"</button>
            <a href="/requests">"Clear"</a>
        </form>
    }
}

/// "Newer" and "Older", each where there are such requests.
#[component]
fn Pager(here: RequestsQuery, newer: Option<String>, older: Option<String>) -> impl IntoView {
    let link = |href: Option<String>, words: &'static str, rel: &'static str| match href {
        Some(href) => view! { <a href=href rel=rel>{words}</a> }.into_any(),
        None => view! { <span class="pager-off" aria-disabled="true">{words}</span> }.into_any(),
    };
    let newer = newer.map(|key| here.paged(None, Some(&key)).href());
    let older = older.map(|key| here.paged(Some(&key), None).href());
    view! {
        <nav class="pager" aria-label="Pages of requests" data-testid="requests-pager">
            {link(newer, "Newer", "prev")}
            {link(older, "Older", "next")}
        </nav>
    }
}

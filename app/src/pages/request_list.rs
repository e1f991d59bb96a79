//! The managers' Requests and Assignments pages: what is in their catalogs a page at a time,
//! narrowed by state, package, person and dates, with the filter and the page in the URL (a
//! link, a reload and Back return to the same place).

use crate::api::requests::{managed_assignments, managed_requests};
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::lists::{
    use_list_query, FilterForm, PackageField, Pager, PersonField, ShowField, StartField,
};
use crate::pages::my_access::{AssignmentTable, RequestTable};
use crate::views::lists::{ListPage, ListQuery, ASSIGNMENT_SHOW, REQUEST_SHOW};
use crate::views::requests::{AssignmentView, RequestSummary};
use leptos::prelude::*;
use leptos_meta::Title;

/// Requests in the catalogs the caller manages.
#[component]
pub fn ManagedRequests() -> impl IntoView {
    let query = use_list_query();
    let requests = Resource::new(move || query.get(), managed_requests);
    view! {
        <Title text="Requests · Latch"/>
        <section class="page">
            <h1>"Requests"</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match requests.await {
                        Ok(page) => view! { <RequestList page here/> }.into_any(),
                        Err(e) => view! {
                            <RequestFilter here=here.clone() packages=Vec::new()/>
                            <ErrorNotice error=e/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RequestList(page: ListPage<RequestSummary>, here: ListQuery) -> impl IntoView {
    let empty = if here.is_filtered() {
        "No requests match."
    } else {
        "No requests yet."
    };
    let ListPage {
        rows,
        newer,
        older,
        packages,
    } = page;
    view! {
        <RequestFilter here=here.clone() packages/>
        {if rows.is_empty() {
            view! { <p data-testid="requests-empty">{empty}</p> }.into_any()
        } else {
            view! { <RequestTable rows base="/requests"/> }.into_any()
        }}
        <Pager path="/requests" here newer older of="requests"/>
    }
}

#[component]
fn RequestFilter(here: ListQuery, packages: Vec<(String, String)>) -> impl IntoView {
    view! {
        <FilterForm path="/requests" testid="request-filter">
            <ShowField choices=&REQUEST_SHOW here=here.show.clone()/>
            <PackageField here=here.package.clone() named=packages.clone()/>
            <StartField label="Catalog" name="catalog" here=here.catalog.clone()/>
            <StartField label="Policy" name="policy" here=here.policy.clone()/>
            <PersonField here=here.person.clone()/>
            <label>"From" <input type="date" name="from" value=here.from.clone()/></label>
            <label>"To" <input type="date" name="to" value=here.to.clone()/></label>
        </FilterForm>
    }
}

/// Assignments in the catalogs the caller manages: active ones unless the filter says
/// otherwise.
#[component]
pub fn ManagedAssignments() -> impl IntoView {
    let query = use_list_query();
    let assignments = Resource::new(move || query.get(), managed_assignments);
    let status = RwSignal::new(String::new());
    let done = Callback::new(move |message: String| {
        status.set(message);
        assignments.refetch();
    });
    view! {
        <Title text="Assignments · Latch"/>
        <section class="page">
            <h1>"Assignments"</h1>
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status">{move || status.get()}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match assignments.await {
                        Ok(page) => view! { <AssignmentList page here done/> }.into_any(),
                        Err(e) => view! {
                            <AssignmentFilter here=here.clone() packages=Vec::new()/>
                            <ErrorNotice error=e/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AssignmentList(
    page: ListPage<AssignmentView>,
    here: ListQuery,
    done: Callback<String>,
) -> impl IntoView {
    let soonest_first = !here.within.is_empty();
    let empty = if here.is_filtered() {
        "No assignments match."
    } else {
        "No active assignments."
    };
    let ListPage {
        rows,
        newer,
        older,
        packages,
    } = page;
    view! {
        <AssignmentFilter here=here.clone() packages/>
        {if rows.is_empty() {
            view! { <p data-testid="assignments-empty">{empty}</p> }.into_any()
        } else {
            view! { <AssignmentTable list=rows done/> }.into_any()
        }}
        // "Ends within" lists what ends soonest first.
        <Pager path="/assignments" here newer older of="assignments"
            words=if soonest_first { ("Sooner", "Later") } else { ("Newer", "Older") }/>
    }
}

#[component]
fn AssignmentFilter(here: ListQuery, packages: Vec<(String, String)>) -> impl IntoView {
    view! {
        <FilterForm path="/assignments" testid="assignment-filter">
            <ShowField choices=&ASSIGNMENT_SHOW here=here.show.clone()/>
            <PackageField here=here.package.clone() named=packages.clone()/>
            <PersonField here=here.person.clone()/>
            <label>"Ends within (days)"
                <input type="number" name="within" min="1" max="3650" value=here.within.clone()/>
            </label>
        </FilterForm>
    }
}

//! What every paged list shows around its rows: the filter form, whose fields start from the
//! URL, and the Newer/Older links; and the list's state read from the URL.

use crate::views::counted;
use crate::views::lists::{ListQuery, NamePages, NameQuery, PAGE_SIZE};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The list's filter and page as the URL has them, following the URL.
pub fn use_list_query() -> Memo<ListQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        let params = params.read();
        ListQuery::from_pairs(|name| params.get_str(name))
    })
}

/// A plain GET form, so it works before the page is interactive; applying it starts again
/// from the newest page.
#[component]
pub fn FilterForm(
    #[prop(into)] path: String,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <form class="list-filter" role="search" method="get" action=path data-testid=testid>
            {children()}
            <button type="submit">"Apply"</button>
            <a href=path.clone()>"Clear"</a>
        </form>
    }
}

/// The list's "Show" choices, `(key, words)`.
#[component]
pub fn ShowField(choices: &'static [(&'static str, &'static str)], here: String) -> impl IntoView {
    view! {
        <label>"Show"
            <select name="show">
                {choices.iter().map(|(key, words)| view! {
                    <option value=*key selected=here == *key>{*words}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The start of an access package's name (there may be thousands of packages: a choice of
/// every one would be most of the page). A link's package id shows as that package's name,
/// from `named`, the packages the list's filter named.
#[component]
pub fn PackageField(here: String, named: Vec<(String, String)>) -> impl IntoView {
    let value = named
        .into_iter()
        .find(|(id, _)| *id == here)
        .map_or(here, |(_, name)| name);
    view! { <StartField label="Access package" name="package" here=value/> }
}

#[component]
pub fn PersonField(here: String) -> impl IntoView {
    view! {
        <StartField label="Person (name or e-mail)" name="person" here
            hint="Start of a name or address"/>
    }
}

/// A filter by the start of a name: the part `name` of the address.
#[component]
pub fn StartField(
    label: &'static str,
    name: &'static str,
    here: String,
    #[prop(default = "Start of its name")] hint: &'static str,
) -> impl IntoView {
    view! {
        <label>{label}
            <input type="search" name=name value=here maxlength="100"
                   autocomplete="off" placeholder=hint/>
        </label>
    }
}

/// "Newer" and "Older" (or `words`, for a list in another order), each where there are
/// such rows.
#[component]
pub fn Pager(
    #[prop(into)] path: String,
    here: ListQuery,
    newer: Option<String>,
    older: Option<String>,
    /// What the rows are, for the navigation's name and test id ("requests").
    of: &'static str,
    #[prop(default = ("Newer", "Older"))] words: (&'static str, &'static str),
) -> impl IntoView {
    let newer = newer.map(|key| here.paged(None, Some(&key)).href(&path));
    let older = older.map(|key| here.paged(Some(&key), None).href(&path));
    // Nothing to page through: no pager at all.
    (newer.is_some() || older.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label=format!("Pages of {of}") data-testid=format!("{of}-pager")>
                {page_link(newer, words.0, "prev")}
                {page_link(older, words.1, "next")}
            </nav>
        }
    })
}

/// The name search and page of a list in name order, as the URL has them.
pub fn use_name_query() -> Memo<NameQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        let params = params.read();
        NameQuery::from_pairs(|name| params.get_str(name))
    })
}

/// "Name starts with", for a list longer than a page (or already searched).
#[component]
pub fn NameSearch(
    #[prop(into)] path: String,
    here: NameQuery,
    pages: NamePages,
    testid: &'static str,
) -> impl IntoView {
    let wanted = pages.total > PAGE_SIZE as i64 || !here.name.is_empty();
    wanted.then(|| {
        view! {
            <FilterForm path testid>
                <label>"Name starts with"
                    <input type="search" name="name" value=here.name maxlength="100"
                           autocomplete="off"/>
                </label>
            </FilterForm>
        }
    })
}

/// Previous and Next in name order, around how many rows match ("120 catalogs").
#[component]
pub fn NamePager(
    #[prop(into)] path: String,
    here: NameQuery,
    pages: NamePages,
    /// What the rows are, one and many ("catalog", "catalogs"); many also names the
    /// navigation and its test id.
    of: (&'static str, &'static str),
) -> impl IntoView {
    let previous = pages
        .previous
        .map(|key| here.paged(None, Some(&key)).href(&path));
    let next = pages
        .next
        .map(|key| here.paged(Some(&key), None).href(&path));
    let testid = of.1.replace(' ', "-");
    (previous.is_some() || next.is_some()).then(|| {
        view! {
            <CountedPager previous next count=counted(pages.total, of.0, of.1) of=of.1
                count_testid=format!("{testid}-count")/>
        }
    })
}

/// Previous and Next (`previous`, `next`: their addresses, where there are such pages)
/// around how many rows match, for a list in name order.
#[component]
pub fn CountedPager(
    previous: Option<String>,
    next: Option<String>,
    /// "250 people".
    count: String,
    /// What the rows are ("users"): the navigation's name and test id.
    of: &'static str,
    count_testid: String,
) -> impl IntoView {
    let testid = of.replace(' ', "-");
    view! {
        <nav class="pager" aria-label=format!("Pages of {of}") data-testid=format!("{testid}-pager")>
            {page_link(previous, "Previous", "prev")}
            <span data-testid=count_testid>{count}</span>
            {page_link(next, "Next", "next")}
        </nav>
    }
}

/// A pager's link, or its words greyed out where there is no such page.
fn page_link(href: Option<String>, words: &'static str, rel: &'static str) -> AnyView {
    match href {
        Some(href) => view! { <a href=href rel=rel>{words}</a> }.into_any(),
        None => view! { <span class="pager-off" aria-disabled="true">{words}</span> }.into_any(),
    }
}

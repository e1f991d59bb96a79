//! A catalog: its header, the left menu and the simple tabs (overview, packages with their
//! policies, roles).

use crate::api::catalogs::{catalog_header, catalog_members};
use crate::api::policies::catalog_policies;
use crate::domain::ids::CatalogId;
use crate::error::AppError;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::lists::{use_name_query, NamePager, NameSearch};
use crate::views::lists::NameQuery;
use crate::views::{CatalogInfo, PackageList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// The catalog id in the URL; a malformed one reads as "not found".
pub fn use_catalog_id() -> Memo<Option<CatalogId>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("catalog").and_then(|s| s.parse().ok()))
}

pub fn no_such_catalog() -> AppError {
    AppError::NotFound("There is no such catalog.".into())
}

/// A resource that loads something of the catalog in the URL, again when the URL changes.
pub fn catalog_resource<T, Fut>(fetch: fn(CatalogId) -> Fut) -> Resource<Result<T, AppError>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    catalog_resource_with(|| (), move |id, ()| fetch(id))
}

/// A resource that loads a page of a list of the catalog in the URL (its access packages,
/// its custom extensions), again when the catalog, the search or the page changes.
pub fn catalog_list_resource<T, Fut>(
    fetch: fn(CatalogId, NameQuery) -> Fut,
) -> Resource<Result<T, AppError>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let query = use_name_query();
    catalog_resource_with(move || query.get(), fetch)
}

/// A resource of the catalog in the URL and `also` (more of what the URL says), loaded again
/// when either changes.
fn catalog_resource_with<X, T, Fut>(
    also: impl Fn() -> X + Send + Sync + 'static,
    fetch: impl Fn(CatalogId, X) -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>>
where
    X: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let id = use_catalog_id();
    Resource::new(
        move || (id.get(), also()),
        move |(id, x)| {
            let load = id.map(|id| fetch(id, x));
            async move {
                match load {
                    Some(load) => load.await,
                    None => Err(no_such_catalog()),
                }
            }
        },
    )
}

/// The catalog's header, loaded once by the layout and shared with its tabs.
type HeaderResource = Resource<Result<CatalogInfo, AppError>>;

#[component]
pub fn CatalogLayout() -> impl IntoView {
    let id = use_catalog_id();
    let header: HeaderResource = catalog_resource(catalog_header);
    provide_context(header);
    let base = move || {
        id.get()
            .map(|id| format!("/catalogs/{id}"))
            .unwrap_or_default()
    };
    view! {
        <div class="catalog">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match header.await {
                        Ok(h) => view! {
                            <Title text=format!("{} · Latch", h.display_name)/>
                            <p class="breadcrumb"><a href="/catalogs">"Catalogs"</a></p>
                            <h1 data-testid="catalog-name">{h.display_name.clone()}</h1>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="with-menu">
                <nav class="side-menu" aria-label="Catalog">
                    <A href=move || base() exact=true>"Overview"</A>
                    <A href=move || format!("{}/access-packages", base())>"Access packages"</A>
                    <A href=move || format!("{}/custom-extensions", base())>"Custom extensions"</A>
                    <A href=move || format!("{}/roles", base())>"Roles"</A>
                </nav>
                <div class="tab-body"><Outlet/></div>
            </div>
        </div>
    }
}

#[component]
pub fn CatalogOverview() -> impl IntoView {
    let header = expect_context::<HeaderResource>();
    view! {
        <h2>"Overview"</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match header.await {
                    Ok(h) => view! {
                        <dl class="facts">
                            <dt>"Description"</dt><dd>{h.description}</dd>
                            <dt>"Your roles"</dt><dd>{h.my_roles.join(", ")}</dd>
                        </dl>
                    }.into_any(),
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CatalogPackages() -> impl IntoView {
    let list = catalog_list_resource(catalog_policies);
    let id = use_catalog_id();
    let query = use_name_query();
    view! {
        <h2>"Access packages"</h2>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let here = query.get_untracked();
                match (list.await, id.get()) {
                    (Ok(list), Some(catalog)) => {
                        let path = format!("/catalogs/{catalog}/access-packages");
                        let pages = list.pages.clone();
                        view! {
                            <NameSearch path=path.clone() here=here.clone() pages=pages.clone() testid="package-search"/>
                            {if list.packages.is_empty() {
                                let words = match (pages.total, here.name.as_str()) {
                                    (0, "") => "This catalog has no access packages.".to_owned(),
                                    (0, name) => format!("No access package\u{2019}s name starts with \u{201c}{name}\u{201d}."),
                                    _ => "There are no more access packages past this point.".to_owned(),
                                };
                                view! { <p class="empty" data-testid="no-packages">{words}</p> }.into_any()
                            } else {
                                view! { <PackageTable list catalog/> }.into_any()
                            }}
                            <NamePager path here pages of=("access package", "access packages")/>
                        }.into_any()
                    }
                    (Err(e), _) => view! { <ErrorNotice error=e/> }.into_any(),
                    (Ok(_), None) => view! { <ErrorNotice error=no_such_catalog()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Each package with its policies; "Edit policy" opens the policy editor.
#[component]
fn PackageTable(list: PackageList, catalog: CatalogId) -> impl IntoView {
    let may_edit = list.may_edit;
    view! {
        <div class="table-scroll">
            <table class="grid" data-testid="package-table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Policies"</th><th scope="col">"Hidden"</th></tr></thead>
                <tbody>
                    {list.packages.into_iter().map(|p| {
                        let name = p.display_name.clone();
                        view! {
                        <tr data-testid="package-row" data-name=name>
                            <td>{p.display_name}</td>
                            <td>{p.description}</td>
                            <td>
                                {if p.policies.is_empty() { Some("No policies") } else { None }}
                                <ul class="policy-list">
                                    {p.policies.into_iter().map(|policy| view! {
                                        <li data-testid="policy" data-name=policy.display_name.clone()>
                                            {policy.display_name.clone()}
                                            {may_edit.then(|| view! {
                                                " "
                                                <a href=format!("/catalogs/{catalog}/policies/{}", policy.id)
                                                    aria-label=format!("Edit policy \u{201c}{}\u{201d}", policy.display_name)>
                                                    "Edit policy"
                                                </a>
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </td>
                            <td>{if p.is_hidden { "Yes" } else { "No" }}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn CatalogMembers() -> impl IntoView {
    let rows = catalog_resource(catalog_members);
    view! {
        <h2>"Roles"</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! { <p>"No one holds a role in this catalog."</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-scroll"><table class="grid">
                            <thead><tr><th scope="col">"Role"</th><th scope="col">"Member"</th><th scope="col">"Kind"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr><td>{r.role}</td><td>{r.principal}</td><td>{r.principal_kind}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

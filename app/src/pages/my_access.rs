//! My Access: the packages one may request, one's own access, and one's request history.

use crate::api::requests::{
    my_assignments, my_requests, remove_assignment, request_access, requestable_packages,
};
use crate::domain::ids::PolicyId;
use crate::pages::common::{refresh_every, ErrorNotice, Loading};
use crate::pages::lists::{use_list_query, Pager};
use crate::pages::modal::Modal;
use crate::views::lists::ListPage;
use crate::views::requests::{AssignmentView, RequestSummary, RequestablePackage};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyAccessPackages() -> impl IntoView {
    let query = use_list_query();
    let packages = Resource::new(|| (), |_| requestable_packages());
    let mine = Resource::new(move || query.get(), my_assignments);
    let asking = RwSignal::new(None::<RequestablePackage>);
    let status = RwSignal::new(String::new());
    let done = Callback::new(move |message: String| {
        asking.set(None);
        status.set(message);
        packages.refetch();
        mine.refetch();
    });
    view! {
        <Title text="Access packages · My Access · Latch"/>
        <section class="page">
            <h1>"Access packages"</h1>
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status" data-testid="my-access-status">{move || status.get()}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match packages.await {
                        Ok(list) if list.is_empty() => view! { <p>"There are no access packages you can request."</p> }.into_any(),
                        Ok(list) => view! { <PackageTable list asking/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Your access"</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match mine.await {
                        Ok(page) if page.rows.is_empty() && page.newer.is_none() => view! { <p data-testid="no-assignments">"You have no access packages yet."</p> }.into_any(),
                        Ok(ListPage { rows, newer, older, .. }) => view! {
                            <AssignmentTable list=rows done/>
                            <Pager path="/my-access" here newer older of="assignments"/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
            {move || asking.get().map(|package| view! { <RequestDialog package asking done/> })}
        </section>
    }
}

#[component]
fn PackageTable(
    list: Vec<RequestablePackage>,
    asking: RwSignal<Option<RequestablePackage>>,
) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="grid" data-testid="package-table">
            <thead><tr>
                <th scope="col">"Access package"</th><th scope="col">"Description"</th>
                <th scope="col">"Policy"</th><th scope="col">"Catalog"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let chosen = p.clone();
                    view! {
                        <tr data-testid="package-row" data-name=p.package.clone()>
                            <td>{p.package.clone()}</td>
                            <td>{p.description.clone()}</td>
                            <td>{p.policy_name.clone()}{if p.needs_approval { " (approval required)" } else { "" }}</td>
                            <td>{p.catalog.clone()}</td>
                            <td>{match p.blocked.clone() {
                                Some(reason) => view! { <span>{reason}</span> }.into_any(),
                                None => view! {
                                    <button type="button" class="primary" aria-label=format!("Request {} ({})", p.package, p.policy_name)
                                        on:click=move |_| asking.set(Some(chosen.clone()))>"Request"</button>
                                }.into_any(),
                            }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn RequestDialog(
    package: RequestablePackage,
    asking: RwSignal<Option<RequestablePackage>>,
    done: Callback<String>,
) -> impl IntoView {
    let justification = RwSignal::new(String::new());
    let policy: PolicyId = package.policy;
    let send = Action::new(move |text: &String| request_access(policy, text.clone()));
    let name = package.package.clone();
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            done.run(format!(
                "Requested \u{201c}{name}\u{201d}. Follow it in your request history."
            ));
        }
    });
    view! {
        <Modal labelled_by="request-title" on_close=Callback::new(move |_| asking.set(None))>
            <h3 id="request-title">"Request \u{201c}" {package.package.clone()} "\u{201d}"</h3>
            <p>{package.description.clone()}</p>
            <div class="field">
                <label for="justification">"Justification"</label>
                <textarea id="justification" rows="3" prop:value=move || justification.get()
                    on:input=move |ev| justification.set(event_target_value(&ev))></textarea>
                <p class="hint">"Why you need it; approvers and workflows see this."</p>
            </div>
            {move || send.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            <div class="dialog-actions">
                <button type="button" class="primary" disabled=move || send.pending().get()
                    on:click=move |_| { send.dispatch(justification.get()); }>"Submit request"</button>
                <button type="button" on:click=move |_| asking.set(None)>"Cancel"</button>
            </div>
        </Modal>
    }
}

/// Assignments with their Remove action (one's own, or those one manages).
#[component]
pub fn AssignmentTable(list: Vec<AssignmentView>, done: Callback<String>) -> impl IntoView {
    let remove = Action::new(move |a: &AssignmentView| {
        let a = a.clone();
        async move { remove_assignment(a.id).await.map(|_| a.package) }
    });
    Effect::new(move |_| {
        if let Some(Ok(package)) = remove.value().get() {
            done.run(format!("Removal of \u{201c}{package}\u{201d} requested."));
        }
    });
    view! {
        {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
        <div class="table-scroll"><table class="grid" data-testid="assignment-table">
            <thead><tr>
                <th scope="col">"Access package"</th><th scope="col">"Who"</th><th scope="col">"State"</th>
                <th scope="col">"Since"</th><th scope="col">"Expires"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|a| {
                    let target = a.clone();
                    view! {
                        <tr data-testid="assignment-row" data-name=a.package.clone()>
                            <td>{a.package.clone()}</td>
                            <td>{a.target.clone()}</td>
                            <td data-testid="assignment-state">{a.state.clone()}</td>
                            <td>{a.started_at.clone()}</td>
                            <td data-testid="assignment-expires">
                                {a.expires_at.clone().unwrap_or_else(|| "Never".into())}
                                {a.time_left.clone().map(|left| view! { <br/><span class="hint">{left}</span> })}
                            </td>
                            <td>{a.may_remove.then(|| view! {
                                <button type="button" aria-label=format!("Remove {} for {}", a.package, a.target)
                                    disabled=move || remove.pending().get()
                                    on:click=move |_| { remove.dispatch(target.clone()); }>"Remove"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
pub fn MyRequests() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), my_requests);
    refresh_every(std::time::Duration::from_secs(3), move || list.refetch());
    view! {
        <Title text="Request history · My Access · Latch"/>
        <section class="page">
            <h1>"Request history"</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match list.await {
                        Ok(page) if page.rows.is_empty() && page.newer.is_none() => view! { <p>"You have not requested anything yet."</p> }.into_any(),
                        Ok(ListPage { rows, newer, older, .. }) => view! {
                            <RequestTable rows base="/my-access/requests"/>
                            <Pager path="/my-access/requests" here newer older of="requests"/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn RequestTable(rows: Vec<RequestSummary>, base: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="grid" data-testid="request-table">
            <thead><tr>
                <th scope="col">"Access package"</th><th scope="col">"Request"</th><th scope="col">"For"</th>
                <th scope="col">"Submitted"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="request-row" data-name=r.package.clone()>
                        <td><a href=format!("{base}/{}", r.id)>{r.package.clone()}</a></td>
                        <td>{r.kind.clone()}</td>
                        <td>{r.target.clone()}</td>
                        <td>{r.submitted_at.clone()}</td>
                        <td data-testid="request-status">{r.words.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

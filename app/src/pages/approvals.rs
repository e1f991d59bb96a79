//! Approvals: the requests waiting for the signed-in approver, with what workflows reported,
//! and the history of the other requests of their policies.

use crate::api::requests::{approval_history, decide_request, pending_approvals};
use crate::domain::ids::RequestId;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::lists::{use_list_query, FilterForm, PackageField, Pager};
use crate::pages::my_access::RequestTable;
use crate::pages::request_details::WorkflowDetails;
use crate::views::lists::ListPage;
use crate::views::requests::ApprovalItem;
use leptos::prelude::*;
use leptos_meta::Title;

/// The requests waiting for the approver's decision, newest first.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let query = use_list_query();
    let list = Resource::new(move || query.get(), pending_approvals);
    let status = RwSignal::new(String::new());
    let done = Callback::new(move |message: String| {
        status.set(message);
        list.refetch();
    });
    view! {
        <Title text="Approvals · My Access · Latch"/>
        <section class="page">
            <h1>"Approvals"</h1>
            <p><a href="/my-access/approvals/history">"History of your policies\u{2019} requests"</a></p>
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status" data-testid="approvals-status">{move || status.get()}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    let chosen = here.package.clone();
                    let filter = move |named| view! {
                        <FilterForm path="/my-access/approvals" testid="approvals-filter">
                            <PackageField here=chosen.clone() named/>
                        </FilterForm>
                    };
                    match list.await {
                        Ok(page) if page.rows.is_empty() && page.newer.is_none() && !here.is_filtered() => view! { <p data-testid="no-approvals">"Nothing is waiting for your decision."</p> }.into_any(),
                        Ok(ListPage { rows, newer, older, packages }) => view! {
                            {filter(packages)}
                            {if rows.is_empty() {
                                view! { <p data-testid="no-approvals">"Nothing waiting for your decision matches."</p> }.into_any()
                            } else {
                                rows.into_iter().map(|item| view! { <Approval item done/> }).collect_view().into_any()
                            }}
                            <Pager path="/my-access/approvals" here newer older of="approvals"/>
                        }.into_any(),
                        Err(e) => view! { {filter(Vec::new())} <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The other requests of the policies the approver approves, newest first, by package.
#[component]
pub fn ApprovalHistoryPage() -> impl IntoView {
    let query = use_list_query();
    let history = Resource::new(move || query.get(), approval_history);
    view! {
        <Title text="Approval history · My Access · Latch"/>
        <section class="page">
            <h1>"Approval history"</h1>
            <p><a href="/my-access/approvals">"Waiting for your decision"</a></p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    let chosen = here.package.clone();
                    let filter = move |packages| view! {
                        <FilterForm path="/my-access/approvals/history" testid="history-filter">
                            <PackageField here=chosen.clone() named=packages/>
                        </FilterForm>
                    };
                    match history.await {
                        Ok(ListPage { rows, newer, older, packages }) => view! {
                            {filter(packages)}
                            {if rows.is_empty() {
                                view! { <p>"No other requests of your policies match."</p> }.into_any()
                            } else {
                                view! { <RequestTable rows base="/my-access/requests"/> }.into_any()
                            }}
                            <Pager path="/my-access/approvals/history" here newer older of="history"/>
                        }.into_any(),
                        Err(e) => view! { {filter(Vec::new())} <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Approval(item: ApprovalItem, done: Callback<String>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let request: RequestId = item.request;
    let decide = Action::new(move |approve: &bool| {
        let approve = *approve;
        let text = reason.get_untracked();
        async move {
            decide_request(request, approve, text)
                .await
                .map(|()| approve)
        }
    });
    let who = format!("{} for {}", item.package, item.requestor);
    Effect::new(move |_| {
        if let Some(Ok(approved)) = decide.value().get() {
            done.run(format!(
                "{} {who}.",
                if approved { "Approved" } else { "Denied" }
            ));
        }
    });
    let field = format!("reason-{request}");
    view! {
        <article class="card approval" data-testid="approval" data-package=item.package.clone()>
            <h2>{item.package.clone()}</h2>
            <dl class="facts">
                <dt>"Requested by"</dt><dd>{item.requestor.clone()}</dd>
                <dt>"Policy"</dt><dd>{item.policy.clone()}</dd>
                <dt>"Submitted"</dt><dd>{item.submitted_at.clone()}</dd>
                <dt>"Justification"</dt><dd>{item.justification.clone()}</dd>
            </dl>
            <WorkflowDetails details=item.workflow_details.clone()/>
            <div class="field">
                <label for=field.clone()>"Reason"</label>
                <input id=field type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </div>
            {move || decide.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            <div class="dialog-actions">
                <button type="button" class="primary" disabled=move || decide.pending().get()
                    on:click=move |_| { decide.dispatch(true); }>"Approve"</button>
                <button type="button" class="danger" disabled=move || decide.pending().get()
                    on:click=move |_| { decide.dispatch(false); }>"Deny"</button>
            </div>
        </article>
    }
}

//! One request: its timeline for everyone who may see it, and for administrators and
//! assignment managers every custom extension instance with its delivery attempts.

use crate::api::requests::{cancel_request, get_request_details, redeliver_callout};
use crate::domain::ids::{CalloutInstanceId, RequestId};
use crate::error::AppError;
use crate::pages::common::{refresh_every, ErrorNotice, Loading};
use crate::views::requests::{InstanceView, RequestDetails, WorkflowDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("request")
            .and_then(|s| s.parse::<RequestId>().ok())
    });
    let details = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_request_details(id).await,
                None => Err(AppError::NotFound("There is no such request.".into())),
            }
        },
    );
    refresh_every(std::time::Duration::from_secs(3), move || details.refetch());
    let cancel = Action::new(move |id: &RequestId| cancel_request(*id));
    let redeliver = Action::new(
        move |(request, instance): &(RequestId, CalloutInstanceId)| {
            redeliver_callout(*request, *instance)
        },
    );
    Effect::new(move |_| {
        let canceled = matches!(cancel.value().get(), Some(Ok(())));
        let redelivered = matches!(redeliver.value().get(), Some(Ok(())));
        if canceled || redelivered {
            details.refetch();
        }
    });
    view! {
        <Title text="Request · Latch"/>
        <section class="page">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(d) => view! { <Details d cancel redeliver/> }.into_any(),
                        Err(e) => view! { <h1>"Request"</h1><ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
            {move || cancel.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            {move || redeliver.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e/> })}
            <p class="status" class:quiet=move || !matches!(redeliver.value().get(), Some(Ok(()))) role="status" data-testid="redeliver-status">
                {move || matches!(redeliver.value().get(), Some(Ok(()))).then_some("Callout queued for redelivery.")}
            </p>
        </section>
    }
}

type Redeliver = Action<(RequestId, CalloutInstanceId), Result<(), AppError>>;

#[component]
fn Details(
    d: RequestDetails,
    cancel: Action<RequestId, Result<(), AppError>>,
    redeliver: Redeliver,
) -> impl IntoView {
    let id = d.id;
    view! {
        <h1>{d.kind.clone()} ": " {d.package.clone()}</h1>
        <dl class="facts" data-testid="request-facts">
            <dt>"Status"</dt><dd data-testid="request-status">{d.words.clone()}</dd>
            <dt>"For"</dt><dd>{d.target.clone()}</dd>
            <dt>"Requested by"</dt><dd>{d.requestor.clone()}</dd>
            <dt>"Policy"</dt><dd>{d.policy.clone()}</dd>
            <dt>"Submitted"</dt><dd>{d.submitted_at.clone()}</dd>
            <dt>"Justification"</dt><dd>{d.justification.clone()}</dd>
            <dt>"State"</dt><dd class="mono">{format!("{} / {}", d.state, d.status)}</dd>
        </dl>
        {d.can_cancel.then(|| view! {
            <p><button type="button" class="danger" disabled=move || cancel.pending().get()
                on:click=move |_| { cancel.dispatch(id); }>"Cancel request"</button></p>
        })}
        <WorkflowDetails details=d.workflow_details.clone()/>
        <h2>"Request history details"</h2>
        <ol class="timeline" data-testid="history">
            {d.history.into_iter().map(|h| view! {
                <li>
                    <time>{h.at}</time>" "<strong>{h.words}</strong>" · "{h.actor}
                    {h.technical.map(|technical| view! { <div class="detail technical" data-testid="technical">{technical}</div> })}
                    {h.detail.map(|detail| view! { <div class="detail">{detail}</div> })}
                </li>
            }).collect_view()}
        </ol>
        {d.instances.map(|list| view! { <Instances request=id list redeliver/> })}
    }
}

/// What workflows reported back (`customExtensionStageInstanceDetail`), with source and time.
#[component]
pub fn WorkflowDetails(details: Vec<WorkflowDetail>) -> impl IntoView {
    (!details.is_empty()).then(|| {
        view! {
            <h2>"What the workflows reported"</h2>
            <ul class="workflow-details" data-testid="workflow-details">
                {details.into_iter().map(|w| view! {
                    <li>
                        <strong>{w.stage}</strong>": "{w.detail}
                        " ("{w.source.unwrap_or_else(|| "unnamed workflow".into())}
                        {w.at.map(|at| format!(", {at}"))}")"
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn Instances(request: RequestId, list: Vec<InstanceView>, redeliver: Redeliver) -> impl IntoView {
    view! {
        <h2>"Custom extension instances"</h2>
        {if list.is_empty() {
            view! { <p>"No custom extension was called for this request."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="grid" data-testid="instance-table">
                        <thead><tr>
                            <th scope="col">"Instance"</th><th scope="col">"Custom extension"</th><th scope="col">"Stage"</th>
                            <th scope="col">"Status"</th><th scope="col">"Detail"</th><th scope="col">"External correlation id"</th>
                            <th scope="col">"Attempts"</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|i| view! {
                                <tr data-testid="instance-row" data-stage=i.stage.clone()>
                                    <td class="mono">{i.id.clone()}</td>
                                    <td>{i.extension.clone()}<br/><span class="mono hint">{i.extension_id.clone()}</span></td>
                                    <td>{i.stage.clone()}</td>
                                    <td data-testid="instance-status">{i.status.clone()}</td>
                                    <td>{i.detail.clone().unwrap_or_default()}{i.source.clone().map(|s| format!(" ({s})"))}</td>
                                    <td class="mono">{i.external_correlation_id.clone().unwrap_or_default()}</td>
                                    <td>
                                        <ol class="attempts" data-testid="attempts">
                                            {i.attempts.into_iter().map(|a| view! {
                                                <li>
                                                    {a.at}" · "
                                                    {a.http_status.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "no answer".into())}
                                                    " · "{a.latency_ms}" ms"
                                                    {a.error.map(|e| format!(" · {e}"))}
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                        {i.can_redeliver.then(|| i.id.parse::<CalloutInstanceId>().ok()).flatten().map(|instance| view! {
                                            <button type="button" disabled=move || redeliver.pending().get()
                                                on:click=move |_| { redeliver.dispatch((request, instance)); }>"Redeliver"</button>
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

//! The wizard's tab panels and the panel that shows the new signing secret once.

use super::fields::{EndpointType, Fields};
use super::Feedback;
use crate::domain::endpoint::RESOURCE_PATH_MAX;
use crate::domain::extension::{Behaviour, ExtensionDraft};
use crate::domain::field_error::{keys, FieldError};
use crate::domain::kind::ExtensionKind;
use crate::domain::timeout::TimeUnit;
use crate::pages::common::CopyableSecret;
use crate::views::CreatedExtension;
use leptos::prelude::*;

#[component]
fn FieldMessage(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{id}-error") data-testid=format!("error-{id}") aria-live="polite">
            {move || message.get()}
        </p>
    }
}

#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    feedback: Feedback,
    #[prop(optional)] hint: Option<Signal<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let message = feedback.message(id);
    let on_input = move |ev| {
        value.set(event_target_value(&ev));
        feedback.touch(id);
    };
    let invalid = move || message.get().is_some().to_string();
    let described = format!("{id}-error {id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {if multiline {
                view! {
                    <textarea id=id rows="3" prop:value=move || value.get() on:input=on_input
                        aria-invalid=invalid aria-describedby=described.clone()></textarea>
                }.into_any()
            } else {
                view! {
                    <input id=id type=input_type prop:value=move || value.get() on:input=on_input
                        aria-invalid=invalid aria-describedby=described.clone()/>
                }.into_any()
            }}
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <FieldMessage id message/>
        </div>
    }
}

#[component]
pub fn Basics(fields: Fields, feedback: Feedback) -> impl IntoView {
    view! {
        <h2>"Basics"</h2>
        <TextField id=keys::DISPLAY_NAME label="Name" value=fields.name feedback
            hint=Signal::derive(|| "Use the workflow's name, so callouts are easy to trace.".to_string())/>
        <TextField id=keys::DESCRIPTION label="Description" value=fields.description feedback multiline=true/>
    }
}

#[component]
pub fn KindTab(fields: Fields, editing: bool) -> impl IntoView {
    if editing {
        let kind = fields.kind.get_untracked();
        return view! {
            <h2>"Extension Type"</h2>
            <p data-testid="fixed-kind"><strong>{kind.type_label()}</strong></p>
            <p class="hint">"The type of an extension doesn't change on edit; a legacy extension changes it with \u{201c}Update to new extension type\u{201d}."</p>
        }
        .into_any();
    }
    let option = move |kind: ExtensionKind, label: &'static str, stages: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="kind" prop:checked=move || fields.kind.get() == kind
                    on:change=move |_| fields.kind.set(kind)/>
                <span><strong>{label}</strong><br/><span class="hint">{stages}</span></span>
            </label>
        }
    };
    view! {
        <h2>"Extension Type"</h2>
        <fieldset>
            <legend>"When may policies call it?"</legend>
            {option(ExtensionKind::AssignmentRequest, "Request workflow",
                "Request is created, request is approved, assignment is granted, assignment is removed")}
            {option(ExtensionKind::PreExpiration, "Pre-expiration workflow",
                "14 days before and 1 day before an assignment expires")}
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn Configuration(fields: Fields, feedback: Feedback) -> impl IntoView {
    let may_wait = move || fields.kind.get().allows_wait();
    let amount_message = feedback.message(keys::TIMEOUT_AMOUNT);
    let behaviour_message = feedback.message(keys::BEHAVIOUR);
    view! {
        <h2>"Extension Configuration"</h2>
        <Show
            when=may_wait
            fallback=move || view! {
                <p data-testid="continue-only">
                    <strong>"Launch and continue. "</strong>
                    {move || if fields.kind.get() == ExtensionKind::PreExpiration {
                        "Pre-expiration workflows only launch and continue: nothing waits for them, so an expiry is never held up."
                    } else {
                        "Legacy extensions only launch and continue."
                    }}
                </p>
            }
        >
            <fieldset>
                <legend>"Behaviour"</legend>
                <label class="choice">
                    <input type="radio" name="behaviour" prop:checked=move || !fields.wait.get()
                        on:change=move |_| fields.wait.set(false)/>
                    <span><strong>"Launch and continue"</strong><br/><span class="hint">"The request goes on at once."</span></span>
                </label>
                <label class="choice">
                    <input type="radio" name="behaviour" prop:checked=move || fields.wait.get()
                        on:change=move |_| fields.wait.set(true)/>
                    <span><strong>"Launch and wait"</strong><br/><span class="hint">"The request waits until the workflow resumes it, or the timeout passes."</span></span>
                </label>
            </fieldset>
            <FieldMessage id=keys::BEHAVIOUR message=behaviour_message/>
            <Show when=move || fields.wait.get()>
                <div class="field">
                    <span class="label" id="timeout-label">"Response timeout (5 minutes to 14 days)"</span>
                    <div class="inline">
                        <input id=keys::TIMEOUT_AMOUNT type="number" min="1" aria-label="Response timeout"
                            aria-describedby=format!("{}-error", keys::TIMEOUT_AMOUNT)
                            aria-invalid=move || amount_message.get().is_some().to_string()
                            prop:value=move || fields.amount.get()
                            on:input=move |ev| { fields.amount.set(event_target_value(&ev)); feedback.touch(keys::TIMEOUT_AMOUNT); }/>
                        <select id=keys::TIMEOUT_UNIT aria-label="Response timeout unit"
                            on:change=move |ev| {
                                if let Ok(unit) = TimeUnit::parse(&event_target_value(&ev)) {
                                    fields.unit.set(unit);
                                }
                                feedback.touch(keys::TIMEOUT_AMOUNT);
                            }>
                            {TimeUnit::ALL.into_iter().map(|u| view! {
                                <option value=u.label() selected=move || fields.unit.get() == u>{u.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <FieldMessage id=keys::TIMEOUT_AMOUNT message=amount_message/>
                </div>
            </Show>
        </Show>
    }
}

#[component]
pub fn Details(fields: Fields, feedback: Feedback) -> impl IntoView {
    let path_hint = Signal::derive(move || {
        format!(
            "Resource path: {} of {RESOURCE_PATH_MAX} characters.",
            fields.logic_app().resource_path().chars().count()
        )
    });
    let url_hint = Signal::derive(|| {
        "https, or http to a host the operator allow-listed. A URL with a signature is kept secret."
            .to_string()
    });
    let is_logic_app = move || fields.endpoint_type.get() == EndpointType::LogicApp;
    view! {
        <h2>"Details"</h2>
        <fieldset>
            <legend>"Endpoint type"</legend>
            <label class="choice">
                <input type="radio" name="endpoint-type" prop:checked=is_logic_app
                    on:change=move |_| fields.endpoint_type.set(EndpointType::LogicApp)/>
                <span>"Azure Logic App"</span>
            </label>
            <label class="choice">
                <input type="radio" name="endpoint-type" prop:checked=move || !is_logic_app()
                    on:change=move |_| fields.endpoint_type.set(EndpointType::Http)/>
                <span>"HTTP endpoint"</span>
            </label>
        </fieldset>
        <Show
            when=is_logic_app
            fallback=move || view! {
                <TextField id=keys::URL label="Endpoint URL" value=fields.url feedback input_type="url" hint=url_hint/>
            }
        >
            <TextField id=keys::SUBSCRIPTION_ID label="Subscription id" value=fields.subscription_id feedback/>
            <TextField id=keys::RESOURCE_GROUP_NAME label="Resource group" value=fields.resource_group feedback/>
            <TextField id=keys::LOGIC_APP_WORKFLOW_NAME label="Logic App workflow name" value=fields.workflow_name feedback hint=path_hint/>
            <TextField id=keys::URL label="Trigger URL" value=fields.url feedback input_type="url" hint=url_hint/>
        </Show>
        <details class="advanced">
            <summary>"Advanced"</summary>
            <TextField id=keys::TIMEOUT_IN_MILLISECONDS label="Call timeout (milliseconds, 200 to 30000)" value=fields.timeout_ms feedback input_type="number"/>
            <TextField id=keys::MAXIMUM_RETRIES label="Maximum retries (0 to 5)" value=fields.retries feedback input_type="number"/>
        </details>
    }
}

#[component]
pub fn Review(
    fields: Fields,
    result: Memo<Result<ExtensionDraft, Vec<FieldError>>>,
) -> impl IntoView {
    let row = |term: &'static str, value: String| view! { <dt>{term}</dt><dd>{value}</dd> };
    view! {
        <h2>"Review + Create"</h2>
        {move || {
            let kind = fields.kind.get();
            let behaviour = match result.get() {
                Ok(d) => match d.behaviour {
                    Behaviour::LaunchAndWait(t) => format!("Launch and wait, response timeout {} {}", t.amount(), t.unit().label()),
                    Behaviour::LaunchAndContinue => "Launch and continue".to_string(),
                },
                Err(_) => if fields.wait.get() && kind.allows_wait() { "Launch and wait".into() } else { "Launch and continue".into() },
            };
            let endpoint = match fields.endpoint_type.get() {
                EndpointType::LogicApp => format!("Azure Logic App {}", fields.logic_app().resource_path()),
                EndpointType::Http => "HTTP endpoint".to_string(),
            };
            view! {
                <dl class="facts" data-testid="review">
                    {row("Name", fields.name.get())}
                    {row("Description", fields.description.get())}
                    {row("Type", kind.type_label().to_string())}
                    {row("Token security", kind.token_security().label().to_string())}
                    {row("Behaviour", behaviour)}
                    {row("Endpoint", endpoint)}
                    {row("URL", fields.url.get())}
                    {row("Call timeout", format!("{} ms", fields.timeout_ms.get()))}
                    {row("Maximum retries", fields.retries.get())}
                </dl>
            }
        }}
        {move || result.get().err().filter(|e| !e.is_empty()).map(|errors| view! {
            <div class="notice notice-error" role="alert" data-testid="review-errors">
                <p>"Fix these before creating:"</p>
                <ul>{errors.into_iter().map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul>
            </div>
        })}
    }
}

#[component]
pub fn SecretPanel(created: CreatedExtension, back: String) -> impl IntoView {
    view! {
        <div class="card secret-panel" data-testid="created">
            <h2>"\u{201c}" {created.display_name.clone()} "\u{201d} was created"</h2>
            <p>"Your workflow checks each callout's "<code>"webhook-signature"</code>" header with this signing secret. "
               <strong>"It is shown only now:"</strong>" copy it into the workflow's settings."</p>
            <CopyableSecret secret=created.signing_secret.clone() what="signing secret" testid="signing-secret"/>
            <a class="button primary" href=back>"Done"</a>
        </div>
    }
}

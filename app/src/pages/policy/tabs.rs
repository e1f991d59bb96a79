//! The policy editor's tab panels: Requests, Approval, Lifecycle and Custom extensions.

use super::fields::{toggle, ExpirationChoice, PolicyFields, RuleRow};
use super::Feedback;
use crate::domain::ids::{ExtensionId, GroupId, UserId};
use crate::domain::policy_rules::{keys, ExtensionFacts};
use crate::domain::stage::Stage;
use crate::views::{GroupChoice, UserChoice};
use leptos::prelude::*;

/// The message beside a field: empty (and silent) while the field is fine.
#[component]
fn FieldMessage(id: String, testid: String, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id data-testid=testid aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// A radio button in a fieldset.
#[component]
fn Choice(
    name: &'static str,
    label: &'static str,
    checked: Signal<bool>,
    on_pick: Callback<()>,
) -> impl IntoView {
    view! {
        <label class="choice">
            <input type="radio" name=name prop:checked=move || checked.get()
                on:change=move |_| on_pick.run(())/>
            <span>{label}</span>
        </label>
    }
}

/// A checkbox per user, for requestors or approvers, with the list's error below it.
#[component]
fn UserChecklist(
    legend: &'static str,
    field: &'static str,
    users: StoredValue<Vec<UserChoice>>,
    chosen: RwSignal<Vec<UserId>>,
    feedback: Feedback,
) -> impl IntoView {
    let message = feedback.message(field.to_string());
    view! {
        <fieldset data-testid=format!("{field}-list") aria-describedby=format!("{field}-error")>
            <legend>{legend}</legend>
            {users.get_value().into_iter().map(|u| {
                let id = u.id;
                view! {
                    <label class="choice">
                        <input type="checkbox" prop:checked=move || chosen.read().contains(&id)
                            on:change=move |ev| toggle(chosen, id, event_target_checked(&ev))/>
                        <span>
                            {u.display_name.clone()}" "
                            <span class="hint">{u.user_principal_name.clone()}</span>
                            {(!u.enabled).then_some(" (account disabled)")}
                        </span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <FieldMessage id=format!("{field}-error") testid=format!("error-{field}") message/>
    }
}

/// A checkbox per group whose members may request, with the list's error below it.
#[component]
fn GroupChecklist(
    groups: StoredValue<Vec<GroupChoice>>,
    chosen: RwSignal<Vec<GroupId>>,
    feedback: Feedback,
) -> impl IntoView {
    let field = keys::ALLOWED_GROUPS;
    let message = feedback.message(field.to_string());
    let none = groups.with_value(Vec::is_empty);
    view! {
        <fieldset data-testid="allowed-groups" aria-describedby=format!("{field}-error")>
            <legend>"Groups whose members can request"</legend>
            {none.then(|| view! {
                <p class="hint" data-testid="no-groups">"There are no groups yet; provisioning (SCIM) adds them."</p>
            })}
            {groups.get_value().into_iter().map(|g| {
                let id = g.id;
                view! {
                    <label class="choice">
                        <input type="checkbox" prop:checked=move || chosen.read().contains(&id)
                            on:change=move |ev| toggle(chosen, id, event_target_checked(&ev))/>
                        <span>{g.display_name}</span>
                    </label>
                }
            }).collect_view()}
            <p class="hint">"Whoever is a member when they request. Leaving a group doesn't remove access already granted."</p>
        </fieldset>
        <FieldMessage id=format!("{field}-error") testid=format!("error-{field}") message/>
    }
}

/// A number or date input with its label and message.
#[component]
fn InputField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    feedback: Feedback,
    #[prop(default = "number")] input_type: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let message = feedback.message(id.to_string());
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=input_type prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=format!("{id}-error")/>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldMessage id=format!("{id}-error") testid=format!("error-{id}") message/>
        </div>
    }
}

#[component]
pub fn RequestsTab(
    fields: PolicyFields,
    users: StoredValue<Vec<UserChoice>>,
    groups: StoredValue<Vec<GroupChoice>>,
    feedback: Feedback,
) -> impl IntoView {
    let all = fields.all_users;
    view! {
        <h2>"Requests"</h2>
        <fieldset>
            <legend>"Who can request"</legend>
            <Choice name="requestors" label="All users" checked=Signal::derive(move || all.get())
                on_pick=Callback::new(move |()| all.set(true))/>
            <Choice name="requestors" label="Specific users and groups" checked=Signal::derive(move || !all.get())
                on_pick=Callback::new(move |()| all.set(false))/>
        </fieldset>
        <Show when=move || !all.get()>
            <UserChecklist legend="Users who can request" field=keys::ALLOWED_TARGETS users
                chosen=fields.targets feedback/>
            <GroupChecklist groups chosen=fields.target_groups feedback/>
        </Show>
    }
}

#[component]
pub fn ApprovalTab(
    fields: PolicyFields,
    users: StoredValue<Vec<UserChoice>>,
    feedback: Feedback,
) -> impl IntoView {
    let required = fields.approval;
    view! {
        <h2>"Approval"</h2>
        <fieldset>
            <legend>"Require approval"</legend>
            <Choice name="approval" label="Yes" checked=Signal::derive(move || required.get())
                on_pick=Callback::new(move |()| required.set(true))/>
            <Choice name="approval" label="No" checked=Signal::derive(move || !required.get())
                on_pick=Callback::new(move |()| required.set(false))/>
        </fieldset>
        <Show
            when=move || required.get()
            fallback=|| view! { <p class="hint">"Requests are granted without an approver's decision."</p> }
        >
            <UserChecklist legend="Approvers" field=keys::APPROVERS users chosen=fields.approvers feedback/>
            <InputField id=keys::APPROVAL_TIMEOUT label="Approval time-out (days, 1 to 14)"
                value=fields.timeout feedback
                hint="A request no approver decides within this time is denied."/>
        </Show>
    }
}

#[component]
pub fn LifecycleTab(fields: PolicyFields, feedback: Feedback) -> impl IntoView {
    let choice = fields.expiration;
    let pick = move |c: ExpirationChoice| Callback::new(move |()| choice.set(c));
    let is = move |c: ExpirationChoice| Signal::derive(move || choice.get() == c);
    view! {
        <h2>"Lifecycle"</h2>
        <fieldset>
            <legend>"Expiration"</legend>
            <Choice name="expiration" label="Never" checked=is(ExpirationChoice::Never)
                on_pick=pick(ExpirationChoice::Never)/>
            <Choice name="expiration" label="After a number of days" checked=is(ExpirationChoice::AfterDays)
                on_pick=pick(ExpirationChoice::AfterDays)/>
            <Choice name="expiration" label="On a date" checked=is(ExpirationChoice::OnDate)
                on_pick=pick(ExpirationChoice::OnDate)/>
        </fieldset>
        <Show when=move || choice.get() == ExpirationChoice::AfterDays>
            <InputField id=keys::EXPIRATION_DAYS label="Number of days (1 to 3650)" value=fields.days feedback
                hint="Counted from the day access is granted."/>
        </Show>
        <Show when=move || choice.get() == ExpirationChoice::OnDate>
            <InputField id=keys::EXPIRATION_DATE label="End date" value=fields.date feedback input_type="date"
                hint="Assignments end at the end of this day (UTC)."/>
        </Show>
    }
}

#[component]
pub fn RulesTab(
    fields: PolicyFields,
    extensions: StoredValue<Vec<ExtensionFacts>>,
    feedback: Feedback,
) -> impl IntoView {
    let list_message = feedback.message(keys::RULES.to_string());
    view! {
        <h2>"Custom extensions"</h2>
        <p class="hint">
            "Call one of this catalog's custom extensions at a stage of a request or an assignment. "
            "A stage can have one custom extension; a policy can have up to 5 rules."
        </p>
        <FieldMessage id=format!("{}-error", keys::RULES) testid=format!("error-{}", keys::RULES) message=list_message/>
        <Show when=move || fields.rules.read().is_empty()>
            <p class="empty" data-testid="no-rules">"This policy calls no custom extensions."</p>
        </Show>
        <For each=move || fields.rules.get() key=|row| row.key let:row>
            <RuleRowView row fields extensions feedback/>
        </For>
        <Show when=move || {
            !fields.approval.get()
                && fields.rules.read().iter().any(|r| r.stage.get() == Stage::AssignmentRequestApproved)
        }>
            <p class="hint" data-testid="approved-stage-hint">
                "\u{201c}Request is approved\u{201d} runs only after an approval; this policy doesn't require one, so that rule won't fire."
            </p>
        </Show>
        <Show when=move || fields.may_add_rule()>
            <p class="actions">
                <button type="button" on:click=move |_| fields.add_rule()>"Add rule"</button>
            </p>
        </Show>
    }
}

/// The extension select's options: those whose kind allows the stage, and the chosen one
/// even if it doesn't (its message says why).
fn extension_options(
    extensions: &[ExtensionFacts],
    stage: Stage,
    chosen: Option<ExtensionId>,
) -> Vec<(ExtensionId, String)> {
    extensions
        .iter()
        .filter_map(|e| {
            if e.kind.allows_stage(stage) {
                Some((e.id, e.display_name.clone()))
            } else if Some(e.id) == chosen {
                Some((e.id, format!("{} (not for this stage)", e.display_name)))
            } else {
                None
            }
        })
        .collect()
}

#[component]
fn RuleRowView(
    row: RuleRow,
    fields: PolicyFields,
    extensions: StoredValue<Vec<ExtensionFacts>>,
    feedback: Feedback,
) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| {
        fields
            .rules
            .read()
            .iter()
            .position(|r| r.key == key)
            .unwrap_or(0)
    });
    let stage_message = feedback.message_at(move || keys::rule_stage(index.get()));
    let extension_message = feedback.message_at(move || keys::rule_extension(index.get()));
    let stage_id = format!("rule-{key}-stage");
    let extension_id = format!("rule-{key}-extension");
    let options = move || {
        extensions.with_value(|all| extension_options(all, row.stage.get(), row.extension.get()))
    };
    view! {
        <fieldset class="rule" data-testid="rule-row" data-index=move || index.get() + 1>
            <legend>{move || format!("Rule {}", index.get() + 1)}</legend>
            <div class="field">
                <label for=stage_id.clone()>"Stage"</label>
                <select id=stage_id.clone()
                    aria-invalid=move || stage_message.get().is_some().to_string()
                    aria-describedby=format!("{stage_id}-error")
                    on:change=move |ev| {
                        if let Ok(stage) = Stage::parse(&event_target_value(&ev)) {
                            row.stage.set(stage);
                        }
                    }>
                    {Stage::ALL.into_iter().map(|s| view! {
                        <option value=s.wire_name() selected=move || row.stage.get() == s>{s.portal_label()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" id=format!("{stage_id}-error") aria-live="polite"
                    data-testid=move || format!("error-rule-{}-stage", index.get() + 1)>
                    {move || stage_message.get()}
                </p>
            </div>
            <div class="field">
                <label for=extension_id.clone()>"Custom extension"</label>
                <select id=extension_id.clone()
                    aria-invalid=move || extension_message.get().is_some().to_string()
                    aria-describedby=format!("{extension_id}-error")
                    on:change=move |ev| row.extension.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=move || row.extension.get().is_none()>"Choose a custom extension"</option>
                    {move || options().into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=move || row.extension.get() == Some(id)>{name}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" id=format!("{extension_id}-error") aria-live="polite"
                    data-testid=move || format!("error-rule-{}-extension", index.get() + 1)>
                    {move || extension_message.get()}
                </p>
            </div>
            <button type="button" aria-label=move || format!("Remove rule {}", index.get() + 1)
                on:click=move |_| fields.remove_rule(key)>"Remove"</button>
        </fieldset>
    }
}

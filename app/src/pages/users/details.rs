//! One person: what they hold (roles, groups, access packages, open requests) and what may be
//! done to them (Edit, Disable, Enable, Reset password). Disable and Reset password ask first.

use super::person_form::EditUser;
use super::query::UsersQuery;
use super::{status_word, Dialog, Page};
use crate::api::people::{disable_person, enable_person, reset_person_password};
use crate::domain::person::PersonDraft;
use crate::pages::modal::ConfirmDialog;
use crate::views::people::{LeaverSummary, PersonDetails, PersonRow};
use leptos::prelude::*;

#[component]
pub(super) fn DetailsPanel(d: PersonDetails, page: Page, query: Memo<UsersQuery>) -> impl IntoView {
    let person = d.person.clone();
    let id = person.id;
    let close = query.get_untracked().with_user(None).href();
    Effect::new(move |_| {
        if let Some(h) = page.heading.get() {
            if page.focus_panel.get_untracked() {
                page.focus_panel.set(false);
                let _ = h.focus();
            }
        }
    });
    let enable = Action::new(move |_: &()| enable_person(id));
    let enabled_name = person.display_name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = enable.value().get() {
            page.focus_details_after_reload();
            page.changed(format!(
                "Enabled {enabled_name}. They can sign in again; access removed when they were \
                 disabled does not come back by itself."
            ));
        }
    });
    let current = PersonDraft {
        email: person.email.clone(),
        display_name: person.display_name.clone(),
        department: person.department.clone(),
        job_title: person.job_title.clone(),
    };
    let source = match (&d.external_id, person.provisioned) {
        (Some(external), true) => format!("Provisioned (external id {external})"),
        (None, true) => "Provisioned".to_string(),
        _ => "Added in Latch".to_string(),
    };
    let password = if d.has_password {
        "Set"
    } else {
        "Not set yet: waiting for the setup link"
    };
    let summary_name = person.display_name.clone();
    let summary = move || {
        page.leaver
            .get()
            .filter(|(who, _)| *who == id)
            .map(|(_, s)| leaver_words(&summary_name, &s))
    };
    let (for_disable, for_reset) = (person.clone(), person.clone());
    let provisioned = person.provisioned;
    view! {
        <section class="card user-details" data-testid="user-details" aria-labelledby="user-details-title">
            <div class="panel-head">
                <h2 id="user-details-title" tabindex="-1" node_ref=page.heading>{person.display_name.clone()}</h2>
                <a href=close aria-label="Close user details">"Close"</a>
            </div>
            <dl class="facts">
                <dt>"E-mail"</dt><dd data-testid="details-email">{person.email.clone()}</dd>
                <dt>"Department"</dt><dd>{person.department.clone()}</dd>
                <dt>"Job title"</dt><dd>{person.job_title.clone()}</dd>
                <dt>"Status"</dt><dd data-testid="details-status">{status_word(person.enabled)}</dd>
                <dt>"Source"</dt><dd>{source}</dd>
                <dt>"Password"</dt><dd>{password}</dd>
            </dl>
            {move || summary().map(|(main, left)| view! {
                <div class="notice" role="status" data-testid="leaver-summary">
                    <p>{main}</p>
                    {left.map(|l| view! { <p>{l}</p> })}
                </div>
            })}
            <Show when=move || !page.editing.get()>
                <div class="panel-actions">
                    <button type="button" on:click=move |_| page.editing.set(true)>"Edit"</button>
                    {if person.enabled {
                        let (d, r) = (for_disable.clone(), for_reset.clone());
                        view! {
                            <button type="button"
                                on:click=move |_| page.dialog.set(Dialog::Reset(r.clone()))>"Reset password"</button>
                            <button type="button" class="danger"
                                on:click=move |_| page.dialog.set(Dialog::Disable(d.clone()))>"Disable"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" disabled=move || enable.pending().get()
                                on:click=move |_| { enable.dispatch(()); }>"Enable"</button>
                        }.into_any()
                    }}
                </div>
            </Show>
            {move || enable.value().get().and_then(Result::err).map(|e| view! {
                <p class="field-error" role="alert" data-testid="details-error">{e.to_string()}</p>
            })}
            <Show when=move || page.editing.get()>
                <EditUser page user=id current=current.clone() provisioned/>
            </Show>
            <Holdings title="Roles" testid="user-roles" empty="No roles." items=d.roles.clone()/>
            <Holdings title="Groups" testid="user-groups" empty="In no groups." items=d.groups.clone()/>
            <Holdings title="Access packages" testid="user-access" empty="No access packages." items=d.access.clone()/>
            <Holdings title="Open requests" testid="user-requests" empty="No open requests." items=d.open_requests.clone()/>
        </section>
    }
}

#[component]
fn Holdings(
    title: &'static str,
    testid: &'static str,
    empty: &'static str,
    items: Vec<String>,
) -> impl IntoView {
    view! {
        <h3>{title}</h3>
        {if items.is_empty() {
            view! { <p class="empty" data-testid=testid>{empty}</p> }.into_any()
        } else {
            view! {
                <ul class="holdings" data-testid=testid>
                    {items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Disabled Megan Bowen: 2 sessions ended, 1 open request canceled, 3 assignments removed."
/// and, when some requests could not be canceled, a second sentence about them.
fn leaver_words(name: &str, s: &LeaverSummary) -> (String, Option<String>) {
    let main = format!(
        "Disabled {name}: {} ended, {} canceled, {} removed.",
        count(
            usize::try_from(s.sessions_ended).unwrap_or(usize::MAX),
            "session",
            "sessions"
        ),
        count(s.requests_canceled, "open request", "open requests"),
        count(s.assignments_removed, "assignment", "assignments"),
    );
    let left = (s.requests_left > 0).then(|| {
        format!(
            "{} could not be canceled now: a workflow is still working on {}. Remove the access \
             it grants once it finishes.",
            count(s.requests_left, "request", "requests"),
            if s.requests_left == 1 { "it" } else { "them" },
        )
    });
    (main, left)
}

#[component]
pub(super) fn DisableDialog(person: PersonRow, page: Page) -> impl IntoView {
    let id = person.id;
    let disable = Action::new(move |_: &()| disable_person(id));
    Effect::new(move |_| {
        if let Some(Ok(summary)) = disable.value().get() {
            page.leaver.set(Some((id, summary)));
            page.dialog.set(Dialog::None);
            page.focus_details_after_reload();
            page.list.refetch();
            page.details.refetch();
        }
    });
    let name = person.display_name;
    view! {
        <ConfirmDialog testid="disable-dialog" danger=true on_cancel=Callback::new(move |()| page.close_dialog())
            title=format!("Disable {name}?")
            text=format!("{name} can no longer sign in: their sessions end at once, their open \
                requests are canceled and their access is removed. Enabling them later lets them \
                sign in again but does not give the access back.")
            confirm="Yes, disable"
            action=disable/>
    }
}

#[component]
pub(super) fn ResetDialog(person: PersonRow, page: Page) -> impl IntoView {
    let id = person.id;
    let reset = Action::new(move |_: &()| reset_person_password(id));
    Effect::new(move |_| {
        if let Some(Ok(link)) = reset.value().get() {
            page.dialog.set(Dialog::None);
            // The new link's box takes focus, not the reloaded panel.
            page.focus_panel.set(false);
            page.changed(format!(
                "Reset the password of {}. Hand them the new setup link.",
                link.display_name
            ));
            page.shown.set(Some(link));
        }
    });
    let name = person.display_name;
    view! {
        <ConfirmDialog testid="reset-dialog" on_cancel=Callback::new(move |()| page.close_dialog())
            title=format!("Reset the password of {name}?")
            text=format!("{name}\u{2019}s password stops working now and their sessions end. \
                You get a new one-time setup link to hand them.")
            confirm="Yes, reset password"
            action=reset/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaver_summary_in_words() {
        let s = LeaverSummary {
            sessions_ended: 1,
            requests_canceled: 2,
            assignments_removed: 0,
            requests_left: 0,
        };
        assert_eq!(
            leaver_words("Megan Bowen", &s),
            (
                "Disabled Megan Bowen: 1 session ended, 2 open requests canceled, 0 assignments removed."
                    .to_string(),
                None
            )
        );
        let left = LeaverSummary {
            requests_left: 1,
            ..s
        };
        assert!(leaver_words("M", &left)
            .1
            .unwrap()
            .starts_with("1 request could not be canceled now"));
    }
}

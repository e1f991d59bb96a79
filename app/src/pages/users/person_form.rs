//! The person form (Display name, E-mail, Department, Job title), used to add a user and to
//! edit one. `domain::person::validate_person` runs as one types and again on the server.

use super::fields::{Feedback, TextInput};
use super::{focus_by_id, Page};
use crate::api::people::{add_person, update_person};
use crate::domain::ids::UserId;
use crate::domain::person::{keys, validate_person, PersonDraft};
use leptos::prelude::*;

/// Every field of the form, in the order it shows them.
const FIELDS: [&str; 4] = [
    keys::DISPLAY_NAME,
    keys::EMAIL,
    keys::DEPARTMENT,
    keys::JOB_TITLE,
];

/// The form's inputs as signals.
#[derive(Clone, Copy)]
struct PersonFields {
    display_name: RwSignal<String>,
    email: RwSignal<String>,
    department: RwSignal<String>,
    job_title: RwSignal<String>,
}

impl PersonFields {
    fn new(from: PersonDraft) -> Self {
        PersonFields {
            display_name: RwSignal::new(from.display_name),
            email: RwSignal::new(from.email),
            department: RwSignal::new(from.department),
            job_title: RwSignal::new(from.job_title),
        }
    }

    fn draft(&self) -> PersonDraft {
        PersonDraft {
            email: self.email.get().trim().to_string(),
            display_name: self.display_name.get().trim().to_string(),
            department: self.department.get().trim().to_string(),
            job_title: self.job_title.get().trim().to_string(),
        }
    }

    fn set(&self, to: PersonDraft) {
        self.display_name.set(to.display_name);
        self.email.set(to.email);
        self.department.set(to.department);
        self.job_title.set(to.job_title);
    }

    /// The rules the draft breaks, kept up to date as one types.
    fn errors(self) -> Memo<Vec<crate::domain::field_error::FieldError>> {
        Memo::new(move |_| validate_person(&self.draft()))
    }
}

/// The inputs and the buttons; the caller says what submitting does.
#[component]
fn PersonInputs(
    prefix: &'static str,
    fields: PersonFields,
    feedback: Feedback,
    submit_label: &'static str,
    pending: Signal<bool>,
    on_submit: Callback<PersonDraft>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if feedback.submit(&FIELDS) {
            on_submit.run(fields.draft());
        }
    };
    let banner = feedback.banner();
    view! {
        <form method="post" on:submit=submit novalidate>
            <TextInput prefix key=keys::DISPLAY_NAME label="Display name" value=fields.display_name feedback/>
            <TextInput prefix key=keys::EMAIL label="E-mail" value=fields.email feedback input_type="email"
                hint="The user signs in with this address."/>
            <TextInput prefix key=keys::DEPARTMENT label="Department" value=fields.department feedback/>
            <TextInput prefix key=keys::JOB_TITLE label="Job title" value=fields.job_title feedback/>
            {move || banner.get().map(|e| view! {
                <p class="field-error" role="alert" data-testid="form-error">{e.to_string()}</p>
            })}
            <div class="dialog-actions">
                <button type="submit" class="primary" disabled=move || pending.get()>{submit_label}</button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}

/// "Add user": on success the page shows the new person's one-time setup link.
#[component]
pub(super) fn AddUser(page: Page) -> impl IntoView {
    let fields = PersonFields::new(PersonDraft::default());
    let feedback = Feedback::new(fields.errors());
    let add = Action::new(|draft: &PersonDraft| add_person(draft.clone()));
    Effect::new(move |_| match add.value().get() {
        Some(Ok(link)) => {
            page.status.set(format!("Added {}.", link.display_name));
            page.shown.set(Some(link));
            fields.set(PersonDraft::default());
            feedback.clear();
            page.list.refetch();
        }
        Some(Err(e)) => feedback.server_said(e),
        None => {}
    });
    let on_submit = Callback::new(move |draft: PersonDraft| {
        add.dispatch(draft);
    });
    view! {
        <section class="card add-user" aria-labelledby="add-user-title" data-testid="add-user">
            <h2 id="add-user-title">"Add user"</h2>
            <p class="hint">"The new user gets a one-time link to choose a password; nothing is sent by e-mail."</p>
            <PersonInputs prefix="add" fields feedback submit_label="Add user"
                pending=add.pending().into() on_submit/>
        </section>
    }
}

/// "Edit": the same fields, filled in with what the person has now.
#[component]
pub(super) fn EditUser(
    page: Page,
    user: UserId,
    current: PersonDraft,
    provisioned: bool,
) -> impl IntoView {
    let fields = PersonFields::new(current);
    let feedback = Feedback::new(fields.errors());
    let save = Action::new(move |draft: &PersonDraft| update_person(user, draft.clone()));
    // Opened with the Edit button: start in its first field.
    Effect::new(move |_| focus_by_id(&format!("edit-{}", keys::DISPLAY_NAME)));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(row)) => {
            page.editing.set(false);
            page.focus_details_after_reload();
            page.changed(format!("Saved the changes to {}.", row.display_name));
        }
        Some(Err(e)) => feedback.server_said(e),
        None => {}
    });
    let on_submit = Callback::new(move |draft: PersonDraft| {
        save.dispatch(draft);
    });
    let on_cancel = Callback::new(move |()| {
        page.editing.set(false);
        page.focus_details();
    });
    view! {
        <section class="edit-user" aria-labelledby="edit-user-title" data-testid="edit-user">
            <h3 id="edit-user-title">"Edit user"</h3>
            {provisioned.then(|| view! {
                <p class="hint">"This user is provisioned by an identity provider: its next update \
                    may overwrite these fields."</p>
            })}
            <PersonInputs prefix="edit" fields feedback submit_label="Save"
                pending=save.pending().into() on_submit on_cancel/>
        </section>
    }
}

//! The setup page (`/setup/:token`): someone who was added or whose password was reset opens
//! their one-time link, signed out, and chooses a password. `validate_new_password` runs as
//! they type and again on the server; a dead link shows the server's sentence and no form.

use crate::api::people::{complete_setup, get_setup_invitation};
use crate::domain::person::{keys, validate_new_password};
use crate::error::AppError;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::users::fields::{Feedback, TextInput};
use crate::views::people::SetupInvitation;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SetupPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let invitation = Resource::new(move || token.get(), get_setup_invitation);
    view! {
        <Title text="Set your password · Latch"/>
        <section class="page sign-in setup">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match invitation.await {
                        Ok(invitation) => view! {
                            <SetupForm token=token.get_untracked() invitation/>
                        }.into_any(),
                        Err(e) => view! {
                            <h1>"Set your password"</h1>
                            <ErrorNotice error=e/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SetupForm(token: String, invitation: SetupInvitation) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = Memo::new(move |_| validate_new_password(&password.read(), &confirm.read()));
    let feedback = Feedback::new(errors);
    let token = StoredValue::new(token);
    let save = Action::new(move |(password, confirm): &(String, String)| {
        complete_setup(token.get_value(), password.clone(), confirm.clone())
    });
    let done = RwSignal::new(false);
    // A link spent meanwhile (another tab) or expired while the page was open.
    let dead = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => done.set(true),
        Some(Err(e @ AppError::NotFound(_))) => dead.set(Some(e)),
        Some(Err(e)) => feedback.server_said(e),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if feedback.submit(&[keys::PASSWORD, keys::CONFIRM]) {
            save.dispatch((password.get_untracked(), confirm.get_untracked()));
        }
    };
    let sign_in = format!(
        "/sign-in?email={}",
        crate::pages::users::encode_query(&invitation.email)
    );
    let banner = feedback.banner();
    let SetupInvitation {
        display_name,
        email,
    } = invitation;
    view! {
        <h1>"Welcome, " {display_name}</h1>
        <p>"You sign in to Latch as " <strong data-testid="setup-email">{email}</strong> "."</p>
        {move || {
            if done.get() {
                view! {
                    <div class="notice" role="status" data-testid="setup-done">
                        <p>"Your password is set."</p>
                        <p><a href=sign_in.clone()>"Sign in"</a></p>
                    </div>
                }.into_any()
            } else if let Some(e) = dead.get() {
                view! { <ErrorNotice error=e/> }.into_any()
            } else {
                view! {
                    <form class="card" data-testid="setup-form" on:submit=submit novalidate>
                        <p class="hint">"Choose a password of at least 12 characters."</p>
                        <TextInput prefix="setup" key=keys::PASSWORD label="New password" value=password
                            feedback input_type="password" autocomplete="new-password"/>
                        <TextInput prefix="setup" key=keys::CONFIRM label="Confirm password" value=confirm
                            feedback input_type="password" autocomplete="new-password"/>
                        {move || banner.get().map(|e| view! {
                            <p class="field-error" role="alert" data-testid="form-error">{e.to_string()}</p>
                        })}
                        <button type="submit" class="primary" disabled=move || save.pending().get()>"Set password"</button>
                    </form>
                }.into_any()
            }
        }}
    }
}

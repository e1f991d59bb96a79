//! Inputs with their message beside them, for the Users forms and the setup page. As in the
//! wizard, a field's rule speaks once the field was typed in (or the form was submitted), and
//! the server's answer for a field shows until the field is typed in again.

use crate::domain::field_error::FieldError;
use crate::error::AppError;
use leptos::prelude::*;

/// Which messages a form shows: the domain's rules for touched fields, and the server's.
#[derive(Clone, Copy)]
pub struct Feedback {
    touched: RwSignal<Vec<&'static str>>,
    server: RwSignal<Vec<FieldError>>,
    errors: Memo<Vec<FieldError>>,
    /// An answer that is about no one field (a refusal, a dead link): shown above the button.
    banner: RwSignal<Option<AppError>>,
}

impl Feedback {
    /// `errors` runs the domain's rules over the form's current values.
    pub fn new(errors: Memo<Vec<FieldError>>) -> Self {
        Feedback {
            touched: RwSignal::new(Vec::new()),
            server: RwSignal::new(Vec::new()),
            errors,
            banner: RwSignal::new(None),
        }
    }

    pub fn touch(&self, field: &'static str) {
        self.touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        });
        self.server.update(|s| s.retain(|e| e.field != field));
    }

    /// On submit: every field's rule speaks. True when none is broken.
    pub fn submit(&self, fields: &[&'static str]) -> bool {
        self.banner.set(None);
        self.server.set(Vec::new());
        self.touched.update(|t| {
            for f in fields {
                if !t.contains(f) {
                    t.push(f);
                }
            }
        });
        self.errors.with_untracked(Vec::is_empty)
    }

    /// Forget everything shown (after a successful save that empties the form).
    pub fn clear(&self) {
        self.touched.set(Vec::new());
        self.server.set(Vec::new());
        self.banner.set(None);
    }

    /// Puts the server's refusal beside its fields, or in the banner.
    pub fn server_said(&self, error: AppError) {
        match error {
            AppError::Invalid(errors) => self.server.set(errors),
            other => self.banner.set(Some(other)),
        }
    }

    pub fn message(&self, field: &'static str) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            if let Some(e) = this.server.read().iter().find(|e| e.field == field) {
                return Some(e.message.clone());
            }
            if !this.touched.read().contains(&field) {
                return None;
            }
            this.errors
                .read()
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    }

    pub fn banner(&self) -> Signal<Option<AppError>> {
        self.banner.into()
    }
}

/// A labelled input; `prefix` keeps ids unique when two forms share a page.
#[component]
pub fn TextInput(
    prefix: &'static str,
    /// The domain's field key: the message's key and the `error-<key>` test id.
    key: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    feedback: Feedback,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("{prefix}-{key}");
    let message = feedback.message(key);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{error_id} {hint_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type=input_type autocomplete=autocomplete
                prop:value=move || value.get()
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    feedback.touch(key);
                }/>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id data-testid=format!("error-{key}") aria-live="polite">
                {move || message.get()}
            </p>
        </div>
    }
}

//! Add a custom extension (and Edit, on the same tabs): Basics, Extension Type, Extension
//! Configuration, Details, Review + Create.

mod fields;
mod tabs;

use crate::api::extensions::{create_extension, extension_form, update_extension};
use crate::domain::extension::ExtensionDraft;
use crate::domain::field_error::FieldError;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::error::AppError;
use crate::pages::catalog::{no_such_catalog, use_catalog_id};
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::tab_strip::TabStrip;
use crate::views::{CreatedExtension, WizardSetup};
use fields::{tab_of, Fields, TABS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::HashSet;

#[component]
pub fn AddExtension() -> impl IntoView {
    let catalog = use_catalog_id();
    let form = Resource::new(
        move || catalog.get(),
        |c| async move {
            match c {
                Some(c) => extension_form(c, None).await,
                None => Err(no_such_catalog()),
            }
        },
    );
    view! { <WizardPage form catalog editing=None/> }
}

#[component]
pub fn EditExtension() -> impl IntoView {
    let catalog = use_catalog_id();
    let params = use_params_map();
    let ext = Memo::new(move |_| {
        params
            .read()
            .get("extension")
            .and_then(|s| s.parse::<ExtensionId>().ok())
    });
    let form = Resource::new(
        move || (catalog.get(), ext.get()),
        |(c, e)| async move {
            match (c, e) {
                (Some(c), Some(e)) => extension_form(c, Some(e)).await,
                _ => Err(AppError::NotFound(
                    "There is no such custom extension.".into(),
                )),
            }
        },
    );
    view! { {move || view! { <WizardPage form catalog editing=ext.get()/> }} }
}

#[component]
fn WizardPage(
    form: Resource<Result<WizardSetup, AppError>>,
    catalog: Memo<Option<CatalogId>>,
    editing: Option<ExtensionId>,
) -> impl IntoView {
    let title = if editing.is_some() {
        "Edit custom extension"
    } else {
        "Add a custom extension"
    };
    view! {
        <Title text=format!("{title} · Latch")/>
        <section class="page wizard-page">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match (form.await, catalog.get()) {
                        (Ok(form), Some(catalog)) => view! {
                            <p class="breadcrumb">
                                <a href=format!("/catalogs/{catalog}/custom-extensions")>{form.catalog_name.clone()} " · Custom extensions"</a>
                            </p>
                            <h1>{title}</h1>
                            <Wizard form catalog editing/>
                        }.into_any(),
                        (Err(e), _) => view! { <h1>{title}</h1><ErrorNotice error=e/> }.into_any(),
                        (Ok(_), None) => view! { <ErrorNotice error=no_such_catalog()/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What the wizard shows next to each field: the server's word for it if the last save was
/// refused, else the rule broken, once the user has typed there or tried to move on.
#[derive(Clone, Copy)]
pub(crate) struct Feedback {
    touched: RwSignal<HashSet<String>>,
    server: RwSignal<Vec<FieldError>>,
    errors: Memo<Vec<FieldError>>,
}

impl Feedback {
    pub fn touch(&self, field: &str) {
        self.touched.update(|t| {
            t.insert(field.to_string());
        });
        self.server.update(|s| s.retain(|e| e.field != field));
    }

    pub fn message(&self, field: &'static str) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            if let Some(e) = this.server.read().iter().find(|e| e.field == field) {
                return Some(e.message.clone());
            }
            if !this.touched.read().contains(field) {
                return None;
            }
            this.errors
                .read()
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    }

    fn reveal(&self, fields: &[&str]) {
        self.touched
            .update(|t| t.extend(fields.iter().map(|f| f.to_string())));
    }
}

#[component]
fn Wizard(form: WizardSetup, catalog: CatalogId, editing: Option<ExtensionId>) -> impl IntoView {
    let fields = Fields::new(form.current.as_ref());
    let allow_hosts = StoredValue::new(form.allow_hosts.clone());
    let tab = RwSignal::new(0usize);
    let result = Memo::new(move |_| allow_hosts.with_value(|hosts| fields.draft(hosts)));
    let feedback = Feedback {
        touched: RwSignal::new(HashSet::new()),
        server: RwSignal::new(Vec::new()),
        errors: Memo::new(move |_| result.get().err().unwrap_or_default()),
    };
    let banner = RwSignal::new(None::<AppError>);
    let created = RwSignal::new(None::<CreatedExtension>);
    let navigate = use_navigate();
    let back = format!("/catalogs/{catalog}/custom-extensions");

    let save = Action::new(move |draft: &ExtensionDraft| {
        let draft = draft.clone();
        async move {
            match editing {
                Some(ext) => update_extension(catalog, ext, draft).await.map(|()| None),
                None => create_extension(catalog, draft).await.map(Some),
            }
        }
    });
    let back_after_save = back.clone();
    let back_from_secret = back.clone();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(Some(new))) => created.set(Some(new)),
        Some(Ok(None)) => navigate(&back_after_save, Default::default()),
        Some(Err(AppError::Invalid(errors))) => {
            if let Some(first) = errors.first() {
                tab.set(tab_of(&first.field));
            }
            banner.set(Some(AppError::Invalid(errors.clone())));
            feedback.server.set(errors);
        }
        Some(Err(other)) => banner.set(Some(other)),
        None => {}
    });

    let tab_has_errors = move |index: usize| {
        let fields = TABS[index].1;
        feedback
            .errors
            .read()
            .iter()
            .any(|e| fields.contains(&e.field.as_str()))
    };
    let next = move |_| {
        let current = tab.get();
        feedback.reveal(TABS[current].1);
        if !tab_has_errors(current) {
            tab.set((current + 1).min(TABS.len() - 1));
        }
    };
    let submit = move |_| {
        banner.set(None);
        match result.get() {
            Ok(draft) => {
                save.dispatch(draft);
            }
            Err(errors) => {
                feedback.reveal(&errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>());
                if let Some(first) = errors.first() {
                    tab.set(tab_of(&first.field));
                }
            }
        }
    };

    view! {
        <Show
            when=move || created.get().is_none()
            fallback=move || view! { <tabs::SecretPanel created=created.get().expect("shown once created") back=back_from_secret.clone()/> }
        >
            <div class="wizard" data-testid="wizard">
                <TabStrip label="Steps" id_prefix="tab" panel="wizard-panel"
                    labels=TABS.iter().map(|(label, _)| *label).collect()
                    tab has_errors=Callback::new(move |i: usize| feedback.server.read().iter().any(|e| TABS[i].1.contains(&e.field.as_str())))/>
                <div id="wizard-panel" role="tabpanel" aria-labelledby=move || format!("tab-{}", tab.get())>
                    {move || match tab.get() {
                        0 => view! { <tabs::Basics fields feedback/> }.into_any(),
                        1 => view! { <tabs::KindTab fields editing=editing.is_some()/> }.into_any(),
                        2 => view! { <tabs::Configuration fields feedback/> }.into_any(),
                        3 => view! { <tabs::Details fields feedback/> }.into_any(),
                        _ => view! { <tabs::Review fields result/> }.into_any(),
                    }}
                </div>
                {move || banner.get().map(|e| view! { <ErrorNotice error=e/> })}
                <div class="wizard-actions">
                    <button type="button" disabled=move || tab.get() == 0 on:click=move |_| tab.update(|t| *t = t.saturating_sub(1))>
                        "Previous"
                    </button>
                    <Show
                        when=move || tab.get() + 1 < TABS.len()
                        fallback=move || view! {
                            <button type="button" class="primary" disabled=move || save.pending().get() on:click=submit>
                                {if editing.is_some() { "Save" } else { "Create" }}
                            </button>
                        }
                    >
                        <button type="button" class="primary" on:click=next>"Next"</button>
                    </Show>
                    <a class="button" href=back.clone()>"Cancel"</a>
                </div>
            </div>
        </Show>
    }
}

//! Access package → Policy: the policy editor. Tabs for who can request, approval, lifecycle
//! and the Custom extensions rules; one Update saves them all.

mod fields;
mod tabs;

use crate::api::policies::{policy_form, update_policy};
use crate::domain::field_error::FieldError;
use crate::domain::ids::{CatalogId, GroupId, PolicyId, UserId};
use crate::domain::policy_rules::{PolicyContext, PolicyDraft};
use crate::error::AppError;
use crate::pages::catalog::use_catalog_id;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::tab_strip::TabStrip;
use crate::views::PolicySetup;
use fields::{tab_of, PolicyFields, TABS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PolicyEditor() -> impl IntoView {
    let catalog = use_catalog_id();
    let params = use_params_map();
    let policy = Memo::new(move |_| {
        params
            .read()
            .get("policy")
            .and_then(|s| s.parse::<PolicyId>().ok())
    });
    let setup = Resource::new(
        move || (catalog.get(), policy.get()),
        |(c, p)| async move {
            match (c, p) {
                (Some(c), Some(p)) => policy_form(c, p).await,
                _ => Err(AppError::NotFound("There is no such policy.".into())),
            }
        },
    );
    view! {
        <Title text="Edit policy · Latch"/>
        <section class="page policy-page">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match (setup.await, catalog.get(), policy.get()) {
                        (Ok(setup), Some(catalog), Some(policy)) => view! {
                            <PolicyHeader setup=setup.clone() catalog/>
                            <Editor setup catalog policy/>
                        }.into_any(),
                        (Err(e), _, _) => view! { <h1>"Edit policy"</h1><ErrorNotice error=e/> }.into_any(),
                        _ => view! {
                            <h1>"Edit policy"</h1>
                            <ErrorNotice error=AppError::NotFound("There is no such policy.".into())/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PolicyHeader(setup: PolicySetup, catalog: CatalogId) -> impl IntoView {
    view! {
        <Title text=format!("{} · Latch", setup.policy_name)/>
        <p class="breadcrumb">
            <a href=format!("/catalogs/{catalog}/access-packages")>{setup.catalog_name} " · Access packages"</a>
        </p>
        <h1 data-testid="policy-name">{setup.policy_name}</h1>
        <p>
            "Access package: " <strong data-testid="package-name">{setup.package_name}</strong>
            {(!setup.description.is_empty()).then(|| view! { <br/><span class="hint">{setup.description}</span> })}
        </p>
    }
}

/// What the editor shows beside each field: the server's word for it if the last save was
/// refused (until the next edit), else the rule the current input breaks.
#[derive(Clone, Copy)]
pub(crate) struct Feedback {
    server: RwSignal<Vec<FieldError>>,
    client: Memo<Vec<FieldError>>,
}

impl Feedback {
    pub fn message(&self, field: String) -> Signal<Option<String>> {
        self.message_at(move || field.clone())
    }

    /// For a field whose key moves (a rule row's index).
    pub fn message_at(
        &self,
        field: impl Fn() -> String + Send + Sync + 'static,
    ) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            let field = field();
            let find = |errors: &[FieldError]| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            };
            this.server
                .with(|s| find(s))
                .or_else(|| this.client.with(|c| find(c)))
        })
    }

    fn any_in_tab(&self, tab: usize) -> bool {
        let in_tab = |errors: &[FieldError]| errors.iter().any(|e| tab_of(&e.field) == tab);
        self.server.with(|s| in_tab(s)) || self.client.with(|c| in_tab(c))
    }
}

#[component]
fn Editor(setup: PolicySetup, catalog: CatalogId, policy: PolicyId) -> impl IntoView {
    let fields = PolicyFields::new(&setup.current);
    let today = setup.today;
    let users = StoredValue::new(setup.users);
    let extensions = StoredValue::new(setup.extensions);
    let groups = StoredValue::new(setup.groups);
    let user_ids =
        StoredValue::new(users.with_value(|u| u.iter().map(|u| u.id).collect::<Vec<UserId>>()));
    let group_ids =
        StoredValue::new(groups.with_value(|g| g.iter().map(|g| g.id).collect::<Vec<GroupId>>()));
    let result = Memo::new(move |_| {
        extensions.with_value(|extensions| {
            user_ids.with_value(|users| {
                group_ids.with_value(|groups| {
                    fields.check(&PolicyContext {
                        catalog,
                        today,
                        extensions,
                        users,
                        groups,
                    })
                })
            })
        })
    });
    let feedback = Feedback {
        server: RwSignal::new(Vec::new()),
        client: Memo::new(move |_| result.get().err().unwrap_or_default()),
    };
    let warning = Memo::new(move |_| fields.warning(today));
    let tab = RwSignal::new(0usize);
    let status = RwSignal::new(String::new());
    let banner = RwSignal::new(None::<AppError>);

    // Any edit makes the last save's answers stale.
    Effect::watch(
        move || fields.draft(),
        move |_, _, _| {
            feedback.server.set(Vec::new());
            status.set(String::new());
            banner.set(None);
        },
        false,
    );

    let save =
        Action::new(move |draft: &PolicyDraft| update_policy(catalog, policy, draft.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => status.set("Policy updated.".into()),
        Some(Err(AppError::Invalid(errors))) => {
            if let Some(first) = errors.first() {
                tab.set(tab_of(&first.field));
            }
            feedback.server.set(errors);
            banner.set(Some(AppError::Invalid(Vec::new())));
        }
        Some(Err(other)) => banner.set(Some(other)),
        None => {}
    });
    let submit = move |_| {
        status.set(String::new());
        banner.set(None);
        match result.get() {
            Ok(draft) => {
                save.dispatch(draft);
            }
            Err(errors) => {
                if let Some(first) = errors.first() {
                    tab.set(tab_of(&first.field));
                }
                banner.set(Some(AppError::Invalid(Vec::new())));
            }
        }
    };

    view! {
        <div class="wizard policy-editor" data-testid="policy-editor">
            <TabStrip label="Policy settings" id_prefix="policy-tab" panel="policy-panel"
                labels=TABS.to_vec() tab has_errors=Callback::new(move |i| feedback.any_in_tab(i))/>
            <div id="policy-panel" role="tabpanel" aria-labelledby=move || format!("policy-tab-{}", tab.get())>
                {move || match tab.get() {
                    0 => view! { <tabs::RequestsTab fields users groups feedback/> }.into_any(),
                    1 => view! { <tabs::ApprovalTab fields users feedback/> }.into_any(),
                    2 => view! { <tabs::LifecycleTab fields feedback/> }.into_any(),
                    _ => view! { <tabs::RulesTab fields extensions feedback/> }.into_any(),
                }}
            </div>
            {move || warning.get().map(|text| view! {
                <p class="notice" role="note"><strong>"Warning: "</strong><span data-testid="fourteen-day-warning">{text}</span></p>
            })}
            {move || banner.get().map(|e| match e {
                AppError::Invalid(_) => view! {
                    <p class="field-error" role="alert" data-testid="save-error">
                        "The policy was not updated. Fix the fields marked on the tabs shown with \u{201c}(fix)\u{201d}."
                    </p>
                }.into_any(),
                other => view! { <ErrorNotice error=other/> }.into_any(),
            })}
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status" data-testid="policy-status">{move || status.get()}</p>
            <div class="wizard-actions">
                <button type="button" class="primary" disabled=move || save.pending().get() on:click=submit>
                    "Update"
                </button>
                <a class="button" href=format!("/catalogs/{catalog}/access-packages")>"Back to access packages"</a>
            </div>
        </div>
    }
}

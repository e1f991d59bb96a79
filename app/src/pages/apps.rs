//! Apps (Identity Governance Administrators): register an API client, show its client secret
//! once with Copy, add and revoke secrets, and assign and remove its roles. A secret lives
//! only in this page's memory: no list ever carries one, so leaving the page loses it.

use crate::api::apps::{
    add_app_secret, app_catalog_choices, assign_app_role, list_apps, register_app, remove_app_role,
    revoke_app_secret,
};
use crate::domain::extension::validate_display_name;
use crate::domain::field_error::keys;
use crate::domain::ids::{AppId, CatalogId};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::pages::common::{CopyableSecret, ErrorNotice, Loading};
use crate::pages::lists::{use_name_query, NamePager, NameSearch};
use crate::pages::modal::{ConfirmDialog, Modal};
use crate::views::lists::{NameQuery, PAGE_SIZE};
use crate::views::{
    role_scope_error, utc_minutes, AppRoleRow, AppSecretRow, AppSummary, NewClientSecret,
    SecretLifetime, SecretStatus,
};
use leptos::prelude::*;
use leptos_meta::Title;

const PATH: &str = "/apps";

/// Which confirmation is open.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Revoke(AppId, String, AppSecretRow),
    Remove(AppId, String, AppRoleRow),
    Assign(AppId, String),
}

/// What the page shares with its parts.
#[derive(Clone, Copy)]
struct Page {
    /// The secret just made, shown until "Done" or until one leaves the page.
    shown: RwSignal<Option<NewClientSecret>>,
    dialog: RwSignal<Dialog>,
    /// A change finished: say so and reload the list.
    done: Callback<String>,
    add_secret: Action<(AppId, SecretLifetime), Result<NewClientSecret, AppError>>,
}

#[component]
pub fn AppsPage() -> impl IntoView {
    let query = use_name_query();
    let apps = Resource::new(move || query.get(), list_apps);
    let status = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<NewClientSecret>);
    let dialog = RwSignal::new(Dialog::None);
    let done = Callback::new(move |message: String| {
        dialog.set(Dialog::None);
        status.set(message);
        apps.refetch();
    });
    let add_secret =
        Action::new(|(app, lifetime): &(AppId, SecretLifetime)| add_app_secret(*app, *lifetime));
    Effect::new(move |_| {
        if let Some(Ok(created)) = add_secret.value().get() {
            status.set(format!(
                "Added a client secret to \u{201c}{}\u{201d}.",
                created.display_name
            ));
            shown.set(Some(created));
            apps.refetch();
        }
    });
    let page = Page {
        shown,
        dialog,
        done,
        add_secret,
    };

    view! {
        <Title text="Apps · Latch"/>
        <section class="page">
            <h1>"Apps"</h1>
            <p>"An app is an API client: a workflow gets a token with the app's client id and a client secret, \
                and may do what the app's roles allow. A workflow that resumes requests needs "
               <strong>"Access package assignment manager"</strong>" on the catalog of those requests."</p>
            <p class="status" class:quiet=move || status.with(String::is_empty) role="status" data-testid="apps-status">{move || status.get()}</p>
            {move || shown.get().map(|created| view! { <ShownSecret created shown/> })}
            {move || add_secret.value().get().and_then(Result::err).map(|e| view! {
                <p class="notice notice-error" role="alert" data-testid="apps-error">
                    "The secret could not be added: " {e.to_string()}
                </p>
            })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let here = query.get_untracked();
                    match apps.await {
                        Ok(list) => view! {
                            <RegisterForm page status apps/>
                            <h2>"Registered apps"</h2>
                            <NameSearch path=PATH here=here.clone() pages=list.pages.clone() testid="app-search"/>
                            {if list.apps.is_empty() {
                                let words = match (list.pages.total, here.name.as_str()) {
                                    (0, "") => "No app is registered yet. Register one above.".to_owned(),
                                    (0, name) => format!("No app\u{2019}s name starts with \u{201c}{name}\u{201d}."),
                                    _ => "There are no more apps past this point.".to_owned(),
                                };
                                view! { <p class="empty" data-testid="no-apps">{words}</p> }.into_any()
                            } else {
                                list.apps.into_iter().map(|app| view! {
                                    <AppCard app page/>
                                }).collect_view().into_any()
                            }}
                            <NamePager path=PATH here pages=list.pages of=("app", "apps")/>
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Transition>
            {move || match dialog.get() {
                Dialog::Revoke(app, name, secret) => view! { <RevokeDialog app name secret page/> }.into_any(),
                Dialog::Remove(app, name, role) => view! { <RemoveDialog app name role page/> }.into_any(),
                Dialog::Assign(app, name) => view! { <AssignDialog app name page/> }.into_any(),
                Dialog::None => ().into_any(),
            }}
        </section>
    }
}

/// The client id and the secret, this once.
#[component]
fn ShownSecret(
    created: NewClientSecret,
    shown: RwSignal<Option<NewClientSecret>>,
) -> impl IntoView {
    let expires = created
        .expires_at
        .map_or_else(|| "Never".to_string(), utc_minutes);
    view! {
        <div class="card secret-panel" data-testid="new-secret" role="region" aria-labelledby="new-secret-title">
            <h2 id="new-secret-title">"Client secret for \u{201c}" {created.display_name.clone()} "\u{201d}"</h2>
            <p><strong>"Copy the secret now: it is shown only this once."</strong>
               " Latch keeps only a hash of it; if it is lost, add a new secret and revoke this one."</p>
            <dl class="facts">
                <dt>"Client id"</dt>
                <dd><code data-testid="new-client-id">{created.app_id.to_string()}</code></dd>
                <dt>"Expires"</dt>
                <dd>{expires}</dd>
            </dl>
            <CopyableSecret secret=created.client_secret.clone() what="client secret" testid="client-secret"/>
            <button type="button" class="primary" on:click=move |_| shown.set(None)>"Done"</button>
        </div>
    }
}

#[component]
fn LifetimeSelect(
    id: String,
    label: &'static str,
    value: RwSignal<SecretLifetime>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| {
                if let Some(l) = SecretLifetime::from_key(&event_target_value(&ev)) {
                    value.set(l);
                }
            }>
                {SecretLifetime::ALL.into_iter().map(|l| view! {
                    <option value=l.key() selected=move || value.get() == l>{l.label()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn RegisterForm(
    page: Page,
    status: RwSignal<String>,
    apps: Resource<Result<crate::views::AppList, AppError>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let lifetime = RwSignal::new(SecretLifetime::default());
    let touched = RwSignal::new(false);
    let register = Action::new(|(name, lifetime): &(String, SecretLifetime)| {
        register_app(name.clone(), *lifetime)
    });
    Effect::new(move |_| {
        if let Some(Ok(created)) = register.value().get() {
            status.set(format!(
                "Registered \u{201c}{}\u{201d}.",
                created.display_name
            ));
            page.shown.set(Some(created));
            apps.refetch();
        }
    });
    let local = move || {
        touched
            .get()
            .then(|| validate_display_name(&name.get()).err().map(|e| e.message))
            .flatten()
    };
    let server = move || register.value().get().and_then(Result::err);
    let name_message =
        move || local().or_else(|| server().and_then(|e| e.field_message(keys::DISPLAY_NAME)));
    let other_error = move || {
        server()
            .filter(|e| e.field_message(keys::DISPLAY_NAME).is_none())
            .map(|e| e.to_string())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if validate_display_name(&name.get()).is_ok() {
            register.dispatch((name.get(), lifetime.get()));
        }
    };
    view! {
        <form class="card register-app" aria-labelledby="register-title" data-testid="register-app" on:submit=submit novalidate>
            <h2 id="register-title">"Register an app"</h2>
            <div class="field">
                <label for="app-name">"Name"</label>
                <input id="app-name" type="text" prop:value=move || name.get()
                    aria-invalid=move || name_message().is_some().to_string()
                    aria-describedby="app-name-error"
                    on:input=move |ev| { name.set(event_target_value(&ev)); touched.set(true); }/>
                <p class="field-error" id="app-name-error" data-testid="error-displayName" aria-live="polite">
                    {name_message}
                </p>
            </div>
            <LifetimeSelect id="register-lifetime".into() label="Client secret expires after" value=lifetime/>
            {move || other_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="primary" disabled=move || register.pending().get()>"Register"</button>
        </form>
    }
}

#[component]
fn AppCard(app: AppSummary, page: Page) -> impl IntoView {
    let id = app.id;
    let name = app.display_name.clone();
    let heading = format!("app-{id}");
    let lifetime = RwSignal::new(SecretLifetime::default());
    let secrets = app.secrets.clone();
    let roles = app.roles.clone();
    let (name_for_secrets, name_for_roles) = (name.clone(), name.clone());
    let (data_name, labelled_by) = (name.clone(), heading.clone());
    let (caption_secrets, caption_roles, title) = (name.clone(), name.clone(), name.clone());
    view! {
        <article class="card app-card" data-testid="app" data-name=data_name aria-labelledby=labelled_by>
            <h3 id=heading>{title}</h3>
            <dl class="facts">
                <dt>"Client id"</dt>
                <dd><code data-testid="client-id">{id.to_string()}</code></dd>
                <dt>"Registered"</dt>
                <dd>{utc_minutes(app.created_at)}</dd>
            </dl>

            <h4>"Client secrets"</h4>
            <div class="table-scroll">
                <table class="grid" data-testid="secrets">
                    <caption class="sr-only">"Client secrets of " {caption_secrets}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Secret"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {secrets.into_iter().map(|s| {
                            let status = match (s.status, s.revoked_at) {
                                (SecretStatus::Revoked, Some(at)) => format!("Revoked {}", utc_minutes(at)),
                                (status, _) => status.label().to_string(),
                            };
                            let active = s.status == SecretStatus::Active;
                            let hint = format!("{}\u{2026}", s.hint);
                            let app_name = name_for_secrets.clone();
                            let row = s.clone();
                            view! {
                                <tr data-testid="secret-row" data-hint=s.hint.clone()>
                                    <td class="mono">{hint.clone()}</td>
                                    <td>{utc_minutes(s.created_at)}</td>
                                    <td>{s.expires_at.map_or_else(|| "Never".to_string(), utc_minutes)}</td>
                                    <td data-testid="secret-status">{status}</td>
                                    <td>{active.then(|| view! {
                                        <button type="button" class="danger" aria-label=format!("Revoke secret {hint}")
                                            on:click=move |_| page.dialog.set(Dialog::Revoke(id, app_name.clone(), row.clone()))>
                                            "Revoke"
                                        </button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="inline-form">
                <LifetimeSelect id=format!("lifetime-{id}") label="New secret expires after" value=lifetime/>
                <button type="button" disabled=move || page.add_secret.pending().get()
                    on:click=move |_| { page.add_secret.dispatch((id, lifetime.get())); }>
                    "Add secret"
                </button>
            </div>

            <h4>"Roles"</h4>
            {if roles.is_empty() {
                view! { <p class="empty" data-testid="no-roles">"No roles yet: the app can get tokens but may do nothing with them."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="grid" data-testid="roles">
                            <caption class="sr-only">"Roles of " {caption_roles.clone()}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Scope"</th>
                                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {roles.into_iter().map(|r| {
                                    let scope = r.scope();
                                    let label = format!("Remove {} on {scope}", r.role.label());
                                    let app_name = name_for_roles.clone();
                                    let row = r.clone();
                                    view! {
                                        <tr data-testid="role-row">
                                            <td>{r.role.label()}</td>
                                            <td>{scope.clone()}</td>
                                            <td><button type="button" class="danger" aria-label=label
                                                on:click=move |_| page.dialog.set(Dialog::Remove(id, app_name.clone(), row.clone()))>
                                                "Remove"
                                            </button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="actions">
                <button type="button" aria-label=format!("Assign a role to {name}")
                    on:click=move |_| page.dialog.set(Dialog::Assign(id, name.clone()))>
                    "Assign a role"
                </button>
            </p>
        </article>
    }
}

#[component]
fn AssignDialog(app: AppId, name: String, page: Page) -> impl IntoView {
    let role = RwSignal::new(Role::AccessPackageAssignmentManager);
    // The catalogs on offer: the first page of those whose name starts as typed (there may be
    // thousands), loaded as the dialog opens and again as one types.
    let search = RwSignal::new(String::new());
    let choices = Resource::new(
        move || search.get(),
        |name| {
            app_catalog_choices(NameQuery {
                name,
                ..NameQuery::default()
            })
        },
    );
    let catalog = RwSignal::new(None::<CatalogId>);
    let tried = RwSignal::new(false);
    let assign = Action::new(move |(role, catalog): &(Role, Option<CatalogId>)| {
        assign_app_role(app, *role, *catalog)
    });
    let assigned_to = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = assign.value().get() {
            page.done.run(format!(
                "Assigned {} to \u{201c}{assigned_to}\u{201d}.",
                role.get_untracked().label()
            ));
        }
    });
    let tenant = move || role.get().is_tenant_wide();
    let chosen = move || if tenant() { None } else { catalog.get() };
    let server = move || assign.value().get().and_then(Result::err);
    let catalog_message = move || {
        tried
            .get()
            .then(|| role_scope_error(role.get(), chosen()).map(|e| e.message))
            .flatten()
            .or_else(|| server().and_then(|e| e.field_message(keys::CATALOG)))
    };
    let other_error = move || {
        server()
            .filter(|e| e.field_message(keys::CATALOG).is_none())
            .map(|e| e.to_string())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if role_scope_error(role.get(), chosen()).is_none() {
            assign.dispatch((role.get(), chosen()));
        }
    };
    let role_id = format!("role-{app}");
    let catalog_id = format!("catalog-{app}");
    let search_id = format!("catalog-search-{app}");
    let error_id = format!("catalog-{app}-error");
    let close = Callback::new(move |()| page.dialog.set(Dialog::None));
    view! {
        <Modal labelled_by="assign-title" testid="assign-dialog" on_close=close>
        <h3 id="assign-title">"Assign a role to " {name}</h3>
        <form class="assign-role" data-testid="assign-role" on:submit=submit novalidate>
                <div class="field">
                    <label for=role_id.clone()>"Role"</label>
                    <select id=role_id on:change=move |ev| {
                        if let Some(r) = Role::from_db_name(&event_target_value(&ev)) {
                            role.set(r);
                        }
                    }>
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.db_name() selected=move || role.get() == r>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=search_id.clone()>"Find a catalog"</label>
                    <input id=search_id type="search" autocomplete="off" maxlength="100" disabled=tenant
                        placeholder="Start of its name"
                        on:input=move |ev| search.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for=catalog_id.clone()>"Catalog"</label>
                    <select id=catalog_id disabled=tenant
                        aria-invalid=move || catalog_message().is_some().to_string()
                        aria-describedby=format!("{error_id} catalog-{app}-hint")
                        on:change=move |ev| catalog.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || catalog.get().is_none()>"Choose a catalog"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let rows = choices.await.map(|c| c.rows).unwrap_or_default();
                                rows.into_iter().map(|c| view! {
                                    <option value=c.id.to_string() selected=move || catalog.get() == Some(c.id)>{c.display_name}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    <p class="hint" id=format!("catalog-{app}-hint")>
                        {move || if tenant() {
                            "Identity Governance Administrator applies to every catalog.".to_owned()
                        } else {
                            let total = choices.get().and_then(Result::ok).map_or(0, |c| c.total);
                            if total > PAGE_SIZE as i64 {
                                format!("Catalog roles apply only in the chosen catalog. The first {PAGE_SIZE} of {total} catalogs are offered: find others by the start of their name.")
                            } else {
                                "Catalog roles apply only in the chosen catalog.".to_owned()
                            }
                        }}
                    </p>
                    <p class="field-error" id=error_id.clone() data-testid="error-catalog" aria-live="polite">{catalog_message}</p>
                </div>
                {move || other_error().map(|e| view! { <p class="field-error" role="alert" data-testid="assign-error">{e}</p> })}
                <div class="dialog-actions">
                    <button type="submit" class="primary" disabled=move || assign.pending().get()>"Assign role"</button>
                    <button type="button" on:click=move |_| close.run(())>"Cancel"</button>
                </div>
        </form>
        </Modal>
    }
}

#[component]
fn RevokeDialog(app: AppId, name: String, secret: AppSecretRow, page: Page) -> impl IntoView {
    let secret_id = secret.id;
    let hint = format!("{}\u{2026}", secret.hint);
    let revoke = Action::new(move |_: &()| revoke_app_secret(app, secret_id));
    let message = format!("Revoked the secret {hint} of \u{201c}{name}\u{201d}.");
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            page.done.run(message.clone());
        }
    });
    view! {
        <ConfirmDialog testid="revoke-dialog" danger=true on_cancel=Callback::new(move |()| page.dialog.set(Dialog::None))
            title=format!("Revoke the secret {hint}?")
            text="From now on it gets no tokens. Tokens it already got stay valid until they expire, \
                within an hour. This can't be undone.".to_string()
            confirm="Revoke"
            action=revoke/>
    }
}

#[component]
fn RemoveDialog(app: AppId, name: String, role: AppRoleRow, page: Page) -> impl IntoView {
    let what = format!("{} on {}", role.role.label(), role.scope());
    let (r, catalog) = (role.role, role.catalog_id);
    let remove = Action::new(move |_: &()| remove_app_role(app, r, catalog));
    let message = format!("Removed {what} from \u{201c}{name}\u{201d}.");
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            page.done.run(message.clone());
        }
    });
    view! {
        <ConfirmDialog testid="remove-dialog" danger=true on_cancel=Callback::new(move |()| page.dialog.set(Dialog::None))
            title=format!("Remove {what}?")
            text="The app loses this role at once, also for tokens it already holds.".to_string()
            confirm="Remove"
            action=remove/>
    }
}

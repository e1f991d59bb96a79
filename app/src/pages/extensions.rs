//! Catalog → Custom extensions: the table, its row menu ("Test connection" runs at once and
//! says how it went), and the delete and "Update to new extension type" dialogs.

use crate::api::connection::test_connection;
use crate::api::extensions::{
    convert_extension, delete_extension, extensions_tab, legacy_conversion_offer,
    rotate_signing_secret,
};
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use crate::error::AppError;
use crate::pages::catalog::{catalog_list_resource, no_such_catalog, use_catalog_id};
use crate::pages::common::{Breakable, CopyableSecret, ErrorNotice, Loading};
use crate::pages::keyboard::{elements, move_focus, Orientation};
use crate::pages::lists::{use_name_query, NamePager, NameSearch};
use crate::pages::modal::{ConfirmDialog, Modal};
use crate::views::{ConnectionResult, ConversionOffer, ExtensionRow};
use leptos::html::{Button, Td};
use leptos::prelude::*;

/// Which dialog is open, for which row.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Delete(ExtensionRow),
    Convert(ExtensionRow),
    Rotate(ExtensionRow),
}

#[component]
pub fn ExtensionsTabPage() -> impl IntoView {
    let id = use_catalog_id();
    let tab = catalog_list_resource(extensions_tab);
    let query = use_name_query();
    let dialog = RwSignal::new(Dialog::None);
    let status = RwSignal::new(String::new());
    let tested = RwSignal::new(None::<Tested>);
    let done = Callback::new(move |message: String| {
        dialog.set(Dialog::None);
        tested.set(None);
        status.set(message);
        tab.refetch();
    });
    let test = Action::new(move |(catalog, row): &(CatalogId, ExtensionRow)| {
        let (catalog, ext, name) = (*catalog, row.id, row.display_name.clone());
        async move { (name, test_connection(catalog, ext).await) }
    });
    Effect::new(move |_| {
        if let Some((name, result)) = test.value().get() {
            tested.set(Some(Tested::Done(name, result)));
            tab.refetch();
        }
    });
    let start_test = Callback::new(move |(catalog, row): (CatalogId, ExtensionRow)| {
        status.set(String::new());
        tested.set(Some(Tested::Running(row.display_name.clone())));
        test.dispatch((catalog, row));
    });

    view! {
        <div class="tab-header">
            <h2>"Custom extensions"</h2>
        </div>
        <p class="status" class:quiet=move || status.with(String::is_empty) role="status" data-testid="tab-status">{move || status.get()}</p>
        {move || tested.get().map(|t| view! { <TestNotice tested=t/> })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let here = query.get_untracked();
                match (tab.await, id.get()) {
                    (Ok(t), Some(catalog)) => {
                        let may_manage = t.may_manage;
                        let path = format!("/catalogs/{catalog}/custom-extensions");
                        let pages = t.pages.clone();
                        view! {
                            <Show when=move || may_manage>
                                <p class="actions">
                                    <a class="button primary" href=format!("/catalogs/{catalog}/custom-extensions/new")>
                                        "Add a custom extension"
                                    </a>
                                </p>
                            </Show>
                            <NameSearch path=path.clone() here=here.clone() pages=pages.clone() testid="extension-search"/>
                            {if t.rows.is_empty() && (pages.total > 0 || !here.name.is_empty()) {
                                let words = if here.name.is_empty() {
                                    "There are no more custom extensions past this point.".to_owned()
                                } else {
                                    format!("No custom extension\u{2019}s name starts with \u{201c}{}\u{201d}.", here.name)
                                };
                                view! { <p class="empty" data-testid="no-extensions">{words}</p> }.into_any()
                            } else if t.rows.is_empty() {
                                view! {
                                    <p class="empty" data-testid="no-extensions">
                                        "This catalog has no custom extensions yet. "
                                        {if may_manage { "Choose \u{201c}Add a custom extension\u{201d} to call a workflow at a stage of a request." } else { "" }}
                                    </p>
                                }.into_any()
                            } else {
                                view! { <ExtensionTable rows=t.rows catalog may_manage dialog start_test/> }.into_any()
                            }}
                            <NamePager path here pages of=("custom extension", "custom extensions")/>
                        }.into_any()
                    }
                    (Err(e), _) => view! { <ErrorNotice error=e/> }.into_any(),
                    (Ok(_), None) => view! { <ErrorNotice error=no_such_catalog()/> }.into_any(),
                }
            })}
        </Transition>
        {move || match (dialog.get(), id.get()) {
            (Dialog::Delete(row), Some(catalog)) => view! { <DeleteDialog row catalog dialog done/> }.into_any(),
            (Dialog::Convert(row), Some(catalog)) => view! { <ConvertDialog row catalog dialog done/> }.into_any(),
            (Dialog::Rotate(row), Some(catalog)) => view! { <RotateDialog row catalog dialog done/> }.into_any(),
            _ => ().into_any(),
        }}
    }
}

#[component]
fn ExtensionTable(
    rows: Vec<ExtensionRow>,
    catalog: CatalogId,
    may_manage: bool,
    dialog: RwSignal<Dialog>,
    start_test: Callback<(CatalogId, ExtensionRow)>,
) -> impl IntoView {
    let open_menu = RwSignal::new(None::<ExtensionId>);
    // The first item has the focus as a menu opens (one is open at a time).
    Effect::new(move |_| {
        if open_menu.get().is_some() {
            let root = document().document_element();
            let first =
                root.and_then(|r| elements(&r, ".row-menu [role=menuitem]").into_iter().next());
            if let Some(first) = first {
                let _ = first.focus();
            }
        }
    });
    view! {
        <div class="table-scroll">
            <table class="grid" data-testid="extension-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Logic app"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Token security"</th>
                        <th scope="col">"Connection"</th>
                        {may_manage.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let ext = row.id;
                        let name = row.display_name.clone();
                        let legacy = row.kind == ExtensionKind::Legacy;
                        let for_delete = row.clone();
                        let for_convert = row.clone();
                        let for_rotate = row.clone();
                        let for_test = row.clone();
                        let (cell, trigger) = (NodeRef::<Td>::new(), NodeRef::<Button>::new());
                        let connection = row
                            .connection
                            .as_ref()
                            .map_or_else(|| "Not tested yet".to_string(), ConnectionResult::summary);
                        view! {
                            <tr data-testid="extension-row" data-name=name.clone()>
                                <td>{row.display_name.clone()}</td>
                                <td>{row.description.clone()}</td>
                                <td class="mono" title=row.logic_app.clone()><Breakable value=row.logic_app.clone()/></td>
                                <td data-testid="type">{row.kind.type_label()}</td>
                                <td data-testid="token-security">{row.kind.token_security().label()}</td>
                                <td data-testid="connection">{connection}</td>
                                {may_manage.then(|| view! {
                                    <td class="row-menu" node_ref=cell on:keydown=move |ev| menu_keydown(ev, cell, trigger, open_menu)>
                                        <button
                                            type="button"
                                            node_ref=trigger
                                            class="icon-button"
                                            aria-label=format!("Actions for {name}")
                                            aria-haspopup="menu"
                                            aria-expanded=move || (open_menu.get() == Some(ext)).to_string()
                                            on:click=move |_| open_menu.update(|m| *m = if *m == Some(ext) { None } else { Some(ext) })
                                        >"⋯"</button>
                                        <Show when=move || open_menu.get() == Some(ext)>
                                            <div class="menu" role="menu">
                                                <a role="menuitem" href=format!("/catalogs/{catalog}/custom-extensions/{ext}/edit")>"Edit"</a>
                                                {
                                                    let row = for_test.clone();
                                                    view! {
                                                        <button type="button" role="menuitem" on:click=move |_| {
                                                            close_menu(trigger, open_menu);
                                                            start_test.run((catalog, row.clone()));
                                                        }>"Test connection"</button>
                                                    }
                                                }
                                                {
                                                    let row = for_rotate.clone();
                                                    view! {
                                                        <button type="button" role="menuitem" on:click=move |_| {
                                                            close_menu(trigger, open_menu);
                                                            dialog.set(Dialog::Rotate(row.clone()));
                                                        }>"Rotate signing secret"</button>
                                                    }
                                                }
                                                {legacy.then(|| {
                                                    let row = for_convert.clone();
                                                    view! {
                                                        <button type="button" role="menuitem" on:click=move |_| {
                                                            close_menu(trigger, open_menu);
                                                            dialog.set(Dialog::Convert(row.clone()));
                                                        }>"Update to new extension type"</button>
                                                    }
                                                })}
                                                {
                                                    let row = for_delete.clone();
                                                    view! {
                                                        <button type="button" role="menuitem" class="danger" on:click=move |_| {
                                                            close_menu(trigger, open_menu);
                                                            dialog.set(Dialog::Delete(row.clone()));
                                                        }>"Delete"</button>
                                                    }
                                                }
                                            </div>
                                        </Show>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Up and Down (Home, End) move among the open menu's items; Escape closes it.
fn menu_keydown(
    ev: leptos::ev::KeyboardEvent,
    cell: NodeRef<Td>,
    trigger: NodeRef<Button>,
    open_menu: RwSignal<Option<ExtensionId>>,
) {
    if ev.key() == "Escape" {
        close_menu(trigger, open_menu);
    } else if let Some(cell) = cell.get_untracked() {
        if move_focus(&cell, "[role=menuitem]", &ev.key(), Orientation::Vertical) {
            ev.prevent_default();
        }
    }
}

/// Closes the menu with the focus back on its button, where a dialog opened from the menu
/// returns it when it closes.
fn close_menu(trigger: NodeRef<Button>, open_menu: RwSignal<Option<ExtensionId>>) {
    if let Some(button) = trigger.get_untracked() {
        let _ = button.focus();
    }
    open_menu.set(None);
}

/// The "Test connection" in progress, or how it went.
#[derive(Clone, PartialEq)]
enum Tested {
    Running(String),
    Done(String, Result<ConnectionResult, AppError>),
}

#[component]
fn TestNotice(tested: Tested) -> impl IntoView {
    let (class, text) = match tested {
        Tested::Running(name) => (
            "notice",
            format!("Testing the connection of \u{201c}{name}\u{201d}\u{2026}"),
        ),
        Tested::Done(name, Ok(result)) => (
            if result.passed {
                "notice"
            } else {
                "notice notice-error"
            },
            format!(
                "Connection test of \u{201c}{name}\u{201d}: {}",
                result.summary()
            ),
        ),
        Tested::Done(name, Err(e)) => (
            "notice notice-error",
            format!("The connection of \u{201c}{name}\u{201d} could not be tested: {e}"),
        ),
    };
    view! { <p class=class role="status" data-testid="connection-result">{text}</p> }
}

#[component]
fn DeleteDialog(
    row: ExtensionRow,
    catalog: CatalogId,
    dialog: RwSignal<Dialog>,
    done: Callback<String>,
) -> impl IntoView {
    let ext = row.id;
    let name = row.display_name.clone();
    let delete = Action::new(move |_: &()| delete_extension(catalog, ext));
    let deleted_name = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            done.run(format!("Deleted \u{201c}{deleted_name}\u{201d}."));
        }
    });
    view! {
        <ConfirmDialog testid="delete-dialog" danger=true on_cancel=Callback::new(move |()| dialog.set(Dialog::None))
            title=format!("Delete \u{201c}{name}\u{201d}?")
            text="Policies can no longer call it, and its history stays in the audit log.".to_string()
            confirm="Delete"
            action=delete/>
    }
}

#[component]
fn ConvertDialog(
    row: ExtensionRow,
    catalog: CatalogId,
    dialog: RwSignal<Dialog>,
    done: Callback<String>,
) -> impl IntoView {
    let ext = row.id;
    let name = row.display_name.clone();
    let choice = Resource::new(|| (), move |_| legacy_conversion_offer(catalog, ext));
    let picked = RwSignal::new(None::<ExtensionKind>);
    let convert =
        Action::new(move |kind: &Option<ExtensionKind>| convert_extension(catalog, ext, *kind));
    let converted_name = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(kind)) = convert.value().get() {
            done.run(format!(
                "\u{201c}{converted_name}\u{201d} is now of type {}.",
                kind.type_label()
            ));
        }
    });
    view! {
        <Modal labelled_by="convert-title" testid="convert-dialog" on_close=Callback::new(move |_| dialog.set(Dialog::None))>
            <h3 id="convert-title">"Update \u{201c}" {name.clone()} "\u{201d} to a new extension type"</h3>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match choice.await {
                        Ok(ConversionOffer::Choose) => view! {
                            <p>"No policy uses this extension, so you choose its new type. Its id, endpoint and secret stay."</p>
                            <fieldset>
                                <legend>"New type"</legend>
                                <label><input type="radio" name="new-kind" on:change=move |_| picked.set(Some(ExtensionKind::AssignmentRequest))/>
                                    " Request workflow (request created, approved, assignment granted, removed)"</label>
                                <label><input type="radio" name="new-kind" on:change=move |_| picked.set(Some(ExtensionKind::PreExpiration))/>
                                    " Pre-expiration workflow (14 days and 1 day before expiry)"</label>
                            </fieldset>
                            <div class="dialog-actions">
                                <button type="button" class="primary" disabled=move || picked.get().is_none() || convert.pending().get()
                                    on:click=move |_| { convert.dispatch(picked.get()); }>"Update"</button>
                                <button type="button" on:click=move |_| dialog.set(Dialog::None)>"Cancel"</button>
                            </div>
                        }.into_any(),
                        Ok(ConversionOffer::Fixed(kind)) => view! {
                            <p>"Every policy that uses it calls it at stages of one kind, so it becomes: "
                               <strong>{kind.type_label()}</strong>". Its id, endpoint, secret and policy links stay."</p>
                            <div class="dialog-actions">
                                <button type="button" class="primary" disabled=move || convert.pending().get()
                                    on:click=move |_| { convert.dispatch(None); }>"Update"</button>
                                <button type="button" on:click=move |_| dialog.set(Dialog::None)>"Cancel"</button>
                            </div>
                        }.into_any(),
                        Ok(ConversionOffer::Blocked(reason)) => view! {
                            <p class="field-error" role="alert" data-testid="dialog-error">{reason}</p>
                            <div class="dialog-actions">
                                <button type="button" on:click=move |_| dialog.set(Dialog::None)>"Close"</button>
                            </div>
                        }.into_any(),
                        Err(e) => view! {
                            <ErrorNotice error=e/>
                            <div class="dialog-actions">
                                <button type="button" on:click=move |_| dialog.set(Dialog::None)>"Close"</button>
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
            {move || convert.value().get().and_then(Result::err).map(|e| view! {
                <p class="field-error" role="alert" data-testid="dialog-error">{e.to_string()}</p>
            })}
        </Modal>
    }
}

/// A new signing secret, shown once; the old one keeps signing for 24 hours beside it.
#[component]
fn RotateDialog(
    row: ExtensionRow,
    catalog: CatalogId,
    dialog: RwSignal<Dialog>,
    done: Callback<String>,
) -> impl IntoView {
    let ext = row.id;
    let name = row.display_name.clone();
    let rotate = Action::new(move |_: &()| rotate_signing_secret(catalog, ext));
    let finished = name.clone();
    view! {
        <Modal labelled_by="rotate-title" testid="rotate-dialog" on_close=Callback::new(move |_| dialog.set(Dialog::None))>
            <h3 id="rotate-title">"Rotate the signing secret of \u{201c}" {name.clone()} "\u{201d}"</h3>
            {move || match rotate.value().get() {
                Some(Ok(created)) => {
                    let finished = finished.clone();
                    view! {
                        <p>"The new secret signs every callout from now on. "
                           <strong>"The old one keeps signing beside it for 24 hours"</strong>
                           " (two signatures in webhook-signature), so the workflow can switch."</p>
                        <CopyableSecret secret=created.signing_secret what="signing secret" testid="signing-secret"/>
                        <div class="dialog-actions">
                            <button type="button" class="primary" on:click=move |_| done.run(format!("Rotated the signing secret of \u{201c}{finished}\u{201d}."))>"Done"</button>
                        </div>
                    }.into_any()
                }
                other => view! {
                    <p>"A new secret is made and shown once. The old one keeps signing for 24 hours."</p>
                    {other.and_then(Result::err).map(|e| view! { <p class="field-error" role="alert" data-testid="dialog-error">{e.to_string()}</p> })}
                    <div class="dialog-actions">
                        <button type="button" class="primary" disabled=move || rotate.pending().get()
                            on:click=move |_| { rotate.dispatch(()); }>"Rotate"</button>
                        <button type="button" on:click=move |_| dialog.set(Dialog::None)>"Cancel"</button>
                    </div>
                }.into_any(),
            }}
        </Modal>
    }
}

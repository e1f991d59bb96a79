//! A modal dialog as a keyboard user needs it: focus moves into it as it opens (to the control
//! marked `data-autofocus`, else the first one), Tab and Shift+Tab go round inside it, Escape
//! closes it, and focus returns to the control that opened it.

use crate::error::AppError;
use crate::pages::keyboard::{elements, has_focus};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::HtmlElement;
use send_wrapper::SendWrapper;

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Modal(
    /// The id of the dialog's heading, its accessible name.
    labelled_by: &'static str,
    #[prop(optional)] described_by: Option<&'static str>,
    #[prop(optional, into)] testid: Option<String>,
    /// Escape: what Cancel does.
    on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else {
            return;
        };
        let opener = document()
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let opener = SendWrapper::new(opener);
        let first = elements(&el, "[data-autofocus]")
            .into_iter()
            .chain(elements(&el, FOCUSABLE))
            .next();
        if let Some(first) = first {
            let _ = first.focus();
        }
        on_cleanup(move || {
            // The opener may be gone (a menu item whose menu closed); then focus stays put.
            if let Some(opener) = opener.take().filter(|o| o.is_connected()) {
                let _ = opener.focus();
            }
        });
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            let Some(el) = dialog.get_untracked() else {
                return;
            };
            let items = elements(&el, FOCUSABLE);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                ev.prevent_default();
                return;
            };
            let wrap_to = if ev.shift_key() && has_focus(first) {
                Some(last)
            } else if !ev.shift_key() && has_focus(last) {
                Some(first)
            } else {
                None
            };
            if let Some(target) = wrap_to {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    };
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby=labelled_by
                aria-describedby=described_by data-testid=testid node_ref=dialog on:keydown=on_keydown>
                {children()}
            </div>
        </div>
    }
}

/// A question with one action and Cancel, which has the focus first (the safe choice when the
/// action destroys something). Confirming dispatches `action`; its refusal shows under the text.
#[component]
pub fn ConfirmDialog<T>(
    testid: &'static str,
    title: String,
    text: String,
    /// The action button's words.
    confirm: &'static str,
    #[prop(optional)] danger: bool,
    action: Action<(), Result<T, AppError>>,
    on_cancel: Callback<()>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let error = move || {
        action.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .map(ToString::to_string)
        })
    };
    view! {
        <Modal labelled_by="confirm-title" described_by="confirm-text" testid=testid on_close=on_cancel>
            <h3 id="confirm-title">{title}</h3>
            <p id="confirm-text">{text}</p>
            {move || error().map(|e| view! {
                <p class="field-error" role="alert" data-testid="dialog-error">{e}</p>
            })}
            <div class="dialog-actions">
                <button type="button" class:danger=danger class:primary=!danger disabled=move || action.pending().get()
                    on:click=move |_| { action.dispatch(()); }>{confirm}</button>
                <button type="button" data-autofocus on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </Modal>
    }
}

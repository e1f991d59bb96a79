//! Users (User Administrators and Identity Governance Administrators): search the directory,
//! page through it, add a user and hand them a one-time setup link, and open a person to see
//! what they hold, edit, disable, enable or reset their password. The search, the page and
//! the open person live in the URL (`query.rs`), so reload and Back keep them.

mod details;
pub(crate) mod fields;
mod person_form;
mod query;
mod setup_link;

pub(crate) use query::encode as encode_query;

use crate::api::people::{get_person_details, list_people};
use crate::domain::ids::UserId;
use crate::error::AppError;
use crate::pages::app::UserResource;
use crate::pages::common::{ErrorNotice, Loading};
use crate::pages::lists::CountedPager;
use crate::views::people::{LeaverSummary, PeoplePage, PersonDetails, PersonRow, SetupLink};
use details::{DetailsPanel, DisableDialog, ResetDialog};
use leptos::html::H2;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use person_form::AddUser;
use query::{count_words, UsersQuery};
use setup_link::SetupLinkBox;

/// Which confirmation is open.
#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Disable(PersonRow),
    Reset(PersonRow),
}

/// What the page shares with its parts.
#[derive(Clone, Copy)]
struct Page {
    list: Resource<Result<PeoplePage, AppError>>,
    details: Resource<Result<Option<PersonDetails>, AppError>>,
    /// The last change, in words (a live region).
    status: RwSignal<String>,
    /// A setup link just made, shown until "Done" or until one leaves the page.
    shown: RwSignal<Option<SetupLink>>,
    dialog: RwSignal<Dialog>,
    editing: RwSignal<bool>,
    /// What disabling someone did, shown in their panel.
    leaver: RwSignal<Option<(UserId, LeaverSummary)>>,
    /// The details panel's heading, where focus goes when the panel opens or a dialog closes.
    heading: NodeRef<H2>,
    /// Focus the panel's heading when it next mounts (it is rebuilt after each reload).
    focus_panel: RwSignal<bool>,
}

impl Page {
    /// A change was saved: say so and reload the list and the open person.
    fn changed(&self, message: String) {
        self.status.set(message);
        self.list.refetch();
        self.details.refetch();
    }

    /// Moves focus to the details panel's heading (after Cancel: the panel stays as it is).
    fn focus_details(&self) {
        if let Some(heading) = self.heading.get_untracked() {
            let _ = heading.focus();
        }
    }

    /// Moves focus to the details panel once it is rebuilt (after a change reloads it).
    fn focus_details_after_reload(&self) {
        self.focus_panel.set(true);
    }

    fn close_dialog(&self) {
        self.dialog.set(Dialog::None);
        self.focus_details();
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| UsersQuery::from_params(&params.read()));
    let search = Memo::new(move |_| {
        let q = query.read();
        (q.q.clone(), q.after.clone(), q.before.clone())
    });
    let selected = Memo::new(move |_| query.read().user);
    let list = Resource::new(
        move || search.get(),
        |(q, after, before)| list_people(q, after, before),
    );
    let details = Resource::new(
        move || selected.get(),
        |user| async move {
            match user {
                Some(user) => get_person_details(user).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let page = Page {
        list,
        details,
        status: RwSignal::new(String::new()),
        shown: RwSignal::new(None),
        dialog: RwSignal::new(Dialog::None),
        editing: RwSignal::new(false),
        leaver: RwSignal::new(None),
        heading: NodeRef::new(),
        focus_panel: RwSignal::new(false),
    };
    // Another person (or none): whatever was open for the last one closes.
    Effect::new(move |_| {
        selected.track();
        page.editing.set(false);
        page.dialog.set(Dialog::None);
    });

    view! {
        <Title text="Users · Latch"/>
        <section class="page users">
            <h1>"Users"</h1>
            <p>"People sign in to Latch with their e-mail address. Users marked "
               <strong>"Provisioned"</strong>" come from an identity provider (SCIM)."</p>
            <p class="status" class:quiet=move || page.status.with(String::is_empty) role="status"
               data-testid="users-status">{move || page.status.get()}</p>
            {move || page.shown.get().map(|link| view! { <SetupLinkBox link shown=page.shown/> })}
            <WhenUserAdmin>
                <AddUser page/>
                <SearchForm query/>
            </WhenUserAdmin>
            <div class="users-layout" class:with-details=move || selected.get().is_some()>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match details.await {
                            Ok(Some(d)) => view! { <DetailsPanel d page query/> }.into_any(),
                            // The list says so already.
                            Ok(None) | Err(AppError::NotPermitted(_)) => ().into_any(),
                            Err(e) => view! { <DetailsError error=e query/> }.into_any(),
                        }
                    })}
                </Transition>
                <div class="users-list">
                    <Transition fallback=Loading>
                        {move || Suspend::new(async move {
                            match list.await {
                                Ok(people) => view! { <PeopleTable people query page/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            {move || match page.dialog.get() {
                Dialog::Disable(person) => view! { <DisableDialog person page/> }.into_any(),
                Dialog::Reset(person) => view! { <ResetDialog person page/> }.into_any(),
                Dialog::None => ().into_any(),
            }}
        </section>
    }
}

/// Shows its children only to those who may manage users; the others see the list's refusal.
#[component]
fn WhenUserAdmin(children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = matches!(user.await, Ok(Some(u)) if u.user_admin);
                    allowed.then(|| children())
                })
            }}
        </Transition>
    }
}

/// A name or e-mail prefix. A plain GET form, so it works before the page is interactive;
/// once it is, submitting navigates within the page.
#[component]
fn SearchForm(query: Memo<UsersQuery>) -> impl IntoView {
    let initial = query.read_untracked().q.clone();
    let typed = RwSignal::new(initial.clone());
    // Back and Forward change the URL: the box follows (opening a person leaves it alone).
    let in_url = Memo::new(move |_| query.read().q.clone());
    Effect::new(move |_| typed.set(in_url.get()));
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let to = UsersQuery {
            q: typed.get_untracked().trim().to_string(),
            ..UsersQuery::default()
        };
        navigate(&to.href(), Default::default());
    };
    view! {
        <form class="user-search" role="search" method="get" action="/users" on:submit=submit>
            <label for="user-search">"Search users"</label>
            <p class="hint" id="user-search-hint">"The start of a name or an e-mail address."</p>
            <div class="inline-form">
                <input id="user-search" name="q" type="search" autocomplete="off"
                    aria-describedby="user-search-hint"
                    value=initial prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))/>
                <button type="submit">"Search"</button>
                <Show when=move || !query.read().q.is_empty()>
                    <a href="/users">"Clear search"</a>
                </Show>
            </div>
        </form>
    }
}

#[component]
fn PeopleTable(people: PeoplePage, query: Memo<UsersQuery>, page: Page) -> impl IntoView {
    let here = query.get_untracked();
    if people.rows.is_empty() {
        let words = if people.total > 0 {
            "There are no more users past this point.".to_string()
        } else if here.q.is_empty() {
            "There are no users yet.".to_string()
        } else {
            format!(
                "No user\u{2019}s name or e-mail starts with \u{201c}{}\u{201d}.",
                here.q
            )
        };
        return view! {
            <p class="empty" data-testid="no-users">{words}</p>
            {(people.total > 0).then(|| view! { <Pager people here/> })}
        }
        .into_any();
    }
    let rows = people.rows.clone();
    view! {
        <div class="table-scroll">
            <table class="grid" data-testid="users-table">
                <caption class="sr-only">"Users"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Department"</th>
                        <th scope="col">"Job title"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|person| {
                        let id = person.id;
                        let href = here.with_user(Some(id)).href();
                        let open = move || selected_is(query, id);
                        view! {
                            <tr data-testid="user-row" data-email=person.email.clone() class:selected=open>
                                <th scope="row">
                                    <a href=href aria-current=move || open().then_some("true")
                                        on:click=move |_| if open() {
                                            page.focus_details();
                                        } else {
                                            page.focus_details_after_reload();
                                        }>
                                        {person.display_name.clone()}
                                    </a>
                                    {person.provisioned.then(|| view! {
                                        " "<span class="badge" data-testid="provisioned">"Provisioned"</span>
                                    })}
                                </th>
                                <td>{person.email.clone()}</td>
                                <td>{person.department.clone()}</td>
                                <td>{person.job_title.clone()}</td>
                                <td data-testid="user-status">{status_word(person.enabled)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager people here/>
    }
    .into_any()
}

/// Moves focus to the element with this id, if it is there (browser only: called from
/// effects and event handlers).
fn focus_by_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

fn selected_is(query: Memo<UsersQuery>, id: UserId) -> bool {
    query.read().user == Some(id)
}

fn status_word(enabled: bool) -> &'static str {
    if enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

/// Previous and Next in name order, around how many people match.
#[component]
fn Pager(people: PeoplePage, here: UsersQuery) -> impl IntoView {
    let previous = people
        .previous
        .as_deref()
        .map(|key| here.paged(None, Some(key)).href());
    let next = people
        .next
        .as_deref()
        .map(|key| here.paged(Some(key), None).href());
    view! {
        <CountedPager previous next count=count_words(&people) of="users"
            count_testid="users-range".to_owned()/>
    }
}

/// The open person could not be loaded (gone, or the server failed).
#[component]
fn DetailsError(error: AppError, query: Memo<UsersQuery>) -> impl IntoView {
    let close = query.get_untracked().with_user(None).href();
    view! {
        <section class="card user-details" data-testid="user-details" aria-label="User details">
            <ErrorNotice error/>
            <a href=close>"Close"</a>
        </section>
    }
}

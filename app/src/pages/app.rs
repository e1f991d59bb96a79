use crate::api::session::current_user;
use crate::error::AppError;
use crate::pages::common::NotFound;
use crate::pages::home::Home;
use crate::pages::lazy::{
    AddExtensionScreen, ApprovalHistoryScreen, ApprovalsScreen, AppsScreen, CatalogOverviewTab,
    CatalogPackagesTab, CatalogRolesTab, CatalogScreen, CatalogsScreen, EditExtensionScreen,
    ExtensionsTab, HistoryScreen, ManagedAssignmentsScreen, ManagedRequestsScreen, PolicyScreen,
    RequestScreen, SetupScreen, UsersScreen,
};
use crate::pages::my_access::MyAccessPackages;
use crate::pages::sign_in::SignIn;
use crate::views::SessionUser;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::{path, Lazy};

/// The response header through which a page hands its Content-Security-Policy nonce to the
/// server's header middleware (`server::headers`), which replaces it with the page's policy.
pub const CSP_NONCE_HEADER: &str = "x-latch-csp-nonce";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // leptos_axum makes a fresh nonce for every render and puts it on every inline script it
    // writes (the hydration script, streamed chunks, resolved resources).
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = http::HeaderValue::from_str(&nonce) {
            response.insert_header(http::HeaderName::from_static(CSP_NONCE_HEADER), value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                // `latch.css`, or `latch.<hash>.css` in a release build (hash.txt).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The signed-in user, shared by the header and the pages.
pub type UserResource = Resource<Result<Option<SessionUser>, AppError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let user: UserResource = Resource::new(|| (), |_| current_user());
    provide_context(user);

    view! {
        <Title text="Latch"/>
        <Router>
            <Header/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/sign-in") view=SignIn/>
                    <Route path=path!("/setup/:token") view={Lazy::<SetupScreen>::new()}/>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/catalogs") view={Lazy::<CatalogsScreen>::new()}/>
                    <Route path=path!("/my-access") view=MyAccessPackages/>
                    <Route path=path!("/my-access/requests") view={Lazy::<HistoryScreen>::new()}/>
                    <Route path=path!("/my-access/requests/:request") view={Lazy::<RequestScreen>::new()}/>
                    <Route path=path!("/my-access/approvals") view={Lazy::<ApprovalsScreen>::new()}/>
                    <Route path=path!("/my-access/approvals/history") view={Lazy::<ApprovalHistoryScreen>::new()}/>
                    <Route path=path!("/requests") view={Lazy::<ManagedRequestsScreen>::new()}/>
                    <Route path=path!("/assignments") view={Lazy::<ManagedAssignmentsScreen>::new()}/>
                    <Route path=path!("/apps") view={Lazy::<AppsScreen>::new()}/>
                    <Route path=path!("/users") view={Lazy::<UsersScreen>::new()}/>
                    <Route path=path!("/requests/:request") view={Lazy::<RequestScreen>::new()}/>
                    <Route path=path!("/catalogs/:catalog/custom-extensions/new") view={Lazy::<AddExtensionScreen>::new()}/>
                    <Route path=path!("/catalogs/:catalog/custom-extensions/:extension/edit") view={Lazy::<EditExtensionScreen>::new()}/>
                    <Route path=path!("/catalogs/:catalog/policies/:policy") view={Lazy::<PolicyScreen>::new()}/>
                    <ParentRoute path=path!("/catalogs/:catalog") view={Lazy::<CatalogScreen>::new()}>
                        <Route path=path!("") view={Lazy::<CatalogOverviewTab>::new()}/>
                        <Route path=path!("access-packages") view={Lazy::<CatalogPackagesTab>::new()}/>
                        <Route path=path!("custom-extensions") view={Lazy::<ExtensionsTab>::new()}/>
                        <Route path=path!("roles") view={Lazy::<CatalogRolesTab>::new()}/>
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}

/// Brand, role-aware navigation and the user menu.
#[component]
fn Header() -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Latch"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! {
                            <nav aria-label="Main">
                                <Show when={let g = u.governance; move || g}>
                                    <span class="nav-group">"Identity governance"</span>
                                    <A href="/catalogs">"Catalogs"</A>
                                    <A href="/requests">"Requests"</A>
                                    <A href="/assignments">"Assignments"</A>
                                    <Show when={let a = u.is_admin; move || a}>
                                        <A href="/apps">"Apps"</A>
                                    </Show>
                                </Show>
                                // A User Administrator may hold no catalog role: its own group.
                                <Show when={let a = u.user_admin; move || a}>
                                    <span class="nav-group">"Directory"</span>
                                    <A href="/users">"Users"</A>
                                </Show>
                                <span class="nav-group">"My Access"</span>
                                <A href="/my-access" exact=true>"Access packages"</A>
                                <A href="/my-access/requests">"Request history"</A>
                                <A href="/my-access/approvals">"Approvals"</A>
                            </nav>
                            <div class="user-menu" data-testid="user-menu">
                                <span class="user-name">{u.display_name.clone()}</span>
                                <span class="user-upn">{u.user_principal_name.clone()}</span>
                                <form method="post" action="/api/sign_out">
                                    <button type="submit" class="link-button">"Sign out"</button>
                                </form>
                            </div>
                        }
                        .into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

//! The screens loaded on demand: every administrator's and manager's screen, and the
//! requestor's screens other than My Access.
//!
//! The main wasm holds the frame, sign-in, the home page and My Access, where requestors land.
//! `cargo leptos build --split` moves each `#[lazy]` function below, with the code only it
//! reaches, into a file of its own, fetched the first time one of its screens opens: one file
//! for the rest of what requestors see, one for the administrators' screens (docs/decisions.md,
//! "Lazy screens": a file per screen cost a third more bytes in all, in 150 files).
//!
//! On wasm the `#[lazy]` macro declares the split's import with `#[unsafe(no_mangle)]`, the one
//! use of `unsafe` the app crate allows, and only in this module.
#![allow(unsafe_code)]

use crate::pages::approvals::{ApprovalHistoryPage, ApprovalsPage};
use crate::pages::apps::AppsPage;
use crate::pages::catalog::{CatalogLayout, CatalogMembers, CatalogOverview, CatalogPackages};
use crate::pages::catalogs::CatalogList;
use crate::pages::extensions::ExtensionsTabPage;
use crate::pages::my_access::MyRequests;
use crate::pages::policy::PolicyEditor;
use crate::pages::request_details::RequestPage;
use crate::pages::request_list::{ManagedAssignments, ManagedRequests};
use crate::pages::setup::SetupPage;
use crate::pages::users::UsersPage;
use crate::pages::wizard::{AddExtension, EditExtension};
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// For each file: an enum naming its screens, and per screen a route type (for
/// `Lazy::<Route>::new()`) whose view asks the file's loader for that screen and whose preload
/// fetches the file (`__preload_<loader>`, written by `#[lazy]` on wasm).
macro_rules! lazy_screens {
    ($loader:ident, $preload:ident, $screens:ident {
        $($(#[$doc:meta])* $route:ident => $component:ident,)*
    }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $screens {
            $($route,)*
        }

        impl $screens {
            fn render(self) -> AnyView {
                match self {
                    $(Self::$route => view! { <$component/> }.into_any(),)*
                }
            }
        }

        $(
            $(#[$doc])*
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }
                async fn view(_this: Self) -> AnyView {
                    $loader($screens::$route).await
                }
                // The router fetches the file before it renders or hydrates the route; without
                // this a server-rendered lazy page fails to hydrate.
                async fn preload() {
                    #[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
                    $preload().await;
                }
            }
        )*
    };
}

lazy_screens!(requestor_screen, __preload_requestor_screen, RequestorScreen {
    /// `/my-access/requests`: a requestor's request history.
    HistoryScreen => MyRequests,
    /// `/my-access/requests/:request` and `/requests/:request`: one request's details.
    RequestScreen => RequestPage,
    /// `/my-access/approvals`
    ApprovalsScreen => ApprovalsPage,
    /// `/my-access/approvals/history`
    ApprovalHistoryScreen => ApprovalHistoryPage,
    /// `/setup/:token`: where a new user sets a password, once.
    SetupScreen => SetupPage,
});

lazy_screens!(admin_screen, __preload_admin_screen, AdminScreen {
    /// `/catalogs`
    CatalogsScreen => CatalogList,
    /// `/catalogs/:catalog`: the catalog's header and tabs around the tab's outlet.
    CatalogScreen => CatalogLayout,
    /// `/catalogs/:catalog` (Overview tab)
    CatalogOverviewTab => CatalogOverview,
    /// `/catalogs/:catalog/access-packages`
    CatalogPackagesTab => CatalogPackages,
    /// `/catalogs/:catalog/custom-extensions`
    ExtensionsTab => ExtensionsTabPage,
    /// `/catalogs/:catalog/roles`
    CatalogRolesTab => CatalogMembers,
    /// `/catalogs/:catalog/custom-extensions/new`
    AddExtensionScreen => AddExtension,
    /// `/catalogs/:catalog/custom-extensions/:extension/edit`
    EditExtensionScreen => EditExtension,
    /// `/catalogs/:catalog/policies/:policy`
    PolicyScreen => PolicyEditor,
    /// `/requests`
    ManagedRequestsScreen => ManagedRequests,
    /// `/assignments`
    ManagedAssignmentsScreen => ManagedAssignments,
    /// `/apps`
    AppsScreen => AppsPage,
    /// `/users`
    UsersScreen => UsersPage,
});

/// The file with the requestor's screens other than My Access.
#[lazy]
fn requestor_screen(screen: RequestorScreen) -> AnyView {
    screen.render()
}

/// The file with the administrators' and managers' screens.
#[lazy]
fn admin_screen(screen: AdminScreen) -> AnyView {
    screen.render()
}

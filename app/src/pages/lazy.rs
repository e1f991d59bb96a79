//! The screens loaded on demand: every administrator's and manager's screen, and the
//! requestor's screens other than My Access.
//!
//! The main wasm holds the frame, sign-in, the home page and My Access, where requestors land;
//! each route here is split into its own file by `cargo leptos build --split` and fetched the
//! first time someone opens it (docs/decisions.md, "Lazy screens"). Each impl is written out
//! rather than generated: the split's name comes from where the macro is called.
//!
//! On wasm the `lazy_route` macro declares the split's import with `#[unsafe(no_mangle)]`, the
//! one use of `unsafe` the app crate allows, and only in this module.
#![allow(unsafe_code)]

use crate::pages::approvals::ApprovalsPage;
use crate::pages::apps::AppsPage;
use crate::pages::catalog::{CatalogLayout, CatalogMembers, CatalogOverview, CatalogPackages};
use crate::pages::catalogs::CatalogList;
use crate::pages::extensions::ExtensionsTabPage;
use crate::pages::my_access::MyRequests;
use crate::pages::policy::PolicyEditor;
use crate::pages::request_details::{ManagedRequests, RequestPage};
use crate::pages::setup::SetupPage;
use crate::pages::users::UsersPage;
use crate::pages::wizard::{AddExtension, EditExtension};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `/catalogs`
pub struct CatalogsScreen;

#[lazy_route]
impl LazyRoute for CatalogsScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogList/> }.into_any()
    }
}

/// `/catalogs/:catalog`: the catalog's header and tabs around the tab's outlet.
pub struct CatalogScreen;

#[lazy_route]
impl LazyRoute for CatalogScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogLayout/> }.into_any()
    }
}

/// `/catalogs/:catalog` (Overview tab)
pub struct CatalogOverviewTab;

#[lazy_route]
impl LazyRoute for CatalogOverviewTab {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogOverview/> }.into_any()
    }
}

/// `/catalogs/:catalog/access-packages`
pub struct CatalogPackagesTab;

#[lazy_route]
impl LazyRoute for CatalogPackagesTab {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogPackages/> }.into_any()
    }
}

/// `/catalogs/:catalog/custom-extensions`
pub struct ExtensionsTab;

#[lazy_route]
impl LazyRoute for ExtensionsTab {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ExtensionsTabPage/> }.into_any()
    }
}

/// `/catalogs/:catalog/roles`
pub struct CatalogRolesTab;

#[lazy_route]
impl LazyRoute for CatalogRolesTab {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <CatalogMembers/> }.into_any()
    }
}

/// `/catalogs/:catalog/custom-extensions/new`
pub struct AddExtensionScreen;

#[lazy_route]
impl LazyRoute for AddExtensionScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <AddExtension/> }.into_any()
    }
}

/// `/catalogs/:catalog/custom-extensions/:extension/edit`
pub struct EditExtensionScreen;

#[lazy_route]
impl LazyRoute for EditExtensionScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <EditExtension/> }.into_any()
    }
}

/// `/catalogs/:catalog/policies/:policy`
pub struct PolicyScreen;

#[lazy_route]
impl LazyRoute for PolicyScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <PolicyEditor/> }.into_any()
    }
}

/// `/requests`
pub struct ManagedRequestsScreen;

#[lazy_route]
impl LazyRoute for ManagedRequestsScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ManagedRequests/> }.into_any()
    }
}

/// `/apps`
pub struct AppsScreen;

#[lazy_route]
impl LazyRoute for AppsScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <AppsPage/> }.into_any()
    }
}

/// `/users`
pub struct UsersScreen;

#[lazy_route]
impl LazyRoute for UsersScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <UsersPage/> }.into_any()
    }
}

/// `/my-access/requests`: a requestor's request history.
pub struct HistoryScreen;

#[lazy_route]
impl LazyRoute for HistoryScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <MyRequests/> }.into_any()
    }
}

/// `/my-access/requests/:request` and `/requests/:request`: one request's details.
pub struct RequestScreen;

#[lazy_route]
impl LazyRoute for RequestScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <RequestPage/> }.into_any()
    }
}

/// `/my-access/approvals`
pub struct ApprovalsScreen;

#[lazy_route]
impl LazyRoute for ApprovalsScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ApprovalsPage/> }.into_any()
    }
}

/// `/setup/:token`: where a new user sets a password, once.
pub struct SetupScreen;

#[lazy_route]
impl LazyRoute for SetupScreen {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <SetupPage/> }.into_any()
    }
}

//! The Graph-compatible REST API: `/v1.0` and `/beta`, each under
//! `/identityGovernance/entitlementManagement`, plus the token endpoint. Handlers are thin:
//! they map Graph's shapes to the same services (and authorization) the pages use.

mod body_schemas;
mod catalogs;
mod error;
mod extensions;
mod extract;
mod graph_extension;
pub mod openapi;
mod packages;
mod paging;
mod policies;
mod requests;
mod resume;
mod token;
mod users;

pub use error::GraphError;
pub use extract::BODY_LIMIT;

/// The pure functions the handlers read request bodies and query options with, reachable
/// from outside so the cargo-fuzz targets (`fuzz/`) can call them without the HTTP layer.
pub mod parsers {
    pub use super::extract::parse as json_body;
    pub use super::graph_extension::{apply, blank, kind_of, to_graph, ExtensionBody};
    pub use super::packages::{wants_catalog, ODataQuery};
    pub use super::paging::{page, PageQuery, PAGE_MAX};
    pub use super::policies::{days as policy_days, draft as policy_draft, expansion, PolicyBody};
    pub use super::requests::filter::equals;
    pub use super::requests::wants_instances;
    pub use super::resume::parse_body as resume_body;
}

use app::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use std::convert::Infallible;

pub const ROOT: &str = "/identityGovernance/entitlementManagement";

/// The version root a request came in under, for `@odata.context` and next links.
pub struct Base {
    root: String,
}

impl Base {
    pub fn url(&self, path: &str) -> String {
        format!("{}{ROOT}/{path}", self.root)
    }

    pub fn context(&self, path: &str) -> String {
        format!(
            "{}/$metadata#identityGovernance/entitlementManagement/{path}",
            self.root
        )
    }
}

impl FromRequestParts<AppState> for Base {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let version = if parts.uri.path().starts_with("/beta") {
            "beta"
        } else {
            "v1.0"
        };
        let public = state.settings.public_url.trim_end_matches('/');
        Ok(Base {
            root: format!("{public}/{version}"),
        })
    }
}

fn entitlement_management() -> Router<AppState> {
    let extension_collection = get(extensions::list).post(extensions::create);
    let extension_item = get(extensions::get)
        .put(extensions::put)
        .patch(extensions::patch)
        .delete(extensions::delete);
    Router::new()
        .route("/catalogs", get(catalogs::list).post(catalogs::create))
        .route(
            "/accessPackageCatalogs",
            get(catalogs::list).post(catalogs::create),
        )
        .route(
            "/catalogs/{catalog}",
            get(catalogs::get)
                .patch(catalogs::patch)
                .delete(catalogs::delete),
        )
        .route(
            "/accessPackageCatalogs/{catalog}",
            get(catalogs::get)
                .patch(catalogs::patch)
                .delete(catalogs::delete),
        )
        .route(
            "/catalogs/{catalog}/customWorkflowExtensions",
            extension_collection.clone(),
        )
        .route(
            "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions",
            extension_collection,
        )
        .route(
            "/catalogs/{catalog}/customWorkflowExtensions/{extension}",
            extension_item.clone(),
        )
        .route(
            "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}",
            extension_item,
        )
        .route(
            "/catalogs/{catalog}/customWorkflowExtensions/{extension}/rotateSigningSecret",
            post(extensions::rotate),
        )
        .route(
            "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}/rotateSigningSecret",
            post(extensions::rotate),
        )
        .route("/assignmentRequests/{request}/resume", post(resume::resume))
        .route("/accessPackageAssignmentRequests/{request}/resume", post(resume::resume))
        .merge(packages::routes())
        .merge(policies::routes())
        .merge(requests::routes())
}

/// The REST routes, both versions. (The legacy kind is created only under `/beta`.)
pub fn routes<S>(state: AppState) -> Router<S> {
    let legacy = Router::new().route(
        "/accessPackageCatalogs/{catalog}/customAccessPackageWorkflowExtensions",
        get(extensions::list_legacy).post(extensions::create_legacy),
    );
    Router::new()
        .route("/oauth2/v2.0/token", post(token::token))
        .route("/openapi.json", get(openapi_document))
        .merge(users::routes())
        .nest(&format!("/v1.0{ROOT}"), entitlement_management())
        .nest(
            &format!("/beta{ROOT}"),
            entitlement_management().merge(legacy),
        )
        .with_state(state)
}

async fn openapi_document(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document(
        state.settings.public_url.trim_end_matches('/'),
    ))
}

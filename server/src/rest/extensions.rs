//! `/catalogs/{id}/customWorkflowExtensions` and its beta aliases.

use super::catalogs::catalog_id;
use super::error::{GraphError, GraphResult};
use super::extract::{Caller, GraphJson};
use super::graph_extension::{apply, blank, kind_of, refused, to_graph, ExtensionBody};
use super::paging::{page, PageQuery};
use super::Base;
use app::domain::ids::ExtensionId;
use app::domain::kind::ExtensionKind;
use app::services::extensions::{self, Origin};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

fn extension_id(text: &str) -> GraphResult<ExtensionId> {
    text.parse().map_err(|_| {
        GraphError::not_found(format!("There is no custom extension with id {text:?}."))
    })
}

/// Which kinds a collection path holds: the legacy path only legacy ones.
#[derive(Clone, Copy)]
pub enum Collection {
    Current,
    Legacy,
}

async fn list_in(
    state: &AppState,
    base: &Base,
    p: &app::auth::authz::Principal,
    catalog: &str,
    q: &PageQuery,
    collection: Collection,
    segment: &str,
) -> GraphResult<Json<Value>> {
    let catalog = catalog_id(catalog)?;
    let items = extensions::list(state, p, catalog)
        .await?
        .into_iter()
        .filter(|(_, draft)| match collection {
            Collection::Current => true,
            Collection::Legacy => draft.kind == ExtensionKind::Legacy,
        })
        .map(|(record, draft)| to_graph(&record, &draft))
        .collect();
    let path = format!("catalogs/{catalog}/{segment}");
    Ok(Json(page(
        items,
        q,
        &base.context(&path),
        &base.url(&path),
    )?))
}

pub async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(catalog): Path<String>,
    Query(q): Query<PageQuery>,
) -> GraphResult<Json<Value>> {
    list_in(
        &state,
        &base,
        &p,
        &catalog,
        &q,
        Collection::Current,
        "customWorkflowExtensions",
    )
    .await
}

pub async fn list_legacy(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(catalog): Path<String>,
    Query(q): Query<PageQuery>,
) -> GraphResult<Json<Value>> {
    list_in(
        &state,
        &base,
        &p,
        &catalog,
        &q,
        Collection::Legacy,
        "customAccessPackageWorkflowExtensions",
    )
    .await
}

async fn create_in(
    state: &AppState,
    p: &app::auth::authz::Principal,
    catalog: &str,
    body: ExtensionBody,
    origin: Origin,
) -> GraphResult<Response> {
    let catalog = catalog_id(catalog)?;
    let kind = kind_of(&body)?;
    if kind == ExtensionKind::Legacy && origin == Origin::Portal {
        return Err(GraphError::bad_request(
            "Property '@odata.type': custom access package (legacy) extensions are created only through the beta path \
             /accessPackageCatalogs/{id}/customAccessPackageWorkflowExtensions.",
        ));
    }
    let draft = apply(blank(kind), body)?;
    let created = extensions::create_from(state, p, catalog, draft, origin)
        .await
        .map_err(refused)?;
    let (record, draft) = extensions::view(state, p, catalog, created.id).await?;
    let mut answer = to_graph(&record, &draft);
    answer["signingSecret"] = json!(created.signing_secret);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(catalog): Path<String>,
    GraphJson(body): GraphJson<ExtensionBody>,
) -> GraphResult<Response> {
    create_in(&state, &p, &catalog, body, Origin::Portal).await
}

pub async fn create_legacy(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(catalog): Path<String>,
    GraphJson(body): GraphJson<ExtensionBody>,
) -> GraphResult<Response> {
    create_in(&state, &p, &catalog, body, Origin::LegacyApi).await
}

pub async fn get(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((catalog, id)): Path<(String, String)>,
) -> GraphResult<Json<Value>> {
    let (record, draft) =
        extensions::view(&state, &p, catalog_id(&catalog)?, extension_id(&id)?).await?;
    Ok(Json(to_graph(&record, &draft)))
}

/// PATCH changes what the body names; PUT replaces (what it leaves out returns to defaults).
async fn change(
    state: &AppState,
    p: &app::auth::authz::Principal,
    catalog: &str,
    id: &str,
    body: ExtensionBody,
    replace: bool,
) -> GraphResult<Json<Value>> {
    let catalog = catalog_id(catalog)?;
    let id = extension_id(id)?;
    let (_, current) = extensions::view(state, p, catalog, id).await?;
    if let Some(given) = body.odata_type.as_deref() {
        if ExtensionKind::from_odata_type(given) != Some(current.kind) {
            return Err(GraphError::bad_request(
                "Property '@odata.type': the type of a custom extension doesn't change on update.",
            ));
        }
    }
    let base = if replace {
        blank(current.kind)
    } else {
        current
    };
    let draft = apply(base, body)?;
    extensions::update(state, p, catalog, id, draft)
        .await
        .map_err(refused)?;
    let (record, draft) = extensions::view(state, p, catalog, id).await?;
    Ok(Json(to_graph(&record, &draft)))
}

pub async fn patch(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((catalog, id)): Path<(String, String)>,
    GraphJson(body): GraphJson<ExtensionBody>,
) -> GraphResult<Json<Value>> {
    change(&state, &p, &catalog, &id, body, false).await
}

pub async fn put(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((catalog, id)): Path<(String, String)>,
    GraphJson(body): GraphJson<ExtensionBody>,
) -> GraphResult<Json<Value>> {
    change(&state, &p, &catalog, &id, body, true).await
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((catalog, id)): Path<(String, String)>,
) -> GraphResult<StatusCode> {
    extensions::delete(&state, &p, catalog_id(&catalog)?, extension_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/{extension}/rotateSigningSecret`: `{"signingSecret": "…"}`, shown this once.
pub async fn rotate(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((catalog, id)): Path<(String, String)>,
) -> GraphResult<Json<Value>> {
    let rotated =
        extensions::rotate_secret(&state, &p, catalog_id(&catalog)?, extension_id(&id)?).await?;
    Ok(Json(json!({ "signingSecret": rotated.signing_secret })))
}

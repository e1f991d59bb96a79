//! The SCIM 2.0 service provider at `/scim/v2` (RFC 7644): identity providers push users and
//! groups here with a Bearer token of an app that holds User Administrator. Handlers read
//! the raw body (IdPs send `application/scim+json`), parse it with `app::directory::scim`,
//! and call `app::directory::provisioning`; every refusal is SCIM's error body.

use app::auth::authz::Principal;
use app::directory::provisioning as prov;
use app::directory::scim::filter::{parse_filter, EqFilter, FilterAttribute};
use app::directory::scim::group::{group_json, parse_group};
use app::directory::scim::patch::{parse_group_patch, parse_user_patch};
use app::directory::scim::protocol::{
    list_response, parse_body, parse_paging, resource_type, resource_types, schema, schemas,
    service_provider_config, Paging,
};
use app::directory::scim::user::{parse_user, user_json};
use app::directory::scim::ScimError;
use app::error::AppError;
use app::services::throttle::ClientAddress;
use app::services::tokens;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;
use std::collections::HashMap;

/// The largest body read: a group push with thousands of members fits.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn routes<S>(state: AppState) -> Router<S> {
    let v2 = Router::new()
        .route("/ServiceProviderConfig", get(provider_config))
        .route("/ResourceTypes", get(all_resource_types))
        .route("/ResourceTypes/{id}", get(one_resource_type))
        .route("/Schemas", get(all_schemas))
        .route("/Schemas/{id}", get(one_schema))
        .route("/Users", get(list_users).post(create_user))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .fallback(|| async { Scim(Err(ScimError::not_found("No such SCIM endpoint"))) });
    Router::new()
        .nest("/scim/v2", v2)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

fn base(state: &AppState) -> String {
    format!(
        "{}/scim/v2",
        state.settings.public_url.trim_end_matches('/')
    )
}

/// A SCIM answer: the resource with its status, or the RFC error body.
struct Scim(Result<(StatusCode, Value), ScimError>);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let (status, body) = match self.0 {
            Ok(ok) => ok,
            Err(e) => (
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                e.to_json(),
            ),
        };
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json"),
        );
        if status == StatusCode::NO_CONTENT {
            *response.body_mut() = axum::body::Body::empty();
        }
        if status == StatusCode::CREATED {
            if let Some(location) = body["meta"]["location"]
                .as_str()
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                response.headers_mut().insert(header::LOCATION, location);
            }
        }
        response
    }
}

fn ok(value: Value) -> Scim {
    Scim(Ok((StatusCode::OK, value)))
}

/// The caller behind the Bearer token; SCIM's 401 otherwise.
struct ScimCaller(Principal);

impl FromRequestParts<AppState> for ScimCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let unauthorized = || {
            Scim(Err(ScimError::new(
                401,
                None,
                "A valid Bearer token of an app with the User Administrator role is required.",
            )))
            .into_response()
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.get(..7)
                    .filter(|p| p.eq_ignore_ascii_case("bearer "))
                    .map(|_| &v[7..])
            })
            .ok_or_else(unauthorized)?;
        let token = token.trim();
        // A JWT from the token endpoint has no ':'; a provisioning secret token does.
        let principal = if token.contains(':') {
            let address = parts.extensions.get::<ClientAddress>().map(|a| a.0);
            tokens::principal_from_secret_token(state, token, address).await
        } else {
            tokens::principal(state, token).await
        }
        .map_err(|e| match e {
            e @ AppError::Throttled { retry_after } => {
                let mut refused =
                    Scim(Err(ScimError::new(429, None, e.to_string()))).into_response();
                refused
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                refused
            }
            _ => unauthorized(),
        })?;
        Ok(ScimCaller(principal))
    }
}

fn body(bytes: &Bytes) -> Result<Value, ScimError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ScimError::invalid_syntax("the body is not UTF-8 text"))?;
    parse_body(text)
}

fn list_query(
    q: &HashMap<String, String>,
    allowed: &[FilterAttribute],
) -> Result<(Option<EqFilter>, Paging), ScimError> {
    let filter = q
        .get("filter")
        .map(|f| parse_filter(f, allowed))
        .transpose()?;
    let paging = parse_paging(
        q.get("startIndex").map(String::as_str),
        q.get("count").map(String::as_str),
    )?;
    Ok((filter, paging))
}

async fn provider_config(State(state): State<AppState>) -> Scim {
    ok(service_provider_config(&base(&state)))
}

async fn all_resource_types(State(state): State<AppState>) -> Scim {
    ok(resource_types(&base(&state)))
}

async fn one_resource_type(State(state): State<AppState>, Path(id): Path<String>) -> Scim {
    Scim(
        resource_type(&base(&state), &id)
            .map(|v| (StatusCode::OK, v))
            .ok_or_else(|| ScimError::not_found(format!("ResourceType {id} not found"))),
    )
}

async fn all_schemas() -> Scim {
    ok(schemas())
}

async fn one_schema(Path(id): Path<String>) -> Scim {
    Scim(
        schema(&id)
            .map(|v| (StatusCode::OK, v))
            .ok_or_else(|| ScimError::not_found(format!("Schema {id} not found"))),
    )
}

const USER_FILTERS: [FilterAttribute; 3] = [
    FilterAttribute::UserName,
    FilterAttribute::ExternalId,
    FilterAttribute::DisplayName,
];
const GROUP_FILTERS: [FilterAttribute; 2] =
    [FilterAttribute::DisplayName, FilterAttribute::ExternalId];

/// A resource answer: `status` and the resource as `render` writes it, or the refusal.
fn resource<T>(
    state: &AppState,
    status: StatusCode,
    found: Result<T, ScimError>,
    render: fn(&T, &str) -> Value,
) -> Scim {
    Scim(found.map(|r| (status, render(&r, &base(state)))))
}

/// A page of resources as a ListResponse.
fn listing<T>(
    state: &AppState,
    start_index: u64,
    found: Result<(u64, Vec<T>), ScimError>,
    render: fn(&T, &str) -> Value,
) -> Scim {
    let base = base(state);
    Scim(found.map(|(total, items)| {
        let resources: Vec<Value> = items.iter().map(|r| render(r, &base)).collect();
        let n = resources.len() as u64;
        (
            StatusCode::OK,
            list_response(resources, total, start_index, n),
        )
    }))
}

fn deleted(result: Result<(), ScimError>) -> Scim {
    Scim(result.map(|()| (StatusCode::NO_CONTENT, Value::Null)))
}

async fn list_users(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Scim {
    let (filter, paging) = match list_query(&q, &USER_FILTERS) {
        Ok(asked) => asked,
        Err(e) => return Scim(Err(e)),
    };
    let found = prov::list_users(&state, &p, filter.as_ref(), paging).await;
    listing(&state, paging.start_index, found, user_json)
}

async fn create_user(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    bytes: Bytes,
) -> Scim {
    let created = async { prov::create_user(&state, &p, &parse_user(&body(&bytes)?)?).await };
    resource(&state, StatusCode::CREATED, created.await, user_json)
}

async fn get_user(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
) -> Scim {
    let found = prov::get_user(&state, &p, &id).await;
    resource(&state, StatusCode::OK, found, user_json)
}

async fn replace_user(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Scim {
    let replaced =
        async { prov::replace_user(&state, &p, &id, &parse_user(&body(&bytes)?)?).await };
    resource(&state, StatusCode::OK, replaced.await, user_json)
}

async fn patch_user(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Scim {
    let patched =
        async { prov::patch_user(&state, &p, &id, &parse_user_patch(&body(&bytes)?)?).await };
    resource(&state, StatusCode::OK, patched.await, user_json)
}

async fn delete_user(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
) -> Scim {
    deleted(prov::delete_user(&state, &p, &id).await)
}

async fn list_groups(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Scim {
    let (filter, paging) = match list_query(&q, &GROUP_FILTERS) {
        Ok(asked) => asked,
        Err(e) => return Scim(Err(e)),
    };
    let found = prov::list_groups(&state, &p, filter.as_ref(), paging).await;
    listing(&state, paging.start_index, found, group_json)
}

async fn create_group(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    bytes: Bytes,
) -> Scim {
    let created = async { prov::create_group(&state, &p, &parse_group(&body(&bytes)?)?).await };
    resource(&state, StatusCode::CREATED, created.await, group_json)
}

async fn get_group(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
) -> Scim {
    let found = prov::get_group(&state, &p, &id).await;
    resource(&state, StatusCode::OK, found, group_json)
}

async fn replace_group(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Scim {
    let replaced =
        async { prov::replace_group(&state, &p, &id, &parse_group(&body(&bytes)?)?).await };
    resource(&state, StatusCode::OK, replaced.await, group_json)
}

async fn patch_group(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Scim {
    let patched =
        async { prov::patch_group(&state, &p, &id, &parse_group_patch(&body(&bytes)?)?).await };
    resource(&state, StatusCode::OK, patched.await, group_json)
}

async fn delete_group(
    State(state): State<AppState>,
    ScimCaller(p): ScimCaller,
    Path(id): Path<String>,
) -> Scim {
    deleted(prov::delete_group(&state, &p, &id).await)
}

//! `POST …/assignmentRequests/{id}/resume` (and `…/accessPackageAssignmentRequests/{id}/resume`):
//! api.md's checks in its order — token and role, the request, the body, the instance, the
//! state — then exactly one transition (204), or 204 again for the same resume.

use super::error::{GraphError, GraphResult};
use super::extract::{Caller, BODY_LIMIT};
use app::domain::ids::RequestId;
use app::domain::role::Role;
use app::domain::stage::Stage;
use app::services::resume::{self, Resume};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

/// The value at `path` (`None` when absent or null); a 400 when what should hold it is not an
/// object, naming that property (`data` in `{"data": "x"}`).
fn field<'a>(body: &'a Value, path: &[&str]) -> GraphResult<Option<&'a Value>> {
    let mut value = body;
    for (depth, key) in path.iter().enumerate() {
        let Some(object) = value.as_object() else {
            return Err(GraphError::bad_request(match depth {
                0 => "The body must be a JSON object.".to_string(),
                _ => format!("Property '{}' must be an object.", path[..depth].join(".")),
            }));
        };
        match object.get(*key) {
            None | Some(Value::Null) => return Ok(None),
            Some(next) => value = next,
        }
    }
    Ok(Some(value))
}

fn required_text<'a>(body: &'a Value, path: &[&str]) -> GraphResult<&'a str> {
    let name = path.join(".");
    match field(body, path)? {
        None => Err(GraphError::bad_request(format!(
            "Property '{name}' is required."
        ))),
        Some(v) => v
            .as_str()
            .ok_or_else(|| GraphError::bad_request(format!("Property '{name}' must be a string."))),
    }
}

fn optional_text(body: &Value, path: &[&str]) -> GraphResult<Option<String>> {
    match field(body, path)? {
        None => Ok(None),
        Some(v) => v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
            GraphError::bad_request(format!("Property '{}' must be a string.", path.join(".")))
        }),
    }
}

/// Reads the body in api.md's order: JSON (415/413/400), then the required properties.
async fn read_body(headers: &HeaderMap, body: Body) -> GraphResult<Resume> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(GraphError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "The body must be JSON (Content-Type: application/json).",
        ));
    }
    let too_large = || {
        GraphError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The body is larger than {} KiB.", BODY_LIMIT / 1024),
        )
    };
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| too_large())?;
    parse_body(&bytes)
}

/// The body's JSON and its properties, in api.md's order (after the type and size checks).
pub fn parse_body(bytes: &[u8]) -> GraphResult<Resume> {
    let body: Value = serde_json::from_slice(bytes)
        .map_err(|e| GraphError::bad_request(format!("The body is not valid JSON: {e}.")))?;
    let kind = required_text(&body, &["type"])?;
    let stage_text = required_text(&body, &["data", "stage"])?;
    let instance_text = required_text(&body, &["data", "customExtensionStageInstanceId"])?;
    let stage = Stage::parse(stage_text)
        .map_err(|e| GraphError::bad_request(format!("Property 'data.stage': {e}")))?;
    let type_stage = kind.rsplit('.').next().unwrap_or_default();
    if !type_stage.eq_ignore_ascii_case(stage.wire_name()) {
        return Err(GraphError::bad_request(format!(
            "Property 'type' ({kind:?}) must end in the same stage as 'data.stage' ({stage_text:?})."
        )));
    }
    let instance = instance_text.parse().map_err(|_| {
        GraphError::bad_request(format!(
            "Property 'data.customExtensionStageInstanceId': {instance_text:?} is not a GUID."
        ))
    })?;
    let denied = match optional_text(&body, &["data", "state"])? {
        None => false,
        Some(state) if state.eq_ignore_ascii_case("denied") => true,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "Property 'data.state': {other:?} is not allowed; the only state a workflow sends is \"denied\"."
            )))
        }
    };
    Ok(Resume {
        stage,
        instance,
        denied,
        source: optional_text(&body, &["source"])?,
        detail: optional_text(&body, &["data", "customExtensionStageInstanceDetail"])?,
    })
}

pub async fn resume(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(request): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> GraphResult<StatusCode> {
    let not_found = || {
        GraphError::not_found(format!(
            "There is no assignment request with id {request:?}."
        ))
    };
    let id: RequestId = request.parse().map_err(|_| not_found())?;
    let catalog = resume::catalog_of(&state, id)
        .await?
        .ok_or_else(not_found)?;
    if !p.may(catalog, Role::may_manage_assignments) {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Not permitted: resuming needs Access package assignment manager, Catalog owner or Identity Governance Administrator on the request's catalog.",
        ));
    }
    let input = read_body(&headers, body).await?;
    resume::resume(&state, &p, id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

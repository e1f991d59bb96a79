//! The workflow's answer to a launch-and-wait callout: continue or deny. Exactly one resume of
//! an instance takes effect; the same resume again changes nothing; any other is refused
//! with the reason. The checks before this (token, role, body shape) are the caller's.

use crate::auth::authz::Principal;
use crate::domain::ids::{CalloutInstanceId, RequestId};
use crate::domain::lifecycle::{classify_resume, Actor, Event, ResumeOutcome, ResumeVerdict};
use crate::domain::stage::Stage;
use crate::engine::run::{run_event, RunError};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::requests;

/// The longest `customExtensionStageInstanceDetail` kept.
pub const DETAIL_MAX: usize = 4000;

#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    pub stage: Stage,
    pub instance: CalloutInstanceId,
    pub denied: bool,
    pub source: Option<String>,
    pub detail: Option<String>,
}

/// Whether the resume changed the request, or repeated one that already had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumed {
    Applied,
    AlreadyApplied,
}

fn actor_of(p: &Principal) -> Actor {
    match (p.app_id, p.user_id) {
        (Some(app), _) => Actor::App(app),
        (None, Some(user)) => Actor::User(user),
        (None, None) => Actor::System,
    }
}

pub async fn resume(
    state: &AppState,
    p: &Principal,
    request: RequestId,
    input: Resume,
) -> Result<Resumed, AppError> {
    let no_instance = || {
        AppError::NotFound(format!(
            "Request {request} has no custom extension instance {} at stage {}.",
            input.instance,
            input.stage.wire_name()
        ))
    };
    let now = state.clock.now();
    // One writer at a time: racing resumes see each other's outcome.
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let instance = requests::get_instance(&mut tx, input.instance)
        .await?
        .ok_or_else(no_instance)?;
    if instance.request_id.as_deref() != Some(request.to_string().as_str())
        || instance.stage != input.stage.wire_name()
    {
        return Err(no_instance());
    }
    if input.denied && !input.stage.allows_deny() {
        return Err(AppError::invalid(
            "data.state",
            format!(
                "A workflow can deny only at assignmentRequestCreated or assignmentRequestApproved, not at {}.",
                input.stage.wire_name()
            ),
        ));
    }
    if let Some(detail) = &input.detail {
        let count = detail.chars().count();
        if count > DETAIL_MAX {
            return Err(AppError::invalid(
                "data.customExtensionStageInstanceDetail",
                format!("customExtensionStageInstanceDetail is {count} characters; the limit is {DETAIL_MAX}."),
            ));
        }
    }
    let outcome = ResumeOutcome::from_denied(input.denied);
    match classify_resume(&instance.snapshot()?, outcome) {
        ResumeVerdict::Duplicate => return Ok(Resumed::AlreadyApplied),
        ResumeVerdict::Conflict(reason) => return Err(AppError::Conflict(reason.to_string())),
        ResumeVerdict::Apply => {}
    }
    let event = Event::Resumed {
        instance: input.instance,
        outcome,
        source: input.source.clone(),
        detail: input.detail.clone(),
        by: actor_of(p),
    };
    match run_event(&mut tx, request, event, now).await {
        Ok(_) => {}
        Err(RunError::Refused(refusal)) => return Err(AppError::Conflict(refusal.to_string())),
        Err(RunError::NotFound) => {
            return Err(AppError::NotFound("There is no such request.".into()))
        }
        Err(RunError::Db(e)) => return Err(e.into()),
        Err(RunError::Inconsistent(what)) => {
            tracing::error!(%what, "stored request is inconsistent");
            return Err(AppError::Internal);
        }
    }
    tx.commit().await?;
    state.wake.notify_one();
    Ok(Resumed::Applied)
}

/// The catalog a request belongs to, to check the caller's role before anything else.
pub async fn catalog_of(
    state: &AppState,
    request: RequestId,
) -> Result<Option<crate::domain::ids::CatalogId>, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(
        crate::store::request_views::request_head(&mut conn, request)
            .await?
            .and_then(|head| head.catalog_id.parse().ok()),
    )
}

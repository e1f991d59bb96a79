//! The workflow's answer to a launch-and-wait callout: continue or deny. Exactly one resume of
//! an instance takes effect; the same resume again changes nothing; any other is refused
//! with the reason. The checks before this (token, role, body shape) are the caller's.

use crate::auth::authz::Principal;
use crate::domain::ids::{CalloutInstanceId, RequestId};
use crate::domain::lifecycle::{classify_resume, Actor, Event, ResumeOutcome, ResumeVerdict};
use crate::domain::stage::Stage;
use crate::engine::group::{self, GroupWrite, Groups, Loaded, Writes};
use crate::engine::run::RunError;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::requests::{self, InstanceRecord};
use crate::store::Conn;
use chrono::{DateTime, Utc};

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
    let step = ResumeStep {
        request,
        input,
        by: actor_of(p),
    };
    let resumed = group::submit(state, step)
        .await
        .ok_or(AppError::Internal)??;
    if resumed == Resumed::Applied {
        state.wake.notify_one();
    }
    Ok(resumed)
}

/// One workflow's resume, written with the others that arrive meanwhile (`engine::group`):
/// racing resumes of one request never share a group, so each sees the one before.
pub struct ResumeStep {
    request: RequestId,
    input: Resume,
    by: Actor,
}

impl GroupWrite for ResumeStep {
    type Answer = Result<Resumed, AppError>;

    type Key = RequestId;

    fn key(&self) -> RequestId {
        self.request
    }

    fn queue(state: &AppState) -> &Groups<Self> {
        &state.resumes
    }

    /// Every resume's answer; the resumes that apply, applied, in the turn's transaction `tx`.
    async fn write(
        tx: &mut Conn,
        steps: &[Self],
        now: DateTime<Utc>,
    ) -> Result<Vec<Self::Answer>, sqlx::Error> {
        // The requests first: their read locks them (on PostgreSQL), so the instances read
        // next are as no other process can change them before this turn commits.
        let requests: Vec<RequestId> = steps.iter().map(|s| s.request).collect();
        let loaded = Loaded::read(&mut *tx, &requests).await?;
        let ids: Vec<CalloutInstanceId> = steps.iter().map(|s| s.input.instance).collect();
        let instances = requests::get_instances(&mut *tx, &ids).await?;
        let mut w = Writes::new();
        let mut answers = Vec::with_capacity(steps.len());
        for step in steps {
            let answer = match instances
                .iter()
                .find(|i| i.id == step.input.instance.to_string())
            {
                Some(instance) => resume_one(&mut w, &loaded, instance, step, now)?,
                None => Err(no_instance(step)),
            };
            answers.push(answer);
        }
        w.finish(tx, &loaded, now).await?;
        Ok(answers)
    }

    fn failed(error: &sqlx::Error) -> Self::Answer {
        tracing::error!(%error, "a resume could not be written");
        Err(AppError::Internal)
    }
}

fn no_instance(step: &ResumeStep) -> AppError {
    AppError::NotFound(format!(
        "Request {} has no custom extension instance {} at stage {}.",
        step.request,
        step.input.instance,
        step.input.stage.wire_name()
    ))
}

/// One resume's answer, its writes added to `w` when it applies.
fn resume_one(
    w: &mut Writes<'_>,
    loaded: &Loaded,
    instance: &InstanceRecord,
    step: &ResumeStep,
    now: DateTime<Utc>,
) -> Result<Result<Resumed, AppError>, sqlx::Error> {
    let input = &step.input;
    if instance.request_id.as_deref() != Some(step.request.to_string().as_str())
        || instance.stage != input.stage.wire_name()
    {
        return Ok(Err(no_instance(step)));
    }
    let outcome = ResumeOutcome::from_denied(input.denied);
    match classify_resume(&instance.snapshot()?, outcome) {
        ResumeVerdict::Duplicate => return Ok(Ok(Resumed::AlreadyApplied)),
        ResumeVerdict::Conflict(reason) => return Ok(Err(AppError::Conflict(reason.to_string()))),
        ResumeVerdict::Apply => {}
    }
    let event = Event::Resumed {
        instance: input.instance,
        outcome,
        source: input.source.clone(),
        detail: input.detail.clone(),
        by: step.by,
    };
    Ok(match w.step(loaded, step.request, event, now) {
        Ok(()) => Ok(Resumed::Applied),
        Err(RunError::Refused(refusal)) => Err(AppError::Conflict(refusal.to_string())),
        Err(RunError::NotFound) => Err(AppError::NotFound("There is no such request.".into())),
        Err(RunError::Db(e)) => return Err(e),
        Err(RunError::Inconsistent(what)) => {
            tracing::error!(%what, "stored request is inconsistent");
            Err(AppError::Internal)
        }
    })
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

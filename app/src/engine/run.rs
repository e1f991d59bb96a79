//! Runs one lifecycle event against the stored request and writes the transition, all inside
//! the caller's transaction.

use crate::domain::ids::{AssignmentId, CalloutInstanceId, ExtensionId, RequestId};
use crate::domain::lifecycle::{
    apply, start_removal, AccessRequest, Actor, Effect, Event, HistoryActor, HistoryEvent,
    RandomIds, Refusal, RemovalKind, RequestState, RequestType, RequestorStep, Transition,
};
use crate::domain::stage::Stage;
use crate::engine::policy::{self, Policy};
use crate::store::audit::{self, AuditEntry};
use crate::store::batch::Batch;
use crate::store::requests::{
    self, HistoryRow, NewAssignment, NewInstance, NewRequest, RequestNow, RequestRow,
};
use crate::store::Conn;
use crate::store::{extensions, jobs};
use chrono::{DateTime, Utc};
use serde_json::json;

pub const DELIVER_JOB: &str = "deliverCallout";
pub const TIMER_JOB: &str = "timer";

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no such request")]
    NotFound,
    #[error("{0}")]
    Refused(Refusal),
    #[error("stored request is inconsistent: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The request as stored and as the machine sees it, rebuilt from its row and its waiting
/// instance.
pub async fn load(conn: &mut Conn, id: RequestId) -> Result<(RequestNow, AccessRequest), RunError> {
    let now = requests::get_now(&mut *conn, id)
        .await?
        .ok_or(RunError::NotFound)?;
    let request = machine_view(&now.row, now.live_wait)?;
    Ok((now, request))
}

pub(crate) fn machine_view(
    row: &RequestRow,
    live: Option<(Stage, CalloutInstanceId)>,
) -> Result<AccessRequest, RunError> {
    let phase = AccessRequest::phase_from_stored(row.state, row.status, live).ok_or_else(|| {
        RunError::Inconsistent(format!("{}: {} / {}", row.id, row.state, row.status))
    })?;
    Ok(AccessRequest {
        id: row.id,
        kind: row.kind,
        state: row.state,
        status: row.status,
        phase,
        assignment: row.assignment,
        completed_at: row.completed_at,
    })
}

pub async fn run_event(
    conn: &mut Conn,
    id: RequestId,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Transition, RunError> {
    run_event_with(conn, id, event, now, Batch::new()).await
}

/// [`run_event`], with the caller's own writes (`along`) sent in the step's batch. They are
/// lost with it when the event is refused.
pub async fn run_event_with(
    conn: &mut Conn,
    id: RequestId,
    event: Event,
    now: DateTime<Utc>,
    along: Batch<'_>,
) -> Result<Transition, RunError> {
    let (stored, current) = load(&mut *conn, id).await?;
    step(conn, &stored, &current, event, now, along).await
}

/// A new request's row and its submit, appended to `b` (not run); nothing is appended when
/// the machine refuses. The machine starts from the row as stored, without reading it back.
pub(crate) fn submit_into(
    b: &mut Batch<'_>,
    new: &NewRequest,
    by: Actor,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Transition, RunError> {
    let row = new.stored(now);
    let current = machine_view(&row, None)?;
    let (transition, action) = apply_event(&current, policy, Event::Submit { by }, now)?;
    requests::insert(b, new, &transition.request, now);
    effects_into(b, &row, policy, &transition, &action, now)?;
    Ok(transition)
}

async fn step(
    conn: &mut Conn,
    stored: &RequestNow,
    current: &AccessRequest,
    event: Event,
    now: DateTime<Utc>,
    along: Batch<'_>,
) -> Result<Transition, RunError> {
    let policy = Policy::load(&mut *conn, stored.row.policy).await?;
    let mut b = along;
    let transition = step_into(&mut b, &stored.row, current, &policy, event, now)?;
    b.run(&mut *conn).await?;
    remove_if_target_left(conn, stored, current, &transition, now).await?;
    Ok(transition)
}

/// The machine's step on a request as loaded, its writes appended to `b` (not run): the one
/// step of a single event and of a group's (`engine::group::Writes`).
pub(crate) fn step_into(
    b: &mut Batch<'_>,
    row: &RequestRow,
    current: &AccessRequest,
    policy: &Policy,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Transition, RunError> {
    let (transition, action) = apply_event(current, policy, event, now)?;
    requests::save(b, &transition.request);
    effects_into(b, row, policy, &transition, &action, now)?;
    Ok(transition)
}

/// The machine's answer to `event`, with the audit action it is written under.
fn apply_event(
    current: &AccessRequest,
    policy: &Policy,
    event: Event,
    now: DateTime<Utc>,
) -> Result<(Transition, String), RunError> {
    let action = format!("request.{}", event.name());
    let transition =
        apply(current, &policy.rules, event, now, &mut RandomIds).map_err(RunError::Refused)?;
    Ok((transition, action))
}

/// Kept on each removal request a leaver's access gets, and sent in its callouts, so the
/// history and the workflow both say why the access went.
pub const LEAVER_JUSTIFICATION: &str =
    "The user's account was disabled; their access is removed (leaver).";

/// A request the leaver path could not cancel (its granted stage waited for a workflow) may
/// deliver after its target was disabled: the access is removed at once, in the same
/// transaction, as the leaver path would have.
pub(crate) async fn remove_if_target_left(
    conn: &mut Conn,
    stored: &RequestNow,
    before: &AccessRequest,
    after: &Transition,
    now: DateTime<Utc>,
) -> Result<(), RunError> {
    let delivered_now = after.request.state == RequestState::Delivered
        && before.state != RequestState::Delivered
        && !after.request.kind.is_removal();
    let Some(assignment) = after.request.assignment.filter(|_| delivered_now) else {
        return Ok(());
    };
    if stored.target_enabled {
        return Ok(());
    }
    run_removal(
        conn,
        assignment,
        RemovalKind::Admin,
        Actor::System,
        LEAVER_JUSTIFICATION,
        now,
    )
    .await?;
    Ok(())
}

/// Stores a removal request for `assignment` and starts it.
pub async fn run_removal(
    conn: &mut Conn,
    assignment: AssignmentId,
    kind: RemovalKind,
    by: Actor,
    justification: &str,
    now: DateTime<Utc>,
) -> Result<Transition, RunError> {
    let record = requests::get_assignment(&mut *conn, assignment)
        .await?
        .ok_or(RunError::NotFound)?;
    let id = RequestId::new();
    let (requestor_kind, requestor_id) = actor_columns(&by);
    let new = NewRequest {
        id,
        kind: kind.request_type(),
        package: parse_id(&record.access_package_id)?,
        policy: parse_id(&record.policy_id)?,
        target: parse_id(&record.target_id)?,
        requestor_kind,
        requestor_id,
        assignment: Some(assignment),
        justification: justification.to_owned(),
    };
    let row = new.stored(now);
    let policy = Policy::load(&mut *conn, row.policy).await?;
    let transition = start_removal(id, kind, assignment, by, &policy.rules, now, &mut RandomIds);
    let mut b = Batch::new();
    requests::insert(&mut b, &new, &transition.request, now);
    effects_into(&mut b, &row, &policy, &transition, "request.remove", now)?;
    b.run(conn).await?;
    Ok(transition)
}

fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T, RunError> {
    text.parse()
        .map_err(|_| RunError::Inconsistent(format!("bad id {text:?}")))
}

pub fn actor_columns(by: &Actor) -> (&'static str, Option<String>) {
    match by {
        Actor::User(u) => ("user", Some(u.to_string())),
        Actor::App(a) => ("app", Some(a.to_string())),
        Actor::System => ("system", None),
    }
}

/// A callout about to start: its instance and where it belongs.
pub struct NewCallout {
    pub instance: CalloutInstanceId,
    pub request: RequestId,
    pub assignment: Option<AssignmentId>,
    pub extension: ExtensionId,
    pub stage: Stage,
    pub waits: bool,
    pub wait_until: Option<DateTime<Utc>>,
}

/// Records the instance (with the extension's configuration as it is now: a callout keeps the
/// configuration it started with, whatever later edits do) and queues its delivery, in `b`.
pub fn start_callout(
    b: &mut Batch<'_>,
    c: &NewCallout,
    snapshot: &serde_json::Value,
    now: DateTime<Utc>,
) {
    requests::insert_instance(
        b,
        &NewInstance {
            id: c.instance,
            request: c.request,
            assignment: c.assignment,
            extension: c.extension,
            stage: c.stage,
            waits: c.waits,
            config_snapshot: snapshot,
            wait_deadline: c.wait_until,
        },
        now,
    );
    queue_delivery(b, c.instance, 0, now);
}

/// The extension's configuration as it is now, as a callout keeps it; None once deleted.
pub async fn config_snapshot(
    conn: &mut Conn,
    extension: ExtensionId,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let Some(ext) = extensions::get_any(&mut *conn, extension).await? else {
        return Ok(None);
    };
    policy::snapshot(&ext.to_draft()?).map(Some)
}

/// Queues the delivery of a callout instance, due now. `earlier_attempts` are attempts made
/// before (a redelivery): the retry schedule starts afresh after them.
pub fn queue_delivery(
    b: &mut Batch<'_>,
    instance: CalloutInstanceId,
    earlier_attempts: i64,
    now: DateTime<Utc>,
) {
    jobs::enqueue(
        b,
        DELIVER_JOB,
        &json!({ "instance": instance, "earlierAttempts": earlier_attempts }),
        now,
        Some(&format!("deliver:{instance}")),
        now,
    )
}

/// Adds one step to a request's history, naming its actor as people know them.
pub fn history(
    b: &mut Batch<'_>,
    request: RequestId,
    event: &HistoryEvent,
    detail: Option<&str>,
    now: DateTime<Utc>,
) {
    let actor = event.actor();
    let (actor_id, actor_name) = match &actor {
        HistoryActor::User(id) => (Some(id.to_string()), "A deleted user"),
        HistoryActor::App(id) => (Some(id.to_string()), "A deleted app"),
        HistoryActor::System => (None, "Latch"),
        HistoryActor::Workflow { source } => (None, source.as_str()),
    };
    let words = event.words();
    let requestor = event.requestor_step();
    requests::insert_history(
        b,
        request,
        &HistoryRow {
            event: event.wire_name(),
            actor_kind: actor.kind(),
            actor_id,
            actor_name,
            detail,
            words: &words,
            step: match requestor {
                RequestorStep::Named(name) => Some(name),
                _ => None,
            },
            troubleshooting_only: requestor == RequestorStep::TroubleshootingOnly,
        },
        now,
    );
}

/// What a transition does besides moving the request's own row, appended to `b`.
fn effects_into(
    b: &mut Batch<'_>,
    row: &RequestRow,
    policy: &Policy,
    transition: &Transition,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let request = &transition.request;
    // The assignment as it stands at each effect: a stage before the grant has none yet.
    let mut assignment_so_far = row.assignment;
    for effect in &transition.effects {
        match effect {
            Effect::StartCallout {
                instance,
                stage,
                extension,
                behaviour,
                wait_until,
            } => {
                let callout = NewCallout {
                    instance: *instance,
                    request: request.id,
                    assignment: assignment_so_far,
                    extension: *extension,
                    stage: *stage,
                    waits: behaviour.timeout().is_some(),
                    wait_until: *wait_until,
                };
                start_callout(b, &callout, policy.snapshot(*extension)?, now)
            }
            Effect::SetTimer { timer, due } => {
                let payload = json!({ "request": request.id, "timer": timer });
                jobs::enqueue(
                    b,
                    TIMER_JOB,
                    &payload,
                    *due,
                    Some(&timer.dedupe_key(request.id)),
                    now,
                );
            }
            Effect::CancelTimer { timer } => jobs::cancel(b, &timer.dedupe_key(request.id)),
            Effect::CreateAssignment { assignment, state } => {
                assignment_so_far = Some(*assignment);
                let expires_at = policy.expires_at(now);
                requests::insert_assignment(
                    b,
                    &NewAssignment {
                        id: *assignment,
                        package: row.package,
                        policy: row.policy,
                        target: row.target,
                        request: row.id,
                        state: *state,
                        expires_at,
                    },
                    now,
                );
            }
            Effect::SetAssignmentState { assignment, state } => {
                requests::set_assignment_state(b, *assignment, *state, now)
            }
            Effect::SetInstanceStatus { instance, status } => {
                requests::set_instance_status(b, *instance, *status, now)
            }
            Effect::RecordResume {
                instance,
                outcome,
                source,
                detail,
            } => requests::record_resume(
                b,
                *instance,
                *outcome,
                source.as_deref(),
                detail.as_deref(),
                now,
            ),
            Effect::History { event, detail } => {
                history(b, request.id, event, detail.as_deref(), now)
            }
        }
    }
    audit::push(
        b,
        &audit::Actor::system(),
        AuditEntry {
            action,
            object_kind: if matches!(request.kind, RequestType::UserAdd | RequestType::AdminAdd) {
                "assignmentRequest"
            } else {
                "removalRequest"
            },
            object_id: request.id.to_string(),
            summary: json!({ "after": { "state": request.state.wire_name(), "status": request.status.wire_name() } }),
        },
        now,
    );
    Ok(())
}

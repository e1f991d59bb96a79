//! Requests, their assignments, callout instances, attempts and history rows.

use crate::domain::expiry::{next_due_at, AssignmentExpiry};
use crate::domain::ids::{
    AccessPackageId, AssignmentId, CalloutInstanceId, ExtensionId, PolicyId, RequestId, UserId,
};
use crate::domain::lifecycle::{
    AccessRequest, AssignmentState, InstanceSnapshot, InstanceStatus, RequestState, RequestStatus,
    RequestType, ResumeOutcome,
};
use crate::domain::stage::Stage;
use crate::store::batch::Batch;
use crate::store::{db_time, params, parse_db_time, Flag};
use crate::store::{is_postgres_conn, locks, Conn};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// The request row and what it belongs to.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: RequestId,
    pub kind: RequestType,
    pub state: RequestState,
    pub status: RequestStatus,
    pub package: AccessPackageId,
    pub policy: PolicyId,
    pub target: UserId,
    pub requestor_kind: String,
    pub requestor_id: Option<String>,
    pub assignment: Option<AssignmentId>,
    pub justification: String,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

type RawRequest = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
);

pub(crate) const REQUEST_COLUMNS: &str =
    "id, request_type, state, status, access_package_id, policy_id, target_id, \
     requestor_kind, requestor_id, assignment_id, justification, created_at, completed_at";

/// The request of a row whose first columns are [`REQUEST_COLUMNS`] (a wider read's).
pub(crate) fn request_at_start(row: &sqlx::any::AnyRow) -> Result<RequestRow, sqlx::Error> {
    request_row(RawRequest::from_row(row)?)
}

fn request_row(raw: RawRequest) -> Result<RequestRow, sqlx::Error> {
    let (
        id,
        kind,
        state,
        status,
        package,
        policy,
        target,
        requestor_kind,
        requestor_id,
        assignment,
        justification,
        created,
        completed,
    ) = raw;
    Ok(RequestRow {
        id: id.parse().map_err(decode)?,
        kind: RequestType::parse(&kind).map_err(decode)?,
        state: RequestState::parse(&state).map_err(decode)?,
        status: RequestStatus::parse(&status).map_err(decode)?,
        package: package.parse().map_err(decode)?,
        policy: policy.parse().map_err(decode)?,
        target: target.parse().map_err(decode)?,
        requestor_kind,
        requestor_id,
        assignment: assignment.map(|a| a.parse()).transpose().map_err(decode)?,
        justification,
        created_at: parse_db_time(&created)?,
        completed_at: completed.map(|c| parse_db_time(&c)).transpose()?,
    })
}

pub struct NewRequest {
    pub id: RequestId,
    pub kind: RequestType,
    pub package: AccessPackageId,
    pub policy: PolicyId,
    pub target: UserId,
    pub requestor_kind: &'static str,
    pub requestor_id: Option<String>,
    pub assignment: Option<AssignmentId>,
    pub justification: String,
}

/// Stores a new request as `submitted`/`Accepted`. The partial unique index refuses a second
/// open add-request for the same target and package (the batch then fails).
/// A new request's row as the machine left it after its first step (`request`): one INSERT,
/// where an INSERT of the submitted row and an UPDATE to its next state would write it twice.
pub fn insert(b: &mut Batch<'_>, new: &NewRequest, request: &AccessRequest, now: DateTime<Utc>) {
    b.push(
        "INSERT INTO requests (id, request_type, state, status, access_package_id, policy_id, requestor_kind, \
                               requestor_id, target_id, assignment_id, justification, created_at, completed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.id.to_string())
    .bind(new.kind.wire_name())
    .bind(request.state.wire_name())
    .bind(request.status.wire_name())
    .bind(new.package.to_string())
    .bind(new.policy.to_string())
    .bind(new.requestor_kind.to_owned())
    .bind(new.requestor_id.clone())
    .bind(new.target.to_string())
    .bind(request.assignment.map(|a| a.to_string()))
    .bind(new.justification.clone())
    .bind(db_time(now))
    .bind(request.completed_at.map(db_time));
}

impl NewRequest {
    /// The row as submitted, before the machine's first step: where that step starts.
    pub fn stored(&self, now: DateTime<Utc>) -> RequestRow {
        RequestRow {
            id: self.id,
            kind: self.kind,
            state: RequestState::Submitted,
            status: RequestStatus::Accepted,
            package: self.package,
            policy: self.policy,
            target: self.target,
            requestor_kind: self.requestor_kind.to_owned(),
            requestor_id: self.requestor_id.clone(),
            assignment: self.assignment,
            justification: self.justification.clone(),
            created_at: now,
            completed_at: None,
        }
    }
}

pub async fn get(conn: &mut Conn, id: RequestId) -> Result<Option<RequestRow>, sqlx::Error> {
    get_with(conn, id, "").await
}

/// [`get`] in a write transaction that decides from it: the row stays locked until it ends.
pub async fn get_locked(conn: &mut Conn, id: RequestId) -> Result<Option<RequestRow>, sqlx::Error> {
    let lock = locks::for_update(conn);
    get_with(conn, id, lock).await
}

async fn get_with(
    conn: &mut Conn,
    id: RequestId,
    lock: &str,
) -> Result<Option<RequestRow>, sqlx::Error> {
    let raw: Option<RawRequest> = sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1{lock}"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    raw.map(request_row).transpose()
}

pub async fn of_target(conn: &mut Conn, target: UserId) -> Result<Vec<RequestRow>, sqlx::Error> {
    let raw: Vec<RawRequest> = sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM requests WHERE target_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(target.to_string())
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(request_row).collect()
}

/// Requests waiting for a decision by this approver.
pub async fn pending_for_approver(
    conn: &mut Conn,
    approver: UserId,
) -> Result<Vec<RequestRow>, sqlx::Error> {
    let raw: Vec<RawRequest> = sqlx::query_as(&format!(
        "SELECT {} FROM requests r JOIN policy_approvers a ON a.policy_id = r.policy_id \
         WHERE a.user_id = $1 AND r.state = 'pendingApproval' ORDER BY r.created_at, r.id",
        REQUEST_COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(approver.to_string())
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(request_row).collect()
}

pub async fn in_catalog(conn: &mut Conn, catalog: &str) -> Result<Vec<RequestRow>, sqlx::Error> {
    let raw: Vec<RawRequest> = sqlx::query_as(&format!(
        "SELECT {} FROM requests r JOIN access_packages p ON p.id = r.access_package_id \
         WHERE p.catalog_id = $1 ORDER BY r.created_at DESC, r.id LIMIT 500",
        REQUEST_COLUMNS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(catalog)
    .fetch_all(conn)
    .await?;
    raw.into_iter().map(request_row).collect()
}

/// Writes the machine's view of the request back.
pub fn save(b: &mut Batch<'_>, request: &AccessRequest) {
    b.push("UPDATE requests SET state = ?, status = ?, assignment_id = ?, completed_at = ? WHERE id = ?")
        .bind(request.state.wire_name())
        .bind(request.status.wire_name())
        .bind(request.assignment.map(|a| a.to_string()))
        .bind(request.completed_at.map(db_time))
        .bind(request.id.to_string());
}

/// The instance that still holds the request of the outer query: its stage and id, as one text.
const LIVE_WAIT: &str =
    "SELECT stage || ' ' || id FROM callout_instances WHERE request_id = requests.id \
     AND behaviour = 'launchAndWait' AND status IN ('pending', 'waitingForCallback') \
     AND resume_outcome IS NULL ORDER BY created_at DESC LIMIT 1";

fn live_wait_of(text: Option<String>) -> Result<Option<(Stage, CalloutInstanceId)>, sqlx::Error> {
    let Some(text) = text else { return Ok(None) };
    let (stage, id) = text
        .split_once(' ')
        .ok_or_else(|| sqlx::Error::Decode(format!("live wait {text:?}").into()))?;
    Ok(Some((
        Stage::parse(stage).map_err(decode)?,
        id.parse().map_err(decode)?,
    )))
}

/// A request as the engine's step needs it.
#[derive(Debug, Clone)]
pub struct RequestNow {
    pub row: RequestRow,
    /// The instance that still holds the request, with its stage.
    pub live_wait: Option<(Stage, CalloutInstanceId)>,
    /// Whether the target's account is enabled (a delivery to a leaver is undone at once).
    pub target_enabled: bool,
}

/// The request, the instance that still holds it and whether its target is enabled, in one
/// read (the engine's every step starts here).
pub async fn get_now(conn: &mut Conn, id: RequestId) -> Result<Option<RequestNow>, sqlx::Error> {
    Ok(get_many_now(conn, &[id]).await?.pop())
}

/// [`get_now`] for several requests in one read (a group of steps); those that do not exist
/// are missing from the answer.
pub async fn get_many_now(
    conn: &mut Conn,
    ids: &[RequestId],
) -> Result<Vec<RequestNow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = params(1, ids.len());
    // The engine decides from this read: the rows stay locked until its turn commits.
    let lock = if is_postgres_conn(conn) {
        " ORDER BY id FOR UPDATE"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {REQUEST_COLUMNS}, ({LIVE_WAIT}) AS live_wait, \
         COALESCE((SELECT enabled FROM users WHERE id = requests.target_id), 0) AS target_enabled \
         FROM requests WHERE id IN ({marks}){lock}"
    );
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok(RequestNow {
                row: request_at_start(row)?,
                live_wait: live_wait_of(row.try_get("live_wait")?)?,
                target_enabled: row.try_get::<Flag, _>("target_enabled")?.0,
            })
        })
        .collect()
}

// ---- assignments ----

pub struct NewAssignment {
    pub id: AssignmentId,
    pub package: AccessPackageId,
    pub policy: PolicyId,
    pub target: UserId,
    pub request: RequestId,
    pub state: AssignmentState,
    pub expires_at: Option<DateTime<Utc>>,
}

pub fn insert_assignment(b: &mut Batch<'_>, a: &NewAssignment, now: DateTime<Utc>) {
    b.push(
        "INSERT INTO assignments (id, access_package_id, policy_id, target_id, request_id, state, status, start_at, \
                                  expires_at, next_due_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id.to_string())
    .bind(a.package.to_string())
    .bind(a.policy.to_string())
    .bind(a.target.to_string())
    .bind(a.request.to_string())
    .bind(a.state.wire_name())
    .bind(assignment_status(a.state))
    .bind(db_time(now))
    .bind(a.expires_at.map(db_time))
    .bind(next_due_at(&AssignmentExpiry::granted(now, a.expires_at)).map(db_time))
    .bind(db_time(now));
}

fn assignment_status(state: AssignmentState) -> &'static str {
    match state {
        AssignmentState::Delivering => "Delivering",
        AssignmentState::Delivered => "Delivered",
        AssignmentState::Expired => "Expired",
        AssignmentState::DeliveryFailed => "DeliveryFailed",
    }
}

pub fn set_assignment_state(
    b: &mut Batch<'_>,
    id: AssignmentId,
    state: AssignmentState,
    now: DateTime<Utc>,
) {
    let ended = matches!(
        state,
        AssignmentState::Expired | AssignmentState::DeliveryFailed
    );
    // An ended assignment has nothing more due: it leaves the expiry scan.
    b.push(
        "UPDATE assignments SET state = ?, status = ?, expired_at = CASE WHEN ? THEN ? ELSE expired_at END, \
         next_due_at = CASE WHEN ? THEN NULL ELSE next_due_at END WHERE id = ?",
    )
    .bind(state.wire_name())
    .bind(assignment_status(state))
    .bind(ended)
    .bind(db_time(now))
    .bind(ended)
    .bind(id.to_string());
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRecord {
    pub id: String,
    pub access_package_id: String,
    pub policy_id: String,
    pub target_id: String,
    pub request_id: String,
    pub state: String,
    pub start_at: String,
    pub expires_at: Option<String>,
    pub expired_at: Option<String>,
}

const ASSIGNMENT_COLUMNS: &str =
    "id, access_package_id, policy_id, target_id, request_id, state, start_at, expires_at, expired_at";

/// An assignment, locked until the write transaction that reads it ends (it decides from it).
pub async fn get_assignment(
    conn: &mut Conn,
    id: AssignmentId,
) -> Result<Option<AssignmentRecord>, sqlx::Error> {
    let lock = locks::for_update(conn);
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE id = $1{lock}"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

pub async fn assignments_of_target(
    conn: &mut Conn,
    target: UserId,
) -> Result<Vec<AssignmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM assignments WHERE target_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(target.to_string())
    .fetch_all(conn)
    .await
}

pub async fn assignments_in_catalog(
    conn: &mut Conn,
    catalog: &str,
) -> Result<Vec<AssignmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM assignments a JOIN access_packages p ON p.id = a.access_package_id \
         WHERE p.catalog_id = $1 ORDER BY a.created_at DESC, a.id LIMIT 500",
        ASSIGNMENT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(catalog)
    .fetch_all(conn)
    .await
}

/// What a target already has of a package: an assignment being delivered or delivered, an
/// open add-request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    /// Whether the target exists and is enabled (a leaver may have been disabled since the
    /// caller's checks).
    pub target_enabled: bool,
    pub assigned: bool,
    pub open_request: bool,
}

pub async fn holding(
    conn: &mut Conn,
    target: UserId,
    package: AccessPackageId,
) -> Result<Holding, sqlx::Error> {
    let mut held = holding_many(conn, &[(target, package)]).await?;
    held.pop()
        .ok_or_else(|| sqlx::Error::Protocol("holding: no row for the one pair asked".into()))
}

/// [`holding`] for several target and package pairs in one query, in the order asked.
pub async fn holding_many(
    conn: &mut Conn,
    asked: &[(UserId, AccessPackageId)],
) -> Result<Vec<Holding>, sqlx::Error> {
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let values = (0..asked.len())
        .map(|i| format!("({})", params(3 * i + 1, 3)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH asked (n, target, package) AS (VALUES {values}) \
         SELECT COALESCE((SELECT enabled FROM users WHERE id = a.target), 0), \
                EXISTS (SELECT 1 FROM assignments WHERE target_id = a.target AND access_package_id = a.package \
                        AND state IN ('delivering', 'delivered')), \
                EXISTS (SELECT 1 FROM requests WHERE target_id = a.target AND access_package_id = a.package \
                        AND state IN ('submitted', 'pendingApproval', 'delivering') \
                        AND request_type IN ('userAdd', 'adminAdd')) \
         FROM asked a ORDER BY a.n"
    );
    let mut query = sqlx::query_as::<_, (Flag, Flag, Flag)>(&sql);
    for (n, (target, package)) in asked.iter().enumerate() {
        query = query
            .bind(n as i64)
            .bind(target.to_string())
            .bind(package.to_string());
    }
    let rows = query.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(target_enabled, assigned, open_request)| Holding {
            target_enabled: target_enabled.0,
            assigned: assigned.0,
            open_request: open_request.0,
        })
        .collect())
}

// ---- callout instances and attempts ----

pub struct NewInstance<'a> {
    pub id: CalloutInstanceId,
    pub request: RequestId,
    pub assignment: Option<AssignmentId>,
    pub extension: ExtensionId,
    pub stage: Stage,
    pub waits: bool,
    pub config_snapshot: &'a serde_json::Value,
    pub wait_deadline: Option<DateTime<Utc>>,
}

pub fn insert_instance(b: &mut Batch<'_>, i: &NewInstance<'_>, now: DateTime<Utc>) {
    b.push(
        "INSERT INTO callout_instances (id, request_id, assignment_id, custom_extension_id, stage, behaviour, \
             config_snapshot, status, wait_deadline, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
    )
    .bind(i.id.to_string())
    .bind(i.request.to_string())
    .bind(i.assignment.map(|a| a.to_string()))
    .bind(i.extension.to_string())
    .bind(i.stage.wire_name())
    .bind(if i.waits { "launchAndWait" } else { "launchAndContinue" })
    .bind(i.config_snapshot.to_string())
    .bind(i.wait_deadline.map(db_time))
    .bind(db_time(now))
    .bind(db_time(now));
}

pub fn set_instance_status(
    b: &mut Batch<'_>,
    id: CalloutInstanceId,
    status: InstanceStatus,
    now: DateTime<Utc>,
) {
    update_instance_status(b, id, status, now, "");
}

/// Sets the status of an instance whose callout's outcome came after its request moved on,
/// if nothing else has: a resume or a timeout that came first keeps its own.
pub fn settle_pending_instance(
    b: &mut Batch<'_>,
    id: CalloutInstanceId,
    status: InstanceStatus,
    now: DateTime<Utc>,
) {
    update_instance_status(b, id, status, now, " AND status = 'pending'");
}

fn update_instance_status(
    b: &mut Batch<'_>,
    id: CalloutInstanceId,
    status: InstanceStatus,
    now: DateTime<Utc>,
    condition: &str,
) {
    b.push(&format!(
        "UPDATE callout_instances SET status = ?, updated_at = ? WHERE id = ?{condition}"
    ))
    .bind(status.wire_name())
    .bind(db_time(now))
    .bind(id.to_string());
}

pub fn record_resume(
    b: &mut Batch<'_>,
    id: CalloutInstanceId,
    outcome: ResumeOutcome,
    source: Option<&str>,
    detail: Option<&str>,
    now: DateTime<Utc>,
) {
    b.push(
        "UPDATE callout_instances SET resume_outcome = ?, resume_source = ?, detail = ?, resumed_at = ?, updated_at = ? WHERE id = ?",
    )
    .bind(outcome.wire_name())
    .bind(source.map(str::to_owned))
    .bind(detail.map(str::to_owned))
    .bind(db_time(now))
    .bind(db_time(now))
    .bind(id.to_string());
}

pub fn set_correlation(b: &mut Batch<'_>, id: CalloutInstanceId, correlation: &str) {
    b.push("UPDATE callout_instances SET external_correlation_id = ? WHERE id = ?")
        .bind(correlation.to_owned())
        .bind(id.to_string());
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceRecord {
    pub id: String,
    pub request_id: Option<String>,
    pub assignment_id: Option<String>,
    pub custom_extension_id: String,
    pub stage: String,
    pub behaviour: String,
    pub config_snapshot: String,
    pub status: String,
    pub detail: Option<String>,
    pub external_correlation_id: Option<String>,
    pub resume_source: Option<String>,
    pub resume_outcome: Option<String>,
    pub resumed_at: Option<String>,
    pub wait_deadline: Option<String>,
    pub created_at: String,
}

impl InstanceRecord {
    pub fn waits(&self) -> bool {
        self.behaviour == "launchAndWait"
    }

    pub fn snapshot(&self) -> Result<InstanceSnapshot, sqlx::Error> {
        Ok(InstanceSnapshot {
            status: InstanceStatus::parse(&self.status).map_err(decode)?,
            waits: self.waits(),
            resumed_outcome: self
                .resume_outcome
                .as_deref()
                .and_then(ResumeOutcome::parse),
        })
    }
}

pub(crate) const INSTANCE_COLUMNS: &str = "id, request_id, assignment_id, custom_extension_id, stage, behaviour, config_snapshot, \
     status, detail, external_correlation_id, resume_source, resume_outcome, resumed_at, wait_deadline, created_at";

pub async fn get_instance(
    conn: &mut Conn,
    id: CalloutInstanceId,
) -> Result<Option<InstanceRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INSTANCE_COLUMNS} FROM callout_instances WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

/// Several instances by id in one read (a group of resumes); those that do not exist are
/// missing from the answer.
pub async fn get_instances(
    conn: &mut Conn,
    ids: &[CalloutInstanceId],
) -> Result<Vec<InstanceRecord>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = params(1, ids.len());
    let sql = format!("SELECT {INSTANCE_COLUMNS} FROM callout_instances WHERE id IN ({marks})");
    let mut query = sqlx::query_as(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    query.fetch_all(conn).await
}

pub async fn instances_of_request(
    conn: &mut Conn,
    request: RequestId,
) -> Result<Vec<InstanceRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INSTANCE_COLUMNS} FROM callout_instances WHERE request_id = $1 ORDER BY created_at, id"
    ))
    .bind(request.to_string())
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRecord {
    pub instance_id: String,
    pub attempt_number: i64,
    pub started_at: String,
    pub http_status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

pub struct NewAttempt<'a> {
    pub instance: CalloutInstanceId,
    pub started_at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
    pub excerpt: Option<&'a str>,
}

/// The configuration a callout is sent with from now on (a redelivery takes the extension's
/// current one).
pub async fn set_instance_config(
    conn: &mut Conn,
    id: CalloutInstanceId,
    config_snapshot: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE callout_instances SET config_snapshot = $1 WHERE id = $2")
        .bind(config_snapshot.to_string())
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn attempt_count(
    conn: &mut Conn,
    instance: CalloutInstanceId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM callout_attempts WHERE instance_id = $1")
        .bind(instance.to_string())
        .fetch_one(conn)
        .await
}

/// Records an attempt with a step's other writes, numbered in its own insert: one more than
/// the instance's attempts so far.
pub fn insert_attempt_in<'q>(b: &mut Batch<'q>, a: &NewAttempt<'q>) {
    b.push(
        "INSERT INTO callout_attempts (instance_id, attempt_number, started_at, http_status, latency_ms, error, response_excerpt) \
         VALUES (?, (SELECT COUNT(*) + 1 FROM callout_attempts WHERE instance_id = ?), ?, ?, ?, ?, ?)",
    )
        .bind(a.instance.to_string())
        .bind(a.instance.to_string())
        .bind(db_time(a.started_at))
        .bind(a.http_status.map(i64::from))
        .bind(a.latency_ms)
        .bind(a.error)
        .bind(a.excerpt);
}

pub async fn attempts_of_request(
    conn: &mut Conn,
    request: RequestId,
) -> Result<Vec<AttemptRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.instance_id, a.attempt_number, a.started_at, a.http_status, a.latency_ms, a.error \
         FROM callout_attempts a JOIN callout_instances i ON i.id = a.instance_id \
         WHERE i.request_id = $1 ORDER BY a.instance_id, a.attempt_number",
    )
    .bind(request.to_string())
    .fetch_all(conn)
    .await
}

// ---- history ----

pub struct HistoryRow<'a> {
    pub event: &'a str,
    pub actor_kind: &'a str,
    pub actor_id: Option<String>,
    /// The actor's name when no user or app row names it: a deleted user or app, Latch, a
    /// workflow. A user's or app's name is read from its row as the step is written.
    pub actor_name: &'a str,
    pub detail: Option<&'a str>,
    pub words: &'a str,
    /// The step's name in the requestor's words, where it differs from `words`.
    pub step: Option<&'a str>,
    /// Shown only in the troubleshooting view.
    pub troubleshooting_only: bool,
}

pub fn insert_history(
    b: &mut Batch<'_>,
    request: RequestId,
    row: &HistoryRow<'_>,
    now: DateTime<Utc>,
) {
    // The words are kept with the step: what the person saw then stays what the history says.
    let mut detail = serde_json::json!({ "words": row.words });
    if let Some(d) = row.detail {
        detail["detail"] = d.into();
    }
    if let Some(step) = row.step {
        detail["step"] = step.into();
    }
    if row.troubleshooting_only {
        detail["troubleshootingOnly"] = true.into();
    }
    // The name is looked up here, not before, so the step needs no read of its own.
    b.push(
        "INSERT INTO request_history (request_id, at, event, actor_kind, actor_id, actor_name, detail) \
         VALUES (?, ?, ?, ?, ?, COALESCE(CASE ? WHEN 'user' THEN (SELECT display_name FROM users WHERE id = ?) \
                 WHEN 'app' THEN (SELECT display_name FROM apps WHERE id = ?) END, ?), ?)",
    )
    .bind(request.to_string())
    .bind(db_time(now))
    .bind(row.event.to_owned())
    .bind(row.actor_kind.to_owned())
    .bind(row.actor_id.clone())
    .bind(row.actor_kind.to_owned())
    .bind(row.actor_id.clone())
    .bind(row.actor_id.clone())
    .bind(row.actor_name.to_owned())
    .bind(detail.to_string());
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRecord {
    pub at: String,
    pub event: String,
    pub actor_kind: String,
    pub actor_name: String,
    pub detail: Option<String>,
}

pub async fn history_of(
    conn: &mut Conn,
    request: RequestId,
) -> Result<Vec<HistoryRecord>, sqlx::Error> {
    sqlx::query_as("SELECT at, event, actor_kind, actor_name, detail FROM request_history WHERE request_id = $1 ORDER BY id")
        .bind(request.to_string())
        .fetch_all(conn)
        .await
}

/// The open add-requests for a user (a leaver's requests to cancel), oldest first.
pub async fn open_add_requests_of_target(
    conn: &mut Conn,
    target: UserId,
) -> Result<Vec<RequestId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM requests WHERE target_id = $1 \
           AND state IN ('submitted', 'pendingApproval', 'delivering') \
           AND request_type IN ('userAdd', 'adminAdd') ORDER BY created_at, id",
    )
    .bind(target.to_string())
    .fetch_all(conn)
    .await?;
    ids.iter()
        .map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

/// A user's delivered assignments (a leaver's access to remove).
pub async fn delivered_assignments_of_target(
    conn: &mut Conn,
    target: UserId,
) -> Result<Vec<AssignmentId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM assignments WHERE target_id = $1 AND state = 'delivered' ORDER BY created_at, id",
    )
    .bind(target.to_string())
    .fetch_all(conn)
    .await?;
    ids.iter()
        .map(|id| id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::demo_test_db;

    #[tokio::test]
    async fn holding_says_whether_the_target_can_still_be_given_access() {
        let (db, _dir) = demo_test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let (user, package): (String, String) = sqlx::query_as(
            "SELECT (SELECT id FROM users WHERE enabled = 1 LIMIT 1), (SELECT id FROM access_packages LIMIT 1)",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let (user, package): (UserId, AccessPackageId) =
            (user.parse().unwrap(), package.parse().unwrap());
        let held = holding(&mut conn, user, package).await.unwrap();
        assert!(held.target_enabled && !held.assigned && !held.open_request);

        sqlx::query("UPDATE users SET enabled = 0 WHERE id = $1")
            .bind(user.to_string())
            .execute(&mut *conn)
            .await
            .unwrap();
        assert!(
            !holding(&mut conn, user, package)
                .await
                .unwrap()
                .target_enabled
        );
        let nobody = holding(&mut conn, UserId::new(), package).await.unwrap();
        assert!(!nobody.target_enabled && !nobody.assigned && !nobody.open_request);
    }

    /// A policy of the demo data, its package and two enabled users.
    async fn policy_and_two_users(conn: &mut Conn) -> (PolicyId, AccessPackageId, [UserId; 2]) {
        let (policy, package): (String, String) =
            sqlx::query_as("SELECT id, access_package_id FROM policies LIMIT 1")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        let users: Vec<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE enabled = 1 LIMIT 2")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let users = [users[0].parse().unwrap(), users[1].parse().unwrap()];
        (policy.parse().unwrap(), package.parse().unwrap(), users)
    }

    /// An open `adminAdd` request of `target` for `package`, stored in `b`.
    fn open_request(
        b: &mut Batch<'_>,
        id: RequestId,
        policy: PolicyId,
        package: AccessPackageId,
        target: UserId,
    ) {
        let new = NewRequest {
            id,
            kind: RequestType::AdminAdd,
            package,
            policy,
            target,
            requestor_kind: "system",
            requestor_id: None,
            assignment: None,
            justification: String::new(),
        };
        let now = Utc::now();
        let submitted = crate::engine::run::machine_view(&new.stored(now), None).unwrap();
        insert(b, &new, &submitted, now);
    }

    #[tokio::test]
    async fn holdings_of_several_pairs_come_in_the_order_asked() {
        let (db, _dir) = demo_test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let (policy, package, [asks, free]) = policy_and_two_users(&mut conn).await;
        let mut b = Batch::new();
        open_request(&mut b, RequestId::new(), policy, package, asks);
        b.run(&mut conn).await.unwrap();

        let asked = [(free, package), (UserId::new(), package), (asks, package)];
        let many = holding_many(&mut conn, &asked).await.unwrap();
        let mut alone = Vec::new();
        for (target, package) in asked {
            alone.push(holding(&mut conn, target, package).await.unwrap());
        }
        assert_eq!(many, alone);
        assert_eq!(
            many.iter()
                .map(|h| (h.target_enabled, h.open_request))
                .collect::<Vec<_>>(),
            [(true, false), (false, false), (true, true)]
        );
        assert!(holding_many(&mut conn, &[]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn several_requests_read_together_as_each_alone() {
        let (db, _dir) = demo_test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let (policy, package, users) = policy_and_two_users(&mut conn).await;
        let mut b = Batch::new();
        let ids = [RequestId::new(), RequestId::new()];
        for (id, user) in ids.iter().zip(users) {
            open_request(&mut b, *id, policy, package, user);
        }
        b.run(&mut conn).await.unwrap();

        let asked = [ids[0], RequestId::new(), ids[1]];
        let many = get_many_now(&mut conn, &asked).await.unwrap();
        assert_eq!(many.len(), 2, "the one that does not exist is left out");
        for now in many {
            let alone = get_now(&mut conn, now.row.id).await.unwrap().unwrap();
            assert_eq!(format!("{now:?}"), format!("{alone:?}"));
            assert!(now.target_enabled, "the demo's users are enabled");
        }
        assert!(get_many_now(&mut conn, &[]).await.unwrap().is_empty());
    }
}

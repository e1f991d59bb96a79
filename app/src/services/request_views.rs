//! What requestors, approvers and managers see of requests and assignments. Each list is
//! filtered by what the caller may see; another user's request is "not found", never shown.

use crate::auth::authz::Principal;
use crate::domain::ids::{AccessPackageId, CatalogId, PolicyId, RequestId, UserId};
use crate::domain::lifecycle::{
    requestor_words, Actor, AssignmentState, HistoryEvent, InstanceSnapshot, InstanceStatus,
    RequestState, RequestStatus, RequestorStep, ResumeOutcome, StageOutcome,
};
use crate::domain::role::Role;
use crate::domain::stage::Stage;
use crate::error::AppError;
use crate::services::name_lists::LONGEST_SEARCH;
use crate::state::AppState;
use crate::store::paging::{Key, Page, PageAt, PAGE_SIZE};
use crate::store::request_views::{
    self as views_store, AssignmentFilter, AssignmentListRow, RequestFilter, RequestListRow,
    MOST_ARMS,
};
use crate::store::Conn;
use crate::store::{packages, requests};
use crate::views::lists::{ListPage, ListQuery};
use crate::views::requests::{
    ApprovalItem, AssignmentView, AttemptView, HistoryLine, InstanceView, RequestDetails,
    RequestSummary, RequestablePackage, WorkflowDetail,
};
use chrono::{DateTime, Utc};

/// A stored time as people read it.
pub fn shown(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|t| crate::views::utc_minutes(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| text.to_string())
}

fn stage_label(stage: &str) -> String {
    Stage::parse(stage)
        .map(|s| s.portal_label().to_string())
        .unwrap_or_else(|_| stage.to_string())
}

fn request_type_words(kind: &str) -> &'static str {
    match kind {
        "userAdd" | "adminAdd" => "Access request",
        "systemRemove" => "Removal at expiry",
        _ => "Removal",
    }
}

async fn words(conn: &mut Conn, id: &str, state: &str, status: &str) -> Result<String, AppError> {
    let (Ok(state), Ok(status)) = (RequestState::parse(state), RequestStatus::parse(status)) else {
        return Err(AppError::Internal);
    };
    let last = views_store::last_wait(conn, id)
        .await?
        .and_then(|(status, outcome)| {
            let snapshot = InstanceSnapshot {
                status: InstanceStatus::parse(&status).ok()?,
                waits: true,
                resumed_outcome: outcome.as_deref().and_then(ResumeOutcome::parse),
            };
            StageOutcome::of(&snapshot)
        });
    Ok(requestor_words(state, status, last).to_string())
}

async fn summaries(
    conn: &mut Conn,
    rows: Vec<RequestListRow>,
) -> Result<Vec<RequestSummary>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let words = words(conn, &r.id, &r.state, &r.status).await?;
        out.push(RequestSummary {
            id: r.id.parse().map_err(|_| AppError::Internal)?,
            package: r.package,
            kind: request_type_words(&r.request_type).to_string(),
            target: r.target,
            submitted_at: shown(&r.created_at),
            words,
        });
    }
    Ok(out)
}

fn catalog_of(text: &str) -> Result<CatalogId, AppError> {
    text.parse().map_err(|_| AppError::Internal)
}

fn me(p: &Principal) -> Result<crate::domain::ids::UserId, AppError> {
    p.user_id
        .ok_or_else(|| AppError::NotPermitted("this screen is for signed-in users.".into()))
}

pub async fn requestable(
    state: &AppState,
    p: &Principal,
) -> Result<Vec<RequestablePackage>, AppError> {
    let me = me(p)?;
    let mut conn = state.db.acquire().await?;
    let rows = views_store::requestable_policies(&mut conn, me).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let package = r.package_id.parse().map_err(|_| AppError::Internal)?;
        let holding = requests::holding(&mut conn, me, package).await?;
        let blocked = if holding.assigned {
            Some("You have this access package.".to_string())
        } else if holding.open_request {
            Some("You have an open request for it.".to_string())
        } else {
            None
        };
        out.push(RequestablePackage {
            policy: r.policy_id.parse().map_err(|_| AppError::Internal)?,
            package: r.package,
            description: r.description,
            policy_name: r.policy_name,
            catalog: r.catalog,
            needs_approval: r.is_approval_required,
            blocked,
        });
    }
    Ok(out)
}

/// The requests for the caller, newest first, a page at a time.
pub async fn my_requests(
    state: &AppState,
    p: &Principal,
    q: &ListQuery,
) -> Result<ListPage<RequestSummary>, AppError> {
    let me = me(p)?;
    let at = page_at(q, &[])?;
    let filter = RequestFilter {
        target: Some(me),
        ..Default::default()
    };
    let mut conn = state.db.acquire().await?;
    let page = views_store::request_page(&mut conn, None, &filter, &at, PAGE_SIZE).await?;
    request_list(&mut conn, page, Vec::new()).await
}

/// The approver's history: other requests of the policies they approve, newest first, each
/// opening on the details (with what workflows reported) that approvers may see; narrowed to
/// one of those packages if `q` says so.
pub async fn approval_history(
    state: &AppState,
    p: &Principal,
    q: &ListQuery,
) -> Result<ListPage<RequestSummary>, AppError> {
    let me = me(p)?;
    let at = page_at(q, &["package"])?;
    let mut conn = state.db.acquire().await?;
    let named = packages_named(&mut conn, q, None, Some(me)).await?;
    let filter = RequestFilter {
        approver: Some(me),
        not_state: Some(RequestState::PendingApproval),
        package: named.package,
        packages: named.packages,
        ..Default::default()
    };
    let page = views_store::request_page(&mut conn, None, &filter, &at, PAGE_SIZE).await?;
    request_list(&mut conn, page, named.shown).await
}

/// A page of the requests in the catalogs where the caller manages assignments, narrowed as
/// `query` says (each part checked, and named when it cannot be read).
pub async fn managed_request_page(
    state: &AppState,
    p: &Principal,
    query: &ListQuery,
) -> Result<ListPage<RequestSummary>, AppError> {
    let catalogs = crate::services::manager_views::managed_catalogs(p)?;
    let at = page_at(
        query,
        &[
            "show", "package", "catalog", "policy", "person", "from", "to",
        ],
    )?;
    let mut filter = request_filter(query)?;
    let mut conn = state.db.acquire().await?;
    let catalogs = catalogs_named(&mut conn, query, catalogs).await?;
    let named = packages_named(&mut conn, query, catalogs.as_deref(), None).await?;
    (filter.package, filter.packages) = (named.package, named.packages);
    (filter.policy, filter.policies) =
        policies_named(&mut conn, query, catalogs.as_deref()).await?;
    let page =
        views_store::request_page(&mut conn, catalogs.as_deref(), &filter, &at, PAGE_SIZE).await?;
    request_list(&mut conn, page, named.shown).await
}

/// The page `q` asks for, once every other part it has is one of `reads` (a list refuses, by
/// name, what it cannot be narrowed by).
fn page_at(q: &ListQuery, reads: &[&str]) -> Result<PageAt, AppError> {
    let unread = q.parts().into_iter().find(|(name, value)| {
        !value.is_empty() && !reads.contains(name) && !matches!(*name, "after" | "before")
    });
    if let Some((name, _)) = unread {
        return Err(AppError::invalid(
            name,
            format!("{name}: this list cannot be narrowed by it."),
        ));
    }
    PageAt::from_tokens(
        Some(q.after.as_str()).filter(|t| !t.is_empty()),
        Some(q.before.as_str()).filter(|t| !t.is_empty()),
    )
    .map_err(|e| AppError::invalid("page", e.to_string()))
}

/// What a list's `package` part names: one package by its id (a link's), or the packages
/// whose name starts with the text (the form's), among those the list shows.
#[derive(Debug, Default)]
struct NamedPackages {
    package: Option<AccessPackageId>,
    packages: Option<Vec<AccessPackageId>>,
    /// (id, name) of each, for the form to show.
    shown: Vec<(String, String)>,
}

/// What a list's part that names things says: nothing, one thing by its id (a link's), or
/// the start of their names (the form's), at most [`LONGEST_SEARCH`] characters.
enum Naming<Id> {
    Nothing,
    Id(Id),
    Start(String),
}

fn naming<Id: std::str::FromStr>(
    part: &str,
    label: &str,
    text: &str,
) -> Result<Naming<Id>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Naming::Nothing);
    }
    if text.chars().count() > LONGEST_SEARCH {
        return Err(AppError::invalid(
            part,
            format!("{label}: at most {LONGEST_SEARCH} characters of its name."),
        ));
    }
    Ok(match text.parse() {
        Ok(id) => Naming::Id(id),
        Err(_) => Naming::Start(text.to_owned()),
    })
}

/// A name start is read as one read per thing it names: more than [`MOST_ARMS`] is refused.
fn at_most_arms(
    found: usize,
    part: &str,
    label: &str,
    things: &str,
    text: &str,
) -> Result<(), AppError> {
    if found <= MOST_ARMS {
        return Ok(());
    }
    Err(AppError::invalid(
        part,
        format!(
            "{label}: more than {MOST_ARMS} {things}\u{2019} names start with \u{201c}{text}\u{201d}; type more of the name."
        ),
    ))
}

fn ids<Id: std::str::FromStr>(found: &[(String, String)]) -> Result<Vec<Id>, sqlx::Error> {
    found
        .iter()
        .map(|(id, _)| {
            id.parse()
                .map_err(|_| sqlx::Error::Decode("a stored id".into()))
        })
        .collect()
}

/// Reads `q.package` among the packages of `catalogs` (every catalog when `None`) and, given
/// an approver, of the policies they approve.
async fn packages_named(
    conn: &mut Conn,
    q: &ListQuery,
    catalogs: Option<&[CatalogId]>,
    approver: Option<UserId>,
) -> Result<NamedPackages, AppError> {
    match naming::<AccessPackageId>("package", "Access package", &q.package)? {
        Naming::Nothing => Ok(NamedPackages::default()),
        Naming::Id(id) => {
            let name = views_store::package_name(conn, id).await?;
            Ok(NamedPackages {
                package: Some(id),
                packages: None,
                shown: name.map(|n| (id.to_string(), n)).into_iter().collect(),
            })
        }
        Naming::Start(text) => {
            let shown =
                views_store::packages_starting(conn, catalogs, approver, &text, MOST_ARMS).await?;
            at_most_arms(shown.len(), "package", "Access package", "packages", &text)?;
            Ok(NamedPackages {
                package: None,
                packages: Some(ids(&shown)?),
                shown,
            })
        }
    }
}

/// The catalogs a list of `catalogs` (every catalog when `None`) is narrowed to by
/// `q.catalog`: those of them it names by id or by the start of their names.
async fn catalogs_named(
    conn: &mut Conn,
    q: &ListQuery,
    catalogs: Option<Vec<CatalogId>>,
) -> Result<Option<Vec<CatalogId>>, AppError> {
    match naming::<CatalogId>("catalog", "Catalog", &q.catalog)? {
        Naming::Nothing => Ok(catalogs),
        Naming::Id(id) => Ok(Some(
            catalogs
                .is_none_or(|mine| mine.contains(&id))
                .then_some(id)
                .into_iter()
                .collect(),
        )),
        Naming::Start(text) => {
            let within: Option<Vec<String>> = catalogs
                .as_ref()
                .map(|ids| ids.iter().map(ToString::to_string).collect());
            let list = crate::store::catalogs::named(within.as_deref(), &text);
            let (page, total) = crate::store::name_pages::page(
                conn,
                &list,
                &PageAt::First,
                MOST_ARMS,
                |c: &crate::store::catalogs::CatalogRecord| (&c.display_name, &c.id),
            )
            .await?;
            at_most_arms(total as usize, "catalog", "Catalog", "catalogs", &text)?;
            Ok(Some(page.rows.iter().map(|c| c.catalog_id()).collect()))
        }
    }
}

/// The policy (by id) or policies (by the start of their names, among those of `catalogs`)
/// `q.policy` names.
async fn policies_named(
    conn: &mut Conn,
    q: &ListQuery,
    catalogs: Option<&[CatalogId]>,
) -> Result<(Option<PolicyId>, Option<Vec<PolicyId>>), AppError> {
    match naming::<PolicyId>("policy", "Policy", &q.policy)? {
        Naming::Nothing => Ok((None, None)),
        Naming::Id(id) => Ok((Some(id), None)),
        Naming::Start(text) => {
            let found = views_store::policies_starting(conn, catalogs, &text, MOST_ARMS).await?;
            at_most_arms(found.len(), "policy", "Policy", "policies", &text)?;
            Ok((None, Some(ids(&found)?)))
        }
    }
}

/// The list page of a store page of requests.
async fn request_list(
    conn: &mut Conn,
    page: Page<RequestListRow>,
    packages: Vec<(String, String)>,
) -> Result<ListPage<RequestSummary>, AppError> {
    let rows = summaries(conn, page.rows).await?;
    Ok(listed(rows, page.newer, page.older, packages))
}

/// A page for the screen: its rows as shown, its neighbours' keys as link tokens.
fn listed<T>(
    rows: Vec<T>,
    newer: Option<Key>,
    older: Option<Key>,
    packages: Vec<(String, String)>,
) -> ListPage<T> {
    ListPage {
        rows,
        newer: newer.map(|k| k.token()),
        older: older.map(|k| k.token()),
        packages,
    }
}

/// The store's filter from the URL's text.
fn request_filter(q: &ListQuery) -> Result<RequestFilter, AppError> {
    let mut filter = RequestFilter::default();
    match q.show.as_str() {
        "" => {}
        "waiting" => filter.status = Some(RequestStatus::WaitingForCallback),
        "expired" => filter.status = Some(RequestStatus::Expired),
        other => {
            filter.state = Some(RequestState::parse(other).map_err(|_| {
                AppError::invalid(
                    "show",
                    format!("Show: {other:?} is not one of the choices."),
                )
            })?)
        }
    }
    filter.person = person_of(q)?;
    let day = |field: &str, label: &str, text: &str| -> Result<Option<DateTime<Utc>>, AppError> {
        if text.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| Some(d.and_time(chrono::NaiveTime::MIN).and_utc()))
            .map_err(|_| {
                AppError::invalid(
                    field,
                    format!("{label}: {text:?} is not a date (YYYY-MM-DD)."),
                )
            })
    };
    filter.from = day("from", "From", &q.from)?;
    // Through the whole of the last day.
    filter.until = day("to", "To", &q.to)?.map(|d| d + chrono::Duration::days(1));
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if until <= from {
            return Err(AppError::invalid("to", "To: must not be before From."));
        }
    }
    Ok(filter)
}

/// The person part: the start of a name or e-mail address, if any.
fn person_of(q: &ListQuery) -> Result<Option<String>, AppError> {
    let person = q.person.trim();
    if person.chars().count() > LONGEST_SEARCH {
        return Err(AppError::invalid(
            "person",
            format!("Person: at most {LONGEST_SEARCH} characters of a name or e-mail address."),
        ));
    }
    Ok((!person.is_empty()).then(|| person.to_owned()))
}

/// How long access that ends at `expires_at` still lasts, in the largest whole unit.
pub fn time_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = expires_at - now;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} left")
        } else {
            format!("{n} {unit}s left")
        }
    };
    if left.num_days() >= 1 {
        plural(left.num_days(), "day")
    } else if left.num_hours() >= 1 {
        plural(left.num_hours(), "hour")
    } else if left > chrono::Duration::zero() {
        "less than an hour left".to_owned()
    } else {
        "ending now".to_owned()
    }
}

fn assignment_views(
    p: &Principal,
    rows: Vec<AssignmentListRow>,
    now: DateTime<Utc>,
) -> Result<Vec<AssignmentView>, AppError> {
    rows.into_iter()
        .map(|a| {
            let active = matches!(a.state.as_str(), "delivering" | "delivered");
            let ends = a
                .expires_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            let own = p.user_id.is_some_and(|u| u.to_string() == a.target_id);
            let manages = p.may(catalog_of(&a.catalog_id)?, Role::may_manage_assignments);
            Ok(AssignmentView {
                id: a.id.parse().map_err(|_| AppError::Internal)?,
                may_remove: (own || manages) && a.state == "delivered",
                package: a.package,
                target: a.target,
                state: a.state,
                started_at: shown(&a.start_at),
                expires_at: a.expires_at.as_deref().map(shown),
                time_left: ends
                    .filter(|_| active)
                    .map(|end| time_left(end.with_timezone(&Utc), now)),
            })
        })
        .collect()
}

/// The caller's own assignments, whatever their state, newest first.
pub async fn my_assignments(
    state: &AppState,
    p: &Principal,
    q: &ListQuery,
) -> Result<ListPage<AssignmentView>, AppError> {
    let me = me(p)?;
    let at = page_at(q, &[])?;
    let filter = AssignmentFilter {
        target: Some(me),
        ..Default::default()
    };
    let mut conn = state.db.acquire().await?;
    let page = views_store::assignment_page(&mut conn, None, &filter, &at, PAGE_SIZE).await?;
    assignment_list(state, p, page, Vec::new())
}

/// A page of the assignments in the catalogs where the caller manages assignments: active
/// ones unless `q` shows another state, narrowed by package, person and "ends within N days".
pub async fn managed_assignment_page(
    state: &AppState,
    p: &Principal,
    q: &ListQuery,
) -> Result<ListPage<AssignmentView>, AppError> {
    let catalogs = crate::services::manager_views::managed_catalogs(p)?;
    let at = page_at(q, &["show", "package", "person", "within"])?;
    let mut filter = AssignmentFilter {
        person: person_of(q)?,
        ..Default::default()
    };
    match q.show.as_str() {
        "" => filter.active = true,
        "all" => {}
        other => {
            filter.state = Some(AssignmentState::parse(other).map_err(|_| {
                AppError::invalid(
                    "show",
                    format!("Show: {other:?} is not one of the choices."),
                )
            })?)
        }
    }
    if !q.within.is_empty() {
        let days = q
            .within
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or_else(|| {
                AppError::invalid(
                    "within",
                    "Ends within: a whole number of days from 1 to 3650.",
                )
            })?;
        filter.expires_before = Some(state.clock.now() + chrono::Duration::days(days));
    }
    let mut conn = state.db.acquire().await?;
    let named = packages_named(&mut conn, q, catalogs.as_deref(), None).await?;
    (filter.package, filter.packages) = (named.package, named.packages);
    let page =
        views_store::assignment_page(&mut conn, catalogs.as_deref(), &filter, &at, PAGE_SIZE)
            .await?;
    assignment_list(state, p, page, named.shown)
}

fn assignment_list(
    state: &AppState,
    p: &Principal,
    page: Page<AssignmentListRow>,
    packages: Vec<(String, String)>,
) -> Result<ListPage<AssignmentView>, AppError> {
    let rows = assignment_views(p, page.rows, state.clock.now())?;
    Ok(listed(rows, page.newer, page.older, packages))
}

async fn workflow_details(
    conn: &mut Conn,
    request: RequestId,
) -> Result<Vec<WorkflowDetail>, AppError> {
    Ok(views_store::instances(conn, request)
        .await?
        .into_iter()
        .filter_map(|i| {
            i.detail.map(|detail| WorkflowDetail {
                stage: stage_label(&i.stage),
                source: i.resume_source,
                detail,
                at: i.resumed_at.as_deref().map(shown),
            })
        })
        .collect())
}

fn redeliverable(i: &views_store::InstanceListRow) -> bool {
    let (Ok(status), Ok(stage)) = (InstanceStatus::parse(&i.status), Stage::parse(&i.stage)) else {
        return false;
    };
    let waits = i.behaviour == "launchAndWait";
    crate::domain::lifecycle::redeliver(status, waits, stage, Actor::System).is_ok()
}

/// One step of the timeline. Everyone sees it under the requestor's words; administrators and
/// assignment managers (`troubleshooting`) also see the sentence that names the custom
/// extension and its stage, and the steps only that view shows.
fn history_line(h: requests::HistoryRecord, troubleshooting: bool) -> Option<HistoryLine> {
    let stored: serde_json::Value = h
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default();
    let sentence = stored["words"].as_str().unwrap_or(&h.event).to_string();
    // The requestor's name of the step; `None` hides it from the requestor.
    let name: Option<String> = match stored["step"].as_str() {
        Some(name) => Some(name.to_string()),
        None if stored["troubleshootingOnly"].as_bool() == Some(true) => None,
        // Stored before the step was kept with the row: what the event name tells.
        None => match HistoryEvent::requestor_step_of_wire_name(&h.event) {
            RequestorStep::Named(name) => Some(name.to_string()),
            RequestorStep::TroubleshootingOnly => None,
            RequestorStep::AsWords => Some(sentence.clone()),
        },
    };
    let (words, technical) = match name {
        None if !troubleshooting => return None,
        None => (sentence, None),
        Some(name) if name != sentence => (name, troubleshooting.then_some(sentence)),
        Some(name) => (name, None),
    };
    Some(HistoryLine {
        at: shown(&h.at),
        words,
        technical,
        actor: h.actor_name,
        detail: stored["detail"].as_str().map(str::to_string),
    })
}

pub async fn details(
    state: &AppState,
    p: &Principal,
    id: RequestId,
) -> Result<RequestDetails, AppError> {
    let not_found = || AppError::NotFound("There is no such request.".into());
    let mut conn = state.db.acquire().await?;
    let row = requests::get(&mut conn, id).await?.ok_or_else(not_found)?;
    let head = views_store::request_head(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let own = p.user_id == Some(row.target);
    let manages = p.may(catalog_of(&head.catalog_id)?, Role::may_manage_assignments);
    let approves = match p.user_id {
        Some(me) => packages::is_approver(&mut conn, row.policy, me).await?,
        None => false,
    };
    if !(own || manages || approves) {
        return Err(not_found());
    }
    let history = requests::history_of(&mut conn, id)
        .await?
        .into_iter()
        .filter_map(|h| history_line(h, manages))
        .collect();
    let instances = if manages {
        let attempts = requests::attempts_of_request(&mut conn, id).await?;
        let list = views_store::instances(&mut conn, id)
            .await?
            .into_iter()
            .map(|i| InstanceView {
                attempts: attempts
                    .iter()
                    .filter(|a| a.instance_id == i.id)
                    .map(|a| AttemptView {
                        number: a.attempt_number,
                        at: shown(&a.started_at),
                        http_status: a.http_status,
                        latency_ms: a.latency_ms,
                        error: a.error.clone(),
                    })
                    .collect(),
                can_redeliver: redeliverable(&i),
                id: i.id,
                extension_id: i.custom_extension_id,
                extension: i.extension,
                stage: stage_label(&i.stage),
                status: i.status,
                detail: i.detail,
                source: i.resume_source,
                external_correlation_id: i.external_correlation_id,
            })
            .collect();
        Some(list)
    } else {
        None
    };
    let requestor =
        views_store::name_of(&mut conn, &row.requestor_kind, row.requestor_id.as_deref()).await?;
    let words = words(
        &mut conn,
        &id.to_string(),
        row.state.wire_name(),
        row.status.wire_name(),
    )
    .await?;
    let can_cancel =
        own && matches!(
            row.kind,
            crate::domain::lifecycle::RequestType::UserAdd
                | crate::domain::lifecycle::RequestType::AdminAdd
        ) && (matches!(row.state, RequestState::PendingApproval)
            || (row.state == RequestState::Submitted));
    Ok(RequestDetails {
        id,
        package: head.package,
        policy: head.policy,
        kind: request_type_words(row.kind.wire_name()).to_string(),
        target: head.target,
        requestor,
        justification: row.justification.clone(),
        submitted_at: shown(&crate::store::db_time(row.created_at)),
        state: row.state.wire_name().to_string(),
        status: row.status.wire_name().to_string(),
        words,
        can_cancel,
        history,
        workflow_details: workflow_details(&mut conn, id).await?,
        instances,
    })
}

/// The requests waiting for the caller's decision, newest first, a page at a time.
pub async fn approvals(
    state: &AppState,
    p: &Principal,
    q: &ListQuery,
) -> Result<ListPage<ApprovalItem>, AppError> {
    let me = me(p)?;
    let at = page_at(q, &["package"])?;
    let mut conn = state.db.acquire().await?;
    let named = packages_named(&mut conn, q, None, Some(me)).await?;
    let filter = RequestFilter {
        approver: Some(me),
        state: Some(RequestState::PendingApproval),
        package: named.package,
        packages: named.packages,
        ..Default::default()
    };
    let page = views_store::approval_page(&mut conn, &filter, &at, PAGE_SIZE).await?;
    let mut rows = Vec::with_capacity(page.rows.len());
    for r in page.rows {
        let id: RequestId = r.id.parse().map_err(|_| AppError::Internal)?;
        rows.push(ApprovalItem {
            request: id,
            requestor: views_store::actor_name(&r.requestor_kind, r.requestor_name),
            package: r.package,
            policy: r.policy,
            justification: r.justification,
            submitted_at: shown(&r.created_at),
            workflow_details: workflow_details(&mut conn, id).await?,
        });
    }
    Ok(listed(rows, page.newer, page.older, named.shown))
}

#[cfg(test)]
mod time_left_tests {
    use super::time_left;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn in_the_largest_whole_unit() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let cases = [
            (Duration::days(30), "30 days left"),
            (Duration::days(1) + Duration::hours(23), "1 day left"),
            (Duration::hours(23) + Duration::minutes(59), "23 hours left"),
            (Duration::hours(1), "1 hour left"),
            (Duration::minutes(59), "less than an hour left"),
            (Duration::zero(), "ending now"),
            (-Duration::minutes(5), "ending now"),
        ];
        for (left, words) in cases {
            assert_eq!(time_left(now + left, now), words, "{left:?}");
        }
    }
}

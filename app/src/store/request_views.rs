//! Read-side queries for the request, approval and assignment screens and the REST API's
//! Graph shapes: one query per list, names joined in.

use crate::domain::ids::{AccessPackageId, AssignmentId, CatalogId, PolicyId, RequestId, UserId};
use crate::domain::lifecycle::{AssignmentState, RequestState, RequestStatus};
use crate::domain::stage::Stage;
use crate::store::paging::{finish, Key, Order, Page, PageAt};
use crate::store::{db_time, params_or_none, prefix_bounds, Conn};
use chrono::{DateTime, Utc};
use std::sync::LazyLock;

/// An SQL expression of a request's stage `column` in lifecycle order (created first): what
/// orders a request's callout instances made at one moment (a test's fixed clock, or one
/// step), since the instance ids are random.
pub fn stage_rank(column: &str) -> String {
    let whens: String = Stage::ALL
        .iter()
        .enumerate()
        .map(|(rank, stage)| format!(" WHEN '{}' THEN {rank}", stage.wire_name()))
        .collect();
    format!("CASE {column}{whens} END")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestListRow {
    pub id: String,
    pub request_type: String,
    pub state: String,
    pub status: String,
    pub package: String,
    pub target: String,
    pub created_at: String,
    pub catalog_id: String,
}

const REQUEST_LIST: &str =
    "SELECT r.id, r.request_type, r.state, r.status, p.display_name AS package, \
     u.display_name AS target, r.created_at, p.catalog_id FROM requests r \
     JOIN access_packages p ON p.id = r.access_package_id JOIN users u ON u.id = r.target_id";

/// What a request list can be narrowed to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFilter {
    pub state: Option<RequestState>,
    /// "Waiting for a workflow" is `WaitingForCallback`, "Process expired" `Expired`.
    pub status: Option<RequestStatus>,
    pub package: Option<AccessPackageId>,
    /// One of these packages (those a name start matched, at most [`MOST_ARMS`]).
    pub packages: Option<Vec<AccessPackageId>>,
    pub catalog: Option<CatalogId>,
    pub policy: Option<PolicyId>,
    /// One of these policies (those a name start matched, at most [`MOST_ARMS`]).
    pub policies: Option<Vec<PolicyId>>,
    /// The person the request is for.
    pub target: Option<UserId>,
    /// The start of the name or e-mail address of the person the request is for, or of the
    /// person who asked.
    pub person: Option<String>,
    /// Made at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Made before this moment.
    pub until: Option<DateTime<Utc>>,
    /// Of the policies this person approves.
    pub approver: Option<UserId>,
    /// In any state but this one.
    pub not_state: Option<RequestState>,
    /// Still open: submitted, pending approval or delivering.
    pub open: bool,
}

/// A page of the requests in `catalogs` (every catalog when `None`) that `filter` keeps,
/// newest first.
pub async fn request_page(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    filter: &RequestFilter,
    at: &PageAt,
    size: usize,
) -> Result<Page<RequestListRow>, sqlx::Error> {
    read_requests(
        conn,
        REQUEST_LIST,
        catalogs,
        filter,
        at,
        size,
        |r: &RequestListRow| (&r.created_at, &r.id),
    )
    .await
}

/// [`request_page`] in Graph's shape, for the REST API.
pub async fn graph_request_page(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    filter: &RequestFilter,
    at: &PageAt,
    size: usize,
) -> Result<Page<GraphRequestRow>, sqlx::Error> {
    read_requests(
        conn,
        GRAPH_REQUEST,
        catalogs,
        filter,
        at,
        size,
        |r: &GraphRequestRow| (&r.created_at, &r.id),
    )
    .await
}

/// A request waiting for an approver, with what the approval's card shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApprovalRow {
    pub id: String,
    pub created_at: String,
    pub justification: String,
    pub package: String,
    pub policy: String,
    pub requestor_kind: String,
    /// The requesting user's or app's name; `None` for Latch itself or one deleted since.
    pub requestor_name: Option<String>,
}

const APPROVAL_LIST: &str =
    "SELECT r.id, r.created_at, r.justification, p.display_name AS package, \
            pol.display_name AS policy, r.requestor_kind, \
            COALESCE(ru.display_name, ra.display_name) AS requestor_name \
     FROM requests r JOIN access_packages p ON p.id = r.access_package_id \
     JOIN policies pol ON pol.id = r.policy_id \
     LEFT JOIN users ru ON r.requestor_kind = 'user' AND ru.id = r.requestor_id \
     LEFT JOIN apps ra ON r.requestor_kind = 'app' AND ra.id = r.requestor_id";

/// [`request_page`] with the names an approval shows, in one query.
pub async fn approval_page(
    conn: &mut Conn,
    filter: &RequestFilter,
    at: &PageAt,
    size: usize,
) -> Result<Page<ApprovalRow>, sqlx::Error> {
    read_requests(
        conn,
        APPROVAL_LIST,
        None,
        filter,
        at,
        size,
        |r: &ApprovalRow| (&r.created_at, &r.id),
    )
    .await
}

/// A page of requests as `select` reads them, `key_of` giving each row's key.
async fn read_requests<T>(
    conn: &mut Conn,
    select: &str,
    catalogs: Option<&[CatalogId]>,
    filter: &RequestFilter,
    at: &PageAt,
    size: usize,
    key_of: impl Fn(&T) -> (&String, &String),
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let found = Found::requests(conn, catalogs, filter).await?;
    let (sql, binds) = request_page_sql(select, &found, catalogs, filter, at, size);
    fetch_page(conn, &sql, binds, at, size, key_of).await
}

/// A request page's query from `select` (which names `requests r` and `access_packages p`)
/// and its arguments (all text), with what `found` looked up for the filter.
fn request_page_sql(
    select: &str,
    found: &Found,
    catalogs: Option<&[CatalogId]>,
    filter: &RequestFilter,
    at: &PageAt,
    size: usize,
) -> (String, Vec<String>) {
    let mut c = Conditions::default();
    if let Some(state) = filter.state {
        c.add(|n| format!("r.state = ${n}"), state.wire_name());
    }
    if let Some(status) = filter.status {
        // Written out, not bound: each status the lists offer has a partial index, which a
        // planner uses only when the query names its value (migration 0009).
        c.sql.push(format!("r.status = '{}'", status.wire_name()));
    }
    if let Some(package) = filter.package {
        c.add(|n| format!("r.access_package_id = ${n}"), package);
    }
    if let Some(list) = &filter.packages {
        c.add_all(
            |n| format!("r.access_package_id IN ({})", params_or_none(n, list.len())),
            list.iter().map(ToString::to_string),
        );
    }
    if let Some(list) = &filter.policies {
        c.add_all(
            |n| format!("r.policy_id IN ({})", params_or_none(n, list.len())),
            list.iter().map(ToString::to_string),
        );
    }
    if let Some(catalog) = filter.catalog {
        c.add(|n| format!("p.catalog_id = ${n}"), catalog);
    }
    if let Some(policy) = filter.policy {
        c.add(|n| format!("r.policy_id = ${n}"), policy);
    }
    if let Some(target) = filter.target {
        c.add(|n| format!("r.target_id = ${n}"), target);
    }
    if let Some(bounds) = found.person.clone().filter(|b| !b[0].is_empty()) {
        c.add_all(
            |n| {
                let people = people_starting(n);
                format!("(r.target_id IN ({people}) OR r.requestor_id IN ({people}))")
            },
            bounds,
        );
    }
    if let Some(approver) = filter.approver {
        c.add(
            |n| {
                format!(
                    "r.policy_id IN (SELECT policy_id FROM policy_approvers WHERE user_id = ${n})"
                )
            },
            approver,
        );
    }
    if let Some(state) = filter.not_state {
        c.add(|n| format!("r.state <> ${n}"), state.wire_name());
    }
    if filter.open {
        c.sql
            .push("r.state IN ('submitted', 'pendingApproval', 'delivering')".to_owned());
    }
    if let Some(from) = filter.from {
        c.add(|n| format!("r.created_at >= ${n}"), db_time(from));
    }
    if let Some(until) = filter.until {
        c.add(|n| format!("r.created_at < ${n}"), db_time(until));
    }
    c.arms = found.arms.clone();
    c.page_sql(select, "r", catalogs, at, size)
}

/// The ids of the people whose name or e-mail address starts with a text, its two bounds
/// being parameters `$n` and `$n+1`.
fn people_starting(n: usize) -> String {
    format!(
        "SELECT id FROM users WHERE {}",
        crate::store::users::name_or_address_starts(n)
    )
}

/// Runs a page's query (`size + 1` rows read in `at`'s order) and makes the page, each row's
/// key being its `(created_at, id)`.
async fn fetch_page<T>(
    conn: &mut Conn,
    sql: &str,
    binds: Vec<String>,
    at: &PageAt,
    size: usize,
    key_of: impl Fn(&T) -> (&String, &String),
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut query = sqlx::query_as(sql);
    for value in binds {
        query = query.bind(value);
    }
    let rows: Vec<T> = query.fetch_all(conn).await?;
    Ok(finish(rows, at, size, |row| {
        let (at, id) = key_of(row);
        Key {
            at: at.clone(),
            id: id.clone(),
        }
    }))
}

/// The conditions of a list's query, each with its one argument, numbered as they come.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    binds: Vec<String>,
    /// Read the page once per value of this column and keep the newest (see [`Arms`]).
    arms: Option<Arms>,
    /// The time the list runs by, other than `created_at`, and which way.
    key: Option<&'static str>,
    order: Order,
}

/// The values a column of the list's rows takes among the rows a filter keeps (the policies an
/// approver approves, the packages of a manager's catalogs), when there are few of them.
///
/// The rows of one value are an index range in page order (`(policy_id, created_at, id)`,
/// `(access_package_id, created_at)`), but the rows of several are not: a query with
/// `IN (…)` reads every row of every value and sorts them all to keep 51 (1.4 s for an
/// approver's history among a million requests). Reading each value's first `size + 1` rows
/// from its own range and keeping the newest of those is a few hundred index steps instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Arms {
    pub column: &'static str,
    pub values: Vec<String>,
}

/// More values than this and the list is read with `IN (…)` as it is.
pub const MOST_ARMS: usize = 64;

impl Arms {
    /// One arm per value (a value named twice is read once: its rows would repeat).
    fn of<T: ToString>(values: &[T], column: &'static str) -> Arms {
        let mut values: Vec<String> = values.iter().map(ToString::to_string).collect();
        values.sort();
        values.dedup();
        Arms { column, values }
    }
}

/// What a list's filter looks up before its query: the person filter's bounds, and the
/// [`Arms`] to read the page by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub person: Option<[String; 2]>,
    pub arms: Option<Arms>,
}

impl Found {
    async fn requests(
        conn: &mut Conn,
        catalogs: Option<&[CatalogId]>,
        filter: &RequestFilter,
    ) -> Result<Found, sqlx::Error> {
        let person = filter.person.as_deref().map(|p| prefix_bounds(conn, p));
        let arms = if filter.package.is_some() || filter.policy.is_some() {
            None
        } else if let (None, Some(list)) = (filter.approver, &filter.policies) {
            Some(Arms::of(list, "r.policy_id"))
        } else if let (None, Some(list)) = (filter.approver, &filter.packages) {
            Some(Arms::of(list, "r.access_package_id"))
        } else if let Some(approver) = filter.approver {
            let policies: Vec<String> =
                sqlx::query_scalar("SELECT policy_id FROM policy_approvers WHERE user_id = $1")
                    .bind(approver.to_string())
                    .fetch_all(&mut *conn)
                    .await?;
            Some(Arms {
                column: "r.policy_id",
                values: policies,
            })
        } else {
            packages_of(conn, catalogs, filter.catalog, "r.access_package_id").await?
        };
        Ok(Found { person, arms })
    }

    async fn assignments(
        conn: &mut Conn,
        catalogs: Option<&[CatalogId]>,
        filter: &AssignmentFilter,
    ) -> Result<Found, sqlx::Error> {
        let person = filter.person.as_deref().map(|p| prefix_bounds(conn, p));
        let arms = if filter.package.is_some() || filter.target.is_some() {
            None
        } else if let Some(list) = &filter.packages {
            Some(Arms::of(list, "a.access_package_id"))
        } else {
            packages_of(conn, catalogs, None, "a.access_package_id").await?
        };
        Ok(Found { person, arms })
    }
}

/// The packages of `catalogs` (and of `catalog`), as arms on `column`: none when every
/// catalog is wanted.
async fn packages_of(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    catalog: Option<CatalogId>,
    column: &'static str,
) -> Result<Option<Arms>, sqlx::Error> {
    if catalogs.is_none() && catalog.is_none() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT p.id, p.catalog_id FROM access_packages p WHERE 1 = 1{}",
        in_catalogs(catalogs, 1)
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
    for scope in catalogs.unwrap_or_default() {
        query = query.bind(scope.to_string());
    }
    let values = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter(|(_, of)| catalog.is_none_or(|c| c.to_string() == *of))
        .map(|(id, _)| id)
        .collect();
    Ok(Some(Arms { column, values }))
}

impl Conditions {
    fn add(&mut self, condition: impl FnOnce(usize) -> String, value: impl ToString) {
        self.add_all(condition, [value.to_string()]);
    }

    /// A condition of several arguments, given the number of the first.
    fn add_all(
        &mut self,
        condition: impl FnOnce(usize) -> String,
        values: impl IntoIterator<Item = String>,
    ) {
        let first = self.binds.len() + 1;
        self.binds.extend(values);
        self.sql.push(condition(first));
    }

    /// `select` (whose rows are `table`'s, joined to `access_packages p`) kept by these
    /// conditions, in `catalogs`, on `at`'s side, `size + 1` rows in the page's order.
    fn page_sql(
        mut self,
        select: &str,
        table: &str,
        catalogs: Option<&[CatalogId]>,
        at: &PageAt,
        size: usize,
    ) -> (String, Vec<String>) {
        let scope = in_catalogs(catalogs, self.binds.len() + 1);
        self.binds
            .extend(catalogs.unwrap_or_default().iter().map(ToString::to_string));
        let key = self.key.unwrap_or("created_at");
        let (side, order) = at.sql_in(
            self.order,
            &format!("{table}.{key}"),
            &format!("{table}.id"),
            self.binds.len() + 1,
        );
        self.binds.extend(at.binds());
        let conditions: String = self.sql.iter().map(|c| format!(" AND {c}")).collect();
        let limit = size + 1;
        let page = |extra: &str| {
            format!(
                "{select} WHERE {side}{conditions}{scope}{extra} ORDER BY {order} LIMIT {limit}"
            )
        };
        let sql = match self.arms.take() {
            Some(arms) if arms.values.is_empty() => page(" AND 1 = 0"),
            Some(arms) if arms.values.len() <= MOST_ARMS => {
                // Each arm reuses the shared parameters; only its value is its own.
                let mut reads = Vec::with_capacity(arms.values.len());
                for (k, value) in arms.values.into_iter().enumerate() {
                    self.binds.push(value);
                    let n = self.binds.len();
                    let one = page(&format!(" AND {} = ${n}", arms.column));
                    reads.push(format!("SELECT * FROM ({one}) AS arm{k}"));
                }
                let (_, outer) = at.sql_in(self.order, key, "id", 0);
                format!(
                    "SELECT * FROM ({}) AS arms ORDER BY {outer} LIMIT {limit}",
                    reads.join(" UNION ALL ")
                )
            }
            _ => page(""),
        };
        (sql, self.binds)
    }
}

/// What an assignment list can be narrowed to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentFilter {
    pub state: Option<AssignmentState>,
    /// Delivering or delivered: access someone has or is being given.
    pub active: bool,
    pub package: Option<AccessPackageId>,
    /// One of these packages (those a name start matched, at most [`MOST_ARMS`]).
    pub packages: Option<Vec<AccessPackageId>>,
    pub target: Option<UserId>,
    /// The start of the name or e-mail address of the person who has it.
    pub person: Option<String>,
    /// Delivered, and ending before this moment.
    pub expires_before: Option<DateTime<Utc>>,
}

/// A page of the assignments in `catalogs` (every catalog when `None`) that `filter` keeps,
/// newest first.
pub async fn assignment_page(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    filter: &AssignmentFilter,
    at: &PageAt,
    size: usize,
) -> Result<Page<AssignmentListRow>, sqlx::Error> {
    read_assignments(
        conn,
        ASSIGNMENT_LIST,
        catalogs,
        filter,
        at,
        size,
        |r: &AssignmentListRow| (assignment_key(filter, &r.created_at, &r.expires_at), &r.id),
    )
    .await
}

/// [`assignment_page`] in Graph's shape, for the REST API.
pub async fn graph_assignment_page(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    filter: &AssignmentFilter,
    at: &PageAt,
    size: usize,
) -> Result<Page<GraphAssignmentRow>, sqlx::Error> {
    read_assignments(
        conn,
        GRAPH_ASSIGNMENT,
        catalogs,
        filter,
        at,
        size,
        |r: &GraphAssignmentRow| (assignment_key(filter, &r.created_at, &r.expires_at), &r.id),
    )
    .await
}

/// A page of assignments as `select` reads them, `key_of` giving each row's key.
async fn read_assignments<T>(
    conn: &mut Conn,
    select: &str,
    catalogs: Option<&[CatalogId]>,
    filter: &AssignmentFilter,
    at: &PageAt,
    size: usize,
    key_of: impl Fn(&T) -> (&String, &String),
) -> Result<Page<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let found = Found::assignments(conn, catalogs, filter).await?;
    let (sql, binds) = assignment_page_sql(select, &found, catalogs, filter, at, size);
    fetch_page(conn, &sql, binds, at, size, key_of).await
}

/// The time an assignment list runs by: its end when the filter asks what ends soon (every
/// such row has one), else its creation.
fn assignment_key<'r>(
    filter: &AssignmentFilter,
    created_at: &'r String,
    expires_at: &'r Option<String>,
) -> &'r String {
    match (filter.expires_before, expires_at) {
        (Some(_), Some(end)) => end,
        _ => created_at,
    }
}

/// An assignment page's query from `select` (which names `assignments a` and
/// `access_packages p`) and its arguments, with what `found` looked up for the filter.
fn assignment_page_sql(
    select: &str,
    found: &Found,
    catalogs: Option<&[CatalogId]>,
    filter: &AssignmentFilter,
    at: &PageAt,
    size: usize,
) -> (String, Vec<String>) {
    let mut c = Conditions::default();
    if let Some(state) = filter.state {
        c.add(|n| format!("a.state = ${n}"), state.wire_name());
    }
    if filter.active {
        c.sql
            .push("a.state IN ('delivering', 'delivered')".to_owned());
    }
    if let Some(package) = filter.package {
        c.add(|n| format!("a.access_package_id = ${n}"), package);
    }
    if let Some(list) = &filter.packages {
        c.add_all(
            |n| format!("a.access_package_id IN ({})", params_or_none(n, list.len())),
            list.iter().map(ToString::to_string),
        );
    }
    if let Some(target) = filter.target {
        c.add(|n| format!("a.target_id = ${n}"), target);
    }
    if let Some(bounds) = found.person.clone().filter(|b| !b[0].is_empty()) {
        c.add_all(
            |n| format!("a.target_id IN ({})", people_starting(n)),
            bounds,
        );
    }
    if let Some(before) = filter.expires_before {
        // The expiry scan's index: delivered assignments by their end, soonest first, read
        // in its order (sorting them by creation would read every one in the window).
        c.add(
            |n| format!("a.state = 'delivered' AND a.expires_at < ${n}"),
            db_time(before),
        );
        c.key = Some("expires_at");
        c.order = Order::Ascending;
    }
    c.arms = found.arms.clone();
    c.page_sql(select, "a", catalogs, at, size)
}

/// (id, name) of the access packages whose name starts with `prefix` (any case), in
/// `catalogs` (every catalog when `None`) and, given an approver, with a policy they approve;
/// in name order, at most `most + 1` (so that the caller sees there are more).
pub async fn packages_starting(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    approver: Option<UserId>,
    prefix: &str,
    most: usize,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut binds: Vec<String> = prefix_bounds(conn, prefix).into();
    let mut sql = format!(
        "SELECT p.id, p.display_name FROM access_packages p WHERE {}",
        crate::store::starts_with("p.display_name", 1)
    );
    sql.push_str(&in_catalogs(catalogs, binds.len() + 1));
    binds.extend(catalogs.unwrap_or_default().iter().map(ToString::to_string));
    if let Some(approver) = approver {
        binds.push(approver.to_string());
        sql.push_str(&format!(
            " AND p.id IN (SELECT pol.access_package_id FROM policies pol \
             JOIN policy_approvers a ON a.policy_id = pol.id WHERE a.user_id = ${})",
            binds.len()
        ));
    }
    sql.push_str(&format!(
        " ORDER BY p.display_name COLLATE NOCASE, p.id LIMIT {}",
        most + 1
    ));
    let mut query = sqlx::query_as(&sql);
    for value in binds {
        query = query.bind(value);
    }
    query.fetch_all(conn).await
}

/// (id, name) of the assignment policies whose name starts with `prefix` (any case), of the
/// packages in `catalogs` (every catalog when `None`), in name order, at most `most + 1`.
pub async fn policies_starting(
    conn: &mut Conn,
    catalogs: Option<&[CatalogId]>,
    prefix: &str,
    most: usize,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let mut binds: Vec<String> = prefix_bounds(conn, prefix).into();
    let sql = format!(
        "SELECT pol.id, pol.display_name FROM policies pol \
         JOIN access_packages p ON p.id = pol.access_package_id WHERE {}{} \
         ORDER BY pol.display_name COLLATE NOCASE, pol.id LIMIT {}",
        crate::store::starts_with("pol.display_name", 1),
        in_catalogs(catalogs, binds.len() + 1),
        most + 1
    );
    binds.extend(catalogs.unwrap_or_default().iter().map(ToString::to_string));
    let mut query = sqlx::query_as(&sql);
    for value in binds {
        query = query.bind(value);
    }
    query.fetch_all(conn).await
}

/// An access package's name, if there is such a package.
pub async fn package_name(
    conn: &mut Conn,
    package: AccessPackageId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT display_name FROM access_packages WHERE id = $1")
        .bind(package.to_string())
        .fetch_optional(conn)
        .await
}

/// The outcome of the newest launch-and-wait instance of each request: (status, resume outcome).
pub async fn last_wait(
    conn: &mut Conn,
    request: &str,
) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT status, resume_outcome FROM callout_instances \
             WHERE request_id = $1 AND behaviour = 'launchAndWait' \
             ORDER BY created_at DESC, {} DESC LIMIT 1",
            stage_rank("stage")
        )
    });
    sqlx::query_as(&QUERY)
        .bind(request)
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestablePolicyRow {
    pub policy_id: String,
    pub policy_name: String,
    pub package_id: String,
    pub package: String,
    pub description: String,
    pub catalog: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub is_approval_required: bool,
}

/// Policies of visible packages whose scope includes the user.
pub async fn requestable_policies(
    conn: &mut Conn,
    user: UserId,
) -> Result<Vec<RequestablePolicyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT pol.id AS policy_id, pol.display_name AS policy_name, p.id AS package_id, p.display_name AS package, \
                p.description, c.display_name AS catalog, pol.is_approval_required \
         FROM policies pol JOIN access_packages p ON p.id = pol.access_package_id JOIN catalogs c ON c.id = p.catalog_id \
         WHERE p.is_hidden = 0 AND (pol.allowed_target_scope = 'allMemberUsers' \
               OR EXISTS (SELECT 1 FROM policy_allowed_targets t WHERE t.policy_id = pol.id AND t.user_id = $1) \
               OR EXISTS (SELECT 1 FROM policy_allowed_groups g JOIN group_members m ON m.group_id = g.group_id \
                          WHERE g.policy_id = pol.id AND m.user_id = $2)) \
         ORDER BY p.display_name, pol.display_name",
    )
    .bind(user.to_string())
    .bind(user.to_string())
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestHeadRow {
    pub package: String,
    pub policy: String,
    pub target: String,
    pub catalog_id: String,
}

pub async fn request_head(
    conn: &mut Conn,
    id: RequestId,
) -> Result<Option<RequestHeadRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.display_name AS package, pol.display_name AS policy, u.display_name AS target, p.catalog_id \
         FROM requests r JOIN access_packages p ON p.id = r.access_package_id JOIN policies pol ON pol.id = r.policy_id \
         JOIN users u ON u.id = r.target_id WHERE r.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

pub async fn name_of(conn: &mut Conn, kind: &str, id: Option<&str>) -> Result<String, sqlx::Error> {
    let table = match kind {
        "user" => "users",
        "app" => "apps",
        _ => return Ok(actor_name(kind, None)),
    };
    let Some(id) = id else {
        return Ok("Latch".into());
    };
    let name: Option<String> =
        sqlx::query_scalar(&format!("SELECT display_name FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(actor_name(kind, name))
}

/// Who did something, as shown: a user's or an app's name (`name`, read with it; "(deleted)"
/// when the row is gone), or Latch itself.
pub fn actor_name(kind: &str, name: Option<String>) -> String {
    match kind {
        "user" | "app" => name.unwrap_or_else(|| "(deleted)".into()),
        _ => "Latch".into(),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceListRow {
    pub id: String,
    pub custom_extension_id: String,
    pub extension: String,
    pub stage: String,
    pub status: String,
    pub detail: Option<String>,
    pub resume_source: Option<String>,
    pub resumed_at: Option<String>,
    pub external_correlation_id: Option<String>,
    pub behaviour: String,
}

pub async fn instances(
    conn: &mut Conn,
    request: RequestId,
) -> Result<Vec<InstanceListRow>, sqlx::Error> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT i.id, i.custom_extension_id, COALESCE(e.display_name, '(deleted)') AS extension, \
                    i.stage, i.status, i.detail, i.resume_source, i.resumed_at, \
                    i.external_correlation_id, i.behaviour \
             FROM callout_instances i LEFT JOIN custom_extensions e ON e.id = i.custom_extension_id \
             WHERE i.request_id = $1 ORDER BY i.created_at, {}",
            stage_rank("i.stage")
        )
    });
    sqlx::query_as(&QUERY)
        .bind(request.to_string())
        .fetch_all(conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentListRow {
    pub id: String,
    pub package: String,
    pub target: String,
    pub target_id: String,
    pub state: String,
    pub start_at: String,
    pub expires_at: Option<String>,
    pub catalog_id: String,
    pub created_at: String,
}

const ASSIGNMENT_LIST: &str =
    "SELECT a.id, p.display_name AS package, u.display_name AS target, a.target_id, a.state, \
     a.start_at, a.expires_at, p.catalog_id, a.created_at FROM assignments a \
     JOIN access_packages p ON p.id = a.access_package_id JOIN users u ON u.id = a.target_id";

// ---- the Graph-shaped reads of the REST API ----

/// A request with every name and address the Graph shape shows: the requestor may be a user,
/// an app or Latch itself (no row joined).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GraphRequestRow {
    pub id: String,
    pub request_type: String,
    pub state: String,
    pub status: String,
    pub created_at: String,
    pub completed_at: Option<String>,
    pub justification: String,
    pub assignment_id: Option<String>,
    pub access_package_id: String,
    pub policy_id: String,
    pub catalog_id: String,
    pub requestor_kind: String,
    pub requestor_id: Option<String>,
    pub requestor_name: Option<String>,
    pub requestor_upn: Option<String>,
    pub target_id: String,
    pub target_name: String,
    pub target_upn: String,
}

const GRAPH_REQUEST: &str =
    "SELECT r.id, r.request_type, r.state, r.status, r.created_at, r.completed_at, r.justification, \
            r.assignment_id, r.access_package_id, r.policy_id, p.catalog_id, r.requestor_kind, r.requestor_id, \
            COALESCE(ru.display_name, ra.display_name) AS requestor_name, ru.user_principal_name AS requestor_upn, \
            r.target_id, t.display_name AS target_name, t.user_principal_name AS target_upn \
     FROM requests r JOIN access_packages p ON p.id = r.access_package_id JOIN users t ON t.id = r.target_id \
     LEFT JOIN users ru ON r.requestor_kind = 'user' AND ru.id = r.requestor_id \
     LEFT JOIN apps ra ON r.requestor_kind = 'app' AND ra.id = r.requestor_id";

/// `p.catalog_id IN (?, …)` for `catalogs` (no catalog keeps no row), or nothing when every
/// catalog is wanted. The condition on `p.catalog_id`, its parameters numbered from `$first`.
fn in_catalogs(catalogs: Option<&[CatalogId]>, first: usize) -> String {
    match catalogs {
        None => String::new(),
        Some(list) => format!(
            " AND p.catalog_id IN ({})",
            params_or_none(first, list.len())
        ),
    }
}

pub async fn graph_request(
    conn: &mut Conn,
    id: RequestId,
) -> Result<Option<GraphRequestRow>, sqlx::Error> {
    sqlx::query_as(&format!("{GRAPH_REQUEST} WHERE r.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GraphAssignmentRow {
    pub id: String,
    pub created_at: String,
    pub state: String,
    pub status: String,
    pub access_package_id: String,
    pub policy_id: String,
    pub catalog_id: String,
    pub target_id: String,
    pub target_name: String,
    pub target_upn: String,
    pub start_at: String,
    pub expires_at: Option<String>,
    pub expired_at: Option<String>,
}

const GRAPH_ASSIGNMENT: &str =
    "SELECT a.id, a.created_at, a.state, a.status, a.access_package_id, a.policy_id, p.catalog_id, a.target_id, \
            t.display_name AS target_name, t.user_principal_name AS target_upn, a.start_at, a.expires_at, a.expired_at \
     FROM assignments a JOIN access_packages p ON p.id = a.access_package_id JOIN users t ON t.id = a.target_id";

pub async fn graph_assignment(
    conn: &mut Conn,
    id: AssignmentId,
) -> Result<Option<GraphAssignmentRow>, sqlx::Error> {
    sqlx::query_as(&format!("{GRAPH_ASSIGNMENT} WHERE a.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
}

#[cfg(test)]
#[path = "request_pages_tests.rs"]
mod request_pages_tests;

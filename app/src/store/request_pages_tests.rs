//! Pages and filters of the request list (issue 16): every row once across pages whose rows
//! share their creation time, each filter keeping what it names, and an index behind each.

use super::*;
use crate::store::demo_test_db;
use crate::store::paging::PAGE_SIZE;
use crate::store::plan::{query_plan, reads_a_whole_table};
use crate::store::{is_postgres, parse_db_time, Pool};
use chrono::Duration;

/// One stored request as the tests see it.
#[derive(Debug, Clone)]
struct Made {
    id: String,
    created_at: String,
    state: RequestState,
    status: RequestStatus,
    package: String,
    policy: String,
    catalog: String,
    target: String,
    requestor: String,
}

const ROWS: usize = 130;

/// Which stored requests a filter should keep.
type Keeps<'a> = Box<dyn Fn(&Made) -> bool + 'a>;

/// The people of the requests: (Alex, Adele, the manager).
struct People {
    adele: String,
    manager: String,
}

/// Two packages (in two catalogs), Alex and Adele as targets, the manager asking for some;
/// three requests at each moment, so that pages split rows made at the same time.
async fn requests(db: &Pool) -> (Vec<Made>, People) {
    let packages: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.id, pol.id, p.catalog_id FROM access_packages p \
         JOIN policies pol ON pol.access_package_id = p.id ORDER BY p.catalog_id, p.id, pol.id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let (first, other) = (
        packages[0].clone(),
        packages
            .iter()
            .find(|p| p.2 != packages[0].2)
            .expect("two catalogs in the demo")
            .clone(),
    );
    let person = |upn: &str| {
        let upn = upn.to_owned();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE user_principal_name = $1")
                .bind(upn)
                .fetch_one(db)
                .await
                .unwrap()
        }
    };
    let (alex, adele, manager) = (
        person("alex@contoso.test").await,
        person("adele@contoso.test").await,
        person("manager@contoso.test").await,
    );
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-10-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut made = Vec::with_capacity(ROWS);
    for i in 0..ROWS {
        let (package, policy, catalog) = if i % 2 == 0 { &first } else { &other };
        let (state, status, kind) = match i % 3 {
            0 => (
                RequestState::Delivered,
                RequestStatus::Delivered,
                "adminAdd",
            ),
            1 => (RequestState::Denied, RequestStatus::Expired, "userAdd"),
            _ => (
                RequestState::Submitted,
                RequestStatus::WaitingForCallback,
                "userRemove",
            ),
        };
        let target = if i % 4 < 2 { &alex } else { &adele };
        let requestor = if i % 5 == 0 { &manager } else { target };
        let m = Made {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: db_time(t0 + Duration::seconds((i / 3) as i64)),
            state,
            status,
            package: package.clone(),
            policy: policy.clone(),
            catalog: catalog.clone(),
            target: target.clone(),
            requestor: requestor.clone(),
        };
        sqlx::query(
            "INSERT INTO requests (id, request_type, state, status, access_package_id, policy_id, \
             requestor_kind, requestor_id, target_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'user', $7, $8, $9)",
        )
        .bind(&m.id)
        .bind(kind)
        .bind(state.wire_name())
        .bind(status.wire_name())
        .bind(&m.package)
        .bind(&m.policy)
        .bind(&m.requestor)
        .bind(&m.target)
        .bind(&m.created_at)
        .execute(db)
        .await
        .unwrap();
        made.push(m);
    }
    // Newest first, ties by id: the order every page keeps.
    made.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
    (made, People { adele, manager })
}

async fn page(db: &Pool, filter: &RequestFilter, at: &PageAt) -> Page<RequestListRow> {
    scoped_page(db, None, filter, at).await
}

/// A page of the requests in `catalogs` (every catalog when `None`).
async fn scoped_page(
    db: &Pool,
    catalogs: Option<&[CatalogId]>,
    filter: &RequestFilter,
    at: &PageAt,
) -> Page<RequestListRow> {
    let mut conn = db.acquire().await.unwrap();
    request_page(&mut conn, catalogs, filter, at, PAGE_SIZE)
        .await
        .unwrap()
}

fn ids(rows: &[RequestListRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

async fn every_catalog(db: &Pool) -> Vec<CatalogId> {
    sqlx::query_scalar::<_, String>("SELECT id FROM catalogs")
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|c| c.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn pages_hold_every_row_once_forward_and_back_across_equal_times() {
    let (db, _dir) = demo_test_db().await;
    let (made, _) = requests(&db).await;
    let expected: Vec<String> = made.iter().map(|m| m.id.clone()).collect();
    let all = RequestFilter::default();
    // Every catalog by name: the page is read per package (`Arms`) and merged.
    let catalogs = every_catalog(&db).await;
    for scope in [None, Some(catalogs.as_slice())] {
        let mut forward = Vec::new();
        let mut at = PageAt::First;
        let mut pages = Vec::new();
        loop {
            let p = scoped_page(&db, scope, &all, &at).await;
            assert!(p.rows.len() <= PAGE_SIZE);
            forward.extend(ids(&p.rows));
            pages.push(ids(&p.rows));
            match &p.older {
                Some(key) => at = PageAt::After(key.clone()),
                None => break,
            }
        }
        assert_eq!(forward, expected, "forward {scope:?}");
        assert_eq!(pages.len(), ROWS.div_ceil(PAGE_SIZE));

        // Back from the last page to the first, by each page's `newer` key.
        let mut back = vec![pages.last().unwrap().clone()];
        let mut at = PageAt::Before(Key {
            at: made[PAGE_SIZE * (pages.len() - 1)].created_at.clone(),
            id: made[PAGE_SIZE * (pages.len() - 1)].id.clone(),
        });
        loop {
            let p = scoped_page(&db, scope, &all, &at).await;
            back.push(ids(&p.rows));
            match &p.newer {
                Some(key) => at = PageAt::Before(key.clone()),
                None => break,
            }
        }
        back.reverse();
        assert_eq!(back, pages, "back {scope:?}");
    }
}

#[tokio::test]
async fn each_filter_keeps_what_it_names() {
    let (db, _dir) = demo_test_db().await;
    let (made, people) = requests(&db).await;
    let some = &made[7];
    let other = made.iter().find(|m| m.package != some.package).unwrap();
    let t = |m: &Made| parse_db_time(&m.created_at).unwrap();
    let (from, until) = (t(&made[100]), t(&made[20]));
    let cases: Vec<(RequestFilter, Keeps)> = vec![
        (
            RequestFilter {
                state: Some(RequestState::Denied),
                ..Default::default()
            },
            Box::new(|m| m.state == RequestState::Denied),
        ),
        (
            RequestFilter {
                status: Some(RequestStatus::WaitingForCallback),
                ..Default::default()
            },
            Box::new(|m| m.status == RequestStatus::WaitingForCallback),
        ),
        (
            RequestFilter {
                package: Some(some.package.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|m| m.package == some.package),
        ),
        (
            RequestFilter {
                catalog: Some(some.catalog.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|m| m.catalog == some.catalog),
        ),
        (
            RequestFilter {
                policy: Some(some.policy.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|m| m.policy == some.policy),
        ),
        (
            // The start of an e-mail address, in another case: for Adele or asked by her.
            RequestFilter {
                person: Some("ADELE@".into()),
                ..Default::default()
            },
            Box::new(|m| m.target == people.adele || m.requestor == people.adele),
        ),
        (
            RequestFilter {
                target: Some(people.adele.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|m| m.target == people.adele),
        ),
        (
            // Someone who only asks: the manager.
            RequestFilter {
                person: Some("manager@contoso".into()),
                ..Default::default()
            },
            Box::new(|m| m.requestor == people.manager),
        ),
        (
            RequestFilter {
                from: Some(from),
                until: Some(until),
                ..Default::default()
            },
            Box::new(move |m| t(m) >= from && t(m) < until),
        ),
        (
            RequestFilter {
                state: Some(RequestState::Submitted),
                package: Some(some.package.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|m| m.state == RequestState::Submitted && m.package == some.package),
        ),
        (
            // An approver's history (read per policy, `Arms`).
            RequestFilter {
                approver: Some(people.manager.parse().unwrap()),
                not_state: Some(RequestState::Denied),
                ..Default::default()
            },
            Box::new(|m| m.policy == some.policy && m.state != RequestState::Denied),
        ),
        (
            // The packages a name start matched (read per package, `Arms`; here one of
            // them twice, which must not repeat its rows).
            RequestFilter {
                packages: Some(vec![
                    some.package.parse().unwrap(),
                    other.package.parse().unwrap(),
                    some.package.parse().unwrap(),
                ]),
                ..Default::default()
            },
            Box::new(|m| m.package == some.package || m.package == other.package),
        ),
        (
            // The policies a name start matched (read per policy).
            RequestFilter {
                policies: Some(vec![
                    some.policy.parse().unwrap(),
                    other.policy.parse().unwrap(),
                ]),
                ..Default::default()
            },
            Box::new(|m| m.policy == some.policy || m.policy == other.policy),
        ),
        (
            // ... and an approver's of them.
            RequestFilter {
                approver: Some(people.manager.parse().unwrap()),
                packages: Some(vec![some.package.parse().unwrap()]),
                ..Default::default()
            },
            Box::new(|m| m.policy == some.policy),
        ),
    ];
    sqlx::query("INSERT INTO policy_approvers (policy_id, user_id) VALUES ($1, $2)")
        .bind(&some.policy)
        .bind(&people.manager)
        .execute(&db)
        .await
        .unwrap();
    for (filter, keeps) in &cases {
        let expected: Vec<String> = made
            .iter()
            .filter(|m| keeps(m))
            .map(|m| m.id.clone())
            .collect();
        assert!(!expected.is_empty(), "{filter:?} keeps something");
        let mut got = Vec::new();
        let mut at = PageAt::First;
        loop {
            let p = page(&db, filter, &at).await;
            got.extend(ids(&p.rows));
            match p.older {
                Some(key) => at = PageAt::After(key),
                None => break,
            }
        }
        assert_eq!(got, expected, "{filter:?}");
    }
}

#[tokio::test]
async fn an_index_serves_the_list_whatever_the_filter() {
    let (db, _dir) = demo_test_db().await;
    let (made, people) = requests(&db).await;
    let m = &made[10];
    let middle = PageAt::After(Key {
        at: m.created_at.clone(),
        id: m.id.clone(),
    });
    let filters = [
        RequestFilter::default(),
        RequestFilter {
            packages: Some(vec![m.package.parse().unwrap()]),
            ..Default::default()
        },
        RequestFilter {
            policies: Some(vec![m.policy.parse().unwrap()]),
            ..Default::default()
        },
        RequestFilter {
            state: Some(RequestState::Denied),
            ..Default::default()
        },
        RequestFilter {
            status: Some(RequestStatus::Expired),
            ..Default::default()
        },
        RequestFilter {
            package: Some(m.package.parse().unwrap()),
            ..Default::default()
        },
        RequestFilter {
            policy: Some(m.policy.parse().unwrap()),
            ..Default::default()
        },
        RequestFilter {
            catalog: Some(m.catalog.parse().unwrap()),
            ..Default::default()
        },
        RequestFilter {
            person: Some("adele".into()),
            ..Default::default()
        },
        RequestFilter {
            from: Some(parse_db_time(&made[90].created_at).unwrap()),
            ..Default::default()
        },
        // My Access history.
        RequestFilter {
            target: Some(people.adele.parse().unwrap()),
            ..Default::default()
        },
        // An approver's waiting requests and their history.
        RequestFilter {
            approver: Some(people.manager.parse().unwrap()),
            state: Some(RequestState::PendingApproval),
            ..Default::default()
        },
        RequestFilter {
            approver: Some(people.manager.parse().unwrap()),
            not_state: Some(RequestState::PendingApproval),
            package: Some(m.package.parse().unwrap()),
            ..Default::default()
        },
    ];
    let catalogs = every_catalog(&db).await;
    for (filter, scope) in filters
        .iter()
        .map(|f| (f, None))
        .chain([(&RequestFilter::default(), Some(catalogs.as_slice()))])
    {
        let mut conn = db.acquire().await.unwrap();
        let found = Found::requests(&mut conn, scope, filter).await.unwrap();
        drop(conn);
        for at in [PageAt::First, middle.clone()] {
            let (sql, binds) =
                request_page_sql(REQUEST_LIST, &found, scope, filter, &at, PAGE_SIZE);
            let plan = query_plan(&db, &sql, &binds).await.unwrap();
            assert!(!reads_a_whole_table(&plan), "{filter:?} {at:?}:\n{plan}");
        }
    }
}

/// The two statuses the lists offer each read their own partial index (migration 0009),
/// which holds only the requests in that status.
#[tokio::test]
async fn a_status_filter_reads_its_partial_index() {
    let (db, _dir) = demo_test_db().await;
    requests(&db).await;
    for (status, index) in [
        (RequestStatus::WaitingForCallback, "requests_waiting"),
        (RequestStatus::Expired, "requests_expired"),
    ] {
        let filter = RequestFilter {
            status: Some(status),
            ..Default::default()
        };
        let mut conn = db.acquire().await.unwrap();
        let found = Found::requests(&mut conn, None, &filter).await.unwrap();
        drop(conn);
        let (sql, binds) = request_page_sql(
            REQUEST_LIST,
            &found,
            None,
            &filter,
            &PageAt::First,
            PAGE_SIZE,
        );
        let plan = query_plan(&db, &sql, &binds).await.unwrap();
        assert!(plan.contains(index), "{status:?}:\n{plan}");
    }
}

#[tokio::test]
async fn an_index_serves_the_assignment_list_whatever_the_filter() {
    let (db, _dir) = demo_test_db().await;
    let (made, people) = requests(&db).await;
    let m = &made[10];
    let middle = PageAt::After(Key {
        at: m.created_at.clone(),
        id: m.id.clone(),
    });
    let filters = [
        AssignmentFilter::default(),
        AssignmentFilter {
            packages: Some(vec![m.package.parse().unwrap()]),
            ..Default::default()
        },
        AssignmentFilter {
            active: true,
            ..Default::default()
        },
        AssignmentFilter {
            state: Some(AssignmentState::Expired),
            ..Default::default()
        },
        AssignmentFilter {
            package: Some(m.package.parse().unwrap()),
            ..Default::default()
        },
        AssignmentFilter {
            target: Some(people.adele.parse().unwrap()),
            ..Default::default()
        },
        AssignmentFilter {
            person: Some("adele@".into()),
            active: true,
            ..Default::default()
        },
        AssignmentFilter {
            expires_before: Some(parse_db_time(&m.created_at).unwrap() + Duration::days(14)),
            ..Default::default()
        },
    ];
    let catalogs = every_catalog(&db).await;
    for (filter, scope) in filters
        .iter()
        .map(|f| (f, None))
        .chain([(&AssignmentFilter::default(), Some(catalogs.as_slice()))])
    {
        let mut conn = db.acquire().await.unwrap();
        let found = Found::assignments(&mut conn, scope, filter).await.unwrap();
        drop(conn);
        for at in [PageAt::First, middle.clone()] {
            let (sql, binds) =
                assignment_page_sql(ASSIGNMENT_LIST, &found, scope, filter, &at, PAGE_SIZE);
            let plan = query_plan(&db, &sql, &binds).await.unwrap();
            assert!(!reads_a_whole_table(&plan), "{filter:?} {at:?}:\n{plan}");
        }
    }
}

/// Which stored assignments a filter should keep.
type Holds<'a> = Box<dyn Fn(&Held) -> bool + 'a>;

/// One stored assignment as the tests see it.
struct Held {
    id: String,
    state: AssignmentState,
    package: String,
    target: String,
    expires_at: Option<String>,
}

/// An assignment for each request, ending days apart (some never): the newest of each person
/// and package active (one at most, as the schema has it), the rest ended.
async fn assignments(db: &Pool, made: &[Made]) -> Vec<Held> {
    let mut active = std::collections::HashSet::new();
    let mut held = Vec::with_capacity(made.len());
    for (i, m) in made.iter().enumerate() {
        let start = parse_db_time(&m.created_at).unwrap();
        let state = if active.insert((&m.target, &m.package)) {
            [AssignmentState::Delivered, AssignmentState::Delivering][i % 2]
        } else {
            [AssignmentState::Expired, AssignmentState::DeliveryFailed][i % 2]
        };
        let h = Held {
            id: uuid::Uuid::new_v4().to_string(),
            state,
            package: m.package.clone(),
            target: m.target.clone(),
            expires_at: (i % 7 != 0).then(|| db_time(start + Duration::days(i as i64 % 30))),
        };
        sqlx::query(
            "INSERT INTO assignments (id, access_package_id, policy_id, target_id, request_id, \
             state, status, start_at, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'x', $7, $8, $7)",
        )
        .bind(&h.id)
        .bind(&m.package)
        .bind(&m.policy)
        .bind(&m.target)
        .bind(&m.id)
        .bind(h.state.wire_name())
        .bind(&m.created_at)
        .bind(&h.expires_at)
        .execute(db)
        .await
        .unwrap();
        held.push(h);
    }
    held
}

#[tokio::test]
async fn each_assignment_filter_keeps_what_it_names_across_pages() {
    let (db, _dir) = demo_test_db().await;
    let (made, people) = requests(&db).await;
    let held = assignments(&db, &made).await;
    // Within two weeks of the first request's day.
    let horizon = parse_db_time(&made.last().unwrap().created_at).unwrap() + Duration::days(14);
    let cases: Vec<(AssignmentFilter, Holds)> = vec![
        (AssignmentFilter::default(), Box::new(|_| true)),
        (
            AssignmentFilter {
                active: true,
                ..Default::default()
            },
            Box::new(|h| h.state.is_active()),
        ),
        (
            AssignmentFilter {
                state: Some(AssignmentState::Expired),
                ..Default::default()
            },
            Box::new(|h| h.state == AssignmentState::Expired),
        ),
        (
            AssignmentFilter {
                package: Some(made[3].package.parse().unwrap()),
                ..Default::default()
            },
            Box::new(|h| h.package == made[3].package),
        ),
        (
            AssignmentFilter {
                packages: Some(vec![
                    made[3].package.parse().unwrap(),
                    made[4].package.parse().unwrap(),
                ]),
                ..Default::default()
            },
            Box::new(|h| h.package == made[3].package || h.package == made[4].package),
        ),
        (
            AssignmentFilter {
                person: Some("Adele V".into()),
                active: true,
                ..Default::default()
            },
            Box::new(|h| h.target == people.adele && h.state.is_active()),
        ),
        (
            AssignmentFilter {
                expires_before: Some(horizon),
                ..Default::default()
            },
            Box::new(move |h| {
                h.state == AssignmentState::Delivered
                    && h.expires_at
                        .as_deref()
                        .is_some_and(|e| parse_db_time(e).unwrap() < horizon)
            }),
        ),
    ];
    // Newest first, ties by id, as the requests they came from.
    let order: Vec<&Held> = {
        let mut v: Vec<(&Made, &Held)> = made.iter().zip(&held).collect();
        v.sort_by(|a, b| (&b.0.created_at, &b.1.id).cmp(&(&a.0.created_at, &a.1.id)));
        v.into_iter().map(|(_, h)| h).collect()
    };
    // What ends soon is listed soonest first, ties by id.
    let mut by_end: Vec<&Held> = held.iter().filter(|h| h.expires_at.is_some()).collect();
    by_end.sort_by(|a, b| (&a.expires_at, &a.id).cmp(&(&b.expires_at, &b.id)));
    for (filter, keeps) in &cases {
        let listed = if filter.expires_before.is_some() {
            &by_end
        } else {
            &order
        };
        let expected: Vec<String> = listed
            .iter()
            .filter(|h| keeps(h))
            .map(|h| h.id.clone())
            .collect();
        assert!(!expected.is_empty(), "{filter:?} keeps something");
        let mut got = Vec::new();
        let mut at = PageAt::First;
        let mut conn = db.acquire().await.unwrap();
        loop {
            let p = assignment_page(&mut conn, None, filter, &at, PAGE_SIZE)
                .await
                .unwrap();
            got.extend(p.rows.iter().map(|r| r.id.clone()));
            match p.older {
                Some(key) => at = PageAt::After(key),
                None => break,
            }
        }
        assert_eq!(got, expected, "{filter:?}");
    }
}

#[tokio::test]
async fn the_users_list_reads_the_name_index_whatever_the_page_and_search() {
    use crate::store::users::{people_page_sql, PersonMatch};
    let (db, _dir) = demo_test_db().await;
    let later = PageAt::After(Key {
        at: "Megan Bowen".into(),
        id: "0b7e6a5c-1f1d-4e36-9a52-2f6f1c7d3e10".into(),
    });
    let conn = db.acquire().await.unwrap();
    for m in [PersonMatch::All, PersonMatch::Prefix("ade")] {
        for at in [PageAt::First, later.clone()] {
            let (sql, binds) = people_page_sql(&conn, &m, &at, PAGE_SIZE);
            let plan = query_plan(&db, &sql, &binds).await.unwrap();
            assert!(!reads_a_whole_table(&plan), "{at:?}:\n{plan}");
            // In name order from the index, not sorted afterwards, and a later page found
            // by a seek, not by reading the index from its start.
            if !is_postgres(&db) && matches!(m, PersonMatch::All) {
                assert!(!plan.contains("TEMP B-TREE"), "{at:?}:\n{plan}");
                let seek = plan.contains("SEARCH users USING INDEX users_display_name");
                assert_eq!(seek, at != PageAt::First, "{at:?}:\n{plan}");
            }
        }
    }
}

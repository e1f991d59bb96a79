//! Issue 15: `server db copy` moves a SQLite installation (the demo data and 1,000 requests
//! with their history, callouts and jobs) into PostgreSQL, where Latch then serves the same
//! data; a target that is not empty is refused and left as it was.

use crate::harness::{Place, TestApp};
use app::clock::Clock;
use app::domain::ids::UserId;
use app::services::manager_requests::{admin_add, DirectAssignment};
use app::services::request_views;
use server::cli;

const REQUESTS: usize = 1000;

#[tokio::test]
#[ignore = "PostgreSQL only: make test's PostgreSQL pass runs it"]
async fn a_sqlite_installation_is_copied_whole_and_a_used_target_is_refused() {
    assert!(
        app::store::scratch::on_postgres(),
        "the copy's target is PostgreSQL: set LATCH_TEST_POSTGRES"
    );
    let clock = Clock::fixed(chrono::Utc::now());
    let source = TestApp::start_with_key(Place::sqlite(), None, clock.clone())
        .await
        .map_err(|(problem, _)| problem)
        .unwrap();
    let requests = thousand_requests(&source).await;
    let counts_before = source.table_counts().await;
    let (source_place, _) = source.stop().await;

    let target_dir = tempfile::tempdir().unwrap();
    let target_url = app::store::scratch::url(target_dir.path()).await;
    let (code, out, err) = copy(&source_place.url, &target_url).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("each table's count checked"), "{out}");
    let requests_line = format!("requests {REQUESTS}");
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") == requests_line),
        "{out}"
    );

    // Latch on the copy: the same rows, and the same request as its requestor sees it.
    let copied = TestApp::start_with_key(
        Place {
            dir: target_dir,
            url: target_url.clone(),
        },
        None,
        clock.clone(),
    )
    .await
    .map_err(|(problem, _)| problem)
    .unwrap();
    assert_eq!(copied.table_counts().await, counts_before);
    let source = TestApp::start_with_key(source_place, None, clock)
        .await
        .map_err(|(problem, _)| problem)
        .unwrap();
    let (request, target) = requests[REQUESTS / 2];
    let admin = source.principal("admin@contoso.test").await;
    let there = request_views::details(&source.state, &admin, request)
        .await
        .unwrap();
    let admin = copied.principal("admin@contoso.test").await;
    let here = request_views::details(&copied.state, &admin, request)
        .await
        .unwrap();
    assert_eq!(format!("{here:?}"), format!("{there:?}"));
    assert_eq!(
        copied
            .id_of(&format!(
                "SELECT target_id FROM requests WHERE id = '{request}'"
            ))
            .await,
        target.to_string()
    );
    // New rows continue after the copied ones (the identity columns were moved on).
    let history_before = copied.scalar("SELECT MAX(id) FROM request_history").await;
    thousand_requests_from(&copied, 1).await;
    assert!(copied.scalar("SELECT MAX(id) FROM request_history").await > history_before);

    // Copying again into the same database is refused, and changes nothing there.
    let before = copied.snapshot().await;
    let (code, _, err) = copy(&source.place_url(), &target_url).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the target database is not empty"), "{err}");
    assert_eq!(copied.snapshot().await, before);
}

async fn copy(from: &str, to: &str) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::db_copy(from, to, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// [`REQUESTS`] direct assignments, each for a new person; (request, target) of each.
async fn thousand_requests(app: &TestApp) -> Vec<(app::domain::ids::RequestId, UserId)> {
    thousand_requests_from(app, REQUESTS).await
}

async fn thousand_requests_from(
    app: &TestApp,
    n: usize,
) -> Vec<(app::domain::ids::RequestId, UserId)> {
    let admin = app.principal("admin@contoso.test").await;
    let policy = app.policy("All employees").await;
    let package = app
        .id_of(&format!(
            "SELECT access_package_id FROM policies WHERE id = '{policy}'"
        ))
        .await
        .parse()
        .unwrap();
    let first = app.scalar("SELECT COUNT(*) FROM users").await;
    let mut made = Vec::with_capacity(n);
    let mut conn = app.state.db.acquire().await.unwrap();
    for i in 0..n {
        let target = UserId::new();
        let upn = format!("copy-{}@contoso.test", first + i as i64);
        app::store::users::insert(
            &mut conn,
            target,
            &upn,
            "Copied",
            None,
            app.state.clock.now(),
        )
        .await
        .unwrap();
        let ask = DirectAssignment {
            target,
            policy,
            package,
            justification: "moving to PostgreSQL".into(),
        };
        let request = admin_add(&app.state, &admin, &ask).await.unwrap().id;
        made.push((request, target));
    }
    made
}

//! A benchmark of the list pages at organization scale (issue 16; not part of the tests): with
//! 1,000,000 requests and 1,000,000 assignments over 100,000 people in a fresh SQLite file,
//! each list page with and without each of its filters, fetched as a browser would on its
//! first visit (the server renders the whole page, rows included): the time to the last byte
//! (p50/p99 over 200 fetches, after a few to warm up) and the page's size.
//!
//! ```text
//! scripts/bench-lists.sh [REQUESTS] [--users U] [--assignments A] [--samples S] [--keep-dir]
//! ```
//!
//! The server is the release build `make run` serves (its site root and hashed files), started
//! on the seeded file as a child process; the fetches go one at a time over one keep-alive
//! connection on loopback, so each time is the server's render with little else in it. No
//! `ANALYZE` is run: the server never runs one, so its query plans are measured as they are.

mod seed;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use app::store::paging::Key;
use seed::Counts;
use server::rig::procs::{free_addr, start_server};

const USAGE: &str =
    "usage: bench_lists [REQUESTS] [--users U] [--assignments A] [--samples S] [--keep-dir]
  REQUESTS        requests in the database (default 1000000)
  --users U       people (default 100000)
  --assignments A assignments, one per request of the first A (default REQUESTS)
  --samples S     fetches of each page measured (default 200)
  --keep-dir      keep the temporary directory with the database";

/// Fetches before the measured ones, so that caches hold what a busy server's would.
const WARM_UP: usize = 5;

struct Options {
    counts: Counts,
    samples: usize,
    keep: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut requests = None;
    let mut users = 100_000;
    let mut assignments = None;
    let mut samples = 200;
    let mut keep = false;
    let mut args = args.peekable();
    let number = |text: Option<String>, what: &str| {
        text.and_then(|t| t.replace('_', "").parse::<usize>().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{what} must be a positive number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--users" => users = number(args.next(), "--users")?,
            "--assignments" => assignments = Some(number(args.next(), "--assignments")?),
            "--samples" => samples = number(args.next(), "--samples")?,
            "--keep-dir" => keep = true,
            other => requests = Some(number(Some(other.to_owned()), "REQUESTS")?),
        }
    }
    let requests = requests.unwrap_or(1_000_000);
    Ok(Some(Options {
        counts: Counts {
            users,
            requests,
            assignments: assignments.unwrap_or(requests).min(requests),
        },
        samples,
        keep,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bench_lists: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let keep = options.keep;
    server::rig::workdir::in_workdir(
        "lists",
        keep,
        |dir| async move { run(&options, &dir).await },
    )
    .await
}

/// A page to fetch: what it shows, who looks, where.
struct Case {
    label: String,
    who: &'static str,
    path: String,
}

async fn run(o: &Options, dir: &Path) -> Result<(), String> {
    let file: PathBuf = dir.join("latch.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let base = chrono::Utc::now();
    let n = &o.counts;
    eprintln!(
        "bench: seeding {} people, {} requests, {} assignments in {}",
        n.users,
        n.requests,
        n.assignments,
        dir.display()
    );
    let seeded = seed::seed(&url, base, n).await?;
    println!(
        "seeded {} people, {} requests and {} assignments in {:.1} s; database {:.0} MiB",
        n.users,
        n.requests,
        seeded.assignments,
        seeded.insert.as_secs_f64(),
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0
    );

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe.with_file_name("server");
    let site = std::env::var("LEPTOS_SITE_ROOT").map_err(|_| {
        "LEPTOS_SITE_ROOT must name the release site (scripts/bench-lists.sh sets it)"
    })?;
    let addr = free_addr()?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()
        .map_err(|e| e.to_string())?;
    let _server = start_server(
        "server",
        &bin,
        dir,
        addr,
        &url,
        &[
            ("LEPTOS_SITE_ROOT", site),
            ("LEPTOS_HASH_FILES", "true".to_owned()),
            ("RUST_LOG", "warn".to_owned()),
        ],
        &client,
    )
    .await?;
    let origin = format!("http://{addr}");
    let mut sessions = Vec::new();
    for who in ["admin", "owner", "approver", "alex"] {
        let cookie = sign_in(&client, &origin, &format!("{who}@contoso.test")).await?;
        sessions.push((who, cookie));
    }

    let cases = cases(&url).await?;
    println!(
        "{:<58} {:>9} {:>9} {:>9} {:>8} {:>5}",
        "page (as)", "p50 ms", "p99 ms", "max ms", "KB", "rows"
    );
    for case in &cases {
        let cookie = &sessions
            .iter()
            .find(|(w, _)| *w == case.who)
            .ok_or("who")?
            .1;
        let page = format!("{origin}{}", case.path);
        let mut times = Vec::with_capacity(o.samples);
        let mut size = 0;
        let mut rows = 0;
        for i in 0..WARM_UP + o.samples {
            let started = Instant::now();
            let answer = client
                .get(&page)
                .header("cookie", cookie)
                .header("accept", "text/html")
                .send()
                .await
                .map_err(|e| format!("{}: {e}", case.path))?;
            let status = answer.status();
            let body = answer.bytes().await.map_err(|e| e.to_string())?;
            let took = started.elapsed();
            if !status.is_success() {
                return Err(format!("{}: HTTP {status}", case.path));
            }
            if i >= WARM_UP {
                times.push(took);
            }
            size = body.len();
            rows = count_rows(&body);
        }
        times.sort();
        println!(
            "{:<58} {:>9.2} {:>9.2} {:>9.2} {:>8.1} {:>5}",
            format!("{} ({})", case.label, case.who),
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            size as f64 / 1024.0,
            rows
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`th percentile of sorted `times` (nearest rank).
fn percentile(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}

/// The rows a list page shows (a table row, an approval or app card), to tell a page of data from
/// an empty one or an error.
fn count_rows(html: &[u8]) -> usize {
    let text = String::from_utf8_lossy(html);
    [
        "data-testid=\"request-row\"",
        "data-testid=\"assignment-row\"",
        "data-testid=\"approval\"",
        "data-testid=\"user-row\"",
        "data-testid=\"catalog-row\"",
        "data-testid=\"package-row\"",
        "data-testid=\"app\"",
    ]
    .iter()
    .map(|marker| text.matches(marker).count())
    .sum()
}

/// Signs in with the demo password; the session cookie (`name=value`).
async fn sign_in(client: &reqwest::Client, origin: &str, email: &str) -> Result<String, String> {
    let answer = client
        .post(format!("{origin}/api/sign_in"))
        .header("origin", origin)
        .form(&[
            ("email", email),
            ("password", app::store::demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .map_err(|e| format!("sign in {email}: {e}"))?;
    answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|c| c.contains('=') && !c.ends_with('='))
        .ok_or_else(|| {
            format!(
                "sign in {email}: no session cookie (HTTP {})",
                answer.status()
            )
        })
}

/// Every list page, plain and with each filter, and a page deep in the list.
async fn cases(url: &str) -> Result<Vec<Case>, String> {
    let db = server::rig::load::open_read_only(url).await?;
    let package: String = sqlx::query_scalar(
        "SELECT p.id FROM access_packages p JOIN policies pol ON pol.access_package_id = p.id \
         JOIN policy_approvers a ON a.policy_id = pol.id ORDER BY p.id LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .map_err(|e| format!("a package: {e}"))?;
    // The middle of each list: the page after it is as deep as a page gets on average; and
    // near the end of the Users list in name order.
    let key_at = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_as::<_, (String, String)>(sql)
                .fetch_one(&db)
                .await
                .map_err(|e| format!("{sql}: {e}"))
        }
    };
    let middle = key_at(
        "SELECT created_at, id FROM requests ORDER BY created_at, id \
         LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM requests)",
    )
    .await?;
    let middle_assignment = key_at(
        "SELECT created_at, id FROM assignments ORDER BY created_at, id \
         LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM assignments)",
    )
    .await?;
    let last_people = key_at(
        "SELECT display_name, id FROM users \
         ORDER BY display_name COLLATE NOCASE DESC, id DESC LIMIT 1 OFFSET 50",
    )
    .await?;
    let middle_catalog = key_at(
        "SELECT display_name, id FROM catalogs ORDER BY display_name COLLATE NOCASE, id \
         LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM catalogs)",
    )
    .await?;
    db.close().await;
    let token = |(at, id): (String, String)| Key { at, id }.token();
    let one_person = seed::address(4242);
    let one_prefix = &one_person[..one_person.find('@').unwrap_or(one_person.len()) + 1];
    let case = |label: &str, who: &'static str, path: String| Case {
        label: label.to_owned(),
        who,
        path,
    };
    Ok(vec![
        case("requests", "admin", "/requests".into()),
        case(
            "requests, the middle page",
            "admin",
            format!("/requests?after={}", token(middle)),
        ),
        case(
            "requests: pending approval",
            "admin",
            "/requests?show=pendingApproval".into(),
        ),
        case(
            "requests: waiting for a workflow",
            "admin",
            "/requests?show=waiting".into(),
        ),
        case(
            "requests: process expired",
            "admin",
            "/requests?show=expired".into(),
        ),
        case(
            "requests: a package",
            "admin",
            format!("/requests?package={package}"),
        ),
        case(
            "requests: one person's e-mail prefix",
            "admin",
            format!("/requests?person={}", app::views::url::encode(one_prefix)),
        ),
        case(
            "requests: a name prefix (Grace Garcia, ~250)",
            "admin",
            "/requests?person=Grace%20Garcia".into(),
        ),
        case(
            "requests: a month (from, to)",
            "admin",
            format!(
                "/requests?from={}&to={}",
                (chrono::Utc::now() - chrono::Duration::days(90)).format("%Y-%m-%d"),
                (chrono::Utc::now() - chrono::Duration::days(60)).format("%Y-%m-%d")
            ),
        ),
        case(
            "requests: expired, a package",
            "admin",
            format!("/requests?show=expired&package={package}"),
        ),
        case(
            "requests of one catalog's owner",
            "owner",
            "/requests".into(),
        ),
        case(
            "requests of one catalog's owner: expired",
            "owner",
            "/requests?show=expired".into(),
        ),
        case("assignments (active)", "admin", "/assignments".into()),
        case(
            "assignments of one catalog's owner",
            "owner",
            "/assignments".into(),
        ),
        case(
            "assignments, the middle page (all)",
            "admin",
            format!("/assignments?show=all&after={}", token(middle_assignment)),
        ),
        case(
            "assignments: expired",
            "admin",
            "/assignments?show=expired".into(),
        ),
        case(
            "assignments: a package",
            "admin",
            format!("/assignments?package={package}"),
        ),
        case(
            "assignments: one person's e-mail prefix",
            "admin",
            format!(
                "/assignments?person={}",
                app::views::url::encode(one_prefix)
            ),
        ),
        case(
            "assignments: ending within 14 days",
            "admin",
            "/assignments?within=14".into(),
        ),
        case(
            "My Access: access packages and own access",
            "alex",
            "/my-access".into(),
        ),
        case(
            "My Access: request history",
            "alex",
            "/my-access/requests".into(),
        ),
        case(
            "approvals waiting",
            "approver",
            "/my-access/approvals".into(),
        ),
        case(
            "approval history",
            "approver",
            "/my-access/approvals/history".into(),
        ),
        case(
            "approval history: a package",
            "approver",
            format!("/my-access/approvals/history?package={package}"),
        ),
        case(
            "requests: a package name start",
            "admin",
            "/requests?package=Brand".into(),
        ),
        case(
            "requests: a catalog name start",
            "admin",
            "/requests?catalog=Marketing".into(),
        ),
        case(
            "requests: a policy name start",
            "admin",
            "/requests?policy=All%20employees".into(),
        ),
        case("catalogs", "admin", "/catalogs".into()),
        case(
            "catalogs: a name start",
            "admin",
            "/catalogs?name=Grace%20Garcia".into(),
        ),
        case(
            "catalogs, the middle page",
            "admin",
            format!("/catalogs?after={}", token(middle_catalog)),
        ),
        case("catalogs (catalog owner)", "owner", "/catalogs".into()),
        case(
            "a catalog's access packages",
            "admin",
            format!("/catalogs/{}/access-packages", seed::BIG_CATALOG),
        ),
        case(
            "a catalog's access packages: a name start",
            "admin",
            format!(
                "/catalogs/{}/access-packages?name=Grace%20Garcia",
                seed::BIG_CATALOG
            ),
        ),
        case("apps", "admin", "/apps".into()),
        case("users", "admin", "/users".into()),
        case(
            "users: a name prefix",
            "admin",
            "/users?q=Grace%20Garcia".into(),
        ),
        case(
            "users, the last page",
            "admin",
            format!("/users?after={}", token(last_people)),
        ),
    ])
}

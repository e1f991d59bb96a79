//! Issue 14: Latch killed with SIGKILL while submissions, callouts and resumes are in flight,
//! then started again on the same SQLite file. The real `server` and `receiver` binaries run as
//! separate processes on loopback (the rig `bench_wait` uses), so the kill is a real crash:
//! no shutdown code, no transaction finished, jobs left under a lease. Whatever was answered
//! must have been kept, and no callout instance may be resumed twice, wherever the kill falls.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::ids::UserId;
use app::engine::run::DELIVER_JOB;
use app::engine::worker::LEASE;
use app::store::demo::{DEMO_APP_ID, DEMO_APP_SECRET};
use app::store::parse_db_time;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use server::rig::callouts::{self, Recorded};
use server::rig::load::{self, Answer, Posted, Target};
use server::rig::procs::{self, Process, ReceiverOptions};
use server::rig::seed::{self, Behaviour, Seeded};

const USERS: usize = 300;
const IN_FLIGHT: usize = 16;
/// Long enough that some resumes are always waiting to be sent when the kill falls.
const RESUME_AFTER_MS: u64 = 200;
/// The longest any one wait of the test may take.
const PATIENCE: Duration = Duration::from_secs(30);
const STAGE: &str = "assignmentRequestCreated";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_keeps_every_answer_and_resumes_no_instance_twice() {
    let scratch = Scratch::new();
    let dir = scratch.path();
    let receiver_addr = procs::free_addr().unwrap();
    let rig = Rig::new(dir, &format!("http://{receiver_addr}/sod-check")).await;
    let mut server = rig.start_server("server").await;
    let receiver_options = ReceiverOptions {
        latch: &rig.base,
        signing_secret: &rig.seeded.signing_secret,
        resume_after_ms: Some(RESUME_AFTER_MS),
        keep: USERS * 4,
    };
    let receiver_bin = Path::new(env!("CARGO_BIN_EXE_receiver"));
    let _receiver = procs::start_receiver(
        receiver_bin,
        dir,
        receiver_addr,
        &receiver_options,
        &rig.client,
    )
    .await
    .unwrap();
    let callouts_url = format!("http://{receiver_addr}{}", callouts::PATH);
    let token = load::token(&rig.client, &rig.base, DEMO_APP_ID, DEMO_APP_SECRET)
        .await
        .unwrap();
    let target = Target {
        base: &rig.base,
        token: &token,
        policy: rig.seeded.policy,
        package: &rig.seeded.package,
    };

    // The kill waits for measured progress, not for time: a third of the requests in, resumes
    // answered, others still to be sent, callouts not yet recorded.
    let stop = Arc::new(AtomicBool::new(false));
    let submitting = load::submit(&rig.client, &target, &rig.seeded.users, IN_FLIGHT, &stop);
    let killing = async {
        let seen = rig.wait_until_in_flight(&callouts_url).await;
        stop.store(true, Ordering::Release);
        server.kill().unwrap();
        (seen, Utc::now())
    };
    let (before, (seen, killed_at)) = tokio::join!(submitting, killing);
    drop(server);
    eprintln!("crash: SIGKILL with {seen}");
    assert!(
        before
            .iter()
            .all(|p| !matches!(p.answer, Answer::Refused(_))),
        "a POST before the kill was refused: {:?}",
        before
            .iter()
            .find(|p| matches!(p.answer, Answer::Refused(_)))
    );

    // Latch stays down until the receiver has given up on every resume it had started, so
    // that some resumes fail for good, as they do in a longer outage.
    rig.wait_until_resumes_ended(&callouts_url).await;

    // Same file, same address: the receiver still resumes at the URL it was given.
    let _server = rig.start_server("server-restarted").await;
    let posted: HashSet<UserId> = before.iter().map(|p| p.user).collect();
    let rest: Vec<UserId> = rig
        .seeded
        .users
        .iter()
        .filter(|u| !posted.contains(u))
        .copied()
        .collect();
    let never = Arc::new(AtomicBool::new(false));
    let after = load::submit(&rig.client, &target, &rest, IN_FLIGHT, &never).await;
    let not_created: Vec<&Posted> = after
        .iter()
        .filter(|p| !matches!(p.answer, Answer::Created(_)))
        .collect();
    assert!(
        not_created.is_empty(),
        "after the restart, POSTs were not answered 201: {not_created:?}"
    );

    // Only the dead process's jobs are left, leased until `killed_at + LEASE`: the clock moves
    // past that, and the advance runs them before it answers.
    rig.wait_until_quiet(&callouts_url, Some(killed_at + LEASE))
        .await;
    rig.advance_clock(LEASE + chrono::Duration::minutes(1))
        .await;
    rig.wait_until_quiet(&callouts_url, None).await;

    // What the workflow does next. Resumes it gave up on while Latch was down, and callouts
    // sent again after the advance (their tokens are from the receiver's future, which it
    // rightly refuses to act on), are resumed once more; so is every one that was answered 204,
    // as by a workflow that died before it saw the answer: each is answered 204, whether it
    // applies or repeats one that already had.
    let records = callouts::callouts(&rig.client, &callouts_url)
        .await
        .unwrap();
    let (told_204, not_told): (Vec<&Recorded>, Vec<&Recorded>) =
        records.iter().partition(|r| resume_status(r) == Some(204));
    let by_hand = rig.resume_each(&token, &not_told).await;
    let again = rig.resume_each(&token, &told_204).await;
    rig.wait_until_ended().await;

    let answered: Vec<&str> = before
        .iter()
        .chain(&after)
        .filter_map(|p| match &p.answer {
            Answer::Created(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let lost = before.len() + after.len() - answered.len();
    eprintln!(
        "crash: {} answered 201 ({lost} lost with the server), {} resumes answered 204 to the \
         receiver, {} resumed by the test after the restart, {} repeated",
        answered.len(),
        told_204.len(),
        by_hand.len(),
        again.len()
    );
    assert!(
        !by_hand.is_empty(),
        "no resume was left to the workflow to send again, yet resumes were under way at the \
         kill ({seen})"
    );
    let refused: Vec<_> = by_hand
        .iter()
        .chain(&again)
        .filter(|(_, status)| *status != 204)
        .collect();
    assert!(
        refused.is_empty(),
        "{} of {} resumes after the restart were not answered 204 (first resume or the same \
         again), such as {:?}",
        refused.len(),
        by_hand.len() + again.len(),
        &refused[..refused.len().min(5)]
    );
    let stored = Stored::read(&rig.db, &rig.seeded).await;
    let problems = stored.problems(&answered, &records, before.len() + after.len());
    assert!(
        problems.is_empty(),
        "after SIGKILL and restart ({seen}), {} problems:\n  {}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n  ")
    );
}

/// A temporary directory, kept with the database and both logs in it when the test fails.
struct Scratch(Option<tempfile::TempDir>);

impl Scratch {
    fn new() -> Scratch {
        Scratch(Some(tempfile::tempdir().unwrap()))
    }

    fn path(&self) -> &Path {
        self.0.as_ref().unwrap().path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let (true, Some(dir)) = (std::thread::panicking(), self.0.take()) {
            eprintln!("crash: database and logs kept in {}", dir.keep().display());
        }
    }
}

/// The seeded database, where Latch serves, and a read-only view of the file.
struct Rig<'a> {
    dir: &'a Path,
    addr: SocketAddr,
    base: String,
    db_url: String,
    db: app::store::Pool,
    seeded: Seeded,
    client: reqwest::Client,
}

impl<'a> Rig<'a> {
    async fn new(dir: &'a Path, endpoint: &str) -> Rig<'a> {
        let addr = procs::free_addr().unwrap();
        let db_url = format!("sqlite://{}", dir.join("latch.db").display());
        let seeded = seed::seed(&db_url, USERS, Behaviour::LaunchAndWait, endpoint)
            .await
            .unwrap();
        Rig {
            dir,
            addr,
            base: format!("http://{addr}"),
            db: load::open_read_only(&db_url).await.unwrap(),
            db_url,
            seeded,
            client: reqwest::Client::builder()
                .timeout(PATIENCE)
                .build()
                .unwrap(),
        }
    }

    /// With the test clock, so that the test can move time past a lease instead of waiting.
    async fn start_server(&self, log: &'static str) -> Process {
        let bin = Path::new(env!("CARGO_BIN_EXE_server"));
        let env = [("LATCH_TEST_CLOCK", "1".to_owned())];
        procs::start_server(
            log,
            bin,
            self.dir,
            self.addr,
            &self.db_url,
            &env,
            &self.client,
        )
        .await
        .unwrap()
    }

    /// Delivery jobs left (callouts not yet recorded as sent), but for those leased until
    /// `leased_until` or earlier.
    async fn callouts_to_send(&self, leased_until: Option<DateTime<Utc>>) -> usize {
        let leases: Vec<Option<String>> =
            sqlx::query_scalar("SELECT lease_until FROM jobs WHERE kind = $1")
                .bind(DELIVER_JOB)
                .fetch_all(&self.db)
                .await
                .unwrap();
        let set_aside = |lease: &Option<String>| match (lease, leased_until) {
            (Some(lease), Some(bound)) => parse_db_time(lease).unwrap() <= bound,
            _ => false,
        };
        leases.iter().filter(|lease| !set_aside(lease)).count()
    }

    async fn in_flight(&self, callouts_url: &str) -> InFlight {
        let records = callouts::callouts(&self.client, callouts_url)
            .await
            .unwrap();
        let progress = load::progress(&self.db, self.seeded.policy).await.unwrap();
        InFlight {
            submitted: progress.all(),
            resumed: records
                .iter()
                .filter(|r| resume_status(r) == Some(204))
                .count(),
            to_resume: records.iter().filter(|r| r.resume.is_none()).count(),
            callouts: self.callouts_to_send(None).await,
        }
    }

    async fn wait_until_in_flight(&self, callouts_url: &str) -> InFlight {
        let start = Instant::now();
        loop {
            let now = self.in_flight(callouts_url).await;
            if now.submitted >= USERS / 3
                && now.resumed >= 5
                && now.to_resume >= 2
                && now.callouts >= 1
            {
                return now;
            }
            assert!(
                start.elapsed() < PATIENCE && now.submitted < USERS,
                "the load never had resumes and callouts in flight together: {now}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn resumes_unfinished(&self, callouts_url: &str) -> usize {
        let records = callouts::callouts(&self.client, callouts_url)
            .await
            .unwrap();
        records.iter().filter(|r| r.resume.is_none()).count()
    }

    /// Waits until every resume the receiver started has been answered or given up on.
    async fn wait_until_resumes_ended(&self, callouts_url: &str) {
        let start = Instant::now();
        loop {
            let unfinished = self.resumes_unfinished(callouts_url).await;
            if unfinished == 0 {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the receiver still had {unfinished} resumes going after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the receiver has finished every resume it started and no callout is left
    /// to send, except those leased until `leased_until` or earlier (a dead process's claims).
    async fn wait_until_quiet(&self, callouts_url: &str, leased_until: Option<DateTime<Utc>>) {
        let start = Instant::now();
        loop {
            let to_resume = self.resumes_unfinished(callouts_url).await;
            let callouts = self.callouts_to_send(leased_until).await;
            if to_resume == 0 && callouts == 0 {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "after {PATIENCE:?} the receiver still has {to_resume} resumes to send and Latch \
                 {callouts} callouts to deliver ({})",
                match leased_until {
                    Some(at) => format!("not counting those the killed server leased until {at}"),
                    None => "after the clock passed every lease".to_owned(),
                }
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn advance_clock(&self, by: chrono::Duration) {
        let response = self
            .client
            .post(format!("{}/_test/clock/advance", self.base))
            .header("content-type", "application/json")
            .body(json!({ "by": format!("PT{}S", by.num_seconds()) }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "advancing the test clock");
    }

    /// Resumes the instance of each callout to continue, as the workflow would; the HTTP
    /// status of each.
    async fn resume_each(&self, token: &str, callouts: &[&Recorded]) -> Vec<(String, u16)> {
        let mut answers = Vec::with_capacity(callouts.len());
        for callout in callouts {
            let (Some(request), Some(instance)) = (&callout.request_id, &callout.instance_id)
            else {
                panic!("a callout without its request or instance: {callout:?}");
            };
            let body = json!({
                "source": "crash test",
                "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{STAGE}"),
                "data": {
                    "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
                    "stage": STAGE,
                    "customExtensionStageInstanceId": instance,
                },
            });
            let response = self
                .client
                .post(format!("{}{}/{request}/resume", self.base, load::REQUESTS))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            answers.push((instance.clone(), response.status().as_u16()));
        }
        answers
    }

    async fn wait_until_ended(&self) {
        let start = Instant::now();
        loop {
            let progress = load::progress(&self.db, self.seeded.policy).await.unwrap();
            if progress.open == 0 {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "requests still open after {PATIENCE:?}: {progress:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What Latch answered the receiver's resume of this callout, once it has.
fn resume_status(callout: &Recorded) -> Option<u16> {
    callout.resume.as_ref()?.http_status
}

/// What was in flight when the server was killed.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    /// Requests stored.
    submitted: usize,
    /// Resumes the receiver was answered 204.
    resumed: usize,
    /// Callouts received whose resume is not answered yet.
    to_resume: usize,
    /// Delivery jobs: callouts not yet recorded as sent.
    callouts: usize,
}

impl fmt::Display for InFlight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {USERS} requests stored, {} resumes answered 204, {} resumes not yet \
             answered, {} callouts not yet recorded",
            self.submitted, self.resumed, self.to_resume, self.callouts
        )
    }
}

/// What the database holds about the load's requests after the restart.
struct Stored {
    /// id → (state, status).
    requests: HashMap<String, (String, String)>,
    /// request id → its history's events, in order.
    history: HashMap<String, Vec<String>>,
    /// instance id → (request id, status, resume outcome).
    instances: HashMap<String, (String, String, Option<String>)>,
    /// request id → assignment states.
    assignments: HashMap<String, Vec<String>>,
    /// (id, kind, payload, lease) of every job left.
    jobs: Vec<(i64, String, String, Option<String>)>,
}

impl Stored {
    async fn read(db: &app::store::Pool, seeded: &Seeded) -> Stored {
        let policy = seeded.policy.to_string();
        let requests: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, state, status FROM requests WHERE policy_id = $1")
                .bind(&policy)
                .fetch_all(db)
                .await
                .unwrap();
        let history: Vec<(String, String)> = sqlx::query_as(
            "SELECT h.request_id, h.event FROM request_history h \
             JOIN requests r ON r.id = h.request_id WHERE r.policy_id = $1 ORDER BY h.id",
        )
        .bind(&policy)
        .fetch_all(db)
        .await
        .unwrap();
        let instances: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT i.id, i.request_id, i.status, i.resume_outcome FROM callout_instances i \
             JOIN requests r ON r.id = i.request_id WHERE r.policy_id = $1",
        )
        .bind(&policy)
        .fetch_all(db)
        .await
        .unwrap();
        let assignments: Vec<(String, String)> =
            sqlx::query_as("SELECT request_id, state FROM assignments WHERE policy_id = $1")
                .bind(&policy)
                .fetch_all(db)
                .await
                .unwrap();
        let jobs = sqlx::query_as("SELECT id, kind, payload, lease_until FROM jobs")
            .fetch_all(db)
            .await
            .unwrap();
        let mut stored = Stored {
            requests: requests
                .into_iter()
                .map(|(id, state, status)| (id, (state, status)))
                .collect(),
            history: HashMap::new(),
            instances: instances
                .into_iter()
                .map(|(id, request, status, outcome)| (id, (request, status, outcome)))
                .collect(),
            assignments: HashMap::new(),
            jobs,
        };
        for (request, event) in history {
            stored.history.entry(request).or_default().push(event);
        }
        for (request, state) in assignments {
            stored.assignments.entry(request).or_default().push(state);
        }
        stored
    }

    fn events(&self, request: &str, event: &str) -> usize {
        self.history
            .get(request)
            .into_iter()
            .flatten()
            .filter(|e| *e == event)
            .count()
    }

    /// Everything that is not as it should be, one line each.
    fn problems(&self, answered: &[&str], records: &[Recorded], posted: usize) -> Vec<String> {
        let mut problems = Vec::new();
        for id in answered {
            if !self.requests.contains_key(*id) {
                problems.push(format!("request {id} was answered 201 but is not stored"));
            } else if self
                .history
                .get(*id)
                .and_then(|h| h.first())
                .map(String::as_str)
                != Some("submitted")
            {
                problems.push(format!(
                    "request {id} was answered 201 but its history does not start with its \
                     submission: {:?}",
                    self.history.get(*id)
                ));
            }
        }
        if self.requests.len() > posted {
            problems.push(format!(
                "{} requests stored for {posted} POSTs",
                self.requests.len()
            ));
        }
        for (id, (state, status)) in &self.requests {
            let history = self.history.get(id);
            if state != "delivered" {
                problems.push(format!(
                    "request {id} ended {state} ({status}), not delivered; history {history:?}"
                ));
            }
            let resumed = self.events(id, "resumed");
            if resumed != 1 || self.events(id, "delivered") != 1 {
                problems.push(format!(
                    "request {id} was resumed {resumed} times (once expected) and delivered \
                     {} times; history {history:?}",
                    self.events(id, "delivered")
                ));
            }
            let assignments = self.assignments.get(id).cloned().unwrap_or_default();
            if assignments != ["delivered"] {
                problems.push(format!(
                    "request {id} has assignments {assignments:?}, not one delivered"
                ));
            }
            let instances = self
                .instances
                .values()
                .filter(|(request, ..)| request == id)
                .count();
            if instances != 1 {
                problems.push(format!(
                    "request {id} has {instances} callout instances, not one"
                ));
            }
        }
        for (id, (request, status, outcome)) in &self.instances {
            if status != "callbackReceived" || outcome.as_deref() != Some("continue") {
                problems.push(format!(
                    "instance {id} (request {request}) is {status}, resumed {outcome:?}"
                ));
            }
        }
        for record in records {
            let Some(instance) = &record.instance_id else {
                continue;
            };
            let told = record.resume.as_ref().and_then(|r| r.http_status);
            match self.instances.get(instance) {
                None => problems.push(format!(
                    "the receiver was sent instance {instance}, which is not stored"
                )),
                Some((request, status, _)) if told == Some(204) => {
                    let resumed = self.events(request, "resumed");
                    if status != "callbackReceived" || resumed != 1 {
                        problems.push(format!(
                            "the receiver was answered 204 for instance {instance}, but it is \
                             {status} and request {request} records {resumed} resumes"
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        let received: HashSet<&str> = records
            .iter()
            .filter_map(|r| r.instance_id.as_deref())
            .collect();
        for (id, (request, ..)) in &self.instances {
            if !received.contains(id.as_str()) {
                problems.push(format!(
                    "instance {id} (request {request}) never reached the receiver"
                ));
            }
        }
        let ours: Vec<&String> = self.requests.keys().chain(self.instances.keys()).collect();
        for (id, kind, payload, lease) in &self.jobs {
            let payload_of_ours = serde_json::from_str::<Value>(payload)
                .ok()
                .and_then(|p| {
                    let of = |key: &str| p[key].as_str().map(str::to_owned);
                    of("request").or_else(|| of("instance"))
                })
                .is_some_and(|id| ours.contains(&&id));
            if kind == DELIVER_JOB || lease.is_some() || payload_of_ours {
                problems.push(format!(
                    "job {id} ({kind}, leased until {lease:?}) is left: {payload}"
                ));
            }
        }
        problems
    }
}

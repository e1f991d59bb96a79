//! Latch processes under load on one database, for the tests that kill one with SIGKILL:
//! the real `server` and `receiver` binaries as separate processes on loopback (the rig
//! `bench_wait` uses), so a kill is a real crash (no shutdown code, no transaction finished,
//! jobs left under a lease), and what the database holds afterwards.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use app::domain::ids::UserId;
use app::engine::run::DELIVER_JOB;
use app::engine::worker::LEASE;
use app::store::demo::{DEMO_APP_ID, DEMO_APP_SECRET};
use app::store::parse_db_time;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use server::rig::callouts::{self, Recorded};
use server::rig::load::{self, Answer, Posted};
use server::rig::procs::{self, Process, ReceiverOptions};
use server::rig::seed::{self, Behaviour, Seeded};

/// Requests each submitter keeps in flight.
pub const IN_FLIGHT: usize = 16;
/// Long enough that some resumes are always waiting to be sent when the kill falls.
pub const RESUME_AFTER_MS: u64 = 200;
/// The longest any one wait of a test may take.
pub const PATIENCE: Duration = Duration::from_secs(60);
pub const STAGE: &str = "assignmentRequestCreated";

/// A temporary directory, kept with the database and the logs in it when the test fails.
pub struct Scratch(Option<tempfile::TempDir>);

impl Scratch {
    pub fn new() -> Scratch {
        Scratch(Some(tempfile::tempdir().unwrap()))
    }

    pub fn path(&self) -> &Path {
        self.0.as_ref().unwrap().path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let (true, Some(dir)) = (std::thread::panicking(), self.0.take()) {
            eprintln!("database and logs kept in {}", dir.keep().display());
        }
    }
}

/// The seeded database, the addresses where Latch instances serve it (the first is the one
/// the receiver resumes at), and a view of the database.
pub struct Rig<'a> {
    dir: &'a Path,
    addrs: Vec<SocketAddr>,
    pub bases: Vec<String>,
    /// The first instance's base URL.
    pub base: String,
    db_url: String,
    pub db: app::store::Pool,
    pub seeded: Seeded,
    pub client: reqwest::Client,
}

impl<'a> Rig<'a> {
    /// `users` seeded in the database at `db_url`, for `instances` Latch processes.
    pub async fn new(
        dir: &'a Path,
        db_url: String,
        users: usize,
        endpoint: &str,
        instances: usize,
    ) -> Rig<'a> {
        let addrs: Vec<SocketAddr> = (0..instances)
            .map(|_| procs::free_addr().unwrap())
            .collect();
        let bases: Vec<String> = addrs.iter().map(|a| format!("http://{a}")).collect();
        let seeded = seed::seed(&db_url, users, Behaviour::LaunchAndWait, endpoint)
            .await
            .unwrap();
        Rig {
            dir,
            addrs,
            base: bases[0].clone(),
            bases,
            db: load::open_read_only(&db_url).await.unwrap(),
            db_url,
            seeded,
            client: reqwest::Client::builder()
                .timeout(PATIENCE)
                .build()
                .unwrap(),
        }
    }

    /// Instance `i`, with the test clock, so that the test can move time past a lease instead
    /// of waiting. Every instance has the first one's URL as its public URL, as instances
    /// behind a load balancer have its: the issuer of the tokens any of them checks.
    pub async fn start_server(&self, i: usize, log: &'static str) -> Process {
        let bin = Path::new(env!("CARGO_BIN_EXE_server"));
        let env = [
            ("LATCH_TEST_CLOCK", "1".to_owned()),
            ("LATCH_PUBLIC_URL", self.base.clone()),
        ];
        procs::start_server(
            log,
            bin,
            self.dir,
            self.addrs[i],
            &self.db_url,
            &env,
            &self.client,
        )
        .await
        .unwrap()
    }

    /// The sample receiver on `addr`, resuming each launch-and-wait callout at the first
    /// instance [`RESUME_AFTER_MS`] after it arrives; with the URL of its records.
    pub async fn start_receiver(&self, addr: SocketAddr) -> (Process, String) {
        let options = ReceiverOptions {
            latch: &self.base,
            signing_secret: &self.seeded.signing_secret,
            resume_after_ms: Some(RESUME_AFTER_MS),
            keep: self.seeded.users.len() * 4,
        };
        let bin = Path::new(env!("CARGO_BIN_EXE_receiver"));
        let receiver = procs::start_receiver(bin, self.dir, addr, &options, &self.client)
            .await
            .unwrap();
        (receiver, format!("http://{addr}{}", callouts::PATH))
    }

    /// An access token of the demo app, an assignment manager of the demo catalogs.
    pub async fn token(&self) -> String {
        load::token(&self.client, &self.base, DEMO_APP_ID, DEMO_APP_SECRET)
            .await
            .unwrap()
    }

    /// The seeded users no POST of `before` was for.
    pub fn not_posted(&self, before: &[Posted]) -> Vec<UserId> {
        let posted: HashSet<UserId> = before.iter().map(|p| p.user).collect();
        self.seeded
            .users
            .iter()
            .filter(|u| !posted.contains(u))
            .copied()
            .collect()
    }

    /// Waits until only a dead process's claims are left (leased until `killed_at + LEASE`),
    /// moves every instance's clock past that lease so that the living take them over (the
    /// advance runs them before it answers), and waits until all is quiet.
    pub async fn take_over_after(&self, callouts_url: &str, killed_at: DateTime<Utc>) {
        self.wait_until_quiet(callouts_url, Some(killed_at + LEASE))
            .await;
        self.advance_clock(LEASE + chrono::Duration::minutes(1))
            .await;
        self.wait_until_quiet(callouts_url, None).await;
    }

    /// Delivery jobs left (callouts not yet recorded as sent), but for those leased until
    /// `leased_until` or earlier.
    pub async fn callouts_to_send(&self, leased_until: Option<DateTime<Utc>>) -> usize {
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

    pub async fn in_flight(&self, callouts_url: &str) -> InFlight {
        let records = callouts::callouts(&self.client, callouts_url)
            .await
            .unwrap();
        let progress = load::progress(&self.db, self.seeded.policy).await.unwrap();
        InFlight {
            of: self.seeded.users.len(),
            submitted: progress.all(),
            resumed: records
                .iter()
                .filter(|r| resume_status(r) == Some(204))
                .count(),
            to_resume: records.iter().filter(|r| r.resume.is_none()).count(),
            callouts: self.callouts_to_send(None).await,
        }
    }

    pub async fn wait_until_in_flight(&self, callouts_url: &str) -> InFlight {
        let start = Instant::now();
        loop {
            let now = self.in_flight(callouts_url).await;
            if now.submitted >= now.of / 3
                && now.resumed >= 5
                && now.to_resume >= 2
                && now.callouts >= 1
            {
                return now;
            }
            assert!(
                start.elapsed() < PATIENCE && now.submitted < now.of,
                "the load never had resumes and callouts in flight together: {now}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn resumes_unfinished(&self, callouts_url: &str) -> usize {
        let records = callouts::callouts(&self.client, callouts_url)
            .await
            .unwrap();
        records.iter().filter(|r| r.resume.is_none()).count()
    }

    /// Waits until every resume the receiver started has been answered or given up on.
    pub async fn wait_until_resumes_ended(&self, callouts_url: &str) {
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
    pub async fn wait_until_quiet(&self, callouts_url: &str, leased_until: Option<DateTime<Utc>>) {
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

    /// Waits until Latch has no callout left to send (launch-and-continue ones, which nothing
    /// resumes).
    pub async fn wait_until_sent(&self) {
        let start = Instant::now();
        loop {
            let callouts = self.callouts_to_send(None).await;
            if callouts == 0 {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "after {PATIENCE:?} Latch still has {callouts} callouts to deliver"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Moves every instance's test clock on by `by` at the same moment; each runs what fell
    /// due (its expiry scan too) before it answers.
    pub async fn advance_clock(&self, by: chrono::Duration) {
        let body = json!({ "by": format!("PT{}S", by.num_seconds()) }).to_string();
        let mut advances = tokio::task::JoinSet::new();
        for base in &self.bases {
            let advance = self
                .client
                .post(format!("{base}/_test/clock/advance"))
                .header("content-type", "application/json")
                .body(body.clone());
            advances.spawn(advance.send());
        }
        while let Some(done) = advances.join_next().await {
            let status = done.unwrap().unwrap().status();
            assert_eq!(status, 200, "advancing the test clock");
        }
    }

    /// Resumes the instance of each callout to continue, as the workflow would; the HTTP
    /// status of each.
    pub async fn resume_each(&self, token: &str, callouts: &[&Recorded]) -> Vec<(String, u16)> {
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

    pub async fn wait_until_ended(&self) {
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

/// The ids of the requests answered 201, before the kill and after.
pub fn answered<'p>(before: &'p [Posted], after: &'p [Posted]) -> Vec<&'p str> {
    before
        .iter()
        .chain(after)
        .filter_map(|p| match &p.answer {
            Answer::Created(id) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// Fails the test naming every POST of `posted` that was not answered 201.
pub fn assert_all_created(posted: &[Posted], when: &str) {
    let not_created: Vec<&Posted> = posted
        .iter()
        .filter(|p| !matches!(p.answer, Answer::Created(_)))
        .collect();
    assert!(
        not_created.is_empty(),
        "{when}, POSTs were not answered 201: {not_created:?}"
    );
}

/// What Latch answered the receiver's resume of this callout, once it has.
pub fn resume_status(callout: &Recorded) -> Option<u16> {
    callout.resume.as_ref()?.http_status
}

/// What was in flight when the server was killed.
#[derive(Debug, Clone, Copy)]
pub struct InFlight {
    /// Requests to make.
    of: usize,
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
            "{} of {} requests stored, {} resumes answered 204, {} resumes not yet \
             answered, {} callouts not yet recorded",
            self.submitted, self.of, self.resumed, self.to_resume, self.callouts
        )
    }
}

/// What the database holds about the load's requests after the restart.
pub struct Stored {
    /// id → (state, status).
    pub requests: HashMap<String, (String, String)>,
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
    pub async fn read(db: &app::store::Pool, seeded: &Seeded) -> Stored {
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

    pub fn events(&self, request: &str, event: &str) -> usize {
        self.history
            .get(request)
            .into_iter()
            .flatten()
            .filter(|e| *e == event)
            .count()
    }

    /// Everything that is not as it should be, one line each.
    pub fn problems(&self, answered: &[&str], records: &[Recorded], posted: usize) -> Vec<String> {
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

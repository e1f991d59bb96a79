//! A benchmark of custom-extension lifecycles (not part of the tests): N `adminAdd` requests
//! through a policy whose "Request is created" stage calls the sample receiver. Release builds
//! of `server` and `receiver` run as separate processes on loopback against a fresh SQLite
//! file in a temporary directory. Three modes:
//!
//! ```text
//! scripts/bench-wait.sh [N]                   # launch and wait, 32 in flight
//! scripts/bench-wait.sh [N] --open-loop RATE  # launch and wait, RATE sends per second
//! scripts/bench-wait.sh [N] --continue        # launch and continue
//! ```
//!
//! (the script builds all three programs in release, then runs this). Launch and wait waits
//! for Contoso.SodCheckProcess, which the receiver resumes; it prints lifecycles per second
//! (delivered requests over the time from the first submit to the last completion), stage start
//! → callout received and resume latencies (p50/p95/p99), and the server's peak memory
//! (`VmHWM`). The open loop sends on a clock whatever became of earlier sends, so that the
//! latencies are those of a steady offered load; it adds the offered and achieved rates and
//! how late the driver's sends were. Launch and continue calls the demo's Welcome mail, which
//! nothing resumes; it prints callouts delivered per second (successful delivery attempts over
//! the time from the first submit to the last of them) and stage → callout received.

mod cpu;
mod disk;
mod load;
mod measure;
mod options;
mod procs;
mod report;
mod stats;

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::store;
use app::store::demo::{DEMO_APP_ID, DEMO_APP_SECRET};
use app::store::sealed::Sealer;
use chrono::Utc;
use sqlx::sqlite::SqliteSynchronous;

use server::rig::callouts::{self, settled_callouts};
use server::rig::load as rig_load;
use server::rig::procs::{self as rig_procs, Process, ReceiverOptions};
use server::rig::seed;

use crate::options::{Arrivals, Database, Options, Parsed, USAGE};

/// CPU seconds of these processes together.
fn cpu_seconds_of_all(pids: &[u32]) -> Option<f64> {
    pids.iter().map(|&pid| procs::cpu_seconds_of(pid)).sum()
}

#[tokio::main]
async fn main() -> ExitCode {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let env_postgres = std::env::var("LATCH_BENCH_POSTGRES").ok();
    let options = match options::parse(std::env::args().skip(1), &beside, env_postgres) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bench_wait: {e}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_wait: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs in a fresh temporary directory, removed afterwards unless asked to keep it or the run
/// failed (its logs say why).
async fn run(o: &Options) -> Result<(), String> {
    for bin in [&o.server_bin, &o.receiver_bin] {
        if !bin.is_file() {
            return Err(format!(
                "{} not found: build it first (cargo build --release -p server --features ssr --bins)",
                bin.display()
            ));
        }
    }
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let dir = std::env::temp_dir().join(format!("latch-bench-{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = run_in(o, &dir).await;
    if o.keep_dir || result.is_err() {
        eprintln!("bench: database and logs kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn run_in(o: &Options, dir: &Path) -> Result<(), String> {
    let server_addrs = (0..o.instances)
        .map(|_| rig_procs::free_addr())
        .collect::<Result<Vec<_>, _>>()?;
    let receiver_addr = rig_procs::free_addr()?;
    let bases: Vec<String> = server_addrs.iter().map(|a| format!("http://{a}")).collect();
    let base = bases[0].clone();
    let receiver_base = format!("http://{receiver_addr}");
    let db_url = match &o.database {
        Database::Sqlite => format!("sqlite://{}", dir.join("latch.db").display()),
        Database::Postgres(database) => app::store::scratch::schema_in(database).await,
    };

    eprintln!("bench: seeding {} users in {}", o.requests, dir.display());
    let endpoint = format!("{receiver_base}/bench-callout");
    let seeded = seed::seed(&db_url, o.requests, o.behaviour, &endpoint).await?;

    let idle_connections = match o.arrivals {
        Arrivals::InFlight(concurrency) => concurrency,
        // However many a slow server makes it open: an open loop has no bound.
        Arrivals::OpenLoop(_) => usize::MAX,
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(idle_connections)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    // Behind one balancer every instance has its URL; here the first's stands in for it (the
    // issuer of the app's token, which each instance checks).
    let public_url = [("LATCH_PUBLIC_URL", base.clone())];
    let names = [
        "server", "server-1", "server-2", "server-3", "server-4", "server-5",
    ];
    let mut servers = Vec::with_capacity(o.instances);
    for (i, addr) in server_addrs.iter().enumerate() {
        let name = names.get(i).copied().unwrap_or("server-n");
        servers.push(
            rig_procs::start_server(
                name,
                &o.server_bin,
                dir,
                *addr,
                &db_url,
                &public_url,
                &client,
            )
            .await?,
        );
    }
    let receiver_options = ReceiverOptions {
        latch: &base,
        signing_secret: &seeded.signing_secret,
        resume_after_ms: o.behaviour.waits().then_some(o.resume_after_ms),
        keep: o.requests.max(500).saturating_mul(2),
    };
    let mut receiver = rig_procs::start_receiver(
        &o.receiver_bin,
        dir,
        receiver_addr,
        &receiver_options,
        &client,
    )
    .await?;
    let callouts_url = format!("{receiver_base}{}", callouts::PATH);

    let pids: Vec<String> = servers.iter().map(|s| s.pid().to_string()).collect();
    eprintln!(
        "bench: server pid {} on {}, receiver pid {} on {receiver_base}",
        pids.join(", "),
        bases.join(", "),
        receiver.pid()
    );
    let token = rig_load::token(&client, &base, DEMO_APP_ID, DEMO_APP_SECRET).await?;
    let db = rig_load::open_read_only(&db_url).await?;
    eprintln!("bench: submitting {} requests, {}", o.requests, o.mode());
    let load_average = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpu_before = procs::machine_cpu();
    let postgres = matches!(o.database, Database::Postgres(_));
    let postgres_before = procs::postgres_cpu_seconds().filter(|_| postgres);
    let clock = Instant::now();
    let targets: Vec<rig_load::Target> = bases
        .iter()
        .map(|base| rig_load::Target {
            base,
            token: &token,
            policy: seeded.policy,
            package: &seeded.package,
        })
        .collect();
    let expected = AtomicUsize::new(load::UNKNOWN);
    let submitting = async {
        let submitted = load::submit(&client, &targets, &seeded.users, o.arrivals).await;
        expected.store(submitted.created, Ordering::Release);
        eprintln!(
            "bench: submitted {} in {:.1} s ({} refused)",
            submitted.created,
            submitted.elapsed.as_secs_f64(),
            submitted.refused
        );
        submitted
    };
    let mut sampler = Sampler::new(&servers);
    let mut status = || {
        for server in servers.iter_mut() {
            server.check_running()?;
        }
        receiver.check_running()?;
        Ok(sampler.sample())
    };
    let watching = load::wait_until_ended(
        &db,
        seeded.policy,
        o.behaviour,
        &expected,
        clock,
        o.timeout,
        &mut status,
    );
    let (submitted, watched) = tokio::join!(submitting, watching);
    let (progress, complete) = watched?;
    let waited = clock.elapsed();
    let postgres_cpu = postgres_before
        .zip(procs::postgres_cpu_seconds())
        .map(|(before, after)| after - before);
    let machine_busy = match (cpu_before, procs::machine_cpu()) {
        (Some((busy0, all0)), Some((busy1, all1))) if all1 > all0 => {
            Some((busy1 - busy0) as f64 / (all1 - all0) as f64)
        }
        _ => None,
    };
    measure::deliveries_settled(&db, Duration::from_secs(30)).await?;
    let records = settled_callouts(
        &client,
        &callouts_url,
        o.behaviour.waits(),
        Duration::from_secs(30),
    )
    .await?;

    // After the load, so that it does not compete with it.
    let span = Duration::from_secs(2);
    let commits_full = disk::commit_rate(dir, SqliteSynchronous::Full, span).await?;
    let commits_normal = disk::commit_rate(dir, SqliteSynchronous::Normal, span).await?;
    // The key the server signed this run's callouts with (the run seals nothing).
    let key = store::keys::load_or_create(&db, &Sealer::none(), Utc::now())
        .await
        .map_err(|e| format!("the server's signing key: {e}"))?;
    let signatures_per_s = tokio::task::spawn_blocking(move || cpu::signatures_per_s(&key, span))
        .await
        .map_err(|e| format!("signing rate: {e}"))?;

    let report = report::Report {
        o,
        commits_per_s: (commits_normal, commits_full),
        signatures_per_s,
        submitted: &submitted,
        progress,
        complete,
        waited,
        records: &records,
        servers: &servers,
        receiver: &receiver,
        postgres_cpu,
        db: &db,
        seeded: &seeded,
        machine_busy,
        load_average: load_average
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    };
    report.print().await?;
    if !complete {
        return Err(format!(
            "{} within {} s",
            progress.shortfall(submitted.created),
            o.timeout.as_secs()
        ));
    }
    Ok(())
}

/// The servers' and the machine's CPU use since the last sample, for the progress lines.
struct Sampler {
    pids: Vec<u32>,
    at: Instant,
    server: Option<f64>,
    machine: Option<(u64, u64)>,
}

impl Sampler {
    fn new(servers: &[Process]) -> Sampler {
        let pids: Vec<u32> = servers.iter().map(Process::pid).collect();
        Sampler {
            server: cpu_seconds_of_all(&pids),
            pids,
            at: Instant::now(),
            machine: procs::machine_cpu(),
        }
    }

    /// `server CPU 93%, machine 97% busy` (100% is one core for the server, all cores for
    /// the machine).
    fn sample(&mut self) -> String {
        let (server, machine) = (cpu_seconds_of_all(&self.pids), procs::machine_cpu());
        let seconds = self.at.elapsed().as_secs_f64();
        let server_share = match (self.server, server) {
            (Some(before), Some(now)) if seconds > 0.0 => {
                format!("{:.0}%", (now - before) / seconds * 100.0)
            }
            _ => "?".to_owned(),
        };
        let machine_share = match (self.machine, machine) {
            (Some((b0, a0)), Some((b1, a1))) if a1 > a0 => {
                format!("{:.0}%", (b1 - b0) as f64 / (a1 - a0) as f64 * 100.0)
            }
            _ => "?".to_owned(),
        };
        (self.at, self.server, self.machine) = (Instant::now(), server, machine);
        format!("server CPU {server_share} of a core, machine {machine_share} busy")
    }
}

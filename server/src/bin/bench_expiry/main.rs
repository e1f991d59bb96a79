//! A benchmark of the expiry scan (issue 6, item 5; not part of the tests): with N assignments
//! (default 1,000,000) in a fresh SQLite file, of which 1,000 are due, the time of one scan
//! (`engine::expiry::scan`), and the time from "due" to "callout received" with the real
//! worker delivering to an HTTP listener on loopback.
//!
//! ```text
//! scripts/bench-expiry.sh [N] [--due D] [--keep-dir]   # builds release, then runs this
//! ```
//!
//! Everything runs in this one process: the app's state on a fixed clock (moved by hand, as
//! `LATCH_TEST_CLOCK` moves it), the worker, and the listener (see `listener.rs` for why not
//! the sample receiver). Seeding is reported apart: it is set-up, not the result.

mod listener;
mod machine;
mod measure;
mod seed;
mod stats;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use app::clock::Clock;
use app::engine::expiry::SCAN_BATCH;
use app::state::{AppState, Settings};
use chrono::{DurationRound, Utc};

use crate::listener::Listener;
use crate::seed::WINDOW;
use crate::stats::{min_median_max, ms, spread};

const USAGE: &str = "usage: bench_expiry [ASSIGNMENTS] [--due N] [--keep-dir]
  ASSIGNMENTS  assignments in the database (default 1000000)
  --due N      assignments due at each measuring moment (default 1000)
  --keep-dir   keep the temporary directory with the database";

/// Scans timed when nothing is due.
const EMPTY_SCANS: usize = 20;
/// How long the worker gets to deliver the due callouts.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(300);

struct Options {
    total: usize,
    due: usize,
    keep: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut o = Options {
        total: 1_000_000,
        due: 1_000,
        keep: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let number = |text: Option<String>, what: &str| {
            text.and_then(|t| t.replace('_', "").parse::<usize>().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("{what} must be a positive number"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--keep-dir" => o.keep = true,
            "--due" => o.due = number(args.next(), "--due")?,
            _ if !arg.starts_with('-') => o.total = number(Some(arg), "ASSIGNMENTS")?,
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    if o.total < 3 * o.due {
        return Err("ASSIGNMENTS must be at least three times --due".to_owned());
    }
    Ok(Some(o))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("bench_expiry: {e}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let keep = options.keep;
    server::rig::workdir::in_workdir(
        "expiry",
        keep,
        |dir| async move { run(&options, &dir).await },
    )
    .await
}

async fn run(o: &Options, dir: &Path) -> Result<(), String> {
    let file: PathBuf = dir.join("latch.db");
    let url = format!("sqlite://{}", file.display());
    let listener = Listener::start().await?;
    let base = Utc::now()
        .duration_trunc(chrono::Duration::seconds(1))
        .map_err(|e| e.to_string())?;

    println!(
        "bench_expiry: {} assignments, {} due at each measuring moment",
        o.total, o.due
    );
    println!("machine: {}", machine::describe());
    println!("date: {}", Utc::now().format("%Y-%m-%d %H:%M UTC"));
    println!("load average at start: {}", machine::load_average());
    println!();

    eprintln!(
        "bench: seeding {} assignments in {}",
        o.total,
        dir.display()
    );
    let endpoint = format!("{}/expiry-reminder", listener.url);
    let seeded = seed::seed(&url, &file, base, o.total, o.due, &endpoint).await?;
    let seeding_peak = machine::peak_kib();
    let peak_was_reset = machine::reset_peak();
    let resident_after_seeding = machine::resident_kib();
    let seeded_size = machine::file_size(&file);
    let rows_per_s = |d: Duration| o.total as f64 / d.as_secs_f64();
    println!("seeding (set-up, not the result)");
    println!(
        "  demo data, policy \"{}\" P30D, 14-day and 1-day stages → \"{}\" at {endpoint}: {:.2} s",
        seed::POLICY,
        seed::EXTENSION,
        seeded.setup.as_secs_f64()
    );
    println!(
        "  {} users + {} delivered requests + {} delivered assignments, 50,000 rows of each per \
         transaction, 500-row INSERTs: {:.1} s ({:.0} assignments/s)",
        o.total,
        o.total,
        o.total,
        seeded.insert.as_secs_f64(),
        rows_per_s(seeded.insert)
    );
    println!(
        "  ANALYZE: {:.1} s; WAL checkpoint + fsync of the file: {:.1} s",
        seeded.analyze.as_secs_f64(),
        seeded.flush.as_secs_f64()
    );
    println!("  database file: {}", machine::human_bytes(seeded_size));
    println!();

    // Opened as the server opens it: the app's pool, pragmas and migrations check.
    let db = app::store::connect(&url)
        .await
        .map_err(|e| format!("open: {e}"))?;
    let keys = app::store::keys::load_or_create(&db, &app::store::sealed::Sealer::none(), base)
        .await
        .map_err(|e| format!("signing key: {e}"))?;
    let settings = Settings {
        callout_allow_hosts: vec!["127.0.0.1".to_owned()],
        ..Settings::for_tests()
    };
    let state = AppState::new(db, settings, Clock::fixed(base), keys);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments")
        .fetch_one(&state.db)
        .await
        .map_err(|e| format!("count: {e}"))?;
    let expect_due = |found: i64, when: &str| {
        if found == o.due as i64 {
            Ok(())
        } else {
            Err(format!(
                "{found} assignments due {when}, expected {}",
                o.due
            ))
        }
    };
    if measure::due_count(&state, base).await? != 0 {
        return Err("assignments due at B; the seeding is wrong".to_owned());
    }
    expect_due(
        measure::due_count(&state, base + WINDOW).await?,
        "at B + 1 h",
    )?;

    println!(
        "B = {} (the clock's start; seeded times are relative to it)",
        base.to_rfc3339()
    );
    println!("assignments in the database: {total}, all delivered, all expiring within 30 days");
    println!(
        "plan of the due query (store::expiry::due, {DUE} at B + 1 h):",
        DUE = o.due
    );
    for line in measure::plan(&state, measure::DUE_QUERY, base + WINDOW).await? {
        println!("  {line}");
    }
    println!("plan of the idle worker's next-due probe (store::expiry::next_due):");
    for line in measure::plan(&state, measure::NEXT_DUE_QUERY, base).await? {
        println!("  {line}");
    }
    println!();

    println!("(a) one scan (engine::expiry::scan: at most {SCAN_BATCH} due, one transaction each)");
    let empty = measure::empty_scans(&state, EMPTY_SCANS).await?;
    println!(
        "  clock at B, nothing due ({} not due):     {}",
        o.total,
        min_median_max(&empty)
    );
    state.clock.advance(WINDOW);
    let query = measure::due_queries(&state, EMPTY_SCANS).await?;
    println!(
        "  the due query alone at B + 1 h ({} due):  {}",
        o.due,
        min_median_max(&query)
    );
    let scans = measure::scans_until_empty(&state).await?;
    let handled: usize = scans.iter().map(|(n, _)| n).sum();
    if handled != o.due {
        return Err(format!("the scans handled {handled}, expected {}", o.due));
    }
    let times: Vec<Duration> = scans.iter().map(|(_, t)| *t).collect();
    println!(
        "  clock at B + 1 h, {} due: {} scans until empty, handling {}: {}",
        o.due,
        scans.len(),
        scans
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<Vec<_>>()
            .join("+"),
        min_median_max(&times)
    );
    println!(
        "    each: {}",
        times.iter().map(|t| ms(*t)).collect::<Vec<_>>().join(", ")
    );
    println!(
        "    per assignment handled (its transaction: read, callout instance + delivery job + \
         history, markers): {}",
        ms(times.iter().sum::<Duration>() / handled as u32)
    );
    let after = measure::empty_scans(&state, EMPTY_SCANS).await?;
    println!(
        "  then nothing due ({} handled, {} not due): {}",
        o.due,
        o.total - o.due,
        min_median_max(&after)
    );
    let probes = measure::next_due_probes(&state, EMPTY_SCANS).await?;
    println!(
        "  the idle worker's next-due probe:           {}",
        min_median_max(&probes)
    );
    let one_by_one = measure::deliver_one_by_one(&state).await?;
    println!(
        "  (a scan only queues delivery jobs.) Those {} callouts delivered one at a time, nothing \
         else running (claim 1 job + engine::deliver::deliver: read, sign, POST, record): {:.2} s",
        one_by_one.len(),
        one_by_one.iter().sum::<Duration>().as_secs_f64()
    );
    println!("    per callout: {}", min_median_max(&one_by_one));
    println!(
        "    of which the RS256 signature of its PoP token (callout::token::sign_jwt alone): {}",
        min_median_max(&measure::signatures(&state, 200))
    );
    if listener.count() != o.due {
        return Err(format!(
            "{} of {} callouts arrived",
            listener.count(),
            o.due
        ));
    }
    println!();

    expect_due(
        measure::due_count(&state, base + WINDOW * 2).await?,
        "at B + 2 h",
    )?;
    println!(
        "(b) due → callout received (worker::run spawned; listener on 127.0.0.1, answers 202)"
    );
    println!(
        "  T = the wall-clock instant the fixed clock was moved from B + 1 h to B + 2 h, at which \
         {} more assignments (the second cohort, whose 14-day moments lie in (B + 1 h, B + 2 h]) \
         are due; the idle worker is woken at T, as POST /_test/clock/advance does",
        o.due
    );
    let cpu_before = machine::cpu_time();
    let fallen =
        measure::due_to_received(&state, &listener, WINDOW, o.due, DELIVERY_TIMEOUT).await?;
    let cpu = cpu_before.zip(machine::cpu_time()).map(|(a, b)| b - a);
    println!(
        "  received {} callouts ({} distinct instances); stages: {}",
        fallen.latencies.len(),
        fallen.distinct_instances,
        fallen
            .stages
            .iter()
            .map(|(s, n)| format!("{s} × {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  received − T: {}", spread(&fallen.latencies));
    match fallen.all_received {
        Some(all) => println!(
            "  all {} received {:.2} s after T ({:.0} callouts/s)",
            o.due,
            all.as_secs_f64(),
            o.due as f64 / all.as_secs_f64()
        ),
        None => println!("  NOT all received within {} s", DELIVERY_TIMEOUT.as_secs()),
    }
    if let Some(cpu) = cpu {
        println!(
            "  CPU time of this process meanwhile (user + system, from 0.5 s before T until the \
             worker stopped): {:.2} s",
            cpu.as_secs_f64()
        );
    }
    let (instances, attempts) = measure::outcomes(&state).await?;
    println!("  callout instances (both cohorts): {instances}");
    println!("  attempts (both cohorts): {attempts}");
    println!();

    let measuring_peak = machine::peak_kib();
    println!("load average at the end: {}", machine::load_average());
    state.db.close().await;
    let wal = machine::file_size(&dir.join("latch.db-wal"));
    if peak_was_reset {
        println!(
            "peak memory (VmHWM of this process: app state, pool, worker and listener): seeding {}; \
             measuring {} (reset after seeding, when {} was still resident, mostly heap the \
             allocator kept from seeding)",
            machine::mib(seeding_peak),
            machine::mib(measuring_peak),
            machine::mib(resident_after_seeding)
        );
    } else {
        println!(
            "peak memory (VmHWM of this process, seeding included; it could not be reset): {}",
            machine::mib(measuring_peak)
        );
    }
    println!(
        "database file: {} (+ {} WAL)",
        machine::human_bytes(machine::file_size(&file)),
        machine::human_bytes(wal)
    );
    if fallen.all_received.is_none() {
        return Err("not every callout was received".to_owned());
    }
    Ok(())
}

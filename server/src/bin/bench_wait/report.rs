//! The printed result: one line per measure, from the driver's own timings, the receiver's
//! records, Latch's database and `/proc`.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::options::{Arrivals, Options};
use server::rig::procs::Process;
use server::rig::seed;

use crate::procs::Measured;
use crate::stats::{line, spread};
use crate::{load, measure};

pub struct Report<'a> {
    pub o: &'a Options,
    /// This disk's SQLite commits per second, `synchronous` NORMAL and FULL (`disk.rs`).
    pub commits_per_s: (f64, f64),
    /// RS256 signatures per second on one core of this CPU.
    pub signatures_per_s: f64,
    pub submitted: &'a load::Submitted,
    pub progress: load::Progress,
    pub complete: bool,
    pub waited: Duration,
    pub records: &'a [measure::Recorded],
    /// Every Latch instance (one but for `--instances`).
    pub servers: &'a [Process],
    pub receiver: &'a Process,
    /// CPU seconds the PostgreSQL server's processes used while the load ran.
    pub postgres_cpu: Option<f64>,
    pub db: &'a app::store::Pool,
    pub seeded: &'a seed::Seeded,
    /// Share of the machine's CPU time that was busy while the load ran (every process).
    pub machine_busy: Option<f64>,
    /// 1, 5 and 15 minute load averages when the load started.
    pub load_average: String,
}

impl Report<'_> {
    pub async fn print(&self) -> Result<(), String> {
        let (o, s, p) = (self.o, self.submitted, self.progress);
        let policy = self.seeded.policy;
        let delivered = measure::delivered_times(self.db, policy).await?;
        let starts = measure::instance_starts(self.db, policy).await?;
        let callouts = measure::callout_latency(self.records, &starts);
        let resumes: Vec<f64> = self
            .records
            .iter()
            .filter_map(|r| r.resume.as_ref()?.latency_ms)
            .collect();
        let (attempts, failed_attempts) = measure::attempts(self.db).await?;
        let completions: Vec<DateTime<Utc>> = delivered.iter().map(|(_, done)| *done).collect();

        println!("Latch benchmark: {}", o.mode());
        println!(
            "  run {} UTC on {} ({} cores)",
            s.started.format("%Y-%m-%d %H:%M"),
            cpu_model(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        let receiver = if o.behaviour.waits() {
            format!("receiver resumes after {} ms", o.resume_after_ms)
        } else {
            "receiver only records".to_owned()
        };
        println!(
            "  {} adminAdd requests under \"{}\": Request is created → {} ({}); {receiver}",
            o.requests,
            seed::POLICY,
            seed::extension(o.behaviour),
            o.behaviour,
        );
        println!(
            "  submitted:         {} created, {} refused in {:.1} s ({:.0}/s, {}); POST → 201 {}",
            s.created,
            s.refused,
            s.elapsed.as_secs_f64(),
            achieved_rate(s),
            o.arrivals,
            line(spread(s.latencies_ms.clone()))
        );
        if let Arrivals::OpenLoop(rate) = o.arrivals {
            println!(
                "  open loop:         offered {rate}/s, achieved {:.1}/s (created, first send → last 201); \
                 send lateness {}",
                achieved_rate(s),
                line(spread(s.lateness_ms.clone()))
            );
        }
        if let Some(why) = &s.first_refusal {
            println!("  first refusal:     {why}");
        }
        println!(
            "  ended:             {} delivered, {} failed, {} still open{}",
            p.requests.delivered,
            p.requests.failed,
            p.requests.open,
            if self.complete {
                String::new()
            } else {
                format!(" (timed out after {:.0} s)", self.waited.as_secs_f64())
            }
        );
        if !o.behaviour.waits() {
            let called = measure::delivered_callouts(self.db, policy).await?;
            println!(
                "  callouts/s:        {}",
                throughput(
                    s.started,
                    &called,
                    "callouts delivered",
                    "last successful attempt"
                )
            );
        }
        println!(
            "  lifecycles/s:      {}",
            throughput(s.started, &completions, "delivered", "last delivered")
        );
        println!(
            "  stage → callout:   {}",
            line(spread(callouts.latencies_ms.clone()))
        );
        if o.behaviour.waits() {
            println!("  resume → 204:      {}", line(spread(resumes)));
        }
        println!(
            "  this disk:         SQLite commits {:.0}/s with synchronous=NORMAL, {:.0}/s with FULL \
             (one-row INSERT per BEGIN IMMEDIATE transaction through sqlx, WAL, after the load)",
            self.commits_per_s.0, self.commits_per_s.1
        );
        println!(
            "  this CPU:          {:.0} RS256 signatures/s on one core ({:.2} ms each; the server's \
             key and signing path, after the load)",
            self.signatures_per_s,
            1000.0 / self.signatures_per_s
        );
        println!(
            "  submit → delivered: {}",
            line(spread(measure::request_latencies_ms(&delivered)))
        );
        let each = |measure: &dyn Fn(&Process) -> String| {
            let all: Vec<String> = self.servers.iter().map(measure).collect();
            all.join(" / ")
        };
        println!(
            "  server peak memory: {}",
            each(&|p| p
                .peak_memory_kib()
                .map_or("unknown".to_owned(), |kib| format!(
                    "{:.1} MiB (VmHWM {kib} kB)",
                    kib as f64 / 1024.0
                )))
        );
        let cpu = |p: &Process| {
            p.cpu_seconds()
                .map_or("?".to_owned(), |c| format!("{c:.1} s"))
        };
        println!(
            "  CPU time:          server {}, receiver {} (receiver VmHWM {} kB){}, over {:.1} s of wall time",
            each(&cpu),
            cpu(self.receiver),
            self.receiver
                .peak_memory_kib()
                .map_or("?".to_owned(), |k| k.to_string()),
            self.postgres_cpu
                .map_or(String::new(), |c| format!(", PostgreSQL {c:.1} s")),
            self.waited.as_secs_f64()
        );
        let first = &self.servers[0];
        let threads: Vec<String> = first
            .cpu_by_thread()
            .into_iter()
            .take(4)
            .map(|(name, seconds)| format!("{name} {seconds:.1} s"))
            .collect();
        let switches: Option<u64> = self.servers.iter().map(Measured::context_switches).sum();
        println!(
            "  server CPU by thread: {}{}; {} context switches ({:.0} per lifecycle)",
            threads.join(", "),
            if self.servers.len() > 1 {
                " (the first)"
            } else {
                ""
            },
            switches.map_or("?".to_owned(), |n| n.to_string()),
            switches.map_or(f64::NAN, |n| n as f64 / o.requests as f64)
        );
        println!(
            "  machine:           {} busy while the load ran (all processes on the machine); \
             load average {} at the start",
            self.machine_busy
                .map_or("?".to_owned(), |b| format!("{:.0}%", b * 100.0)),
            self.load_average
        );
        let verified = self.records.iter().filter(|r| r.verified).count();
        println!(
            "  callouts:          {} received ({verified} verified, {} redelivered, {} unknown); \
             {attempts} delivery attempts, {failed_attempts} without a 2xx",
            self.records.len(),
            callouts.repeated,
            callouts.unknown
        );
        if o.behaviour.waits() {
            let outcomes: Vec<String> = measure::resume_outcomes(self.records)
                .into_iter()
                .map(|(what, n)| format!("{what} × {n}"))
                .collect();
            println!("  resumes:           {}", outcomes.join(", "));
        }
        println!(
            "  logs:              server {}, receiver {}",
            each(&|p| log_levels(&p.log)),
            log_levels(&self.receiver.log)
        );
        Ok(())
    }
}

/// Requests created per second, from the first send to the last answer.
fn achieved_rate(s: &load::Submitted) -> f64 {
    s.created as f64 / s.elapsed.as_secs_f64()
}

/// `207.8  (10000 delivered in 48.12 s, first submit → last delivered)`: events per second
/// from the first submit to the last of `ends`.
fn throughput(started: DateTime<Utc>, ends: &[DateTime<Utc>], what: &str, until: &str) -> String {
    let window_s = ends
        .iter()
        .max()
        .map(|last| measure::milliseconds_between(started, *last) / 1000.0);
    match window_s {
        Some(w) if w > 0.0 => format!(
            "{:.1}  ({} {what} in {w:.2} s, first submit → {until})",
            ends.len() as f64 / w,
            ends.len()
        ),
        _ => format!("none {what}"),
    }
}

/// `model name` from /proc/cpuinfo.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// How many ERROR and WARN lines a log holds.
fn log_levels(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let count = |level: &str| text.lines().filter(|l| l.contains(level)).count();
    format!("{} errors, {} warnings", count(" ERROR "), count(" WARN "))
}

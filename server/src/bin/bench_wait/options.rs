//! Command-line options of the benchmark: how many requests, how they arrive (a fixed number in
//! flight, or an open loop at a fixed rate) and what the created stage's extension does (launch
//! and wait, resumed by the receiver, or launch and continue).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use server::rig::seed::Behaviour;

pub const USAGE: &str = "\
Usage: bench_wait [N] [--concurrency C | --open-loop RATE] [--continue] [--resume-after MS]
                  [--database sqlite|postgres] [--postgres URL] [--instances K]
                  [--timeout SECS] [--server-bin PATH] [--receiver-bin PATH] [--keep-dir]

Drives N (default 10000) adminAdd requests through a policy whose \"Request is created\" stage
calls the sample receiver, against release builds of `server` and `receiver` started here on
loopback with a fresh SQLite file in a temporary directory. By default the extension launches
and waits, and the receiver resumes each callout.

  N                  how many requests (lifecycles)
  --concurrency C    requests in flight while submitting (default 32)
  --open-loop RATE   send request i at i/RATE seconds after the first, whatever became of the
                     earlier ones (RATE per second, decimals allowed); not with --concurrency
  --continue         launch and continue instead: the receiver only records the callouts, and
                     the run ends once every request's callout has been delivered
  --resume-after MS  the receiver's delay before it resumes (default 0; not with --continue)
  --database DB      sqlite (default: a fresh file) or postgres (a fresh schema in the database
                     --postgres names)
  --postgres URL     the PostgreSQL database for --database postgres (default: the variable
                     LATCH_BENCH_POSTGRES; scripts/bench-wait.sh starts one)
  --instances K      Latch processes on the one database (default 1; more needs postgres); the
                     requests go to each in turn, the receiver resumes at the first
  --timeout SECS     give up waiting for the last delivery after this long (default 900)
  --server-bin PATH  the Latch server (default: `server` beside this program)
  --receiver-bin PATH  the receiver (default: `receiver` beside this program)
  --keep-dir         keep the temporary directory (database and logs) afterwards";

/// How requests are sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrivals {
    /// This many in flight: the next goes as soon as one is answered (a closed loop).
    InFlight(usize),
    /// Sends per second on a clock (an open loop), so that a slow answer does not slow the
    /// offered load and hide the latency behind it.
    OpenLoop(f64),
}

impl fmt::Display for Arrivals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arrivals::InFlight(c) => write!(f, "{c} in flight"),
            Arrivals::OpenLoop(rate) => write!(f, "open loop {rate}/s"),
        }
    }
}

/// Where Latch keeps its data for the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    Sqlite,
    /// A PostgreSQL database, in which the run makes a schema of its own.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub requests: usize,
    pub database: Database,
    pub instances: usize,
    pub arrivals: Arrivals,
    pub behaviour: Behaviour,
    pub resume_after_ms: u64,
    pub timeout: Duration,
    pub server_bin: PathBuf,
    pub receiver_bin: PathBuf,
    pub keep_dir: bool,
}

impl Options {
    /// `launch and wait, 32 in flight`: the first thing the report says; then the database
    /// and instances when not SQLite.
    pub fn mode(&self) -> String {
        let place = match (&self.database, self.instances) {
            (Database::Sqlite, _) => String::new(),
            (Database::Postgres(_), 1) => ", PostgreSQL".to_owned(),
            (Database::Postgres(_), k) => format!(", PostgreSQL × {k} instances"),
        };
        format!("{}, {}{place}", self.behaviour, self.arrivals)
    }
}

#[derive(Debug, PartialEq)]
pub enum Parsed {
    Run(Options),
    Help,
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{name}: {value:?} is not a whole number"))
}

fn rate(name: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r > 0.0)
        .ok_or_else(|| format!("{name}: {value:?} is not a positive number of requests per second"))
}

/// `beside` is the directory the default binaries are looked for in.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    beside: &std::path::Path,
    env_postgres: Option<String>,
) -> Result<Parsed, String> {
    let mut options = Options {
        requests: 10_000,
        database: Database::Sqlite,
        instances: 1,
        arrivals: Arrivals::InFlight(32),
        behaviour: Behaviour::LaunchAndWait,
        resume_after_ms: 0,
        timeout: Duration::from_secs(900),
        server_bin: beside.join("server"),
        receiver_bin: beside.join("receiver"),
        keep_dir: false,
    };
    // Only to name the conflicting pair, whatever their order.
    let (mut concurrency, mut open_loop, mut resume_after) = (None, None, None);
    let (mut postgres, mut postgres_url) = (false, env_postgres);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--concurrency" => concurrency = Some(number(&name, &value()?)?),
            "--open-loop" => open_loop = Some(rate(&name, &value()?)?),
            "--continue" => options.behaviour = Behaviour::LaunchAndContinue,
            "--resume-after" => resume_after = Some(number(&name, &value()?)?),
            "--timeout" => options.timeout = Duration::from_secs(number(&name, &value()?)?),
            "--server-bin" => options.server_bin = value()?.into(),
            "--receiver-bin" => options.receiver_bin = value()?.into(),
            "--keep-dir" => options.keep_dir = true,
            "--database" => {
                postgres = match value()?.as_str() {
                    "sqlite" => false,
                    "postgres" | "postgresql" => true,
                    other => {
                        return Err(format!("--database: {other:?} is not sqlite or postgres"))
                    }
                }
            }
            "--postgres" => postgres_url = Some(value()?),
            "--instances" => options.instances = number(&name, &value()?)?,
            "-h" | "--help" => return Ok(Parsed::Help),
            n if !n.starts_with('-') => options.requests = number("N", n)?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    options.arrivals = match (concurrency, open_loop) {
        (Some(_), Some(_)) => {
            return Err(
                "--open-loop and --concurrency exclude each other: an open loop has \
                        no fixed number in flight"
                    .to_owned(),
            )
        }
        (_, Some(rate)) => Arrivals::OpenLoop(rate),
        (Some(c), None) => Arrivals::InFlight(c),
        (None, None) => options.arrivals,
    };
    if resume_after.is_some() && !options.behaviour.waits() {
        return Err("--resume-after has no use with --continue: nothing is resumed".to_owned());
    }
    options.resume_after_ms = resume_after.unwrap_or(options.resume_after_ms);
    if postgres {
        let url = postgres_url.ok_or(
            "--database postgres needs --postgres URL (or LATCH_BENCH_POSTGRES): \
             scripts/bench-wait.sh starts a server and passes it",
        )?;
        if !app::store::is_postgres_url(&url) {
            return Err("--postgres must be a postgres:// or postgresql:// URL".to_owned());
        }
        options.database = Database::Postgres(url);
    }
    if options.instances == 0 {
        return Err("--instances must be at least 1".to_owned());
    }
    if options.instances > 1 && options.database == Database::Sqlite {
        return Err(
            "--instances above 1 needs --database postgres: several processes share a \
             PostgreSQL database, not a SQLite file"
                .to_owned(),
        );
    }
    if options.requests == 0 || options.arrivals == Arrivals::InFlight(0) {
        return Err("N and --concurrency must be at least 1".to_owned());
    }
    Ok(Parsed::Run(options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(args: &[&str]) -> Result<Options, String> {
        match parse(args.iter().map(|a| a.to_string()), Path::new("/bin"), None)? {
            Parsed::Run(options) => Ok(options),
            Parsed::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults_and_flags() {
        let d = run(&[]).unwrap();
        assert_eq!(
            (d.requests, d.arrivals, d.resume_after_ms),
            (10_000, Arrivals::InFlight(32), 0)
        );
        assert_eq!(d.behaviour, Behaviour::LaunchAndWait);
        assert_eq!(d.mode(), "launch and wait, 32 in flight");
        assert_eq!(d.server_bin, Path::new("/bin/server"));
        let o = run(&[
            "200",
            "--concurrency=8",
            "--resume-after",
            "50",
            "--keep-dir",
        ])
        .unwrap();
        assert_eq!(
            (o.requests, o.arrivals, o.resume_after_ms),
            (200, Arrivals::InFlight(8), 50)
        );
        assert!(o.keep_dir);
    }

    #[test]
    fn bad_input_is_an_error() {
        for args in [&["ten"][..], &["0"], &["--concurrency"], &["--fast"]] {
            assert!(run(args).is_err(), "{args:?}");
        }
        assert_eq!(run(&["--help"]), Err("help".to_owned()));
    }

    #[test]
    fn an_open_loop_takes_a_positive_rate_with_decimals() {
        let o = run(&["1500", "--open-loop", "300"]).unwrap();
        assert_eq!((o.requests, o.arrivals), (1500, Arrivals::OpenLoop(300.0)));
        assert_eq!(o.mode(), "launch and wait, open loop 300/s");
        let o = run(&["--open-loop=12.5"]).unwrap();
        assert_eq!(o.arrivals, Arrivals::OpenLoop(12.5));
        assert_eq!(o.mode(), "launch and wait, open loop 12.5/s");
    }

    #[test]
    fn a_bad_rate_is_refused_by_name() {
        for rate in ["0", "-5", "fast", "inf", "NaN", ""] {
            let e = run(&["--open-loop", rate]).unwrap_err();
            assert!(e.starts_with("--open-loop: "), "{rate:?}: {e}");
            assert!(e.contains("positive number"), "{rate:?}: {e}");
        }
        assert_eq!(
            run(&["--open-loop"]).unwrap_err(),
            "--open-loop needs a value"
        );
    }

    #[test]
    fn open_loop_and_concurrency_exclude_each_other_in_either_order() {
        for args in [
            &["--open-loop", "300", "--concurrency", "8"][..],
            &["--concurrency=8", "--open-loop=300"],
        ] {
            let e = run(args).unwrap_err();
            assert!(
                e.contains("--open-loop") && e.contains("--concurrency"),
                "{e}"
            );
        }
    }

    #[test]
    fn continue_mode_with_either_arrivals_but_no_resume() {
        let o = run(&["10000", "--continue"]).unwrap();
        assert_eq!(o.behaviour, Behaviour::LaunchAndContinue);
        assert!(!o.behaviour.waits());
        assert_eq!(o.mode(), "launch and continue, 32 in flight");
        let o = run(&["--continue", "--open-loop", "250"]).unwrap();
        assert_eq!(o.mode(), "launch and continue, open loop 250/s");
        let e = run(&["--continue", "--resume-after", "10"]).unwrap_err();
        assert!(
            e.starts_with("--resume-after") && e.contains("--continue"),
            "{e}"
        );
    }

    #[test]
    fn postgres_and_instances() {
        let o = run(&["--database", "postgres", "--postgres", "postgres://u@h/db"]).unwrap();
        assert_eq!(o.database, Database::Postgres("postgres://u@h/db".into()));
        assert_eq!(o.mode(), "launch and wait, 32 in flight, PostgreSQL");
        let o = run(&[
            "--database=postgres",
            "--postgres=postgres://u@h/db",
            "--instances=3",
        ])
        .unwrap();
        assert_eq!(o.instances, 3);
        assert_eq!(
            o.mode(),
            "launch and wait, 32 in flight, PostgreSQL × 3 instances"
        );
        let from_env = parse(
            ["--database", "postgres"].map(String::from),
            Path::new("/bin"),
            Some("postgresql://u@h/db".into()),
        )
        .unwrap();
        assert!(
            matches!(from_env, Parsed::Run(o) if o.database == Database::Postgres("postgresql://u@h/db".into()))
        );
        for (args, problem) in [
            (&["--database", "postgres"][..], "needs --postgres"),
            (&["--database", "mysql"], "not sqlite or postgres"),
            (&["--instances", "3"], "needs --database postgres"),
            (&["--instances", "0"], "at least 1"),
            (
                &["--database", "postgres", "--postgres", "sqlite://x.db"],
                "--postgres must be",
            ),
        ] {
            let e = run(args).unwrap_err();
            assert!(e.contains(problem), "{args:?}: {e}");
        }
    }
}

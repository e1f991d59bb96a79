//! Command-line options of the benchmark.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
Usage: bench_wait [N] [--concurrency C] [--resume-after MS] [--timeout SECS]
                  [--server-bin PATH] [--receiver-bin PATH] [--keep-dir]

Drives N (default 10000) adminAdd requests through a launch-and-wait policy, with the sample
receiver resuming each callout, against release builds of `server` and `receiver` started
here on loopback with a fresh SQLite file in a temporary directory.

  N                  how many requests (lifecycles)
  --concurrency C    requests in flight while submitting (default 32)
  --resume-after MS  the receiver's delay before it resumes (default 0)
  --timeout SECS     give up waiting for the last delivery after this long (default 900)
  --server-bin PATH  the Latch server (default: `server` beside this program)
  --receiver-bin PATH  the receiver (default: `receiver` beside this program)
  --keep-dir         keep the temporary directory (database and logs) afterwards";

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub requests: usize,
    pub concurrency: usize,
    pub resume_after_ms: u64,
    pub timeout: Duration,
    pub server_bin: PathBuf,
    pub receiver_bin: PathBuf,
    pub keep_dir: bool,
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

/// `beside` is the directory the default binaries are looked for in.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    beside: &std::path::Path,
) -> Result<Parsed, String> {
    let mut options = Options {
        requests: 10_000,
        concurrency: 32,
        resume_after_ms: 0,
        timeout: Duration::from_secs(900),
        server_bin: beside.join("server"),
        receiver_bin: beside.join("receiver"),
        keep_dir: false,
    };
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
            "--concurrency" => options.concurrency = number(&name, &value()?)?,
            "--resume-after" => options.resume_after_ms = number(&name, &value()?)?,
            "--timeout" => options.timeout = Duration::from_secs(number(&name, &value()?)?),
            "--server-bin" => options.server_bin = value()?.into(),
            "--receiver-bin" => options.receiver_bin = value()?.into(),
            "--keep-dir" => options.keep_dir = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            n if !n.starts_with('-') => options.requests = number("N", n)?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.requests == 0 || options.concurrency == 0 {
        return Err("N and --concurrency must be at least 1".to_owned());
    }
    Ok(Parsed::Run(options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(args: &[&str]) -> Result<Options, String> {
        match parse(args.iter().map(|a| a.to_string()), Path::new("/bin"))? {
            Parsed::Run(options) => Ok(options),
            Parsed::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults_and_flags() {
        let d = run(&[]).unwrap();
        assert_eq!(
            (d.requests, d.concurrency, d.resume_after_ms),
            (10_000, 32, 0)
        );
        assert_eq!(d.server_bin, Path::new("/bin/server"));
        let o = run(&[
            "200",
            "--concurrency=8",
            "--resume-after",
            "50",
            "--keep-dir",
        ])
        .unwrap();
        assert_eq!((o.requests, o.concurrency, o.resume_after_ms), (200, 8, 50));
        assert!(o.keep_dir);
    }

    #[test]
    fn bad_input_is_an_error() {
        for args in [&["ten"][..], &["0"], &["--concurrency"], &["--fast"]] {
            assert!(run(args).is_err(), "{args:?}");
        }
        assert_eq!(run(&["--help"]), Err("help".to_owned()));
    }
}

//! Latch and the sample receiver as child processes: free loopback ports, start-up with a clean
//! environment and a log file each, readiness, and a kill that is a crash.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::store::demo::{DEMO_APP_ID, DEMO_APP_SECRET};

/// A loopback address with a port that was free a moment ago.
pub fn free_addr() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// A child that is killed when dropped, so an early error (or a failed test) leaves nothing
/// running.
pub struct Process {
    pub name: &'static str,
    pub log: PathBuf,
    child: Child,
}

impl Process {
    /// Starts `bin` in `dir` with `args` and `env`, its output in `dir/<name>.log`. Settings
    /// of the caller's environment that either program reads are removed first.
    pub fn start(
        name: &'static str,
        bin: &Path,
        dir: &Path,
        args: &[String],
        env: &[(&str, String)],
    ) -> Result<Process, String> {
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| format!("{name} log: {e}"))?;
        let mut command = Command::new(bin);
        for (key, _) in std::env::vars() {
            if ["LATCH_", "LEPTOS_", "RECEIVER_"]
                .iter()
                .any(|p| key.starts_with(p))
            {
                command.env_remove(key);
            }
        }
        let child = command
            .current_dir(dir)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        Ok(Process { name, log, child })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error if the process has ended.
    pub fn check_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); see {}",
                self.name,
                self.log.display()
            )),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// Waits until `url` answers 200, or fails after `within`.
    pub async fn wait_ready(
        &mut self,
        client: &reqwest::Client,
        url: &str,
        within: Duration,
    ) -> Result<(), String> {
        let start = Instant::now();
        loop {
            self.check_running()?;
            if let Ok(r) = client.get(url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if start.elapsed() > within {
                return Err(format!(
                    "{} did not answer {url} within {within:?}; see {}",
                    self.name,
                    self.log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the process as a crash would: SIGKILL on Unix, so nothing is flushed, no
    /// transaction finished and no shutdown code run. Returns once it is gone.
    pub fn kill(&mut self) -> Result<(), String> {
        self.child
            .kill()
            .and_then(|()| self.child.wait().map(drop))
            .map_err(|e| format!("cannot kill {}: {e}", self.name))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Latch serving on `addr` from the database at `db_url`, with callouts allowed to loopback
/// and `env` besides; returns once it answers. `name` names its log (`<name>.log` in `dir`).
pub async fn start_server(
    name: &'static str,
    bin: &Path,
    dir: &Path,
    addr: SocketAddr,
    db_url: &str,
    env: &[(&str, String)],
    client: &reqwest::Client,
) -> Result<Process, String> {
    let mut all = vec![
        ("LATCH_DATABASE_URL", db_url.to_owned()),
        ("LEPTOS_SITE_ADDR", addr.to_string()),
        ("LATCH_CALLOUT_ALLOW_HOSTS", "127.0.0.1".to_owned()),
    ];
    all.extend(env.iter().cloned());
    let mut server = Process::start(name, bin, dir, &[], &all)?;
    let ready = format!("http://{addr}/.well-known/openid-configuration");
    server
        .wait_ready(client, &ready, Duration::from_secs(60))
        .await?;
    Ok(server)
}

/// How the sample receiver is started.
pub struct ReceiverOptions<'a> {
    /// Latch's base URL, for its keys, its token and the resume API.
    pub latch: &'a str,
    /// To verify each callout's signature with.
    pub signing_secret: &'a str,
    /// Each launch-and-wait callout is resumed this long after it arrives, as the demo app
    /// (an assignment manager of the demo catalogs); `None`: the receiver only records the
    /// callouts (launch and continue, which nothing resumes).
    pub resume_after_ms: Option<u64>,
    /// How many callouts it remembers.
    pub keep: usize,
}

/// The sample receiver on `addr`; returns once it answers.
pub async fn start_receiver(
    bin: &Path,
    dir: &Path,
    addr: SocketAddr,
    o: &ReceiverOptions<'_>,
    client: &reqwest::Client,
) -> Result<Process, String> {
    let mut args = vec![
        "--listen".to_owned(),
        addr.to_string(),
        "--latch".to_owned(),
        o.latch.to_owned(),
        "--secret".to_owned(),
        o.signing_secret.to_owned(),
        "--keep".to_owned(),
        o.keep.to_string(),
    ];
    if let Some(after) = o.resume_after_ms {
        args.extend(
            [
                "--resume-after",
                &after.to_string(),
                "--client-id",
                DEMO_APP_ID,
                "--client-secret",
                DEMO_APP_SECRET,
            ]
            .map(str::to_owned),
        );
    }
    let mut receiver = Process::start("receiver", bin, dir, &args, &[])?;
    let ready = format!("http://{addr}{}", crate::rig::callouts::PATH);
    receiver
        .wait_ready(client, &ready, Duration::from_secs(30))
        .await?;
    Ok(receiver)
}

//! A benchmark's working directory: fresh under the system's temporary one, removed when the
//! run ends unless it is to be kept (or the run failed, to look into).

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs `run` in a new directory `latch-bench-<name>-<time>-<pid>`; the exit code, an error
/// printed as `bench_<name>: <error>`.
pub async fn in_workdir<F, Fut>(name: &str, keep: bool, run: F) -> ExitCode
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let dir =
        std::env::temp_dir().join(format!("latch-bench-{name}-{stamp}-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("bench_{name}: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let result = run(dir.clone()).await;
    if keep || result.is_err() {
        eprintln!("bench: database kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

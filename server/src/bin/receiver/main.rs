//! A sample workflow receiver: the other end of Latch's callouts, for people who want to watch
//! them arrive and for end-to-end tests that need "the outside world". It checks each callout's
//! Standard Webhooks signature, timestamp and `Authorization` token (PoP or Bearer, against the
//! keys Latch publishes), logs and records what it found, and answers 202 with an
//! `x-ms-workflow-run-id`, as a Logic App does. With `--resume-after` it also plays a
//! launch-and-wait workflow and resumes each waiting request itself (see `resume`).
//!
//! ```text
//! cargo run -p server --features ssr --bin receiver -- --listen 127.0.0.1:7071 \
//!     --latch http://127.0.0.1:3000 --secret whsec_...
//! ```

mod callouts;
mod latch_api;
mod options;
mod page;
mod resume;
mod routes;
mod verify;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::process::ExitCode;

use app::clock::Clock;
use tracing_subscriber::EnvFilter;

use crate::options::{Parsed, USAGE};
use crate::resume::RETRY_BACKOFF;
use crate::routes::{router, Receiver};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let env: HashMap<String, String> = std::env::vars().collect();
    let options = match options::parse(std::env::args().skip(1), &env) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("receiver: {e}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let receiver = match Receiver::new(&options, Clock::system(), &RETRY_BACKOFF) {
        Ok(receiver) => receiver,
        Err(e) => {
            eprintln!("receiver: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("receiver: cannot listen on {}: {e}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    let secrets = options.secrets.len();
    tracing::info!(
        "receiving callouts on http://{} (Latch at {}, {secrets} signing secret(s), keeping \
         the last {}); recorded callouts at / and /_receiver/callouts",
        options.listen,
        options.latch,
        options.keep
    );
    if let Some(resume) = &options.resume {
        tracing::info!(
            "auto-resume on: {} ms after each launch-and-wait callout, as app {}; deny word: {}; \
             hold word: {}",
            resume.delay.as_millis(),
            resume.client_id,
            resume.deny_word.as_deref().unwrap_or("-"),
            resume.hold_word.as_deref().unwrap_or("-")
        );
        if secrets == 0 {
            tracing::warn!(
                "no signing secret: signatures cannot be checked, so a callout is resumed on its \
                 token alone (add secrets with --secret or POST /_receiver/secrets)"
            );
        }
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router(receiver))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("receiver: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

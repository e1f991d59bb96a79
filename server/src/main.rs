use app::clock::Clock;
use app::state::AppState;
use app::store;
use leptos::prelude::get_configuration;
use server::cli::{self, Command};
use server::config::Config;
use std::collections::HashMap;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than glibc's malloc, which keeps freed memory in per-thread arenas: the
/// server's peak under the same load varied between 70 and 150 MiB with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_t` (libmimalloc-sys names no constant
/// for it). By default mimalloc hands freed pages back to the OS a second later; under a
/// steady load that second's worth of garbage stays resident: the 10,000-lifecycle benchmark
/// peaked at 97 MiB with the delay and 71 MiB without, at the same throughput.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[allow(unsafe_code)]
fn purge_freed_memory_at_once() {
    // SAFETY: sets one integer option by its number; mimalloc reads options from any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

#[tokio::main]
async fn main() -> ExitCode {
    purge_freed_memory_at_once();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(problem) => {
            eprintln!("latch: {problem}\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    if command == Command::Help {
        println!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    if command == Command::SecretsGenerateKey {
        let code = cli::generate_key(&mut std::io::stdout(), &mut std::io::stderr());
        return ExitCode::from(code);
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    if let Command::DbCopy { from, to } = &command {
        let code = cli::db_copy(from, to, &mut std::io::stdout(), &mut std::io::stderr()).await;
        return ExitCode::from(code);
    }

    let env: HashMap<String, String> = std::env::vars().collect();
    let file = std::fs::read_to_string("latch.toml").ok();
    let (config, unknown) = match Config::load(file.as_deref(), &env) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("latch: invalid configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    for name in unknown {
        tracing::warn!("unknown setting {name} is ignored (see the README for the names)");
    }

    let db = match store::connect(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            let url = store::redacted_url(&config.database_url);
            eprintln!("latch: cannot open or migrate {url}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Other instances starting at this moment wait here until this one has what every
    // instance shares (sealed secrets, demo data, the signing key).
    let startup = match store::locks::StartupLock::take(&db).await {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("latch: cannot take the start-up lock: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Before anything reads a secret: a missing or wrong key stops here, naming the setting.
    let sealer = match server::secrets::unlock(&db, config.secret_key.as_ref()).await {
        Ok(sealer) => sealer,
        Err(problem) => {
            eprintln!("latch: {problem}");
            return ExitCode::FAILURE;
        }
    };
    if command != Command::Serve {
        startup.release().await;
        let clock = Clock::system();
        let keys = match store::keys::load_or_create(&db, &sealer, clock.now()).await {
            Ok(keys) => keys,
            Err(e) => {
                eprintln!("latch: cannot load or create the signing key: {e}");
                return ExitCode::FAILURE;
            }
        };
        let state = AppState::new(db, config.settings(), clock, keys).with_sealer(sealer);
        let code = cli::run(
            &state,
            command,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
            &mut std::io::stderr(),
        )
        .await;
        state.writer.close().await;
        state.db.close().await;
        return ExitCode::from(code);
    }
    let mut leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(e) => {
            eprintln!("latch: leptos configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    leptos_options.site_addr = config.site_addr;
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
    {
        server::static_files::detect_hashed_files(
            &mut leptos_options,
            std::env::var("LEPTOS_HASH_FILES").ok().as_deref(),
            &exe_dir,
        );
    }
    if config.test_clock {
        tracing::warn!("LATCH_TEST_CLOCK is on: for tests and demos only");
    }
    let clock = Clock::system();
    if config.demo {
        match app::directory::demo::load_if_empty_sealed(&db, &sealer, clock.now()).await {
            Ok(true) => tracing::info!("loaded the demo data"),
            Ok(false) => tracing::info!("the database is not empty: demo data not loaded"),
            Err(e) => {
                eprintln!("latch: loading the demo data failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    {
        let db = db.clone();
        tokio::spawn(async move {
            if let Ok(accounts) = app::directory::demo::accounts_with_demo_password(&db).await {
                if !accounts.is_empty() {
                    tracing::warn!(
                        "demo accounts still use the published demo password, for demos only: {}",
                        accounts.join(", ")
                    );
                }
            }
        });
    }

    let keys = match store::keys::load_or_create(&db, &sealer, clock.now()).await {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("latch: cannot load or create the signing key: {e}");
            return ExitCode::FAILURE;
        }
    };
    startup.release().await;
    let state = AppState::new(db, config.settings(), clock, keys).with_sealer(sealer);
    let shutdown = CancellationToken::new();
    let worker = config.worker.then(|| {
        let state = state.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move { app::engine::worker::run(state, stop.cancelled_owned()).await })
    });
    let app = server::router(state, leptos_options);
    let listener = match tokio::net::TcpListener::bind(config.site_addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("latch: cannot listen on {}: {e}", config.site_addr);
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("Latch listening on http://{}", config.site_addr);
    let stop = shutdown.clone();
    // The peer's address reaches the throttling of credential checks.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // A page is written in several pieces as it renders; with Nagle's algorithm on, the last
    // small piece waits for the browser's delayed acknowledgement, 40 ms on Linux, on every
    // page (scripts/bench-lists.sh measured it; docs/decisions.md, Lists at scale).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {e}");
        }
    });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            signal().await;
            stop.cancel();
        })
        .await;
    // The worker finishes the jobs in hand; what it had not claimed stays queued for next time.
    shutdown.cancel();
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    if let Err(e) = served {
        eprintln!("latch: server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

//! The workflow endpoint the callouts reach: a real HTTP server on a loopback port, inside the
//! bench process, that notes when each POST arrived (after its body was read) and answers 202.
//! It checks no signature or token: the sample receiver does, but it needs Latch's discovery
//! document and JWKS served over HTTP, and its timestamps would be another process's clock.
//! Here arrival times are `Instant`s on the same clock as the bench's T.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Router;
use tokio::sync::Notify;

/// One callout as it arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: Instant,
    /// `webhook-id`: the callout instance.
    pub instance: String,
    /// The body's `Stage`.
    pub stage: String,
}

#[derive(Clone, Default)]
struct Shared {
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    arrived: Arc<Notify>,
}

pub struct Listener {
    pub url: String,
    shared: Shared,
}

impl Listener {
    pub async fn start() -> Result<Listener, String> {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("listener: {e}"))?;
        let address = socket.local_addr().map_err(|e| format!("listener: {e}"))?;
        let shared = Shared::default();
        let router = Router::new().fallback(record).with_state(shared.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(socket, router).await {
                eprintln!("bench: listener stopped: {e}");
            }
        });
        Ok(Listener {
            url: format!("http://{address}"),
            shared,
        })
    }

    /// Everything that arrived, and forgets it.
    pub fn take(&self) -> Vec<Arrival> {
        std::mem::take(&mut *self.lock())
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Waits until `n` callouts have arrived or `timeout` passed; whether they did.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.count() >= n {
                return true;
            }
            let arrived = self.shared.arrived.notified();
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.count() >= n;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arrival>> {
        self.shared
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

async fn record(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1]) {
    let at = Instant::now();
    let instance = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let stage = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|b| b["Stage"].as_str().map(str::to_owned))
        .unwrap_or_default();
    shared
        .arrivals
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Arrival {
            at,
            instance,
            stage,
        });
    // A stored permit if nobody waits yet, so no arrival is missed.
    shared.arrived.notify_one();
    (
        StatusCode::ACCEPTED,
        [("x-ms-workflow-run-id", "bench-expiry")],
    )
}

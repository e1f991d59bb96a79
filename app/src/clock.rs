//! The one clock. Every rule that depends on time takes `now` from here, so tests (and the
//! opt-in test clock) move time instead of waiting for it.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Clone, Default)]
pub struct Clock {
    /// Milliseconds added to the wall clock; only ever non-zero on a test clock.
    offset_ms: Arc<AtomicI64>,
    fixed: Option<DateTime<Utc>>,
    /// Wakes `sleep`ers when the clock is advanced.
    advanced: Arc<Notify>,
    /// When each current `sleep`er wakes.
    wakes: Arc<Mutex<Vec<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `at` (plus whatever it is advanced by): for tests.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(at),
            ..Self::default()
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let base = self.fixed.unwrap_or_else(Utc::now);
        base + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
        self.advanced.notify_waiters();
        self.now()
    }

    /// Waits until this clock shows `now() + by`: on the wall clock that is a timer, on a
    /// fixed clock it is the test advancing it (so tests hold nothing up and sleep for nothing).
    pub async fn sleep(&self, by: Duration) {
        let deadline = self.now() + by;
        let _listed = Sleeper::new(&self.wakes, deadline);
        loop {
            let advanced = self.advanced.notified();
            tokio::pin!(advanced);
            advanced.as_mut().enable();
            let left = deadline - self.now();
            if left <= Duration::zero() {
                break;
            }
            if self.fixed.is_some() {
                advanced.await;
            } else {
                let timer = tokio::time::sleep(left.to_std().unwrap_or_default());
                tokio::select! {
                    _ = timer => {}
                    _ = advanced => {}
                }
            }
        }
    }

    /// When the first task waiting in `sleep` wakes: tests move a fixed clock exactly there.
    pub fn next_wake(&self) -> Option<DateTime<Utc>> {
        self.wakes.lock().ok()?.iter().min().copied()
    }
}

/// Lists a sleeper's wake time for as long as it waits, including one dropped halfway (a
/// caller that hung up).
struct Sleeper<'a> {
    wakes: &'a Mutex<Vec<DateTime<Utc>>>,
    at: DateTime<Utc>,
}

impl<'a> Sleeper<'a> {
    fn new(wakes: &'a Mutex<Vec<DateTime<Utc>>>, at: DateTime<Utc>) -> Self {
        if let Ok(mut list) = wakes.lock() {
            list.push(at);
        }
        Sleeper { wakes, at }
    }
}

impl Drop for Sleeper<'_> {
    fn drop(&mut self) {
        if let Ok(mut list) = self.wakes.lock() {
            if let Some(i) = list.iter().position(|w| *w == self.at) {
                list.swap_remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::fixed(start);
        assert_eq!(clock.now(), start);
        let later = clock.advance(Duration::days(16));
        assert_eq!(later, start + Duration::days(16));
        assert_eq!(clock.clone().now(), later, "clones share the offset");
    }

    #[tokio::test]
    async fn a_fixed_clock_sleeps_until_it_is_advanced_far_enough() {
        let start = Utc::now();
        let clock = Clock::fixed(start);
        let sleeping = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::seconds(4)).await }
        });
        while clock.next_wake().is_none() {
            tokio::task::yield_now().await;
        }
        assert_eq!(clock.next_wake(), Some(start + Duration::seconds(4)));
        clock.advance(Duration::seconds(3));
        tokio::task::yield_now().await;
        assert!(!sleeping.is_finished(), "three seconds of four");
        assert!(clock.next_wake().is_some());
        clock.advance(Duration::seconds(1));
        sleeping.await.unwrap();
        assert_eq!(clock.next_wake(), None);
    }
}

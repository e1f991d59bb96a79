//! The one clock. Every rule that depends on time takes `now` from here, so tests (and the
//! opt-in test clock) move time instead of waiting for it.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Clock {
    /// Milliseconds added to the wall clock; only ever non-zero on a test clock.
    offset_ms: Arc<AtomicI64>,
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `at` (plus whatever it is advanced by): for tests.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            offset_ms: Arc::default(),
            fixed: Some(at),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let base = self.fixed.unwrap_or_else(Utc::now);
        base + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
        self.now()
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
}

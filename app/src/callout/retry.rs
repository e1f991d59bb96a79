//! When a failed callout is tried again, and which failures are worth it.
//!
//! Attempts are numbered from 1 (the first try). The randomness of the jitter and the clock are
//! passed in, so every function here is deterministic.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Delays after attempts 1, 2, 3, …: about 5 s, 30 s, 2 min, 10 min and 1 h.
pub const SCHEDULE_SECS: [i64; 5] = [5, 30, 2 * 60, 10 * 60, 60 * 60];
/// A delay varies by up to this fraction either way, so receivers that fail together are not
/// retried together.
pub const JITTER_FRACTION: f64 = 0.2;
/// A `Retry-After` may stretch a delay to at most this many times the scheduled one.
pub const RETRY_AFTER_MAX_FACTOR: i32 = 2;

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// A failure that may pass: try again if a retry is left.
    Retry,
    /// The endpoint refused the callout; trying again would get the same answer.
    Fail,
}

/// The delay after attempt `attempt` failed (1 is the first try), moved by `jitter` × 20 %;
/// `jitter` is in [-1, 1] (clamped, and NaN counts as 0). None when the schedule is used up.
pub fn retry_delay(attempt: u32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
    let base_ms = SCHEDULE_SECS.get(index)? * 1000;
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(-1.0, 1.0)
    };
    let ms = (base_ms as f64 * (1.0 + JITTER_FRACTION * jitter)).round() as i64;
    Some(Duration::milliseconds(ms))
}

/// When to try again after attempt `attempt` failed, or None when no retry is left:
/// `maximumRetries` allows `max_retries + 1` attempts in all.
///
/// A `Retry-After` is honoured as a minimum wait, clamped to between the scheduled delay and
/// [`RETRY_AFTER_MAX_FACTOR`] times it; a shorter one keeps the scheduled delay. With a wait
/// deadline, an attempt at or after it is pointless (the stage has timed out by then), so that
/// gives None too, even when only the `Retry-After` pushed it there.
pub fn next_attempt_at(
    now: DateTime<Utc>,
    attempt: u32,
    max_retries: u32,
    jitter: f64,
    retry_after: Option<Duration>,
    wait_deadline: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    if attempt > max_retries {
        return None;
    }
    let scheduled = retry_delay(attempt, jitter)?;
    let delay = match retry_after {
        Some(asked) => asked.clamp(scheduled, scheduled * RETRY_AFTER_MAX_FACTOR),
        None => scheduled,
    };
    let at = now.checked_add_signed(delay)?;
    match wait_deadline {
        Some(deadline) if at >= deadline => None,
        _ => Some(at),
    }
}

/// Sorts an attempt's result. `status` is None for a time-out or a connection error;
/// `redirected` is true when the endpoint answered with a redirect, which Latch does not follow.
pub fn classify(status: Option<u16>, redirected: bool) -> Outcome {
    if redirected {
        return Outcome::Fail;
    }
    match status {
        None => Outcome::Retry,
        Some(200..=299) => Outcome::Success,
        Some(408 | 425 | 429 | 500..=599) => Outcome::Retry,
        // 3xx (not followed), other 4xx, and codes no server should send.
        Some(_) => Outcome::Fail,
    }
}

/// A `Retry-After` header: delay-seconds or an HTTP date (IMF-fixdate, or the obsolete RFC 850
/// and asctime forms that RFC 9110 still asks recipients to read). A date in the past means no
/// wait. None when the value is neither.
pub fn parse_retry_after(header: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = header.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<i64>().ok()?;
        return Duration::try_seconds(seconds);
    }
    let at = parse_http_date(value)?;
    Some((at - now).max(Duration::zero()))
}

fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc2822(value) {
        return Some(at.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .into_iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    fn secs(s: i64) -> Duration {
        Duration::seconds(s)
    }

    #[test]
    fn schedule_without_jitter() {
        let delays: Vec<_> = (1..=6).map(|attempt| retry_delay(attempt, 0.0)).collect();
        assert_eq!(
            delays,
            [
                Some(secs(5)),
                Some(secs(30)),
                Some(secs(120)),
                Some(secs(600)),
                Some(secs(3600)),
                None
            ]
        );
        assert_eq!(retry_delay(0, 0.0), None);
        assert_eq!(retry_delay(u32::MAX, 0.0), None);
    }

    #[test]
    fn jitter_moves_the_delay_by_up_to_twenty_percent() {
        assert_eq!(retry_delay(1, 1.0), Some(Duration::milliseconds(6000)));
        assert_eq!(retry_delay(1, -1.0), Some(Duration::milliseconds(4000)));
        assert_eq!(retry_delay(2, 0.5), Some(secs(33)));
        assert_eq!(retry_delay(5, -0.25), Some(secs(3420)));
        // Out-of-range jitter is clamped; NaN is none.
        assert_eq!(retry_delay(3, 7.0), Some(secs(144)));
        assert_eq!(retry_delay(3, f64::NEG_INFINITY), Some(secs(96)));
        assert_eq!(retry_delay(3, f64::NAN), Some(secs(120)));
    }

    #[test]
    fn next_attempt_counts_retries() {
        // maximumRetries = 3 allows attempts 1 to 4.
        for attempt in 1..=3 {
            let expected = now() + retry_delay(attempt, 0.0).unwrap();
            assert_eq!(
                next_attempt_at(now(), attempt, 3, 0.0, None, None),
                Some(expected)
            );
        }
        assert_eq!(next_attempt_at(now(), 4, 3, 0.0, None, None), None);
        assert_eq!(next_attempt_at(now(), 1, 0, 0.0, None, None), None);
        // The schedule has five delays, so even a larger maximum stops after the sixth attempt.
        assert_eq!(
            next_attempt_at(now(), 5, 9, 0.0, None, None),
            Some(now() + secs(3600))
        );
        assert_eq!(next_attempt_at(now(), 6, 9, 0.0, None, None), None);
    }

    #[test]
    fn retry_after_is_clamped_to_between_one_and_two_schedules() {
        let at =
            |retry_after, jitter| next_attempt_at(now(), 2, 5, jitter, Some(retry_after), None);
        assert_eq!(at(secs(45), 0.0), Some(now() + secs(45)));
        assert_eq!(at(secs(3600), 0.0), Some(now() + secs(60)));
        assert_eq!(at(secs(1), 0.0), Some(now() + secs(30)));
        assert_eq!(at(Duration::zero(), 0.0), Some(now() + secs(30)));
        // The bounds follow the jittered delay.
        assert_eq!(at(secs(3600), 1.0), Some(now() + secs(72)));
        assert_eq!(at(secs(1), -1.0), Some(now() + secs(24)));
    }

    #[test]
    fn never_at_or_past_the_wait_deadline() {
        let deadline = now() + secs(50);
        let at = |attempt, retry_after| {
            next_attempt_at(now(), attempt, 5, 0.0, retry_after, Some(deadline))
        };
        assert_eq!(at(1, None), Some(now() + secs(5)));
        assert_eq!(at(2, None), Some(now() + secs(30)));
        assert_eq!(at(2, Some(secs(45))), Some(now() + secs(45)));
        // 2 min is after the deadline.
        assert_eq!(at(3, None), None);
        // Honouring Retry-After would reach or pass the deadline.
        assert_eq!(at(2, Some(secs(50))), None);
        assert_eq!(at(2, Some(secs(55))), None);
        assert_eq!(
            next_attempt_at(now(), 1, 5, 0.0, None, Some(now() + secs(5))),
            None
        );
        assert_eq!(
            next_attempt_at(now(), 1, 5, 0.0, None, Some(now() - secs(1))),
            None
        );
    }

    #[test]
    fn classifies_statuses() {
        use Outcome::*;
        let table = [
            (Some(200), Success),
            (Some(202), Success),
            (Some(204), Success),
            (Some(299), Success),
            (Some(100), Fail),
            (Some(301), Fail),
            (Some(302), Fail),
            (Some(304), Fail),
            (Some(307), Fail),
            (Some(400), Fail),
            (Some(401), Fail),
            (Some(403), Fail),
            (Some(404), Fail),
            (Some(408), Retry),
            (Some(409), Fail),
            (Some(413), Fail),
            (Some(425), Retry),
            (Some(429), Retry),
            (Some(500), Retry),
            (Some(502), Retry),
            (Some(503), Retry),
            (Some(599), Retry),
            (Some(600), Fail),
            (None, Retry),
        ];
        for (status, outcome) in table {
            assert_eq!(classify(status, false), outcome, "{status:?}");
        }
        assert_eq!(classify(Some(302), true), Fail);
        assert_eq!(classify(Some(200), true), Fail);
        assert_eq!(classify(None, true), Fail);
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("120", now()), Some(secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::zero()));
        assert_eq!(parse_retry_after("-5", now()), None);
        assert_eq!(parse_retry_after("1.5", now()), None);
        assert_eq!(parse_retry_after("", now()), None);
        assert_eq!(parse_retry_after("soon", now()), None);
        assert_eq!(parse_retry_after("99999999999999999999", now()), None);
    }

    #[test]
    fn retry_after_dates() {
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 12:01:30 GMT", now()),
            Some(secs(90))
        );
        assert_eq!(
            parse_retry_after("Thursday, 01-Jan-26 12:00:10 GMT", now()),
            Some(secs(10))
        );
        assert_eq!(
            parse_retry_after("Thu Jan  1 12:02:00 2026", now()),
            Some(secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:00:00 GMT", now()),
            Some(Duration::zero())
        );
        assert_eq!(
            parse_retry_after("Thu, 32 Jan 2026 12:00:00 GMT", now()),
            None
        );
    }
}

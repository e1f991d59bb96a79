//! Brute-force throttling of credential checks (password sign-in, the token endpoint, SCIM
//! secret tokens). Each attempt is counted as a failure *before* the credentials are checked
//! and forgiven after they prove right: a burst of parallel guesses then meets the lockout as
//! surely as a serial one, and a locked subject is refused without its credentials being
//! checked, so a refusal says nothing about whether they were right or the account exists.

use chrono::{DateTime, Duration, Utc};

/// How many failures a subject (an account, a client, an address) may make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleLimits {
    /// Failures answered at once.
    pub free_failures: u32,
    /// Failures answered after a growing delay; the attempt after the last of them locks.
    pub max_failures: u32,
    /// The delay of the first failure past the free ones; it doubles with each further one.
    pub first_delay: Duration,
    /// How long a lockout lasts, and how long a quiet subject takes to be forgotten.
    pub lockout: Duration,
}

/// The longest a failure is held: beyond this a client gives up rather than waits.
pub const MAX_DELAY: Duration = Duration::seconds(30);

impl ThrottleLimits {
    /// People at one account.
    pub const ACCOUNT: ThrottleLimits = ThrottleLimits {
        free_failures: 5,
        max_failures: 10,
        first_delay: Duration::seconds(1),
        lockout: Duration::minutes(15),
    };

    /// One network address: an office behind one address has many people making typos.
    pub const ADDRESS: ThrottleLimits = ThrottleLimits {
        free_failures: 20,
        max_failures: 50,
        first_delay: Duration::seconds(1),
        lockout: Duration::minutes(15),
    };
}

/// What is remembered of one subject's recent failures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tally {
    /// Consecutive failures, this attempt included while it is being checked.
    pub failures: u32,
    pub last_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// What to do with an attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Check the credentials now.
    Go,
    /// Check them after this delay.
    Hold(Duration),
    /// Refuse without checking. `newly` is true for the attempt that caused the lockout.
    Locked { until: DateTime<Utc>, newly: bool },
}

/// Counts an attempt: the tally to store and what to do with the attempt.
pub fn count_attempt(
    previous: Option<Tally>,
    now: DateTime<Utc>,
    limits: &ThrottleLimits,
) -> (Tally, Verdict) {
    if let Some(until) = previous.and_then(|t| t.locked_until).filter(|u| *u > now) {
        // A locked subject's attempts are not counted: the lockout ends when it said it would.
        let tally = previous.expect("a lockout comes from a tally");
        return (
            tally,
            Verdict::Locked {
                until,
                newly: false,
            },
        );
    }
    let carried = match previous {
        // A lockout that ended, or a long quiet, starts the count afresh.
        Some(t) if t.locked_until.is_none() && now - t.last_at < limits.lockout => t.failures,
        _ => 0,
    };
    let failures = carried.saturating_add(1);
    let mut tally = Tally {
        failures,
        last_at: now,
        locked_until: None,
    };
    if failures > limits.max_failures {
        let until = now + limits.lockout;
        tally.locked_until = Some(until);
        return (tally, Verdict::Locked { until, newly: true });
    }
    if failures > limits.free_failures {
        return (
            tally,
            Verdict::Hold(delay(failures - limits.free_failures, limits)),
        );
    }
    (tally, Verdict::Go)
}

/// The delay of the `nth` failure past the free ones (1-based): doubling, capped.
fn delay(nth: u32, limits: &ThrottleLimits) -> Duration {
    let factor = 1_i32.checked_shl(nth - 1).unwrap_or(i32::MAX);
    let millis = limits
        .first_delay
        .num_milliseconds()
        .saturating_mul(factor as i64);
    Duration::milliseconds(millis).min(MAX_DELAY)
}

/// The strictest of several verdicts (an attempt is counted against each of its subjects).
pub fn strictest(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts
        .into_iter()
        .fold(Verdict::Go, |worst, next| match (worst, next) {
            (Verdict::Locked { until: a, newly: n }, Verdict::Locked { until: b, newly: m }) => {
                Verdict::Locked {
                    until: a.max(b),
                    newly: n || m,
                }
            }
            (locked @ Verdict::Locked { .. }, _) | (_, locked @ Verdict::Locked { .. }) => locked,
            (Verdict::Hold(a), Verdict::Hold(b)) => Verdict::Hold(a.max(b)),
            (hold @ Verdict::Hold(_), Verdict::Go) | (Verdict::Go, hold @ Verdict::Hold(_)) => hold,
            (Verdict::Go, Verdict::Go) => Verdict::Go,
        })
}

/// Whole seconds until `until`, at least one: the `Retry-After` value.
pub fn retry_after_seconds(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let millis = (until - now).num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

/// "15 minutes", "1 second": how long to wait, as the refusal says it.
pub fn wait_words(seconds: u64) -> String {
    let (n, unit) = if seconds >= 120 {
        (seconds.div_ceil(60), "minute")
    } else {
        (seconds, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The verdicts of `n` attempts one second apart.
    fn run(n: usize, limits: &ThrottleLimits) -> Vec<Verdict> {
        let mut tally = None;
        (0..n)
            .map(|i| {
                let (next, verdict) =
                    count_attempt(tally, t0() + Duration::seconds(i as i64), limits);
                tally = Some(next);
                verdict
            })
            .collect()
    }

    #[test]
    fn five_free_failures_then_doubling_delays_then_a_lockout() {
        let verdicts = run(12, &ThrottleLimits::ACCOUNT);
        assert!(verdicts[..5].iter().all(|v| *v == Verdict::Go));
        let holds: Vec<i64> = verdicts[5..10]
            .iter()
            .map(|v| match v {
                Verdict::Hold(d) => d.num_seconds(),
                other => panic!("expected a hold, got {other:?}"),
            })
            .collect();
        assert_eq!(holds, [1, 2, 4, 8, 16]);
        assert_eq!(
            verdicts[10],
            Verdict::Locked {
                until: t0() + Duration::seconds(10) + Duration::minutes(15),
                newly: true
            }
        );
        assert!(matches!(verdicts[11], Verdict::Locked { newly: false, .. }));
    }

    #[test]
    fn a_lockout_ends_and_the_count_starts_again() {
        let limits = ThrottleLimits::ACCOUNT;
        let mut tally = None;
        let mut at = t0();
        for _ in 0..=limits.max_failures {
            tally = Some(count_attempt(tally, at, &limits).0);
            at += Duration::seconds(1);
        }
        let until = tally.unwrap().locked_until.unwrap();
        let (still, verdict) = count_attempt(tally, until - Duration::seconds(1), &limits);
        assert_eq!(
            still,
            tally.unwrap(),
            "attempts while locked are not counted"
        );
        assert!(matches!(verdict, Verdict::Locked { .. }));
        let (fresh, verdict) = count_attempt(tally, until, &limits);
        assert_eq!((fresh.failures, verdict), (1, Verdict::Go));
    }

    #[test]
    fn a_quiet_subject_is_forgotten() {
        let limits = ThrottleLimits::ACCOUNT;
        let tally = Tally {
            failures: 4,
            last_at: t0(),
            locked_until: None,
        };
        let (kept, _) = count_attempt(Some(tally), t0() + Duration::minutes(14), &limits);
        assert_eq!(kept.failures, 5);
        let (forgotten, _) = count_attempt(Some(tally), t0() + Duration::minutes(15), &limits);
        assert_eq!(forgotten.failures, 1);
    }

    #[test]
    fn delays_are_capped() {
        let limits = ThrottleLimits {
            max_failures: 100,
            ..ThrottleLimits::ACCOUNT
        };
        assert_eq!(delay(40, &limits), MAX_DELAY);
        assert_eq!(delay(95, &limits), MAX_DELAY);
    }

    #[test]
    fn the_strictest_verdict_wins() {
        let hold = |s| Verdict::Hold(Duration::seconds(s));
        let locked = |m, newly| Verdict::Locked {
            until: t0() + Duration::minutes(m),
            newly,
        };
        assert_eq!(strictest([Verdict::Go, Verdict::Go]), Verdict::Go);
        assert_eq!(strictest([hold(1), Verdict::Go, hold(4)]), hold(4));
        assert_eq!(strictest([hold(4), locked(5, false)]), locked(5, false));
        assert_eq!(
            strictest([locked(5, true), locked(9, false)]),
            locked(9, true)
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(
            retry_after_seconds(t0() + Duration::milliseconds(1500), t0()),
            2
        );
        assert_eq!(retry_after_seconds(t0(), t0()), 1);
        assert_eq!(retry_after_seconds(t0() + Duration::minutes(15), t0()), 900);
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_words(1), "1 second");
        assert_eq!(wait_words(30), "30 seconds");
        assert_eq!(wait_words(119), "119 seconds");
        assert_eq!(wait_words(120), "2 minutes");
        assert_eq!(wait_words(899), "15 minutes");
        assert_eq!(wait_words(900), "15 minutes");
    }
}

//! When an assignment's time runs out (domain.md: Pre-expiration, Timers and durability).
//!
//! The expiry scan reads each active assignment as an [`AssignmentExpiry`] (the columns
//! `start_at`, `expires_at`, `expired_at` and the two pre-expiry markers) and asks
//! [`due_steps`] what is due at `now`: the pre-expiry triggers ([`Trigger`]) that have not
//! fired yet, then the removal. [`next_due_at`] is the moment the scan next has work for the
//! assignment; the store keeps it in an indexed column, so a scan reads only due rows, most
//! urgent first. Nothing here reads a clock, so tests move time by hand.
//!
//! [`ExpiryRule`] is a policy's expiration (none, a number of days, an end date) read from its
//! stored columns or from the editor's [`Expiration`]; it gives the `expires_at` written at grant
//! and which triggers an assignment can ever get, for the editor's "no 14-day callout" warning.
//!
//! Decisions where the spec is silent, kept here so they are found with the code:
//! - A trigger whose moment is the grant itself fires (a 14-day assignment gets its 14-day
//!   callout at once, a 1-day assignment its 1-day callout): the assignment exists at that
//!   instant, and the policy editor already counts 14 days as long enough
//!   ([`super::policy_rules::PolicyDraft::fourteen_day_warning`]). A moment even a second before
//!   the grant never fires.
//! - Once the expiration itself is due, only the removal is: a "1 day before expiry" callout
//!   that arrives after the access is gone would tell the workflow something false. Markers of
//!   triggers skipped this way stay empty; the ended assignment leaves the scan anyway.
//! - Before the expiration a late trigger still fires, even when the 1-day moment has passed
//!   too: the access still exists, and the callout carries the real expiration date. Both then
//!   fire in one scan, the 14-day one first.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::policy_rules::{Expiration, FOURTEEN_DAYS};
use super::stage::Stage;

/// One of the two pre-expiry moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trigger {
    FourteenDays,
    OneDay,
}

impl Trigger {
    /// In firing order: the earlier moment first.
    pub const ALL: [Trigger; 2] = [Trigger::FourteenDays, Trigger::OneDay];

    /// How long before the expiration the trigger fires.
    pub fn lead(self) -> Duration {
        match self {
            Trigger::FourteenDays => Duration::days(FOURTEEN_DAYS),
            Trigger::OneDay => Duration::days(1),
        }
    }

    pub fn stage(self) -> Stage {
        match self {
            Trigger::FourteenDays => Stage::AssignmentFourteenDaysBeforeExpiration,
            Trigger::OneDay => Stage::AssignmentOneDayBeforeExpiration,
        }
    }

    pub fn from_stage(stage: Stage) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.stage() == stage)
    }

    pub fn moment(self, expires_at: DateTime<Utc>) -> DateTime<Utc> {
        expires_at - self.lead()
    }
}

/// One thing the scan must do for an assignment, in the order [`due_steps`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStep {
    /// Fire the trigger's stage callout (if mapped) and set its marker.
    PreExpiry(Trigger),
    /// Remove the assignment (`systemRemove`), which fires the removed stage.
    Expire,
}

/// An assignment as the expiry scan sees it; the fields are its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssignmentExpiry {
    /// `start_at`: when it was granted.
    pub start_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// `expired_at`: set when the assignment ended, by expiry or by a removal.
    pub ended_at: Option<DateTime<Utc>>,
    /// `fourteen_days_fired_at`: the 14-day marker.
    pub fourteen_days_fired_at: Option<DateTime<Utc>>,
    /// `one_day_fired_at`: the 1-day marker.
    pub one_day_fired_at: Option<DateTime<Utc>>,
}

impl AssignmentExpiry {
    /// A new assignment, granted at `start_at`.
    pub fn granted(start_at: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> Self {
        AssignmentExpiry {
            start_at,
            expires_at,
            ended_at: None,
            fourteen_days_fired_at: None,
            one_day_fired_at: None,
        }
    }

    pub fn fired(&self, trigger: Trigger) -> bool {
        self.marker(trigger).is_some()
    }

    /// Whether the assignment existed when the trigger's moment came (or will come), ignoring
    /// the marker.
    pub fn gets(&self, trigger: Trigger) -> bool {
        self.expires_at
            .is_some_and(|end| trigger.moment(end) >= self.start_at)
    }

    /// The assignment after the scan carried out `steps` at `now`: markers set, and ended by
    /// an [`ExpiryStep::Expire`]. What the store writes back, and what the next scan reads.
    pub fn after(mut self, steps: &[ExpiryStep], now: DateTime<Utc>) -> AssignmentExpiry {
        for step in steps {
            match step {
                ExpiryStep::PreExpiry(Trigger::FourteenDays) => {
                    self.fourteen_days_fired_at = Some(now)
                }
                ExpiryStep::PreExpiry(Trigger::OneDay) => self.one_day_fired_at = Some(now),
                ExpiryStep::Expire => self.ended_at = Some(now),
            }
        }
        self
    }

    fn marker(&self, trigger: Trigger) -> Option<DateTime<Utc>> {
        match trigger {
            Trigger::FourteenDays => self.fourteen_days_fired_at,
            Trigger::OneDay => self.one_day_fired_at,
        }
    }

    /// Triggers still to fire, with their moments, earliest first.
    fn pending(&self) -> impl Iterator<Item = (Trigger, DateTime<Utc>)> + '_ {
        let end = self.expires_at.filter(|_| self.ended_at.is_none());
        Trigger::ALL.into_iter().filter_map(move |trigger| {
            let end = end?;
            (self.gets(trigger) && !self.fired(trigger)).then(|| (trigger, trigger.moment(end)))
        })
    }
}

/// What the scan must do for the assignment at `now`, in order; empty when nothing is due.
pub fn due_steps(assignment: &AssignmentExpiry, now: DateTime<Utc>) -> Vec<ExpiryStep> {
    let Some(end) = assignment.expires_at else {
        return Vec::new();
    };
    if assignment.ended_at.is_some() {
        return Vec::new();
    }
    if end <= now {
        return vec![ExpiryStep::Expire];
    }
    assignment
        .pending()
        .filter(|&(_, moment)| moment <= now)
        .map(|(trigger, _)| ExpiryStep::PreExpiry(trigger))
        .collect()
}

/// The earliest moment at which [`due_steps`] has something to do, or `None` when it never
/// will (no expiration, or already ended). It may lie in the past: an overdue assignment that
/// the scan has not reached yet. After the scan writes back [`AssignmentExpiry::after`], it is
/// in the future again or `None`.
pub fn next_due_at(assignment: &AssignmentExpiry) -> Option<DateTime<Utc>> {
    if assignment.ended_at.is_some() {
        return None;
    }
    // Every trigger's moment comes before the expiration, so the first pending one is the
    // earliest; without one, the removal is next.
    assignment
        .pending()
        .map(|(_, moment)| moment)
        .next()
        .or(assignment.expires_at)
}

/// The triggers an assignment lasting `lasts` can ever get, in firing order: those whose lead
/// fits into it (see the module's first decision for the boundary).
pub fn pre_expiry_triggers_possible(lasts: Duration) -> Vec<Trigger> {
    Trigger::ALL
        .into_iter()
        .filter(|t| t.lead() <= lasts)
        .collect()
}

/// A policy's expiration, in the form that computes an assignment's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryRule {
    Never,
    /// Each assignment ends this long after its grant (`afterDuration`).
    After(Duration),
    /// Every assignment ends at this moment (`afterDateTime`).
    At(DateTime<Utc>),
}

/// A policy whose stored expiration can't be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy expiration can't be read: {0}")]
pub struct UnreadableExpiration(String);

impl ExpiryRule {
    /// Reads the policy columns `expiration_type`, `expiration_duration` (`PnD`, the form
    /// [`super::policy_rules::iso_days`] writes) and `expiration_end` (already parsed by the
    /// store). An unreadable one is an error rather than "never", which would keep access open.
    pub fn from_stored(
        type_name: &str,
        duration: Option<&str>,
        end: Option<DateTime<Utc>>,
    ) -> Result<ExpiryRule, UnreadableExpiration> {
        match type_name {
            "noExpiration" => Ok(ExpiryRule::Never),
            "afterDuration" => duration
                .and_then(|text| {
                    text.strip_prefix('P')?
                        .strip_suffix('D')?
                        .parse::<u32>()
                        .ok()
                })
                .map(|days| ExpiryRule::After(Duration::days(i64::from(days))))
                .ok_or_else(|| {
                    UnreadableExpiration(format!("duration {duration:?} is not a number of days"))
                }),
            "afterDateTime" => end
                .map(ExpiryRule::At)
                .ok_or_else(|| UnreadableExpiration("an end date without its date".to_owned())),
            other => Err(UnreadableExpiration(format!("unknown type {other:?}"))),
        }
    }

    /// The `expires_at` of an assignment granted at `granted_at`. `None` also for an end
    /// beyond the calendar chrono can hold, which no assignment would live to see.
    pub fn expires_at(self, granted_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            ExpiryRule::Never => None,
            ExpiryRule::After(lasts) => granted_at.checked_add_signed(lasts),
            ExpiryRule::At(end) => Some(end),
        }
    }

    /// How long an assignment granted at `granted_at` lasts; negative when an end date has
    /// already passed.
    pub fn lasts(self, granted_at: DateTime<Utc>) -> Option<Duration> {
        match self {
            ExpiryRule::Never => None,
            ExpiryRule::After(lasts) => Some(lasts),
            ExpiryRule::At(end) => Some(end - granted_at),
        }
    }

    /// The triggers an assignment granted at `granted_at` can ever get; none without an
    /// expiration.
    pub fn triggers_possible(self, granted_at: DateTime<Utc>) -> Vec<Trigger> {
        self.lasts(granted_at)
            .map(pre_expiry_triggers_possible)
            .unwrap_or_default()
    }
}

/// The editor's expiration. An end date means the last second of that day (UTC), as
/// `services::policies` stores it.
impl From<Expiration> for ExpiryRule {
    fn from(expiration: Expiration) -> ExpiryRule {
        match expiration {
            Expiration::Never => ExpiryRule::Never,
            Expiration::AfterDays(days) => ExpiryRule::After(Duration::days(i64::from(days))),
            Expiration::OnDate(date) => {
                let last_second = NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time");
                ExpiryRule::At(date.and_time(last_second).and_utc())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use ExpiryStep::{Expire, PreExpiry};
    use Trigger::{FourteenDays, OneDay};

    fn granted() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
    }

    fn day(d: i64) -> DateTime<Utc> {
        granted() + Duration::days(d)
    }

    fn second() -> Duration {
        Duration::seconds(1)
    }

    /// Granted at [`granted`], lasting `lasts`, no trigger fired yet.
    fn lasting(lasts: Duration) -> AssignmentExpiry {
        AssignmentExpiry {
            start_at: granted(),
            expires_at: ExpiryRule::After(lasts).expires_at(granted()),
            ended_at: None,
            fourteen_days_fired_at: None,
            one_day_fired_at: None,
        }
    }

    fn thirty_days() -> AssignmentExpiry {
        lasting(Duration::days(30))
    }

    fn fired(a: AssignmentExpiry, triggers: &[Trigger]) -> AssignmentExpiry {
        let steps: Vec<_> = triggers.iter().map(|&t| PreExpiry(t)).collect();
        a.after(&steps, granted())
    }

    /// (what, triggers fired before, scanned at, steps due).
    type ScanCase<'a> = (&'a str, &'a [Trigger], DateTime<Utc>, &'a [ExpiryStep]);

    #[test]
    fn a_thirty_day_assignment_scanned_on_time() {
        // 14-day moment: day 16; 1-day moment: day 29; expiry: day 30.
        let cases: &[ScanCase] = &[
            ("at the grant", &[], day(0), &[]),
            ("before 14d", &[], day(16) - second(), &[]),
            ("at 14d exactly", &[], day(16), &[PreExpiry(FourteenDays)]),
            ("between", &[FourteenDays], day(20), &[]),
            ("before 1d", &[FourteenDays], day(29) - second(), &[]),
            (
                "at 1d exactly",
                &[FourteenDays],
                day(29),
                &[PreExpiry(OneDay)],
            ),
            (
                "before expiry",
                &[FourteenDays, OneDay],
                day(30) - second(),
                &[],
            ),
            ("at expiry", &[FourteenDays, OneDay], day(30), &[Expire]),
            ("after expiry", &[FourteenDays, OneDay], day(31), &[Expire]),
        ];
        for &(label, done, now, expected) in cases {
            let a = fired(thirty_days(), done);
            assert_eq!(due_steps(&a, now), expected, "{label}");
        }
    }

    #[test]
    fn a_seven_day_assignment_gets_only_the_one_day_trigger() {
        let a = lasting(Duration::days(7));
        assert!(!a.gets(FourteenDays), "7 days before the grant");
        assert_eq!(due_steps(&a, day(0)), []);
        assert_eq!(due_steps(&a, day(6) - second()), []);
        assert_eq!(due_steps(&a, day(6)), [PreExpiry(OneDay)]);
        let a = fired(a, &[OneDay]);
        assert_eq!(due_steps(&a, day(6) + second()), []);
        assert_eq!(due_steps(&a, day(7)), [Expire]);
    }

    #[test]
    fn a_moment_at_the_grant_fires_and_one_a_second_before_never_does() {
        let a = lasting(Duration::days(14));
        assert_eq!(due_steps(&a, day(0)), [PreExpiry(FourteenDays)]);
        let a = lasting(Duration::days(14) - second());
        assert_eq!(due_steps(&a, day(0)), []);
        assert_eq!(due_steps(&a, day(13) - second()), [PreExpiry(OneDay)]);

        let a = lasting(Duration::days(1));
        assert_eq!(due_steps(&a, day(0)), [PreExpiry(OneDay)]);
        let a = lasting(Duration::hours(23));
        assert_eq!(next_due_at(&a), Some(granted() + Duration::hours(23)));
        assert_eq!(due_steps(&a, day(0)), []);
        assert_eq!(due_steps(&a, granted() + Duration::hours(23)), [Expire]);
    }

    #[test]
    fn a_fired_trigger_never_fires_again() {
        let a = thirty_days();
        let steps = due_steps(&a, day(16));
        let a = a.after(&steps, day(16));
        for now in [day(16), day(17), day(28)] {
            assert_eq!(due_steps(&a, now), [], "{now}");
        }
        let steps = due_steps(&a, day(29));
        assert_eq!(steps, [PreExpiry(OneDay)]);
        let a = a.after(&steps, day(29));
        assert_eq!(due_steps(&a, day(29) + Duration::hours(12)), []);
        let a = a.after(&due_steps(&a, day(30)), day(30));
        assert_eq!(a.ended_at, Some(day(30)));
        assert_eq!(due_steps(&a, day(40)), [], "removed once");
    }

    #[test]
    fn downtime_across_the_fourteen_day_moment_fires_it_on_the_next_scan() {
        let a = thirty_days();
        assert_eq!(due_steps(&a, day(15)), [], "last scan before the stop");
        assert_eq!(due_steps(&a, day(25)), [PreExpiry(FourteenDays)]);
    }

    #[test]
    fn downtime_across_both_moments_fires_both_before_the_expiry() {
        let a = thirty_days();
        let now = day(29) + Duration::hours(12);
        assert_eq!(
            due_steps(&a, now),
            [PreExpiry(FourteenDays), PreExpiry(OneDay)]
        );
    }

    #[test]
    fn downtime_across_the_expiry_only_removes() {
        for done in [&[][..], &[FourteenDays], &[OneDay]] {
            let a = fired(thirty_days(), done);
            assert_eq!(due_steps(&a, day(30)), [Expire], "{done:?}");
            assert_eq!(due_steps(&a, day(45)), [Expire], "{done:?}");
        }
    }

    #[test]
    fn no_expiration_and_an_ended_assignment_have_nothing_due() {
        let never = AssignmentExpiry {
            expires_at: None,
            ..thirty_days()
        };
        let removed = AssignmentExpiry {
            ended_at: Some(day(3)),
            ..thirty_days()
        };
        for a in [never, removed] {
            for now in [day(0), day(16), day(29), day(30), day(3650)] {
                assert_eq!(due_steps(&a, now), [], "{a:?} at {now}");
            }
            assert_eq!(next_due_at(&a), None);
        }
        assert!(!never.gets(FourteenDays) && !never.gets(OneDay));
    }

    #[test]
    fn next_due_at_in_each_case() {
        let cases: &[(&str, AssignmentExpiry, Option<DateTime<Utc>>)] = &[
            ("30 days, fresh", thirty_days(), Some(day(16))),
            (
                "14d fired",
                fired(thirty_days(), &[FourteenDays]),
                Some(day(29)),
            ),
            (
                "both fired",
                fired(thirty_days(), &[FourteenDays, OneDay]),
                Some(day(30)),
            ),
            // The markers are independent: a set 1-day marker doesn't hide an owed 14-day one.
            (
                "only 1d fired",
                fired(thirty_days(), &[OneDay]),
                Some(day(16)),
            ),
            ("7 days", lasting(Duration::days(7)), Some(day(6))),
            ("14 days", lasting(Duration::days(14)), Some(day(0))),
        ];
        for &(label, a, expected) in cases {
            assert_eq!(next_due_at(&a), expected, "{label}");
        }
    }

    #[test]
    fn next_due_at_is_when_the_scan_next_has_work() {
        // The index over next_due_at is only sound if a row with nothing due is never before
        // now, and a row with something due never after it.
        let shapes = [
            Duration::hours(12),
            Duration::days(1),
            Duration::days(7),
            Duration::days(14),
            Duration::days(30),
        ];
        let markers: [&[Trigger]; 4] = [&[], &[FourteenDays], &[OneDay], &[FourteenDays, OneDay]];
        for lasts in shapes {
            for done in markers {
                let a = fired(lasting(lasts), done);
                for hour in 0..=(32 * 24) {
                    let now = granted() + Duration::hours(hour);
                    let steps = due_steps(&a, now);
                    let due = next_due_at(&a).is_some_and(|at| at <= now);
                    assert_eq!(!steps.is_empty(), due, "{lasts} {done:?} at {now}");
                    let next = next_due_at(&a.after(&steps, now));
                    assert!(next.is_none_or(|at| at > now), "{lasts} {done:?} at {now}");
                }
            }
        }
    }

    #[test]
    fn which_triggers_a_duration_allows() {
        let cases: &[(Duration, &[Trigger])] = &[
            (Duration::days(30), &[FourteenDays, OneDay]),
            (Duration::days(14), &[FourteenDays, OneDay]),
            (Duration::days(14) - second(), &[OneDay]),
            (Duration::days(7), &[OneDay]),
            (Duration::days(1), &[OneDay]),
            (Duration::hours(23), &[]),
            (Duration::zero(), &[]),
            (Duration::days(-3), &[]),
        ];
        for &(lasts, expected) in cases {
            assert_eq!(pre_expiry_triggers_possible(lasts), expected, "{lasts}");
        }
    }

    #[test]
    fn reads_the_stored_policy_expiration() {
        let end = Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap();
        assert_eq!(
            ExpiryRule::from_stored("afterDuration", Some("P30D"), None),
            Ok(ExpiryRule::After(Duration::days(30)))
        );
        assert_eq!(
            ExpiryRule::from_stored("noExpiration", None, None),
            Ok(ExpiryRule::Never)
        );
        assert_eq!(
            ExpiryRule::from_stored("afterDateTime", None, Some(end)),
            Ok(ExpiryRule::At(end))
        );
        for (type_name, duration, end) in [
            ("afterDuration", Some("PT1H"), None),
            ("afterDuration", Some("P-3D"), None),
            ("afterDuration", Some("P99999999999D"), None),
            ("afterDuration", None, None),
            ("afterDateTime", None, None),
            ("sometimes", None, None),
        ] {
            let error = ExpiryRule::from_stored(type_name, duration, end).unwrap_err();
            assert!(
                error.to_string().starts_with("policy expiration"),
                "{error}"
            );
        }
    }

    #[test]
    fn computes_the_end_of_an_assignment_from_the_rule() {
        let rule = ExpiryRule::After(Duration::days(30));
        assert_eq!(rule.expires_at(granted()), Some(day(30)));
        assert_eq!(rule.triggers_possible(granted()), [FourteenDays, OneDay]);
        assert_eq!(ExpiryRule::Never.expires_at(granted()), None);
        assert_eq!(ExpiryRule::Never.triggers_possible(granted()), []);
        assert_eq!(
            ExpiryRule::After(Duration::MAX).expires_at(granted()),
            None,
            "beyond the calendar"
        );

        // Granted 9:30 on March 1st, ending the last second of March 14th: under 14 days.
        let date = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        let rule = ExpiryRule::from(Expiration::OnDate(date));
        let end = Utc.with_ymd_and_hms(2026, 3, 14, 23, 59, 59).unwrap();
        assert_eq!(rule, ExpiryRule::At(end));
        assert_eq!(rule.expires_at(granted()), Some(end));
        assert_eq!(rule.triggers_possible(granted()), [OneDay]);
        assert_eq!(rule.triggers_possible(end + second()), [], "already past");

        assert_eq!(
            ExpiryRule::from(Expiration::AfterDays(7)),
            ExpiryRule::After(Duration::days(7))
        );
        assert_eq!(ExpiryRule::from(Expiration::Never), ExpiryRule::Never);
    }

    #[test]
    fn triggers_name_their_stages_and_moments() {
        for trigger in Trigger::ALL {
            assert_eq!(Trigger::from_stage(trigger.stage()), Some(trigger));
        }
        assert_eq!(Trigger::from_stage(Stage::AssignmentRequestRemoved), None);
        assert_eq!(FourteenDays.moment(day(30)), day(16));
        assert_eq!(OneDay.moment(day(30)), day(29));
    }
}

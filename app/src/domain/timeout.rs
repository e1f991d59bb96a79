//! How long a launch-and-wait stage waits for the workflow to resume it.
//!
//! The UI takes a number and a unit; Graph carries an ISO-8601 duration. Both go through
//! [`WaitTimeout::new`], so the 5 minutes to 14 days rule lives in one place.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use super::field_error::{keys, FieldError};

const MINUTES_PER_HOUR: i64 = 60;
const MINUTES_PER_DAY: i64 = 24 * MINUTES_PER_HOUR;

pub const MIN_WAIT_MINUTES: i64 = 5;
pub const MAX_WAIT_MINUTES: i64 = 14 * MINUTES_PER_DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 3] = [TimeUnit::Minutes, TimeUnit::Hours, TimeUnit::Days];

    pub fn label(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    fn singular(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minute",
            TimeUnit::Hours => "hour",
            TimeUnit::Days => "day",
        }
    }

    /// Minutes in one of this unit.
    pub fn minutes(self) -> i64 {
        match self {
            TimeUnit::Minutes => 1,
            TimeUnit::Hours => MINUTES_PER_HOUR,
            TimeUnit::Days => MINUTES_PER_DAY,
        }
    }

    pub fn parse(s: &str) -> Result<TimeUnit, FieldError> {
        let s = s.trim();
        TimeUnit::ALL
            .into_iter()
            .find(|unit| {
                unit.label().eq_ignore_ascii_case(s) || unit.singular().eq_ignore_ascii_case(s)
            })
            .ok_or_else(|| {
                FieldError::new(
                    keys::TIMEOUT_UNIT,
                    "Response timeout unit must be minutes, hours or days.",
                )
            })
    }
}

/// A valid wait: between [`MIN_WAIT_MINUTES`] and [`MAX_WAIT_MINUTES`], kept in the unit it was
/// entered in so that editing shows the admin what they typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct WaitTimeout {
    amount: u32,
    unit: TimeUnit,
}

impl WaitTimeout {
    pub fn new(amount: u32, unit: TimeUnit) -> Result<Self, FieldError> {
        let total = i64::from(amount) * unit.minutes();
        if total < MIN_WAIT_MINUTES {
            return Err(FieldError::new(
                keys::TIMEOUT_AMOUNT,
                "Response timeout must be at least 5 minutes.",
            ));
        }
        if total > MAX_WAIT_MINUTES {
            return Err(FieldError::new(
                keys::TIMEOUT_AMOUNT,
                format!(
                    "Response timeout must be at most 14 days; {} is too long.",
                    describe(amount, unit)
                ),
            ));
        }
        Ok(Self { amount, unit })
    }

    pub fn amount(&self) -> u32 {
        self.amount
    }

    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    pub fn total_minutes(&self) -> i64 {
        i64::from(self.amount) * self.unit.minutes()
    }

    pub fn as_duration(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.total_minutes())
    }

    pub fn to_iso8601(&self) -> String {
        match self.unit {
            TimeUnit::Minutes => format!("PT{}M", self.amount),
            TimeUnit::Hours => format!("PT{}H", self.amount),
            TimeUnit::Days => format!("P{}D", self.amount),
        }
    }

    /// Reads Graph's `timeoutDuration`. Only days, hours, minutes and seconds (or weeks alone)
    /// are taken: a month or a year has no fixed length, so "P1M" has no honest deadline.
    pub fn parse_iso8601(s: &str) -> Result<Self, FieldError> {
        let minutes = iso8601_minutes(s)?;
        let (amount, unit) = if minutes % MINUTES_PER_DAY as u64 == 0 {
            (minutes / MINUTES_PER_DAY as u64, TimeUnit::Days)
        } else if minutes % MINUTES_PER_HOUR as u64 == 0 {
            (minutes / MINUTES_PER_HOUR as u64, TimeUnit::Hours)
        } else {
            (minutes, TimeUnit::Minutes)
        };
        let amount = u32::try_from(amount).map_err(|_| too_long(s))?;
        WaitTimeout::new(amount, unit)
    }
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self.amount, self.unit))
    }
}

/// Goes through [`WaitTimeout::new`] so a stored or posted value can't bypass the limits.
impl<'de> Deserialize<'de> for WaitTimeout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            amount: u32,
            unit: TimeUnit,
        }
        let raw = Raw::deserialize(deserializer)?;
        WaitTimeout::new(raw.amount, raw.unit).map_err(serde::de::Error::custom)
    }
}

fn describe(amount: u32, unit: TimeUnit) -> String {
    let word = if amount == 1 {
        unit.singular()
    } else {
        unit.label()
    };
    format!("{amount} {word}")
}

fn too_long(input: &str) -> FieldError {
    FieldError::new(
        keys::TIMEOUT_AMOUNT,
        format!(
            "Response timeout must be at most 14 days; {} is too long.",
            input.trim()
        ),
    )
}

/// The whole number of minutes an ISO-8601 duration stands for.
fn iso8601_minutes(input: &str) -> Result<u64, FieldError> {
    let not_a_duration = || {
        FieldError::new(
            keys::TIMEOUT_AMOUNT,
            format!(
                "Response timeout {:?} is not a duration such as PT10M, PT3H or P3D.",
                input.trim()
            ),
        )
    };
    let upper = input.trim().to_ascii_uppercase();
    let body = upper.strip_prefix('P').ok_or_else(not_a_duration)?;
    let (date, time) = match body.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    let date_parts = components(date, &['Y', 'M', 'W', 'D']).ok_or_else(not_a_duration)?;
    let time_parts = match time {
        Some(time) => match components(time, &['H', 'M', 'S']) {
            Some(parts) if !parts.is_empty() => parts,
            _ => return Err(not_a_duration()),
        },
        None => Vec::new(),
    };
    if date_parts.is_empty() && time_parts.is_empty() {
        return Err(not_a_duration());
    }
    if date_parts.iter().any(|&(_, d)| d == 'Y' || d == 'M') {
        return Err(FieldError::new(
            keys::TIMEOUT_AMOUNT,
            "Response timeout can't be given in years or months; use days, hours or minutes, \
             such as P3D.",
        ));
    }
    let has_weeks = date_parts.iter().any(|&(_, d)| d == 'W');
    if has_weeks && (date_parts.len() > 1 || !time_parts.is_empty()) {
        return Err(FieldError::new(
            keys::TIMEOUT_AMOUNT,
            "Response timeout can use weeks only on their own, such as P2W; otherwise use days, \
             hours or minutes.",
        ));
    }

    let date_seconds = date_parts.iter().map(|&(n, d)| match d {
        'W' => n.checked_mul(7 * 86_400),
        _ => n.checked_mul(86_400),
    });
    let time_seconds = time_parts.iter().map(|&(n, d)| match d {
        'H' => n.checked_mul(3_600),
        'M' => n.checked_mul(60),
        _ => Some(n),
    });
    let seconds = date_seconds
        .chain(time_seconds)
        .try_fold(0u64, |sum, part| sum.checked_add(part?))
        .ok_or_else(|| too_long(input))?;
    if seconds % 60 != 0 {
        return Err(FieldError::new(
            keys::TIMEOUT_AMOUNT,
            format!(
                "Response timeout must be a whole number of minutes; {} is not.",
                input.trim()
            ),
        ));
    }
    Ok(seconds / 60)
}

/// Splits "1DT" halves such as "12H30M" into (number, designator) pairs. Each designator may
/// appear once and only in the order `designators` lists them, as ISO-8601 requires; a number
/// without a designator, a sign or a fraction makes the whole part invalid.
fn components(part: &str, designators: &[char]) -> Option<Vec<(u64, char)>> {
    let mut parts = Vec::new();
    let mut next_allowed = 0;
    let mut number: Option<u64> = None;
    for c in part.chars() {
        if let Some(digit) = c.to_digit(10) {
            // Saturating: an absurdly long number then fails as "too long", not as garbage.
            let so_far = number.unwrap_or(0);
            number = Some(so_far.saturating_mul(10).saturating_add(u64::from(digit)));
            continue;
        }
        let position = designators.iter().position(|&d| d == c)?;
        if position < next_allowed {
            return None;
        }
        parts.push((number.take()?, c));
        next_allowed = position + 1;
    }
    if number.is_some() {
        return None;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> (u32, TimeUnit) {
        let timeout = WaitTimeout::parse_iso8601(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (timeout.amount(), timeout.unit())
    }

    fn refused(s: &str) -> String {
        let error = WaitTimeout::parse_iso8601(s).expect_err(s);
        assert_eq!(error.field, "timeoutAmount");
        error.message
    }

    #[test]
    fn unit_labels_and_parsing() {
        assert_eq!(TimeUnit::Minutes.label(), "minutes");
        assert_eq!(TimeUnit::Hours.label(), "hours");
        assert_eq!(TimeUnit::Days.label(), "days");
        for (word, unit) in [
            ("minutes", TimeUnit::Minutes),
            ("Minute", TimeUnit::Minutes),
            ("HOURS", TimeUnit::Hours),
            ("hour", TimeUnit::Hours),
            ("days", TimeUnit::Days),
            (" Day ", TimeUnit::Days),
        ] {
            assert_eq!(TimeUnit::parse(word), Ok(unit), "{word}");
        }
        let error = TimeUnit::parse("weeks").unwrap_err();
        assert_eq!(error.field, "timeoutUnit");
        assert_eq!(
            error.message,
            "Response timeout unit must be minutes, hours or days."
        );
        assert!(TimeUnit::parse("").is_err());
    }

    #[test]
    fn lower_bound_is_five_minutes() {
        assert!(WaitTimeout::new(5, TimeUnit::Minutes).is_ok());
        let error = WaitTimeout::new(4, TimeUnit::Minutes).unwrap_err();
        assert_eq!(error.field, "timeoutAmount");
        assert_eq!(
            error.message,
            "Response timeout must be at least 5 minutes."
        );
        assert!(WaitTimeout::new(0, TimeUnit::Minutes).is_err());
        assert!(WaitTimeout::new(0, TimeUnit::Days).is_err());
        assert!(WaitTimeout::new(1, TimeUnit::Hours).is_ok());
    }

    #[test]
    fn upper_bound_is_fourteen_days_in_any_unit() {
        assert!(WaitTimeout::new(14, TimeUnit::Days).is_ok());
        assert!(WaitTimeout::new(336, TimeUnit::Hours).is_ok());
        assert!(WaitTimeout::new(20_160, TimeUnit::Minutes).is_ok());
        assert_eq!(
            WaitTimeout::new(20_161, TimeUnit::Minutes)
                .unwrap_err()
                .message,
            "Response timeout must be at most 14 days; 20161 minutes is too long."
        );
        assert_eq!(
            WaitTimeout::new(337, TimeUnit::Hours).unwrap_err().message,
            "Response timeout must be at most 14 days; 337 hours is too long."
        );
        assert_eq!(
            WaitTimeout::new(20, TimeUnit::Days).unwrap_err().message,
            "Response timeout must be at most 14 days; 20 days is too long."
        );
        assert!(WaitTimeout::new(u32::MAX, TimeUnit::Days).is_err());
    }

    #[test]
    fn totals_and_duration() {
        let timeout = WaitTimeout::new(3, TimeUnit::Hours).unwrap();
        assert_eq!(timeout.total_minutes(), 180);
        assert_eq!(timeout.as_duration(), chrono::Duration::hours(3));
        let timeout = WaitTimeout::new(14, TimeUnit::Days).unwrap();
        assert_eq!(timeout.total_minutes(), 20_160);
        assert_eq!(timeout.as_duration(), chrono::Duration::days(14));
    }

    #[test]
    fn writes_iso8601_in_the_entered_unit() {
        let iso = |amount, unit| WaitTimeout::new(amount, unit).unwrap().to_iso8601();
        assert_eq!(iso(10, TimeUnit::Minutes), "PT10M");
        assert_eq!(iso(120, TimeUnit::Minutes), "PT120M");
        assert_eq!(iso(3, TimeUnit::Hours), "PT3H");
        assert_eq!(iso(3, TimeUnit::Days), "P3D");
    }

    #[test]
    fn displays_in_words() {
        assert_eq!(
            WaitTimeout::new(1, TimeUnit::Days).unwrap().to_string(),
            "1 day"
        );
        assert_eq!(
            WaitTimeout::new(10, TimeUnit::Minutes).unwrap().to_string(),
            "10 minutes"
        );
    }

    #[test]
    fn reads_iso8601_into_the_largest_exact_unit() {
        assert_eq!(parsed("PT1H"), (1, TimeUnit::Hours));
        assert_eq!(parsed("P1D"), (1, TimeUnit::Days));
        assert_eq!(parsed("P1DT12H"), (36, TimeUnit::Hours));
        assert_eq!(parsed("PT90M"), (90, TimeUnit::Minutes));
        assert_eq!(parsed("PT120M"), (2, TimeUnit::Hours));
        assert_eq!(parsed("PT3600S"), (1, TimeUnit::Hours));
        assert_eq!(parsed("PT1H30M"), (90, TimeUnit::Minutes));
        assert_eq!(parsed("P1W"), (7, TimeUnit::Days));
        assert_eq!(parsed("pt10m"), (10, TimeUnit::Minutes));
        assert_eq!(parsed("p1dt12h"), (36, TimeUnit::Hours));
    }

    #[test]
    fn iso8601_round_trips_for_each_unit() {
        for (amount, unit) in [
            (10, TimeUnit::Minutes),
            (3, TimeUnit::Hours),
            (3, TimeUnit::Days),
        ] {
            let timeout = WaitTimeout::new(amount, unit).unwrap();
            assert_eq!(
                WaitTimeout::parse_iso8601(&timeout.to_iso8601()),
                Ok(timeout)
            );
        }
    }

    #[test]
    fn iso8601_edges() {
        assert_eq!(parsed("PT5M"), (5, TimeUnit::Minutes));
        assert_eq!(parsed("PT300S"), (5, TimeUnit::Minutes));
        assert_eq!(
            refused("PT4M"),
            "Response timeout must be at least 5 minutes."
        );
        assert!(WaitTimeout::parse_iso8601("PT0M").is_err());
        assert_eq!(parsed("P14D"), (14, TimeUnit::Days));
        assert_eq!(parsed("PT336H"), (14, TimeUnit::Days));
        assert_eq!(parsed("PT20160M"), (14, TimeUnit::Days));
        assert_eq!(parsed("P2W"), (14, TimeUnit::Days));
        assert_eq!(
            refused("P14DT1M"),
            "Response timeout must be at most 14 days; 20161 minutes is too long."
        );
        assert_eq!(
            refused("P20D"),
            "Response timeout must be at most 14 days; 20 days is too long."
        );
        assert!(refused("P99999999999999999999999D").contains("too long"));
    }

    #[test]
    fn iso8601_refuses_months_years_and_mixed_weeks() {
        let years = "Response timeout can't be given in years or months; use days, hours or \
                     minutes, such as P3D.";
        assert_eq!(refused("P1Y"), years);
        assert_eq!(refused("P1M"), years);
        assert_eq!(refused("P1Y2D"), years);
        assert!(refused("P1W1D").contains("weeks only on their own"));
        assert!(refused("P1WT1H").contains("weeks only on their own"));
    }

    #[test]
    fn iso8601_refuses_seconds_that_are_not_whole_minutes() {
        assert_eq!(
            refused("PT301S"),
            "Response timeout must be a whole number of minutes; PT301S is not."
        );
        assert!(refused("PT10M30S").contains("whole number of minutes"));
    }

    #[test]
    fn iso8601_refuses_garbage() {
        for bad in [
            "", "P", "PT", "10M", "1D", "P1H", "PT1D", "P1DT", "PT1H1H", "PT1M1H", "P1D1D",
            "PT-1M", "PT1.5H", "PT1,5H", "P1D2", "PTM", "P 1D", "xyz",
        ] {
            let message = refused(bad);
            assert!(
                message.contains("is not a duration such as PT10M, PT3H or P3D"),
                "{bad:?}: {message}"
            );
        }
        assert_eq!(parsed(" PT1H "), (1, TimeUnit::Hours));
        assert_eq!(
            refused("soon"),
            "Response timeout \"soon\" is not a duration such as PT10M, PT3H or P3D."
        );
    }
}

#![no_main]
//! ISO-8601 durations: a custom extension's wait (`durationBeforeTimeout`), a policy's
//! whole days (`expiration.duration`, `durationBeforeAutomaticDenial`), and the wizard's
//! `{amount, unit}`. No panic; refusals name their field; an accepted duration written back
//! parses to the same value.

use app::domain::policy_rules::iso_days;
use app::domain::timeout::{TimeUnit, WaitTimeout, MAX_WAIT_MINUTES, MIN_WAIT_MINUTES};
use latch_fuzz::{assert_field_error, assert_graph_refusal};
use libfuzzer_sys::fuzz_target;
use server::rest::parsers::policy_days;

fuzz_target!(|data: &[u8]| {
    // The wizard's form, through the server-function codec.
    if let Ok(timeout) = serde_json::from_slice::<WaitTimeout>(data) {
        let minutes = timeout.total_minutes();
        assert!((MIN_WAIT_MINUTES..=MAX_WAIT_MINUTES).contains(&minutes));
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match WaitTimeout::parse_iso8601(text) {
        Ok(timeout) => {
            let minutes = timeout.total_minutes();
            assert!((MIN_WAIT_MINUTES..=MAX_WAIT_MINUTES).contains(&minutes));
            assert_eq!(timeout.as_duration().num_minutes(), minutes);
            let written = timeout.to_iso8601();
            assert_eq!(
                WaitTimeout::parse_iso8601(&written),
                Ok(timeout),
                "{written}"
            );
            assert!(!timeout.to_string().is_empty());
        }
        Err(error) => {
            assert_eq!(error.field, "timeoutAmount", "{error:?}");
            assert_field_error(&error);
        }
    }
    match TimeUnit::parse(text) {
        Ok(unit) => assert_eq!(TimeUnit::parse(unit.label()), Ok(unit)),
        Err(error) => assert_eq!(error.field, "timeoutUnit"),
    }
    match policy_days(text, "expiration.duration") {
        Ok(days) => assert_eq!(policy_days(&iso_days(days), "x"), Ok(days)),
        Err(error) => {
            assert_graph_refusal(&error);
            assert!(error.message.starts_with("Property 'expiration.duration'"));
        }
    }
});

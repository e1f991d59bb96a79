#![no_main]
//! `filter` query parameters: no panic, refusals are 4xx, and an accepted filter written
//! back out parses to the same thing (the value's JSON escaping survives the trip).

use app::directory::scim::filter::{
    parse_filter, FilterAttribute, GROUP_FILTER_ATTRIBUTES, USER_FILTER_ATTRIBUTES,
};
use latch_fuzz::assert_refusal;
use libfuzzer_sys::fuzz_target;

fn check(raw: &str, allowed: &[FilterAttribute]) {
    match parse_filter(raw, allowed) {
        Ok(filter) => {
            assert!(allowed.contains(&filter.attribute));
            let again = format!(
                "{} eq {}",
                filter.attribute.scim_name(),
                serde_json::to_string(&filter.value).unwrap()
            );
            assert_eq!(
                parse_filter(&again, allowed).as_ref(),
                Ok(&filter),
                "{again}"
            );
        }
        Err(error) => assert_refusal(&error),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    check(raw, &USER_FILTER_ATTRIBUTES);
    check(raw, &GROUP_FILTER_ATTRIBUTES);
});

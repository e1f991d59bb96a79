#![no_main]
//! PATCH Group bodies: no panic, refusals are 4xx, and a new displayName is never blank.

use app::directory::scim::patch::{parse_group_patch, GroupChange};
use latch_fuzz::{assert_refusal, json_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(body) = json_body(data) else {
        return;
    };
    match parse_group_patch(&body) {
        Ok(changes) => {
            for change in changes {
                if let GroupChange::SetDisplayName(name) = change {
                    assert!(!name.trim().is_empty());
                }
            }
        }
        Err(error) => assert_refusal(&error),
    }
});

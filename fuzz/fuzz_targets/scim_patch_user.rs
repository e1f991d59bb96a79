#![no_main]
//! PATCH User bodies: no panic, refusals are 4xx, and a new userName is always well formed.

use app::directory::scim::patch::{parse_user_patch, UserChange};
use latch_fuzz::{assert_refusal, json_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(body) = json_body(data) else {
        return;
    };
    match parse_user_patch(&body) {
        Ok(changes) => {
            for change in changes {
                if let UserChange::SetUserName(name) = change {
                    assert!(name.contains('@') && !name.contains(char::is_whitespace));
                }
            }
        }
        Err(error) => assert_refusal(&error),
    }
});

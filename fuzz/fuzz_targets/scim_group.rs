#![no_main]
//! POST/PUT Group bodies: no panic, refusals are 4xx, accepted members are distinct.

use app::directory::scim::group::parse_group;
use latch_fuzz::{assert_refusal, json_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(body) = json_body(data) else {
        return;
    };
    match parse_group(&body) {
        Ok(group) => {
            assert!(!group.display_name.is_empty());
            for (i, id) in group.members.iter().enumerate() {
                assert!(!group.members[..i].contains(id), "duplicate member {id}");
            }
        }
        Err(error) => assert_refusal(&error),
    }
});

#![no_main]
//! POST/PUT User bodies: no panic, refusals are 4xx, and an accepted user rendered with
//! `user_json` parses back to the same stored attributes.

use app::directory::scim::user::{parse_user, user_json, ScimUserOut};
use chrono::DateTime;
use latch_fuzz::{assert_refusal, json_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(body) = json_body(data) else {
        return;
    };
    let user = match parse_user(&body) {
        Ok(user) => user,
        Err(error) => return assert_refusal(&error),
    };
    assert!(user.user_name.contains('@') && user.user_name.chars().count() <= 256);
    let stored = ScimUserOut {
        id: "u-1".into(),
        user_name: user.user_name.clone(),
        external_id: user.external_id.clone(),
        display_name: user.display_name.clone(),
        given_name: user.given_name.clone(),
        family_name: user.family_name.clone(),
        active: user.active.unwrap_or(true),
        department: user.department.clone(),
        job_title: user.job_title.clone(),
        manager_id: user.manager_id.clone(),
        created: DateTime::UNIX_EPOCH,
        last_modified: DateTime::UNIX_EPOCH,
    };
    let again = parse_user(&user_json(&stored, "https://latch.example/scim/v2"))
        .expect("a rendered user parses");
    assert_eq!(again.user_name, user.user_name);
    assert_eq!(again.external_id, user.external_id);
    assert_eq!(again.display_name, user.display_name);
    assert_eq!(again.given_name, user.given_name);
    assert_eq!(again.family_name, user.family_name);
    assert_eq!(again.active, Some(stored.active));
    assert_eq!(again.department, user.department);
    assert_eq!(again.job_title, user.job_title);
    assert_eq!(again.manager_id, user.manager_id);
});

#![no_main]
//! What the Users page, the command line and the setup page take from people: e-mail
//! addresses, names and new passwords. No panic, and every refusal names a field.

use app::domain::person::{validate_new_password, validate_person, PersonDraft};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(4, '\n');
    let draft = PersonDraft {
        email: parts.next().unwrap_or_default().into(),
        display_name: parts.next().unwrap_or_default().into(),
        department: parts.next().unwrap_or_default().into(),
        job_title: parts.next().unwrap_or_default().into(),
    };
    for error in validate_person(&draft) {
        assert!(!error.field.is_empty() && !error.message.is_empty());
    }
    for error in validate_new_password(text, &draft.email) {
        assert!(error.field == "password" || error.field == "confirm");
    }
});

#![no_main]
//! A list page's link token (`after=` / `before=` in the address, issue 16): no panic; a token
//! Latch accepts is a canonical time (or, for a list by name, a name of at most 256 characters
//! and no control characters) and an id of hex digits and hyphens, and writes back to itself.
//! A list in name order's address (`name=`, `after=`, `before=`): read or refused, never a
//! panic; a search it reads is trimmed, at most 100 characters, none a control character.

use app::services::name_lists::page_at;
use app::store::paging::{Key, PageAt};
use app::views::lists::NameQuery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = Key::from_token(text) {
        assert_eq!(key.token(), text);
        assert!(key.id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
        assert!(app::store::parse_db_time(&key.at).is_ok());
    }
    if let Ok(key) = Key::from_name_token(text) {
        assert_eq!(key.token(), text);
        assert!(key.id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
        assert!(key.at.chars().count() <= 256 && !key.at.chars().any(char::is_control));
    }
    let (after, before) = text.split_once('\n').unwrap_or((text, ""));
    let before = (!before.is_empty()).then_some(before);
    if let Ok(PageAt::After(k) | PageAt::Before(k)) = PageAt::from_tokens(Some(after), before) {
        assert!(!k.id.is_empty());
    }
    let mut parts = text.splitn(3, '\n');
    let mut part = || parts.next().unwrap_or_default().to_owned();
    let q = NameQuery {
        name: part(),
        after: part(),
        before: part(),
    };
    if let Ok((_, name)) = page_at(&q) {
        assert_eq!(name, name.trim());
        assert!(name.chars().count() <= 100 && !name.chars().any(char::is_control));
    }
});

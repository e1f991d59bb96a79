//! Keyset pages of a list ordered newest first (issue 16).
//!
//! A page is found by the key of the row next to it, `(created_at, id)`, not by an offset:
//! the database goes straight to it through an index whatever page it is, and a row added or
//! removed meanwhile neither repeats nor hides another. `id` breaks ties between rows made at
//! the same moment, so the order is total. A key travels in links as an opaque token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub use crate::views::lists::PAGE_SIZE;

/// A row's place in the order: its creation time (the database's text form) and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub at: String,
    pub id: String,
}

/// Which page: the newest, the one after a key (older rows) or the one before it (newer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PageAt {
    #[default]
    First,
    After(Key),
    Before(Key),
}

/// Which way a list runs by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Newest (latest) first: what most lists show.
    #[default]
    Descending,
    /// Soonest first: what ends soonest, say.
    Ascending,
}

/// A token that is not one Latch gave.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the page link is not one Latch gave (start again from the first page)")]
pub struct BadToken;

impl Key {
    /// The key as it travels in a link.
    pub fn token(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.at, self.id))
    }

    /// A key from a link: a time in the database's own form and an id of hex digits and
    /// hyphens, nothing else.
    pub fn from_token(token: &str) -> Result<Key, BadToken> {
        let key = Key::decode(token, 128)?;
        let time = chrono::DateTime::parse_from_rfc3339(&key.at).map_err(|_| BadToken)?;
        if super::db_time(time.with_timezone(&chrono::Utc)) != key.at {
            return Err(BadToken);
        }
        Ok(key)
    }

    /// A key of a list in name order from a link: a name (at most 256 characters, none of
    /// them a control character) and an id.
    pub fn from_name_token(token: &str) -> Result<Key, BadToken> {
        let key = Key::decode(token, 1200)?;
        if key.at.chars().count() > 256 || key.at.chars().any(char::is_control) {
            return Err(BadToken);
        }
        Ok(key)
    }

    /// `at|id` from base64url, the id being hex digits and hyphens (a name may hold `|`).
    fn decode(token: &str, longest: usize) -> Result<Key, BadToken> {
        if token.len() > longest {
            return Err(BadToken);
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| BadToken)?;
        let text = String::from_utf8(bytes).map_err(|_| BadToken)?;
        let (at, id) = text.rsplit_once('|').ok_or(BadToken)?;
        let id_ok =
            (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if !id_ok {
            return Err(BadToken);
        }
        Ok(Key {
            at: at.to_owned(),
            id: id.to_owned(),
        })
    }
}

impl PageAt {
    /// From a link's `after` or `before` token (at most one of them).
    pub fn from_tokens(after: Option<&str>, before: Option<&str>) -> Result<PageAt, BadToken> {
        PageAt::from_tokens_with(after, before, Key::from_token)
    }

    /// [`PageAt::from_tokens`] with the tokens read by `read` ([`Key::from_name_token`]).
    pub fn from_tokens_with(
        after: Option<&str>,
        before: Option<&str>,
        read: fn(&str) -> Result<Key, BadToken>,
    ) -> Result<PageAt, BadToken> {
        match (after, before) {
            (None, None) => Ok(PageAt::First),
            (Some(token), None) => read(token).map(PageAt::After),
            (None, Some(token)) => read(token).map(PageAt::Before),
            (Some(_), Some(_)) => Err(BadToken),
        }
    }

    /// The condition that keeps the rows of this page's side, on the columns `at` and `id`,
    /// with its two parameters numbered from `$first` (none for the first page), and the
    /// order to read them in, for a list that runs newest first. Bind [`PageAt::binds`] in
    /// that order.
    pub fn sql(&self, at: &str, id: &str, first: usize) -> (String, String) {
        self.sql_in(Order::Descending, at, id, first)
    }

    /// [`PageAt::sql`] for a list that runs in `order`.
    pub fn sql_in(&self, order: Order, at: &str, id: &str, first: usize) -> (String, String) {
        let second = first + 1;
        let (up, down) = (format!("{at}, {id}"), format!("{at} DESC, {id} DESC"));
        // The list's own direction, its comparison onward, and the comparison back.
        let (onward_order, onward, back) = match order {
            Order::Descending => (down.clone(), "<", ">"),
            Order::Ascending => (up.clone(), ">", "<"),
        };
        let back_order = if order == Order::Descending { up } else { down };
        let beyond = |op: &str| {
            if at.contains(" COLLATE ") {
                // SQLite seeks no index by a row value one of whose parts has a collation of
                // its own (it reads the index from its start): the same comparison, spelled
                // so that its first part is a range on the index's first column.
                format!("{at} {op}= ${first} AND ({at} {op} ${first} OR {id} {op} ${second})")
            } else {
                format!("({at}, {id}) {op} (${first}, ${second})")
            }
        };
        match self {
            PageAt::First => ("1 = 1".to_owned(), onward_order),
            PageAt::After(_) => (beyond(onward), onward_order),
            PageAt::Before(_) => (beyond(back), back_order),
        }
    }

    pub fn binds(&self) -> Vec<String> {
        match self {
            PageAt::First => vec![],
            PageAt::After(k) | PageAt::Before(k) => vec![k.at.clone(), k.id.clone()],
        }
    }
}

/// A page of rows, newest first, with the keys of the pages on either side when there are
/// such rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub newer: Option<Key>,
    pub older: Option<Key>,
}

/// The page from rows read with [`PageAt::sql`]'s order and `LIMIT size + 1` (the extra row
/// says whether the list goes on past this page).
pub fn finish<T>(
    mut rows: Vec<T>,
    at: &PageAt,
    size: usize,
    key_of: impl Fn(&T) -> Key,
) -> Page<T> {
    let more = rows.len() > size;
    rows.truncate(size);
    if matches!(at, PageAt::Before(_)) {
        rows.reverse();
    }
    let (first, last) = (rows.first().map(&key_of), rows.last().map(&key_of));
    let (newer, older) = match at {
        PageAt::First => (None, last.filter(|_| more)),
        PageAt::After(_) => (first, last.filter(|_| more)),
        PageAt::Before(_) => (first.filter(|_| more), last),
    };
    Page { rows, newer, older }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(at: &str, id: &str) -> Key {
        Key {
            at: at.into(),
            id: id.into(),
        }
    }

    #[test]
    fn a_token_round_trips_and_anything_else_is_refused() {
        let k = key(
            "2026-12-01T14:00:00.000000Z",
            "0b7e6a5c-1f1d-4e36-9a52-2f6f1c7d3e10",
        );
        assert_eq!(Key::from_token(&k.token()), Ok(k.clone()));
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            String::new(),
            "not base64!".into(),
            forged("2026-12-01T14:00:00.000000Z"),
            forged("2026-12-01T14:00:00Z|abc"),
            forged("2026-12-01T14:00:00.000000Z|x' OR 1=1 --"),
            forged("2026-12-01T14:00:00.000000Z|"),
            forged("yesterday|abc"),
            "A".repeat(200),
        ] {
            assert_eq!(Key::from_token(&bad), Err(BadToken), "{bad}");
        }
        assert_eq!(PageAt::from_tokens(None, None), Ok(PageAt::First));
        assert_eq!(
            PageAt::from_tokens(Some(&k.token()), None),
            Ok(PageAt::After(k.clone()))
        );
        assert_eq!(
            PageAt::from_tokens(Some(&k.token()), Some(&k.token())),
            Err(BadToken)
        );
    }

    #[test]
    fn a_name_token_round_trips_and_keeps_to_names() {
        let k = key("Megan | Bowen", "0b7e6a5c-1f1d-4e36-9a52-2f6f1c7d3e10");
        assert_eq!(Key::from_name_token(&k.token()), Ok(k.clone()));
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for bad in [
            forged("Megan"),
            forged("Megan|x' OR 1=1"),
            forged("Meg\u{0}an|abc"),
            forged(&format!("{}|abc", "n".repeat(257))),
        ] {
            assert_eq!(Key::from_name_token(&bad), Err(BadToken), "{bad}");
        }
        // A name is not a time: a list by time refuses it.
        assert_eq!(Key::from_token(&k.token()), Err(BadToken));
    }

    #[test]
    fn each_side_reads_onward_or_back_in_either_order() {
        let k = PageAt::After(key("t", "a"));
        let b = PageAt::Before(key("t", "a"));
        assert_eq!(
            k.sql("at", "id", 3),
            ("(at, id) < ($3, $4)".into(), "at DESC, id DESC".into())
        );
        assert_eq!(
            b.sql("at", "id", 3),
            ("(at, id) > ($3, $4)".into(), "at, id".into())
        );
        assert_eq!(
            k.sql_in(Order::Ascending, "at", "id", 1),
            ("(at, id) > ($1, $2)".into(), "at, id".into())
        );
        assert_eq!(
            b.sql_in(Order::Ascending, "at", "id", 1),
            ("(at, id) < ($1, $2)".into(), "at DESC, id DESC".into())
        );
        assert_eq!(
            PageAt::First.sql_in(Order::Ascending, "at", "id", 1),
            ("1 = 1".into(), "at, id".into())
        );
        assert_eq!(
            k.sql_in(Order::Ascending, "name COLLATE NOCASE", "id", 1).0,
            "name COLLATE NOCASE >= $1 AND (name COLLATE NOCASE > $1 OR id > $2)"
        );
    }

    #[test]
    fn a_page_knows_its_neighbours() {
        let k = |n: u8| key(&format!("t{n}"), "a");
        let rows: Vec<u8> = vec![9, 8, 7];
        let first = finish(rows.clone(), &PageAt::First, 2, |n| k(*n));
        assert_eq!(
            (first.rows, first.newer, first.older),
            (vec![9, 8], None, Some(k(8)))
        );
        let last = finish(vec![7], &PageAt::After(k(8)), 2, |n| k(*n));
        assert_eq!(
            (last.rows, last.newer, last.older),
            (vec![7], Some(k(7)), None)
        );
        // Read oldest first going back, shown newest first.
        let back = finish(vec![8, 9, 10], &PageAt::Before(k(7)), 2, |n| k(*n));
        assert_eq!(
            (back.rows, back.newer, back.older),
            (vec![9, 8], Some(k(9)), Some(k(8)))
        );
        let empty = finish(Vec::<u8>::new(), &PageAt::First, 2, |n| k(*n));
        assert_eq!((empty.newer, empty.older), (None, None));
    }
}

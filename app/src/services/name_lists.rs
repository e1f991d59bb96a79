//! What the lists in name order (catalogs, a catalog's access packages and custom extensions,
//! apps) share: reading the page the URL asks for, and saying where a page stands.

use crate::error::AppError;
use crate::store::paging::{Key, Page, PageAt};
use crate::views::lists::{NamePages, NameQuery};

/// Longest name start a list is searched by (also the request lists' name filters).
pub const LONGEST_SEARCH: usize = 100;

/// The page `q` asks for and the name start it searches by. A page link that is not one
/// Latch gave is refused naming `page`, a search of more than 100 characters naming `name`.
pub fn page_at(q: &NameQuery) -> Result<(PageAt, &str), AppError> {
    let name = q.name.trim();
    if name.chars().count() > LONGEST_SEARCH || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            format!("Name: at most {LONGEST_SEARCH} characters, none of them a control character."),
        ));
    }
    let token = |t: &str| Some(t.to_owned()).filter(|t| !t.is_empty());
    let at = PageAt::from_tokens_with(
        token(&q.after).as_deref(),
        token(&q.before).as_deref(),
        Key::from_name_token,
    )
    .map_err(|e| AppError::invalid("page", e.to_string()))?;
    Ok((at, name))
}

/// Where `page` stands among `total` rows, its neighbours' keys as link tokens.
pub fn pages<T>(page: &Page<T>, total: i64) -> NamePages {
    NamePages {
        total,
        previous: page.newer.as_ref().map(Key::token),
        next: page.older.as_ref().map(Key::token),
    }
}

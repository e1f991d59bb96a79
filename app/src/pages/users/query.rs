//! What the Users page keeps in its URL (`/users?q=…&offset=…&user=…`), so that reload and
//! Back show the same search, page and person; and the links that change one part of it.

use crate::domain::ids::UserId;
use crate::views::people::PeoplePage;
use leptos_router::params::ParamsMap;

pub use crate::views::url::encode;

/// The Users page's state as the URL holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsersQuery {
    /// Name or e-mail prefix; empty shows everyone.
    pub q: String,
    /// Rows skipped (0 on the first page).
    pub offset: i64,
    /// The person whose details are open.
    pub user: Option<UserId>,
}

impl UsersQuery {
    /// Reads the query, ignoring what does not parse (a hand-typed `offset=abc` shows page 1).
    pub fn from_params(params: &ParamsMap) -> Self {
        UsersQuery {
            q: params.get("q").unwrap_or_default(),
            offset: params
                .get_str("offset")
                .and_then(|o| o.parse::<i64>().ok())
                .filter(|o| *o >= 0)
                .unwrap_or(0),
            user: params.get_str("user").and_then(|u| u.parse().ok()),
        }
    }

    /// The page's address for this state; parts at their default are left out.
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if self.offset > 0 {
            parts.push(format!("offset={}", self.offset));
        }
        if let Some(user) = self.user {
            parts.push(format!("user={user}"));
        }
        if parts.is_empty() {
            "/users".to_string()
        } else {
            format!("/users?{}", parts.join("&"))
        }
    }

    /// The same search and page with a person's details open (or closed with `None`).
    pub fn with_user(&self, user: Option<UserId>) -> Self {
        UsersQuery {
            user,
            ..self.clone()
        }
    }

    /// The same search at another offset, details closed.
    pub fn at(&self, offset: i64) -> Self {
        UsersQuery {
            q: self.q.clone(),
            offset: offset.max(0),
            user: None,
        }
    }
}

/// Where "Previous" and "Next" lead, if anywhere.
pub fn neighbours(page: &PeoplePage) -> (Option<i64>, Option<i64>) {
    let size = page.page_size.max(1);
    // From past the end (a hand-typed offset), Previous leads to the last page.
    let last_start = ((page.total - 1).max(0) / size) * size;
    let previous = (page.offset > 0).then(|| (page.offset - size).min(last_start).max(0));
    let next_offset = page.offset + size;
    let next = (next_offset < page.total).then_some(next_offset);
    (previous, next)
}

/// "1–50 of 250": the rows shown and how many match.
pub fn range_words(page: &PeoplePage) -> String {
    if page.rows.is_empty() {
        return format!("0 of {}", page.total);
    }
    let first = page.offset + 1;
    let last = page.offset + page.rows.len() as i64;
    format!("{first}\u{2013}{last} of {}", page.total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(offset: i64, rows: usize, total: i64) -> PeoplePage {
        let row = crate::views::people::PersonRow {
            id: UserId::new(),
            display_name: "A".into(),
            email: "a@contoso.test".into(),
            department: String::new(),
            job_title: String::new(),
            enabled: true,
            provisioned: false,
        };
        PeoplePage {
            rows: vec![row; rows],
            offset,
            page_size: 50,
            total,
        }
    }

    #[test]
    fn the_query_round_trips_through_the_address() {
        let user = UserId::new();
        let q = UsersQuery {
            q: "Megan B&o=1".into(),
            offset: 50,
            user: Some(user),
        };
        assert_eq!(
            q.href(),
            format!("/users?q=Megan%20B%26o%3D1&offset=50&user={user}")
        );
        let params: ParamsMap = [
            ("q", "Megan B&o=1".to_string()),
            ("offset", "50".to_string()),
            ("user", user.to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(UsersQuery::from_params(&params), q);
        assert_eq!(UsersQuery::default().href(), "/users");
    }

    #[test]
    fn nonsense_in_the_address_falls_back_to_defaults() {
        let params: ParamsMap = [("offset", "-5"), ("user", "megan")]
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        assert_eq!(UsersQuery::from_params(&params), UsersQuery::default());
    }

    #[test]
    fn paging_words_and_links() {
        assert_eq!(range_words(&page(0, 50, 250)), "1\u{2013}50 of 250");
        assert_eq!(range_words(&page(200, 50, 250)), "201\u{2013}250 of 250");
        assert_eq!(range_words(&page(0, 0, 0)), "0 of 0");
        assert_eq!(neighbours(&page(0, 50, 250)), (None, Some(50)));
        assert_eq!(neighbours(&page(50, 50, 250)), (Some(0), Some(100)));
        assert_eq!(neighbours(&page(200, 50, 250)), (Some(150), None));
        assert_eq!(neighbours(&page(0, 3, 3)), (None, None));
        assert_eq!(neighbours(&page(1000, 0, 120)), (Some(100), None));
    }
}

//! What the Users page keeps in its URL (`/users?q=…&after=…&user=…`), so that reload and
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
    /// The page after (or before) this person's key, in name order; both empty on the first.
    pub after: String,
    pub before: String,
    /// The person whose details are open.
    pub user: Option<UserId>,
}

impl UsersQuery {
    /// Reads the query, ignoring a person id that does not parse (the server checks the page
    /// keys, and names them if they are not its own).
    pub fn from_params(params: &ParamsMap) -> Self {
        UsersQuery {
            q: params.get("q").unwrap_or_default(),
            after: params.get("after").unwrap_or_default(),
            before: params.get("before").unwrap_or_default(),
            user: params.get_str("user").and_then(|u| u.parse().ok()),
        }
    }

    /// The page's address for this state; parts at their default are left out.
    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        for (name, value) in [
            ("q", &self.q),
            ("after", &self.after),
            ("before", &self.before),
        ] {
            if !value.is_empty() {
                parts.push(format!("{name}={}", encode(value)));
            }
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

    /// The same search on the page after or before a key, details closed.
    pub fn paged(&self, after: Option<&str>, before: Option<&str>) -> Self {
        UsersQuery {
            q: self.q.clone(),
            after: after.unwrap_or_default().to_owned(),
            before: before.unwrap_or_default().to_owned(),
            user: None,
        }
    }
}

/// "250 people" (or "1 person"): how many match, beside Previous and Next.
pub fn count_words(page: &PeoplePage) -> String {
    crate::views::counted(page.total, "person", "people")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_through_the_address() {
        let user = UserId::new();
        let q = UsersQuery {
            q: "Megan B&o=1".into(),
            after: "TWVnYW58YQ".into(),
            before: String::new(),
            user: Some(user),
        };
        assert_eq!(
            q.href(),
            format!("/users?q=Megan%20B%26o%3D1&after=TWVnYW58YQ&user={user}")
        );
        let params: ParamsMap = [
            ("q", "Megan B&o=1".to_string()),
            ("after", "TWVnYW58YQ".to_string()),
            ("user", user.to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(UsersQuery::from_params(&params), q);
        assert_eq!(UsersQuery::default().href(), "/users");
        let back = q.paged(None, Some("K"));
        assert_eq!(back.href(), "/users?q=Megan%20B%26o%3D1&before=K");
    }

    #[test]
    fn nonsense_in_the_address_falls_back_to_defaults() {
        let params: ParamsMap = [("user", "megan")]
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        assert_eq!(UsersQuery::from_params(&params), UsersQuery::default());
    }

    #[test]
    fn counting_words() {
        let page = |total| PeoplePage {
            rows: Vec::new(),
            total,
            previous: None,
            next: None,
        };
        assert_eq!(count_words(&page(250)), "250 people");
        assert_eq!(count_words(&page(1)), "1 person");
        assert_eq!(count_words(&page(0)), "0 people");
    }
}

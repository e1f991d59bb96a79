//! A list page's state as its URL holds it (`/requests?show=…&person=…&after=…`), so that a
//! link, a reload or Back shows the same filter and page; and one page of a list.
//!
//! Every list takes the same parameters; each checks those it reads and refuses the others
//! by name, so one type serves them all.

use serde::{Deserialize, Serialize};

/// Rows a page shows.
pub const PAGE_SIZE: usize = 50;

/// What a list is narrowed to, and which page. Every part is text as the URL has it; the
/// server checks each and names the one it cannot read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// One of the list's "Show" keys ([`REQUEST_SHOW`], [`ASSIGNMENT_SHOW`]); empty for the
    /// list's default.
    pub show: String,
    /// An access package: its id (a link's), or the start of package names (the form's).
    pub package: String,
    /// A catalog: its id, or the start of catalog names.
    pub catalog: String,
    /// An assignment policy: its id, or the start of policy names.
    pub policy: String,
    /// The start of a name or e-mail address.
    pub person: String,
    /// Made on or after this day (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// Made on or before this day.
    pub to: String,
    /// Ends within this many days (assignments).
    pub within: String,
    /// The page after (older than) this key, or before (newer than) it.
    pub after: String,
    pub before: String,
}

/// The requests' "Show" choices: (key in the URL, words). A key names a request state, or a
/// status that cuts across states (waiting for a workflow, process expired).
pub const REQUEST_SHOW: [(&str, &str); 9] = [
    ("", "All requests"),
    ("pendingApproval", "Pending approval"),
    ("waiting", "Waiting for a workflow"),
    ("expired", "Process expired"),
    ("delivered", "Delivered"),
    ("denied", "Denied"),
    ("canceled", "Canceled"),
    ("deliveryFailed", "Delivery failed"),
    ("submitted", "Submitted"),
];

/// The assignments' "Show" choices: active access first (the default), then each state.
pub const ASSIGNMENT_SHOW: [(&str, &str); 6] = [
    ("", "Active"),
    ("all", "All assignments"),
    ("delivering", "Delivering"),
    ("delivered", "Delivered"),
    ("expired", "Expired"),
    ("deliveryFailed", "Delivery failed"),
];

/// The URL's parameter names, in the order links write them.
pub const PARTS: [&str; 10] = [
    "show", "package", "catalog", "policy", "person", "from", "to", "within", "after", "before",
];

impl ListQuery {
    /// From the URL's parameters (a missing one is empty).
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let part = |name: &str| get(name).unwrap_or_default().to_owned();
        ListQuery {
            show: part("show"),
            package: part("package"),
            catalog: part("catalog"),
            policy: part("policy"),
            person: part("person"),
            from: part("from"),
            to: part("to"),
            within: part("within"),
            after: part("after"),
            before: part("before"),
        }
    }

    /// Each part with its name, in [`PARTS`]' order.
    pub fn parts(&self) -> [(&'static str, &str); 10] {
        let values = [
            &self.show,
            &self.package,
            &self.catalog,
            &self.policy,
            &self.person,
            &self.from,
            &self.to,
            &self.within,
            &self.after,
            &self.before,
        ];
        std::array::from_fn(|i| (PARTS[i], values[i].as_str()))
    }

    /// The list's address under `path`; empty parts are left out.
    pub fn href(&self, path: &str) -> String {
        address(path, &self.parts())
    }

    /// The same filter on the page after (older) or before (newer) a key.
    pub fn paged(&self, after: Option<&str>, before: Option<&str>) -> Self {
        ListQuery {
            after: after.unwrap_or_default().to_owned(),
            before: before.unwrap_or_default().to_owned(),
            ..self.clone()
        }
    }

    /// Whether anything narrows the list (whatever the page).
    pub fn is_filtered(&self) -> bool {
        self.paged(None, None) != ListQuery::default()
    }
}

/// `path?name=value&…` of the parts that are not empty, each value encoded.
fn address(path: &str, parts: &[(&str, &str)]) -> String {
    let query: Vec<String> = parts
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", crate::views::url::encode(value)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// One page of a list, with the keys of its neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub rows: Vec<T>,
    pub newer: Option<String>,
    pub older: Option<String>,
    /// The packages the list's `package` part named, (id, name).
    pub packages: Vec<(String, String)>,
}

/// A list in name order (catalogs, a catalog's access packages and custom extensions, apps):
/// the start of a name to narrow it to, and which page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameQuery {
    /// Names starting with this, in any case; empty for all.
    pub name: String,
    /// The page after (or before) this row's key, in name order.
    pub after: String,
    pub before: String,
}

impl NameQuery {
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let part = |name: &str| get(name).unwrap_or_default().to_owned();
        NameQuery {
            name: part("name"),
            after: part("after"),
            before: part("before"),
        }
    }

    /// The list's address under `path`; empty parts are left out.
    pub fn href(&self, path: &str) -> String {
        address(
            path,
            &[
                ("name", &self.name),
                ("after", &self.after),
                ("before", &self.before),
            ],
        )
    }

    /// The same search on the page after or before a key.
    pub fn paged(&self, after: Option<&str>, before: Option<&str>) -> Self {
        NameQuery {
            name: self.name.clone(),
            after: after.unwrap_or_default().to_owned(),
            before: before.unwrap_or_default().to_owned(),
        }
    }
}

/// Where a page of a list in name order stands: how many rows match (an index range, so
/// cheap), and the keys of the pages before and after it where there are such rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamePages {
    pub total: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_through_the_address() {
        let q = ListQuery {
            show: "expired".into(),
            person: "adele@".into(),
            catalog: "Mark".into(),
            from: "2026-10-01".into(),
            within: "14".into(),
            after: "MjAy".into(),
            ..Default::default()
        };
        let href = q.href("/requests");
        assert_eq!(
            href,
            "/requests?show=expired&catalog=Mark&person=adele%40&from=2026-10-01&within=14&after=MjAy"
        );
        let pairs: Vec<(String, String)> = href
            .trim_start_matches("/requests?")
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_owned(), v.replace("%40", "@"))
            })
            .collect();
        let back = ListQuery::from_pairs(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        });
        assert_eq!(back, q);
        assert_eq!(ListQuery::default().href("/assignments"), "/assignments");
        let older = q.paged(Some("T1"), None);
        assert_eq!((older.after.as_str(), older.before.as_str()), ("T1", ""));
        assert_eq!(older.show, "expired");
        assert!(older.is_filtered());
        assert!(!ListQuery::default().paged(Some("T1"), None).is_filtered());
    }

    #[test]
    fn a_name_query_round_trips_through_the_address() {
        let q = NameQuery {
            name: "Sales & co".into(),
            after: "U2FsZXN8YQ".into(),
            before: String::new(),
        };
        let href = q.href("/catalogs");
        assert_eq!(href, "/catalogs?name=Sales%20%26%20co&after=U2FsZXN8YQ");
        let back = NameQuery::from_pairs(|part| match part {
            "name" => Some("Sales & co"),
            "after" => Some("U2FsZXN8YQ"),
            _ => None,
        });
        assert_eq!(back, q);
        assert_eq!(NameQuery::default().href("/apps"), "/apps");
        assert_eq!(
            q.paged(None, Some("K")).href("/apps"),
            "/apps?name=Sales%20%26%20co&before=K"
        );
    }
}

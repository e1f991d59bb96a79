//! The managers' request list as its URL holds it (`/requests?show=…&person=…&after=…`), so
//! that a link, a reload or Back shows the same filter and page; and one page of it.

use crate::views::requests::RequestSummary;
use serde::{Deserialize, Serialize};

/// What the list is narrowed to, and which page. Every part is text as the URL has it; the
/// server checks each and names the one it cannot read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsQuery {
    /// One of [`SHOW`]'s keys; empty for every request.
    pub show: String,
    /// An access package's id; empty for any.
    pub package: String,
    /// The start of a name or e-mail address: the person the request is for, or who asked.
    pub person: String,
    /// Made on or after this day (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// Made on or before this day.
    pub to: String,
    /// The page after (older than) this key, or before (newer than) it.
    pub after: String,
    pub before: String,
}

/// The "Show" choices: (key in the URL, words). A key names a request state, or a status
/// that cuts across states (waiting for a workflow, process expired).
pub const SHOW: [(&str, &str); 9] = [
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

/// The URL's parameter names, in the order links write them.
const PARTS: [&str; 7] = ["show", "package", "person", "from", "to", "after", "before"];

impl RequestsQuery {
    /// From the URL's parameters (a missing one is empty).
    pub fn from_pairs<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let part = |name: &str| get(name).unwrap_or_default().to_owned();
        RequestsQuery {
            show: part("show"),
            package: part("package"),
            person: part("person"),
            from: part("from"),
            to: part("to"),
            after: part("after"),
            before: part("before"),
        }
    }

    fn parts(&self) -> [&str; 7] {
        [
            &self.show,
            &self.package,
            &self.person,
            &self.from,
            &self.to,
            &self.after,
            &self.before,
        ]
    }

    /// The page's address; empty parts are left out.
    pub fn href(&self) -> String {
        let query: Vec<String> = PARTS
            .iter()
            .zip(self.parts())
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", crate::views::url::encode(value)))
            .collect();
        if query.is_empty() {
            "/requests".to_owned()
        } else {
            format!("/requests?{}", query.join("&"))
        }
    }

    /// The same filter on the page after (older) or before (newer) a key.
    pub fn paged(&self, after: Option<&str>, before: Option<&str>) -> Self {
        RequestsQuery {
            after: after.unwrap_or_default().to_owned(),
            before: before.unwrap_or_default().to_owned(),
            ..self.clone()
        }
    }
}

/// One page of the list, with the keys of its neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestListPage {
    pub rows: Vec<RequestSummary>,
    pub newer: Option<String>,
    pub older: Option<String>,
    /// The packages the filter offers: (id, name), in the caller's catalogs.
    pub packages: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_through_the_address() {
        let q = RequestsQuery {
            show: "expired".into(),
            person: "adele@".into(),
            from: "2026-10-01".into(),
            after: "MjAy".into(),
            ..Default::default()
        };
        let href = q.href();
        assert_eq!(
            href,
            "/requests?show=expired&person=adele%40&from=2026-10-01&after=MjAy"
        );
        let pairs: Vec<(String, String)> = href
            .trim_start_matches("/requests?")
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_owned(), v.replace("%40", "@"))
            })
            .collect();
        let back = RequestsQuery::from_pairs(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        });
        assert_eq!(back, q);
        assert_eq!(RequestsQuery::default().href(), "/requests");
        let older = q.paged(Some("T1"), None);
        assert_eq!((older.after.as_str(), older.before.as_str()), ("T1", ""));
        assert_eq!(older.show, "expired");
    }
}

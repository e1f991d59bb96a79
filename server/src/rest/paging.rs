//! Graph collections: `{"@odata.context", "value": [...]}`, at most 100 items a page, with
//! `@odata.nextLink` carrying a `$skiptoken` for the next.

use super::error::GraphError;
use serde::Deserialize;
use serde_json::{json, Value};

pub const PAGE_MAX: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(rename = "$top")]
    pub top: Option<String>,
    #[serde(rename = "$skiptoken")]
    pub skiptoken: Option<String>,
}

impl PageQuery {
    pub fn top(&self) -> Result<usize, GraphError> {
        match &self.top {
            None => Ok(PAGE_MAX),
            Some(t) => match t.parse::<usize>() {
                Ok(n) if (1..=999).contains(&n) => Ok(n.min(PAGE_MAX)),
                _ => Err(GraphError::bad_request(format!(
                    "Query '$top': {t:?} is not a number from 1 to 999."
                ))),
            },
        }
    }

    fn skip(&self) -> Result<usize, GraphError> {
        match &self.skiptoken {
            None => Ok(0),
            Some(t) => t.parse().map_err(|_| {
                GraphError::bad_request("Query '$skiptoken' is not one this server gave.")
            }),
        }
    }
}

/// Where a keyset list resumes: after the key `$skiptoken` carries (a token this server gave).
pub fn keyset_at(query: &PageQuery) -> Result<app::store::paging::PageAt, GraphError> {
    use app::store::paging::{Key, PageAt};
    match &query.skiptoken {
        None => Ok(PageAt::First),
        Some(token) => Key::from_token(token).map(PageAt::After).map_err(|_| {
            GraphError::bad_request("Query '$skiptoken' is not one this server gave.")
        }),
    }
}

/// One page of a keyset list: `items` as read, and a next link carrying `older`'s token when
/// the list goes on.
pub fn keyset_page(
    items: Vec<Value>,
    older: Option<app::store::paging::Key>,
    top: usize,
    context: &str,
    self_url: &str,
) -> Value {
    let mut body = json!({ "@odata.context": context, "value": items });
    if let Some(key) = older {
        body["@odata.nextLink"] =
            json!(format!("{self_url}?$top={top}&$skiptoken={}", key.token()));
    }
    body
}

/// One page of `items`; `self_url` is the collection's address (without query) for the next link.
pub fn page(
    items: Vec<Value>,
    query: &PageQuery,
    context: &str,
    self_url: &str,
) -> Result<Value, GraphError> {
    let top = query.top()?;
    let skip = query.skip()?;
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({ "@odata.context": context, "value": value });
    // Saturating: a `$skiptoken` near usize::MAX (not one this server gave) is an empty last
    // page, not an overflow.
    let next = skip.saturating_add(top);
    if next < total {
        body["@odata.nextLink"] = json!(format!("{self_url}?$top={top}&$skiptoken={next}"));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let q = PageQuery {
            top: Some("2".into()),
            ..Default::default()
        };
        let first = page(items.clone(), &q, "ctx", "http://x/c").unwrap();
        assert_eq!(first["value"], json!([0, 1]));
        assert_eq!(first["@odata.nextLink"], "http://x/c?$top=2&$skiptoken=2");
        let q = PageQuery {
            top: Some("2".into()),
            skiptoken: Some("4".into()),
        };
        let last = page(items, &q, "ctx", "http://x/c").unwrap();
        assert_eq!(last["value"], json!([4]));
        assert!(last.get("@odata.nextLink").is_none());
        let bad = PageQuery {
            top: Some("0".into()),
            ..Default::default()
        };
        assert_eq!(
            page(vec![], &bad, "c", "u").unwrap_err().status,
            axum::http::StatusCode::BAD_REQUEST
        );
    }

    /// Found while writing the `odata_query` fuzz target: `skip + top` overflowed (a panic in
    /// a debug build, a wrapped next link in a release one).
    #[test]
    fn a_skiptoken_near_the_largest_number_is_an_empty_last_page() {
        let items: Vec<Value> = (0..3).map(|i| json!(i)).collect();
        let q = PageQuery {
            top: Some("999".into()),
            skiptoken: Some(usize::MAX.to_string()),
        };
        let last = page(items, &q, "ctx", "http://x/c").unwrap();
        assert_eq!(last["value"], json!([]));
        assert!(last.get("@odata.nextLink").is_none());
    }
}

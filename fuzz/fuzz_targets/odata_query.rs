#![no_main]
//! OData query options of the Graph REST collections: `$filter` (`<property> eq '…'`),
//! `$expand` (items with nested options), `$top` and `$skiptoken`. The input's lines are the
//! decoded values of `$filter`, `$expand`, `$top` and `$skiptoken`, in that order. No panic;
//! refusals are 400s naming the option; an accepted filter written back reads the same; pages
//! follow each other through their next links.

use latch_fuzz::assert_graph_refusal;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use server::rest::parsers::{
    equals, expansion, page, wants_catalog, wants_instances, ODataQuery, PageQuery, PAGE_MAX,
};
use server::rest::GraphError;

fn refused<T>(result: Result<T, GraphError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            assert_graph_refusal(&error);
            assert!(error.message.starts_with("Query '$"), "{error:?}");
            None
        }
    }
}

fn check_equals(filter: &str, property: &str) {
    if let Some(value) = refused(equals(filter, property)) {
        let written = format!("{property} eq '{}'", value.replace('\'', "''"));
        assert_eq!(equals(&written, property), Ok(value), "{written}");
    }
}

/// The `$skiptoken` of a next link.
fn skiptoken(next: &str) -> String {
    let (_, query) = next.split_once('?').expect("a next link has a query");
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "$skiptoken")
        .map(|(_, value)| value.into_owned())
        .expect("a next link has a $skiptoken")
}

fn check_paging(top: Option<&str>, skip: Option<&str>) {
    const TOTAL: usize = 250;
    let items: Vec<Value> = (0..TOTAL).map(|i| json!(i)).collect();
    let mut query = PageQuery {
        top: top.map(str::to_owned),
        skiptoken: skip.map(str::to_owned),
    };
    let Some(mut body) = refused(page(items.clone(), &query, "ctx", "https://x/c")) else {
        return;
    };
    // Follow the next links: each page starts where the last one ended, and none is larger
    // than the page size.
    let mut expected = body["value"][0].as_u64();
    for _ in 0..=TOTAL {
        let value = body["value"].as_array().unwrap();
        assert!(value.len() <= PAGE_MAX, "{} items", value.len());
        for item in value {
            assert_eq!(item.as_u64(), expected);
            expected = expected.map(|n| n + 1);
        }
        let Some(next) = body["@odata.nextLink"].as_str() else {
            return;
        };
        query.skiptoken = Some(skiptoken(next));
        body = page(items.clone(), &query, "ctx", "https://x/c").expect("a next link works");
    }
    panic!("the next links never end");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let mut next = || lines.next().filter(|line| !line.is_empty());
    let (filter, expand, top, skip) = (next(), next(), next(), next());

    if let Some(filter) = filter {
        check_equals(filter, "state");
        check_equals(filter, "userPrincipalName");
    }
    let query = ODataQuery {
        filter: filter.map(str::to_owned),
        expand: expand.map(str::to_owned),
    };
    if let Some(Some(value)) = refused(query.eq_filter("catalog/id")) {
        assert!(!value.contains(char::is_whitespace));
    }
    if let Some(items) = refused(query.expand_items()) {
        for (name, _) in items {
            assert_eq!(name, name.trim());
        }
    }
    refused(wants_catalog(&query));
    refused(expansion(&query));
    refused(wants_instances(expand));
    let mut body = json!({ "@odata.nextLink": "https://x/c?$top=2&$skiptoken=2" });
    query.carry_into(&mut body);
    let next = body["@odata.nextLink"].as_str().unwrap();
    let kept: Option<String> = url::Url::parse(next)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "$filter")
        .map(|(_, value)| value.into_owned());
    assert_eq!(kept.as_deref(), filter, "a next link keeps the filter");

    check_paging(top, skip);
});

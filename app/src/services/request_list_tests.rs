//! The managers' request list as a service (issue 16): what it refuses, naming the part of
//! the URL at fault, and whose requests it shows.

use crate::error::AppError;
use crate::services::request_views::managed_request_page;
use crate::services::test_fixture::fixture;
use crate::store::paging::Key;
use crate::views::request_list::RequestsQuery;

fn field_of(error: &AppError) -> Vec<String> {
    match error {
        AppError::Invalid(fields) => fields.iter().map(|f| f.field.clone()).collect(),
        other => panic!("not a refusal of a field: {other:?}"),
    }
}

#[tokio::test]
async fn each_unreadable_part_of_the_address_is_named() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let forged = Key {
        at: "2026-01-01T00:00:00Z".into(),
        id: "x".into(),
    };
    let cases = [
        (
            "show",
            RequestsQuery {
                show: "everything".into(),
                ..Default::default()
            },
        ),
        (
            "package",
            RequestsQuery {
                package: "tools".into(),
                ..Default::default()
            },
        ),
        (
            "person",
            RequestsQuery {
                person: "a".repeat(101),
                ..Default::default()
            },
        ),
        (
            "from",
            RequestsQuery {
                from: "2026-13-01".into(),
                ..Default::default()
            },
        ),
        (
            "to",
            RequestsQuery {
                to: "yesterday".into(),
                ..Default::default()
            },
        ),
        (
            "to",
            RequestsQuery {
                from: "2026-10-02".into(),
                to: "2026-10-01".into(),
                ..Default::default()
            },
        ),
        (
            "page",
            RequestsQuery {
                after: forged.token(),
                ..Default::default()
            },
        ),
        (
            "page",
            RequestsQuery {
                after: "AAAA".into(),
                before: "AAAA".into(),
                ..Default::default()
            },
        ),
    ];
    for (field, query) in cases {
        let error = managed_request_page(&f.state, &admin, &query)
            .await
            .unwrap_err();
        assert_eq!(field_of(&error), [field], "{query:?}: {error}");
    }
    // A valid query of nothing is an empty page, not an error.
    let none = RequestsQuery {
        person: "nobody-by-this-name".into(),
        from: "2026-10-01".into(),
        to: "2026-10-01".into(),
        ..Default::default()
    };
    let page = managed_request_page(&f.state, &admin, &none).await.unwrap();
    assert!(page.rows.is_empty() && page.newer.is_none() && page.older.is_none());
    assert!(!page.packages.is_empty(), "the filter offers the packages");
}

#[tokio::test]
async fn a_requestor_is_refused_and_a_catalog_owner_offered_only_their_catalogs() {
    let f = fixture().await;
    let alex = f.as_user("alex@contoso.test").await;
    let refused = managed_request_page(&f.state, &alex, &RequestsQuery::default()).await;
    assert!(
        matches!(refused, Err(AppError::NotPermitted(_))),
        "{refused:?}"
    );

    let admin = f.as_user("admin@contoso.test").await;
    let owner = f.as_user("owner@contoso.test").await;
    let all = managed_request_page(&f.state, &admin, &RequestsQuery::default())
        .await
        .unwrap();
    let theirs = managed_request_page(&f.state, &owner, &RequestsQuery::default())
        .await
        .unwrap();
    assert!(
        theirs.packages.len() < all.packages.len(),
        "{:?} / {:?}",
        theirs.packages,
        all.packages
    );
    assert!(theirs.packages.iter().all(|p| all.packages.contains(p)));
}

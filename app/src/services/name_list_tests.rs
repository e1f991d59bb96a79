//! The lists in name order as services (issue 16): each pages by key with how many match,
//! and refuses a page link or a search it cannot read, naming it.

use crate::domain::limits::ExtensionLimits;
use crate::error::AppError;
use crate::services::test_fixture::{fixture, fixture_with};
use crate::services::tests::sod_check;
use crate::services::{apps, catalogs, extensions, policies};
use crate::store::paging::{Key, PAGE_SIZE};
use crate::views::lists::NameQuery;

fn field_of(result: Result<(), AppError>) -> String {
    match result {
        Err(AppError::Invalid(fields)) => fields[0].field.clone(),
        other => panic!("not a refusal of a field: {other:?}"),
    }
}

#[tokio::test]
async fn each_list_names_the_page_link_or_search_it_cannot_read() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let by_time = Key {
        at: "2026-12-01T00:00:00.000000Z".into(),
        id: "x-y".into(),
    };
    let forged = Key {
        at: "Marketing\u{7}".into(),
        id: "abc".into(),
    };
    let cases = [
        (
            "name",
            NameQuery {
                name: "n".repeat(101),
                ..Default::default()
            },
        ),
        (
            "page",
            NameQuery {
                after: "not a token".into(),
                ..Default::default()
            },
        ),
        (
            "page",
            NameQuery {
                before: forged.token(),
                ..Default::default()
            },
        ),
        (
            "page",
            NameQuery {
                after: by_time.token(),
                before: by_time.token(),
                ..Default::default()
            },
        ),
    ];
    for (field, q) in cases {
        let (state, m) = (&f.state, f.marketing);
        let results = [
            catalogs::page(state, &admin, &q).await.map(drop),
            policies::catalog_policies(state, &admin, m, &q)
                .await
                .map(drop),
            extensions::tab(state, &admin, m, &q).await.map(drop),
            apps::list(state, &admin, &q).await.map(drop),
            apps::catalog_choices(state, &admin, &q).await.map(drop),
        ];
        for (i, result) in results.into_iter().enumerate() {
            assert_eq!(field_of(result), field, "list {i}, {q:?}");
        }
    }
}

#[tokio::test]
async fn the_custom_extensions_tab_pages_by_name() {
    let f = fixture_with(ExtensionLimits {
        per_catalog: 60,
        per_tenant: 500,
    })
    .await;
    let admin = f.as_user("admin@contoso.test").await;
    for i in 0..55 {
        let mut draft = sod_check(&format!("flow-{i}"));
        draft.display_name = format!("Check {i:02}");
        extensions::create(&f.state, &admin, f.marketing, draft)
            .await
            .unwrap();
    }
    let first = extensions::tab(&f.state, &admin, f.marketing, &NameQuery::default())
        .await
        .unwrap();
    assert_eq!(first.rows.len(), PAGE_SIZE);
    assert_eq!(first.rows[0].display_name, "Check 00");
    assert!(first.pages.total >= 55, "{:?}", first.pages);
    assert!(first.pages.previous.is_none());
    let next = NameQuery {
        after: first.pages.next.clone().expect("a second page"),
        ..Default::default()
    };
    let second = extensions::tab(&f.state, &admin, f.marketing, &next)
        .await
        .unwrap();
    assert_eq!(
        second.rows.len() as i64,
        first.pages.total - PAGE_SIZE as i64
    );
    assert!(second.pages.next.is_none());
    let back = NameQuery {
        before: second.pages.previous.clone().expect("back to the first"),
        ..Default::default()
    };
    let again = extensions::tab(&f.state, &admin, f.marketing, &back)
        .await
        .unwrap();
    assert_eq!(again.rows, first.rows);

    let searched = NameQuery {
        name: "check 5".into(),
        ..Default::default()
    };
    let fives = extensions::tab(&f.state, &admin, f.marketing, &searched)
        .await
        .unwrap();
    let names: Vec<&str> = fives.rows.iter().map(|r| r.display_name.as_str()).collect();
    assert_eq!(
        names,
        ["Check 50", "Check 51", "Check 52", "Check 53", "Check 54"]
    );
    assert_eq!(fives.pages.total, 5);
}

#[tokio::test]
async fn an_apps_role_is_offered_the_catalogs_named_as_searched_and_only_to_an_administrator() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let search = |name: &str| NameQuery {
        name: name.into(),
        ..Default::default()
    };
    let all = apps::catalog_choices(&f.state, &admin, &search(""))
        .await
        .unwrap();
    assert!(all.total >= 2 && all.rows.len() as i64 == all.total);
    let marketing = apps::catalog_choices(&f.state, &admin, &search("MARK"))
        .await
        .unwrap();
    let names: Vec<&str> = marketing
        .rows
        .iter()
        .map(|c| c.display_name.as_str())
        .collect();
    assert_eq!((names, marketing.total), (vec!["Marketing"], 1));
    assert_eq!(marketing.rows[0].id, f.marketing);
    let owner = f.as_user("owner@contoso.test").await;
    let refused = apps::catalog_choices(&f.state, &owner, &search("")).await;
    assert!(
        matches!(refused, Err(AppError::NotPermitted(_))),
        "{refused:?}"
    );
}

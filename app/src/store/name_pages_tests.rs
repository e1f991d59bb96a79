//! Pages of the lists in name order: every row once, forward and back, across runs of names
//! equal in any case; the name search, the catalog scope; and an index behind each list.

use super::*;
use crate::domain::ids::{AccessPackageId, AppId, CatalogId};
use crate::store::catalogs::{self, CatalogRecord};
use crate::store::packages::{self, PackageRecord};
use crate::store::paging::PAGE_SIZE;
use crate::store::plan::{query_plan, reads_a_whole_table};
use crate::store::{apps, extensions, is_postgres, test_db, Pool};
use chrono::Utc;

/// Names that sort together whatever their case, so that pages split runs of equal keys.
const NAMES: [&str; 6] = ["Alpha", "alpha", "ALPHA", "Beta", "beta", "Gamma"];

/// A catalog with `n` packages named from [`NAMES`] (and a number for some), and another
/// catalog with a few; the first catalog's (name, id), in the list's order.
async fn packages_in_two_catalogs(db: &Pool, n: usize) -> (CatalogId, Vec<(String, String)>) {
    let mut conn = db.acquire().await.unwrap();
    let now = Utc::now();
    let (first, other) = (CatalogId::new(), CatalogId::new());
    catalogs::insert(&mut conn, first, "First", "", now)
        .await
        .unwrap();
    catalogs::insert(&mut conn, other, "Other", "", now)
        .await
        .unwrap();
    let mut made = Vec::new();
    for i in 0..n {
        let name = if i % 4 == 3 {
            format!("{} {i}", NAMES[i % NAMES.len()])
        } else {
            NAMES[i % NAMES.len()].to_owned()
        };
        let id = AccessPackageId::new();
        packages::insert_package(&mut conn, id, first, &name, "", now)
            .await
            .unwrap();
        made.push((name, id.to_string()));
    }
    for name in ["Alpha", "Zeta"] {
        packages::insert_package(&mut conn, AccessPackageId::new(), other, name, "", now)
            .await
            .unwrap();
    }
    made.sort_by_key(|(name, id)| (name.to_lowercase(), id.clone()));
    (first, made)
}

async fn package_page(
    db: &Pool,
    catalog: CatalogId,
    prefix: &str,
    at: &PageAt,
) -> (Page<PackageRecord>, i64) {
    let mut conn = db.acquire().await.unwrap();
    let within = [catalog.to_string()];
    page(
        &mut conn,
        &packages::named(&within, prefix),
        at,
        PAGE_SIZE,
        |r: &PackageRecord| (&r.display_name, &r.id),
    )
    .await
    .unwrap()
}

fn ids(rows: &[PackageRecord]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

#[tokio::test]
async fn every_row_once_forward_and_back_across_equal_names() {
    let (db, _dir) = test_db().await;
    let (catalog, made) = packages_in_two_catalogs(&db, 130).await;
    let expected: Vec<String> = made.iter().map(|(_, id)| id.clone()).collect();

    let mut forward = Vec::new();
    let mut at = PageAt::First;
    let mut pages = 0;
    let last = loop {
        let (p, total) = package_page(&db, catalog, "", &at).await;
        assert_eq!(total, 130, "the count is the catalog's, whatever the page");
        assert_eq!(
            p.newer.is_some(),
            pages > 0,
            "a previous page after the first"
        );
        forward.extend(ids(&p.rows));
        pages += 1;
        match p.older {
            Some(key) => at = PageAt::After(key),
            None => break p,
        }
    };
    assert_eq!(pages, 3);
    assert_eq!(
        forward, expected,
        "every package once, in name order (any case) then id"
    );

    // Back from the last page to the first.
    let mut back: Vec<Vec<String>> = vec![ids(&last.rows)];
    let mut previous = last.newer;
    while let Some(key) = previous {
        let (p, _) = package_page(&db, catalog, "", &PageAt::Before(key)).await;
        back.push(ids(&p.rows));
        previous = p.newer;
    }
    back.reverse();
    assert_eq!(back.concat(), expected);
    assert_eq!(
        back[0].len(),
        PAGE_SIZE,
        "back on the first page: a whole page"
    );
}

#[tokio::test]
async fn a_name_start_in_any_case_narrows_the_list_and_its_count() {
    let (db, _dir) = test_db().await;
    let (catalog, made) = packages_in_two_catalogs(&db, 60).await;
    let alphas: Vec<String> = made
        .iter()
        .filter(|(name, _)| name.to_lowercase().starts_with("alp"))
        .map(|(_, id)| id.clone())
        .collect();
    assert!(!alphas.is_empty());
    for prefix in ["alp", "ALP", " Alp "] {
        let (p, total) = package_page(&db, catalog, prefix, &PageAt::First).await;
        assert_eq!(ids(&p.rows), alphas, "{prefix:?}");
        assert_eq!(total, alphas.len() as i64);
        assert_eq!((p.newer, p.older), (None, None), "one page");
    }
    let (p, total) = package_page(&db, catalog, "Zeta", &PageAt::First).await;
    assert!(
        p.rows.is_empty(),
        "another catalog's package is not this one's"
    );
    assert_eq!(total, 0);
}

#[tokio::test]
async fn the_catalogs_list_keeps_to_the_callers_catalogs() {
    let (db, _dir) = test_db().await;
    let (first, _) = packages_in_two_catalogs(&db, 1).await;
    let names = |within: Option<Vec<String>>| {
        let db = db.clone();
        async move {
            let mut conn = db.acquire().await.unwrap();
            let (p, total) = page(
                &mut conn,
                &catalogs::named(within.as_deref(), ""),
                &PageAt::First,
                PAGE_SIZE,
                |c: &CatalogRecord| (&c.display_name, &c.id),
            )
            .await
            .unwrap();
            let names: Vec<String> = p.rows.into_iter().map(|c| c.display_name).collect();
            (names, total)
        }
    };
    assert_eq!(names(None).await, (vec!["First".into(), "Other".into()], 2));
    assert_eq!(
        names(Some(vec![first.to_string()])).await,
        (vec!["First".into()], 1)
    );
    assert_eq!(names(Some(Vec::new())).await, (Vec::new(), 0));
}

#[tokio::test]
async fn apps_page_in_name_order() {
    let (db, _dir) = test_db().await;
    let mut conn = db.acquire().await.unwrap();
    for name in ["zeta worker", "Alpha worker", "beta worker"] {
        apps::insert(&mut conn, AppId::new(), name, Utc::now())
            .await
            .unwrap();
    }
    let (p, total) = page(
        &mut conn,
        &apps::named("a"),
        &PageAt::First,
        1,
        |a: &apps::AppRecord| (&a.display_name, &a.id),
    )
    .await
    .unwrap();
    assert_eq!(total, 1);
    assert_eq!(p.rows[0].display_name, "Alpha worker");
    let (p, total) = page(
        &mut conn,
        &apps::named(""),
        &PageAt::First,
        2,
        |a: &apps::AppRecord| (&a.display_name, &a.id),
    )
    .await
    .unwrap();
    let names: Vec<&str> = p.rows.iter().map(|a| a.display_name.as_str()).collect();
    assert_eq!((names, total), (vec!["Alpha worker", "beta worker"], 3));
    assert!(p.older.is_some(), "a third app on the next page");
}

#[tokio::test]
async fn an_index_serves_every_list_in_name_order() {
    let (db, _dir) = test_db().await;
    let conn = db.acquire().await.unwrap();
    let one = [CatalogId::new().to_string()];
    let later = PageAt::After(Key {
        at: "Marketing".into(),
        id: "0b7e6a5c-1f1d-4e36-9a52-2f6f1c7d3e10".into(),
    });
    for prefix in ["", "mar"] {
        let lists = [
            ("catalogs", catalogs::named(None, prefix)),
            (
                "a catalog role's catalogs",
                catalogs::named(Some(&one), prefix),
            ),
            ("access packages", packages::named(&one, prefix)),
            ("custom extensions", extensions::named(&one, prefix)),
            ("apps", apps::named(prefix)),
        ];
        for (what, list) in lists {
            for at in [PageAt::First, later.clone()] {
                for (sql, binds) in [list.page_sql(&conn, &at, PAGE_SIZE), list.count_sql(&conn)] {
                    let plan = query_plan(&db, &sql, &binds).await.unwrap();
                    assert!(
                        !reads_a_whole_table(&plan),
                        "{what} {prefix:?} {at:?}:\n{sql}\n{plan}"
                    );
                    // Read in name order from the index, not sorted afterwards.
                    if !is_postgres(&db) {
                        assert!(!plan.contains("TEMP B-TREE"), "{what} {at:?}:\n{plan}");
                    }
                }
            }
        }
    }
}

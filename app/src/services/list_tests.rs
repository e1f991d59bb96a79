//! The lists as services (issue 16): what each refuses, naming the part of the URL at fault,
//! and whose rows they show.

use crate::error::AppError;
use crate::services::request_views::{
    approval_history, approvals, managed_assignment_page, managed_request_page, my_assignments,
    my_requests,
};
use crate::services::test_fixture::fixture;
use crate::store::paging::Key;
use crate::views::lists::{ListPage, ListQuery};

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
            ListQuery {
                show: "everything".into(),
                ..Default::default()
            },
        ),
        (
            "package",
            ListQuery {
                package: "p".repeat(101),
                ..Default::default()
            },
        ),
        (
            "person",
            ListQuery {
                person: "a".repeat(101),
                ..Default::default()
            },
        ),
        (
            "from",
            ListQuery {
                from: "2026-13-01".into(),
                ..Default::default()
            },
        ),
        (
            "to",
            ListQuery {
                to: "yesterday".into(),
                ..Default::default()
            },
        ),
        (
            "to",
            ListQuery {
                from: "2026-10-02".into(),
                to: "2026-10-01".into(),
                ..Default::default()
            },
        ),
        (
            "page",
            ListQuery {
                after: forged.token(),
                ..Default::default()
            },
        ),
        (
            "page",
            ListQuery {
                after: "AAAA".into(),
                before: "AAAA".into(),
                ..Default::default()
            },
        ),
        (
            "within",
            ListQuery {
                within: "7".into(),
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
    let none = ListQuery {
        person: "nobody-by-this-name".into(),
        from: "2026-10-01".into(),
        to: "2026-10-01".into(),
        ..Default::default()
    };
    let page = managed_request_page(&f.state, &admin, &none).await.unwrap();
    assert!(page.rows.is_empty() && page.newer.is_none() && page.older.is_none());
    let no_package = ListQuery {
        package: "no package is named so".into(),
        ..Default::default()
    };
    let page = managed_request_page(&f.state, &admin, &no_package)
        .await
        .unwrap();
    assert!(page.rows.is_empty() && page.packages.is_empty());
}

/// Names of the packages a list's `package` part named.
fn named<T>(page: &ListPage<T>) -> Vec<&str> {
    page.packages.iter().map(|(_, n)| n.as_str()).collect()
}

#[tokio::test]
async fn a_package_is_named_by_its_id_or_the_start_of_names_among_the_lists_own() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let owner = f.as_user("owner@contoso.test").await;
    let start = |text: &str| ListQuery {
        package: text.into(),
        ..Default::default()
    };
    // "b": Brand assets (Marketing) and Build servers (Engineering), in any case.
    let all = managed_request_page(&f.state, &admin, &start("B"))
        .await
        .unwrap();
    assert_eq!(named(&all), ["Brand assets", "Build servers"]);
    let theirs = managed_request_page(&f.state, &owner, &start("b"))
        .await
        .unwrap();
    assert_eq!(named(&theirs), ["Brand assets"], "only their catalog's");
    let assignments = managed_assignment_page(&f.state, &owner, &start("b"))
        .await
        .unwrap();
    assert_eq!(named(&assignments), ["Brand assets"]);
    // A link's id: that package, shown by its name.
    let (id, _) = &all.packages[1];
    let one = managed_request_page(&f.state, &admin, &start(id))
        .await
        .unwrap();
    assert_eq!(named(&one), ["Build servers"]);
    // More than 64 packages named alike: refused, naming the part.
    let mut conn = f.state.db.acquire().await.unwrap();
    for i in 0..65 {
        crate::store::packages::insert_package(
            &mut conn,
            crate::domain::ids::AccessPackageId::new(),
            f.engineering,
            &format!("Lab machine {i}"),
            "",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    drop(conn);
    let error = managed_request_page(&f.state, &admin, &start("lab"))
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), ["package"], "{error}");
    let approver = f.as_user("approver@contoso.test").await;
    let history = approval_history(&f.state, &approver, &start("marketing"))
        .await
        .unwrap();
    assert!(
        named(&history).iter().all(|n| n.starts_with("Marketing")),
        "{:?}",
        history.packages
    );
}

#[tokio::test]
async fn a_requestor_is_refused_and_a_catalog_owner_offered_only_their_catalogs() {
    let f = fixture().await;
    let alex = f.as_user("alex@contoso.test").await;
    let refused = managed_request_page(&f.state, &alex, &ListQuery::default()).await;
    assert!(
        matches!(refused, Err(AppError::NotPermitted(_))),
        "{refused:?}"
    );

    let owner = f.as_user("owner@contoso.test").await;
    let theirs = managed_request_page(&f.state, &owner, &ListQuery::default())
        .await
        .unwrap();
    let packages: Vec<&str> = theirs.rows.iter().map(|r| r.package.as_str()).collect();
    assert!(
        !packages.contains(&"Build servers"),
        "only Marketing's requests: {packages:?}"
    );
}

#[tokio::test]
async fn the_assignment_list_names_what_it_cannot_read() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let part = |name: &str, value: &str| ListQuery::from_pairs(|n| (n == name).then_some(value));
    let cases = [
        ("show", part("show", "pendingApproval")),
        ("package", part("package", &"p".repeat(101))),
        ("person", part("person", &"a".repeat(101))),
        ("within", part("within", "0")),
        ("within", part("within", "3651")),
        ("within", part("within", "a week")),
        ("from", part("from", "2026-10-01")),
        ("page", part("before", "x")),
    ];
    for (field, query) in cases {
        let error = managed_assignment_page(&f.state, &admin, &query)
            .await
            .unwrap_err();
        assert_eq!(field_of(&error), [field], "{query:?}: {error}");
    }
    for show in [
        "",
        "all",
        "delivered",
        "expired",
        "deliveryFailed",
        "delivering",
    ] {
        let query = ListQuery {
            show: show.into(),
            within: "30".into(),
            person: "alex".into(),
            ..Default::default()
        };
        managed_assignment_page(&f.state, &admin, &query)
            .await
            .unwrap();
    }
    let alex = f.as_user("alex@contoso.test").await;
    let refused = managed_assignment_page(&f.state, &alex, &ListQuery::default()).await;
    assert!(
        matches!(refused, Err(AppError::NotPermitted(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_requestors_and_an_approvers_lists_take_only_a_page_and_their_filter() {
    let f = fixture().await;
    let approver = f.as_user("approver@contoso.test").await;
    let person = ListQuery {
        person: "adele".into(),
        ..Default::default()
    };
    let show = ListQuery {
        show: "denied".into(),
        ..Default::default()
    };
    let error = my_requests(&f.state, &approver, &person).await.unwrap_err();
    assert_eq!(field_of(&error), ["person"]);
    let error = my_assignments(&f.state, &approver, &show)
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), ["show"]);
    let error = approvals(&f.state, &approver, &show).await.unwrap_err();
    assert_eq!(field_of(&error), ["show"]);
    let package = ListQuery {
        package: "p".repeat(101),
        ..Default::default()
    };
    let error = approvals(&f.state, &approver, &package).await.unwrap_err();
    assert_eq!(field_of(&error), ["package"]);
    let marketing = ListQuery {
        package: "marketing".into(),
        ..Default::default()
    };
    let waiting = approvals(&f.state, &approver, &marketing).await.unwrap();
    assert!(
        waiting
            .packages
            .iter()
            .all(|(_, n)| n.starts_with("Marketing"))
            && !waiting.packages.is_empty(),
        "{:?}",
        waiting.packages
    );
    let error = approval_history(&f.state, &approver, &person)
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), ["person"]);
    let package = ListQuery {
        package: "p".repeat(101),
        ..Default::default()
    };
    let error = approval_history(&f.state, &approver, &package)
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), ["package"]);
}

/// A delivered request of Alex's under each demo policy.
async fn one_request_per_policy(db: &crate::store::Pool) {
    let policies: Vec<(String, String)> =
        sqlx::query_as("SELECT id, access_package_id FROM policies")
            .fetch_all(db)
            .await
            .unwrap();
    let alex: String =
        sqlx::query_scalar("SELECT id FROM users WHERE user_principal_name = 'alex@contoso.test'")
            .fetch_one(db)
            .await
            .unwrap();
    for (policy, package) in policies {
        sqlx::query(
            "INSERT INTO requests (id, request_type, state, status, access_package_id, policy_id, \
             requestor_kind, requestor_id, target_id, created_at) \
             VALUES ($1, 'userAdd', 'delivered', 'Delivered', $2, $3, 'user', $4, $4, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(package)
        .bind(policy)
        .bind(&alex)
        .bind(crate::store::db_time(chrono::Utc::now()))
        .execute(db)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn requests_narrow_to_a_catalog_or_a_policy_by_the_start_of_its_name() {
    let f = fixture().await;
    one_request_per_policy(&f.state.db).await;
    let admin = f.as_user("admin@contoso.test").await;
    let owner = f.as_user("owner@contoso.test").await;
    let query = |catalog: &str, policy: &str| ListQuery {
        catalog: catalog.into(),
        policy: policy.into(),
        ..Default::default()
    };
    let packages = |page: &ListPage<crate::views::requests::RequestSummary>| {
        let mut names: Vec<String> = page.rows.iter().map(|r| r.package.clone()).collect();
        names.sort();
        names.dedup();
        names
    };
    let all = managed_request_page(&f.state, &admin, &query("", ""))
        .await
        .unwrap();
    assert!(
        packages(&all).contains(&"Build servers".to_owned()),
        "{:?}",
        packages(&all)
    );
    let engineering = managed_request_page(&f.state, &admin, &query("ENG", ""))
        .await
        .unwrap();
    assert_eq!(packages(&engineering), ["Build servers"]);
    let by_id = managed_request_page(&f.state, &admin, &query(&f.engineering.to_string(), ""))
        .await
        .unwrap();
    assert_eq!(by_id.rows.len(), engineering.rows.len());
    // Marketing's owner holds no role in Engineering: nothing, rather than everything.
    let none = managed_request_page(&f.state, &owner, &query("eng", ""))
        .await
        .unwrap();
    assert!(none.rows.is_empty());
    let none = managed_request_page(&f.state, &owner, &query(&f.engineering.to_string(), ""))
        .await
        .unwrap();
    assert!(none.rows.is_empty());
    // A policy by the start of its name ("All employees", Marketing's), within the catalogs
    // named.
    let open = managed_request_page(&f.state, &admin, &query("", "all employees"))
        .await
        .unwrap();
    assert_eq!(packages(&open), ["Campaign analytics"]);
    let neither = managed_request_page(&f.state, &admin, &query("eng", "all employees"))
        .await
        .unwrap();
    assert!(neither.rows.is_empty(), "no such policy in Engineering");
    for (part, q) in [
        ("catalog", query(&"c".repeat(101), "")),
        ("policy", query("", &"p".repeat(101))),
    ] {
        let error = managed_request_page(&f.state, &admin, &q)
            .await
            .unwrap_err();
        assert_eq!(field_of(&error), [part], "{error}");
    }
    // Lists without these parts refuse them by name.
    let error = managed_assignment_page(&f.state, &admin, &query("eng", ""))
        .await
        .unwrap_err();
    assert_eq!(field_of(&error), ["catalog"]);
}

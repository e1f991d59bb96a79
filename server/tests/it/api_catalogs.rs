//! `/catalogs` over REST: create, read, update, delete, and each refusal.

use crate::api::{app_with_role, call, marketing, token, BASE};
use crate::harness::TestApp;
use app::domain::role::Role;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn catalogs_are_created_read_updated_and_deleted_by_the_right_roles() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let admin = token(
        &app,
        app_with_role(
            &app,
            "Admin app",
            Role::IdentityGovernanceAdministrator,
            None,
        )
        .await,
    )
    .await;
    let owner = token(
        &app,
        app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;

    let (status, created) = call(
        &app,
        "POST",
        &format!("{BASE}/catalogs"),
        Some(&admin),
        Some(json!({ "displayName": "Finance", "description": "Ledgers" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, read) = call(
        &app,
        "GET",
        &format!("/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (status, read["displayName"].as_str()),
        (StatusCode::OK, Some("Finance"))
    );

    let (status, list) = call(&app, "GET", &format!("{BASE}/catalogs"), Some(&owner), None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Marketing"],
        "an owner sees the catalogs it holds a role in"
    );

    let (status, patched) = call(
        &app,
        "PATCH",
        &format!("{BASE}/catalogs/{catalog}"),
        Some(&owner),
        Some(json!({ "description": "Campaigns" })),
    )
    .await;
    assert_eq!(
        (
            status,
            patched["description"].as_str(),
            patched["displayName"].as_str()
        ),
        (StatusCode::OK, Some("Campaigns"), Some("Marketing"))
    );

    let (status, _) = call(
        &app,
        "DELETE",
        &format!("{BASE}/catalogs/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "GET",
        &format!("{BASE}/catalogs/{id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE object_kind = 'catalog'")
            .await,
        3
    );
}

#[tokio::test]
async fn catalog_refusals_have_their_status_and_change_nothing() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let engineering: String = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Engineering'")
        .await;
    let admin = token(
        &app,
        app_with_role(
            &app,
            "Admin app",
            Role::IdentityGovernanceAdministrator,
            None,
        )
        .await,
    )
    .await;
    let owner = token(
        &app,
        app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;
    let before = app.scalar("SELECT COUNT(*) FROM catalogs").await;

    let (status, _) = call(
        &app,
        "POST",
        &format!("{BASE}/catalogs"),
        None,
        Some(json!({ "displayName": "X" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = call(
        &app,
        "POST",
        &format!("{BASE}/catalogs"),
        Some(&owner),
        Some(json!({ "displayName": "X" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("Forbidden"))
    );
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("{BASE}/catalogs/{engineering}"),
        Some(&owner),
        Some(json!({ "displayName": "Mine" })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an owner of Marketing has no say in Engineering"
    );
    let (status, _) = call(
        &app,
        "GET",
        &format!("{BASE}/catalogs/{}", uuid::Uuid::new_v4()),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        "GET",
        &format!("{BASE}/catalogs/not-a-guid"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = call(
        &app,
        "POST",
        &format!("{BASE}/catalogs"),
        Some(&admin),
        Some(json!({ "description": "no name" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("displayName"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        &format!("{BASE}/catalogs"),
        Some(&admin),
        Some(json!({ "displayName": "n".repeat(257) })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("256"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "DELETE",
        &format!("{BASE}/catalogs/{catalog}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("Conflict"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("access package"),
        "{body}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM catalogs").await, before);
}

//! SCIM 2.0 provisioning through the real router, with the bodies Microsoft Entra ID's
//! provisioning service sends: create with the enterprise extension, the capitalized
//! `Replace` PATCH, deactivation (the leaver path, with its removal callouts on a real
//! receiver), groups and their members, a filter and paging walk, and refusals that change
//! nothing.

use crate::api::{app_with_role, token};
use crate::harness::{text, TestApp, HOST};
use crate::receiver::TestReceiver;
use app::domain::role::Role;
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::requests;
use axum::body::Body;
use http::{header, Request, StatusCode};
use serde_json::{json, Value};

const SCIM: &str = "/scim/v2";

async fn scim(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("{SCIM}{path}"))
        .header(header::HOST, HOST);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(b) => {
            builder = builder.header(header::CONTENT_TYPE, "application/scim+json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let response = app.send(builder.body(body).unwrap()).await;
    let (status, text) = text(response).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An app with User Administrator, as an IdP's provisioning connection is set up.
async fn provisioner(app: &TestApp) -> String {
    let client = app_with_role(app, "Entra provisioning", Role::UserAdministrator, None).await;
    token(app, client).await
}

/// The body Entra's provisioning service posts to create a user.
fn entra_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "displayName": "Nestor Wilke",
        "emails": [{ "primary": true, "type": "work", "value": user_name }],
        "meta": { "resourceType": "User" },
        "name": { "formatted": "Nestor Wilke", "familyName": "Wilke", "givenName": "Nestor" },
        "title": "Director",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Operations" }
    })
}

fn patch(operations: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations })
}

#[tokio::test]
async fn entra_creates_reads_finds_and_updates_a_user() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let (status, created) = scim(
        &app,
        "POST",
        "/Users",
        Some(&token),
        Some(entra_user("NestorW@contoso.test", "nestor-1")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["userName"], "nestorw@contoso.test");
    assert_eq!(created["externalId"], "nestor-1");
    assert_eq!(created["active"], true);
    assert_eq!(created["title"], "Director");
    assert_eq!(
        created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Operations"
    );
    assert_eq!(
        created["meta"]["location"],
        format!("http://127.0.0.1:3000/scim/v2/Users/{id}")
    );

    // Entra looks a user up by userName before it creates one.
    let (status, found) = scim(
        &app,
        "GET",
        "/Users?filter=userName%20eq%20%22nestorw%40contoso.test%22",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let (_, none) = scim(
        &app,
        "GET",
        "/Users?filter=externalId%20eq%20%22nobody%22",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(none["totalResults"], 0);

    // The capitalized Replace, path-less and with a path, as Entra sends them.
    let body = patch(json!([
        { "op": "Replace", "path": "displayName", "value": "Nestor W." },
        { "op": "Replace", "value": { "title": "VP", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales" } }
    ]));
    let (status, patched) = scim(
        &app,
        "PATCH",
        &format!("/Users/{id}"),
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["displayName"], "Nestor W.");
    assert_eq!(patched["title"], "VP");
    let department: String = app
        .id_of(&format!("SELECT department FROM users WHERE id = '{id}'"))
        .await;
    assert_eq!(department, "Sales");

    // The same userName again is a uniqueness conflict.
    let (status, conflict) = scim(
        &app,
        "POST",
        "/Users",
        Some(&token),
        Some(entra_user("nestorw@contoso.test", "nestor-2")),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["scimType"], "uniqueness");
    assert_eq!(conflict["status"], "409");
}

#[tokio::test]
async fn refusals_name_the_problem_and_change_nothing() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let users_before = app.scalar("SELECT COUNT(*) FROM users").await;
    let groups_before = app.scalar("SELECT COUNT(*) FROM groups").await;
    let (status, body) = scim(&app, "GET", "/Users", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    let catalog_app = app_with_role(
        &app,
        "Not a provisioner",
        Role::IdentityGovernanceAdministrator,
        None,
    )
    .await;
    let admin_token = crate::api::token(&app, catalog_app).await;
    let (status, _) = scim(&app, "GET", "/Users", Some(&admin_token), None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an Identity Governance Administrator may provision too"
    );
    let manager = app_with_role(
        &app,
        "Manager app",
        Role::CatalogOwner,
        Some(crate::api::marketing(&app).await),
    )
    .await;
    let manager_token = crate::api::token(&app, manager).await;
    let (status, refused) = scim(
        &app,
        "POST",
        "/Users",
        Some(&manager_token),
        Some(entra_user("x@contoso.test", "x")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    for (method, path, body, scim_type, words) in [
        (
            "GET",
            "/Users?filter=userName%20co%20%22a%22".to_string(),
            None,
            "invalidFilter",
            "co",
        ),
        (
            "GET",
            "/Users?filter=title%20eq%20%22x%22".to_string(),
            None,
            "invalidFilter",
            "title",
        ),
        (
            "GET",
            "/Users?count=many".to_string(),
            None,
            "invalidValue",
            "count",
        ),
        (
            "POST",
            "/Users".to_string(),
            Some(json!({ "schemas": [], "displayName": "No user name" })),
            "invalidValue",
            "userName",
        ),
        (
            "POST",
            "/Users".to_string(),
            Some(json!({ "userName": "a@contoso.test", "active": "maybe" })),
            "invalidValue",
            "active",
        ),
        (
            "POST",
            "/Users".to_string(),
            Some(json!({ "userName": 42 })),
            "invalidValue",
            "userName",
        ),
        (
            "POST",
            "/Groups".to_string(),
            Some(json!({ "displayName": "G", "members": [{ "value": "not-a-user" }] })),
            "invalidValue",
            "members",
        ),
    ] {
        let (status, body) = scim(&app, method, &path, Some(&token), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["scimType"], scim_type, "{path}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{path}: {body}"
        );
    }
    let (status, body) = scim(
        &app,
        "GET",
        "/Users/00000000-0000-4000-8000-000000000000",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM groups").await,
        groups_before
    );
}

#[tokio::test]
async fn a_filter_and_paging_walk_over_250_users() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    for i in 0..250 {
        let body = json!({ "userName": format!("walker{i:03}@contoso.test"), "externalId": format!("w{i}"), "displayName": format!("Walker {i:03}") });
        let (status, body) = scim(&app, "POST", "/Users", Some(&token), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let total = app.scalar("SELECT COUNT(*) FROM users").await;
    let mut seen = std::collections::BTreeSet::new();
    let mut start = 1;
    loop {
        let (status, page) = scim(
            &app,
            "GET",
            &format!("/Users?startIndex={start}&count=100"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["totalResults"], total);
        assert_eq!(page["startIndex"], start);
        let resources = page["Resources"].as_array().unwrap();
        if resources.is_empty() {
            break;
        }
        assert_eq!(page["itemsPerPage"], resources.len());
        for r in resources {
            assert!(
                seen.insert(r["id"].as_str().unwrap().to_string()),
                "no user twice"
            );
        }
        start += resources.len() as i64;
    }
    assert_eq!(seen.len() as i64, total, "every user once");
    let (_, one) = scim(
        &app,
        "GET",
        "/Users?filter=displayName%20eq%20%22walker%20137%22",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(one["totalResults"], 1, "displayName compares in any case");
    assert_eq!(one["Resources"][0]["externalId"], "w137");
    let (_, count_only) = scim(&app, "GET", "/Users?count=0", Some(&token), None).await;
    assert_eq!(count_only["totalResults"], total);
    assert_eq!(count_only["Resources"], json!([]));
}

#[tokio::test]
async fn groups_and_membership_by_value_filter() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let adele = app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'adele@contoso.test'")
        .await;
    let alex = app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'alex@contoso.test'")
        .await;
    let (status, group) = scim(
        &app,
        "POST",
        "/Groups",
        Some(&token),
        Some(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "externalId": "sales-1", "displayName": "Sales", "members": []
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let id = group["id"].as_str().unwrap().to_string();
    // Entra adds members one PATCH at a time and removes them by a value filter.
    let add = patch(
        json!([{ "op": "Add", "path": "members", "value": [{ "value": adele }, { "value": alex }] }]),
    );
    let (status, body) = scim(
        &app,
        "PATCH",
        &format!("/Groups/{id}"),
        Some(&token),
        Some(add),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["members"].as_array().unwrap().len(), 2);
    let remove =
        patch(json!([{ "op": "Remove", "path": format!("members[value eq \"{alex}\"]") }]));
    let (_, body) = scim(
        &app,
        "PATCH",
        &format!("/Groups/{id}"),
        Some(&token),
        Some(remove),
    )
    .await;
    assert_eq!(
        body["members"],
        json!([{ "value": adele, "display": "Adele Vance", "$ref": format!("http://127.0.0.1:3000/scim/v2/Users/{adele}") }])
    );
    let (_, found) = scim(
        &app,
        "GET",
        "/Groups?filter=displayName%20eq%20%22sales%22",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
    let (status, _) = scim(&app, "DELETE", &format!("/Groups/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = scim(&app, "GET", &format!("/Groups/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_package_open_to_a_group_shows_only_to_its_members() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let adele = app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'adele@contoso.test'")
        .await;
    let (_, group) = scim(
        &app,
        "POST",
        "/Groups",
        Some(&token),
        Some(json!({ "displayName": "Campaign team", "members": [{ "value": adele }] })),
    )
    .await;
    let group: app::domain::ids::GroupId = group["id"].as_str().unwrap().parse().unwrap();
    let policy = app.policy("All employees").await;
    sqlx::query(
        "UPDATE policies SET allowed_target_scope = 'specificDirectoryUsers' WHERE id = $1",
    )
    .bind(policy.to_string())
    .execute(&app.state.db)
    .await
    .unwrap();
    let mut conn = app.state.db.acquire().await.unwrap();
    app::store::groups::set_policy_groups(&mut conn, policy, &[group])
        .await
        .unwrap();
    drop(conn);
    let requestable = |email: &'static str| {
        let app = &app;
        async move {
            let p = app.principal(email).await;
            app::services::request_views::requestable(&app.state, &p)
                .await
                .unwrap()
                .into_iter()
                .any(|r| r.policy == policy)
        }
    };
    assert!(requestable("adele@contoso.test").await, "a member sees it");
    assert!(!requestable("alex@contoso.test").await, "others do not");
    let alex = app.principal("alex@contoso.test").await;
    let refused = requests::submit(&app.state, &alex, policy, "please")
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("specific"), "{refused}");
    let adele_p = app.principal("adele@contoso.test").await;
    requests::submit(&app.state, &adele_p, policy, "campaign")
        .await
        .unwrap();
}

/// The leaver test of the issue: a user with two assignments (one policy maps "Assignment is
/// removed" to a receiver) is deactivated over SCIM.
#[tokio::test]
async fn deactivating_a_user_over_scim_removes_their_access_and_ends_their_sessions() {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    let welcome = app
        .extension_at("Welcome mail", &format!("{}/removed", receiver.url))
        .await;
    let marketing = app.policy("All employees").await;
    let engineering = app.policy("Engineers, 7 days").await;
    app.map_stages(marketing, &[(Stage::AssignmentRequestRemoved, welcome)])
        .await;
    app.map_stages(engineering, &[]).await;
    let adele = app.principal("adele@contoso.test").await;
    for policy in [marketing, engineering] {
        requests::submit(&app.state, &adele, policy, "for the campaign")
            .await
            .unwrap();
    }
    drain(&app.state).await.unwrap();
    let adele_id = adele.user_id.unwrap().to_string();
    let delivered = format!(
        "SELECT COUNT(*) FROM assignments WHERE target_id = '{adele_id}' AND state = 'delivered'"
    );
    assert_eq!(app.scalar(&delivered).await, 2);
    let cookie = app.sign_in("adele@contoso.test").await;

    let token = provisioner(&app).await;
    let deactivate = patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]));
    let (status, body) = scim(
        &app,
        "PATCH",
        &format!("/Users/{adele_id}"),
        Some(&token),
        Some(deactivate),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["active"], false);
    drain(&app.state).await.unwrap();

    assert_eq!(app.scalar(&delivered).await, 0, "both assignments removed");
    let removals = format!(
        "SELECT COUNT(*) FROM requests WHERE target_id = '{adele_id}' AND request_type = 'adminRemove' \
         AND state = 'delivered' AND justification LIKE '%leaver%'"
    );
    assert_eq!(app.scalar(&removals).await, 2);
    let calls = receiver.calls();
    assert_eq!(calls.len(), 1, "one policy calls at removal");
    assert_eq!(calls[0].json()["Stage"], "assignmentRequestRemoved");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE user_id = '{adele_id}'"
        ))
        .await,
        0
    );
    let token_value = cookie.split_once('=').unwrap().1;
    assert!(
        app::services::session::principal(&app.state, Some(token_value))
            .await
            .is_err()
    );
    assert_eq!(
        app.sign_in_with("adele@contoso.test", "latch-demo").await,
        None,
        "sign-in refused"
    );
    let audit = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'user.provisionPatch'")
        .await;
    assert_eq!(audit, 1);

    // Re-enabling restores sign-in, not access.
    let activate = patch(json!([{ "op": "replace", "value": { "active": true } }]));
    let (status, _) = scim(
        &app,
        "PATCH",
        &format!("/Users/{adele_id}"),
        Some(&token),
        Some(activate),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(app
        .sign_in_with("adele@contoso.test", "latch-demo")
        .await
        .is_some());
    assert_eq!(app.scalar(&delivered).await, 0);
}

#[tokio::test]
async fn deleting_a_user_is_the_leaver_path_and_hides_them_from_scim() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let (_, created) = scim(
        &app,
        "POST",
        "/Users",
        Some(&token),
        Some(entra_user("leaver@contoso.test", "l-1")),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = scim(&app, "DELETE", &format!("/Users/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = scim(&app, "GET", &format!("/Users/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let enabled = app
        .scalar(&format!("SELECT enabled FROM users WHERE id = '{id}'"))
        .await;
    assert_eq!(
        enabled, 0,
        "the row stays, disabled, for the history that names them"
    );
    // Provisioned again (a rehire): the same person comes back, enabled.
    let (status, again) = scim(
        &app,
        "POST",
        "/Users",
        Some(&token),
        Some(entra_user("leaver@contoso.test", "l-2")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["active"], true);
}

#[tokio::test]
async fn a_long_lived_secret_token_works_as_entra_sends_it() {
    let app = TestApp::new().await;
    let client = app_with_role(&app, "Entra provisioning", Role::UserAdministrator, None).await;
    let secret_token = format!("{client}:{}", crate::api::SECRET);
    let (status, body) = scim(&app, "GET", "/Users?count=1", Some(&secret_token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for wrong in [
        format!("{client}:wrong"),
        "nobody:x".to_string(),
        format!("{client}:"),
    ] {
        let (status, _) = scim(&app, "GET", "/Users", Some(&wrong), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");
    }
    sqlx::query("UPDATE app_secrets SET revoked_at = created_at WHERE app_id = $1")
        .bind(client.to_string())
        .execute(&app.state.db)
        .await
        .unwrap();
    let (status, _) = scim(&app, "GET", "/Users", Some(&secret_token), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked secret stops working"
    );
}

#[tokio::test]
async fn discovery_documents() {
    let app = TestApp::new().await;
    let token = provisioner(&app).await;
    let (status, config) = scim(&app, "GET", "/ServiceProviderConfig", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["bulk"]["supported"], false);
    let (_, types) = scim(&app, "GET", "/ResourceTypes", Some(&token), None).await;
    assert!(
        types
            .to_string()
            .contains("urn:ietf:params:scim:schemas:core:2.0:Group"),
        "{types}"
    );
    let (status, schema) = scim(
        &app,
        "GET",
        "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{schema}");
    let (status, _) = scim(&app, "GET", "/Nothing", Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

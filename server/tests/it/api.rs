//! The Graph-compatible REST API through the real router: tokens, every status of api.md,
//! and the create-extension example of Graph's v1.0 documentation accepted as written.

use crate::harness::{text, TestApp, HOST};
use app::auth::password;
use app::domain::ids::{AppId, CatalogId};
use app::domain::role::Role;
use app::store::{apps, roles};
use axum::body::Body;
use http::{header, Request, StatusCode};
use serde_json::{json, Value};

pub(crate) const BASE: &str = "/v1.0/identityGovernance/entitlementManagement";
pub(crate) const SECRET: &str = "test-app-secret";

/// Registers an app holding these grants and returns its client id.
pub(crate) async fn register(
    app: &TestApp,
    name: &str,
    grants: &[(Role, Option<CatalogId>)],
) -> AppId {
    let id = AppId::new();
    let now = app.state.clock.now();
    let mut conn = app.state.db.acquire().await.unwrap();
    apps::insert(&mut conn, id, name, now).await.unwrap();
    apps::add_secret(&mut conn, id, &password::hash(SECRET), "test-a", None, now)
        .await
        .unwrap();
    for (role, catalog) in grants {
        roles::grant_to_app(&mut conn, id, *role, *catalog, now)
            .await
            .unwrap();
    }
    id
}

/// Registers an app holding `role` on `catalog` and returns its client id.
pub(crate) async fn app_with_role(
    app: &TestApp,
    name: &str,
    role: Role,
    catalog: Option<CatalogId>,
) -> AppId {
    register(app, name, &[(role, catalog)]).await
}

pub(crate) async fn token(app: &TestApp, client: AppId) -> String {
    let body = format!("grant_type=client_credentials&client_id={client}&client_secret={SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
    let response = app
        .send(
            Request::post("/oauth2/v2.0/token")
                .header(header::HOST, HOST)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let (status, body) = text(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    body["access_token"].as_str().unwrap().to_string()
}

/// Sends a call; the body comes back as JSON (`Null` when empty) beside the raw text.
pub(crate) async fn call_raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, String) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(b) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let (status, text) = text(app.send(builder.body(body).unwrap()).await).await;
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, json, text)
}

pub(crate) async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, json, _) = call_raw(app, method, path, token, body).await;
    (status, json)
}

/// Polls every call together on this task, so that they interleave at every await (and the
/// ones that reach a group's queue together are written in one group).
pub(crate) async fn join_all<F: std::future::Future>(calls: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = calls.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, result) in pinned.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(out) => *result = Some(out),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}

pub(crate) async fn marketing(app: &TestApp) -> CatalogId {
    app.id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await
        .parse()
        .unwrap()
}

/// The request body of Graph v1.0's "Create customCalloutExtension" example, as written.
pub(crate) fn graph_docs_example() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
        "displayName": "test_accessPackageAssignmentRequestWorkflowExtension",
        "description": "this is for graph testing only",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": "38ab2ccc-3747-4567-b36b-9478f5602f0d",
            "resourceGroupName": "test",
            "logicAppWorkflowName": "elm-extension-email"
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"
        },
        "callbackConfiguration": {
            "@odata.type": "microsoft.graph.customExtensionCallbackConfiguration",
            "durationBeforeTimeout": "PT1H"
        }
    })
}

#[tokio::test]
async fn the_token_endpoint_follows_oauth() {
    let app = TestApp::new().await;
    let client = app_with_role(
        &app,
        "Flow",
        Role::AccessPackageAssignmentManager,
        Some(marketing(&app).await),
    )
    .await;
    token(&app, client).await;
    let form = |body: &str| {
        Request::post("/oauth2/v2.0/token")
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, body) = text(
        app.send(form(&format!(
            "grant_type=client_credentials&client_id={client}&client_secret=wrong"
        )))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("\"error\":\"invalid_client\""), "{body}");
    let (status, body) = text(
        app.send(form("grant_type=password&client_id=x&client_secret=y"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unsupported_grant_type"), "{body}");
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{client}:{SECRET}"),
    );
    let mut request = form("grant_type=client_credentials");
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Basic {basic}").parse().unwrap(),
    );
    assert_eq!(
        app.send(request).await.status(),
        StatusCode::OK,
        "HTTP Basic works too"
    );
}

#[tokio::test]
async fn the_graph_docs_example_is_accepted_and_read_back_in_graph_shape() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let owner = app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await;
    let token = token(&app, owner).await;
    let path = format!("{BASE}/catalogs/{catalog}/customWorkflowExtensions");
    let (status, created) = call(
        &app,
        "POST",
        &path,
        Some(&token),
        Some(graph_docs_example()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["@odata.type"],
        "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
    );
    assert_eq!(
        created["callbackConfiguration"]["durationBeforeTimeout"],
        "PT1H"
    );
    assert_eq!(created["callbackConfiguration"]["timeoutDuration"], "PT1H");
    assert_eq!(
        created["endpointConfiguration"]["logicAppWorkflowName"],
        "elm-extension-email"
    );
    assert_eq!(
        created["authenticationConfiguration"]["@odata.type"],
        "#microsoft.graph.azureAdPopTokenAuthentication"
    );
    assert!(created["signingSecret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));

    let id = created["id"].as_str().unwrap();
    let (status, read) = call(&app, "GET", &format!("{path}/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        read.get("signingSecret").is_none(),
        "the secret is shown once"
    );
    let beta = format!("/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{id}");
    let (status, same) = call(&app, "GET", &beta, Some(&token), None).await;
    assert_eq!(
        (status, &same["displayName"]),
        (StatusCode::OK, &read["displayName"])
    );

    let (status, list) = call(&app, "GET", &format!("{path}?$top=2"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
    assert!(
        list["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("$skiptoken=2"),
        "{list}"
    );

    let (status, patched) = call(&app, "PATCH", &format!("{path}/{id}"), Some(&token), Some(json!({ "description": "now documented", "callbackConfiguration": { "timeoutDuration": "P2D" } }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["description"], "now documented");
    assert_eq!(
        patched["callbackConfiguration"]["durationBeforeTimeout"],
        "P2D"
    );
    assert_eq!(
        patched["displayName"], "test_accessPackageAssignmentRequestWorkflowExtension",
        "PATCH keeps the rest"
    );
}

#[tokio::test]
async fn each_error_has_its_status_and_graph_shape() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let engineering: CatalogId = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Engineering'")
        .await
        .parse()
        .unwrap();
    let owner = token(
        &app,
        app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;
    let path = format!("{BASE}/catalogs/{catalog}/customWorkflowExtensions");

    let (status, body) = call(&app, "GET", &path, None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("Unauthorized"))
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
    let (status, _) = call(&app, "GET", &path, Some("not.a.token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.state.clock.advance(chrono::Duration::hours(2));
    let (status, _) = call(&app, "GET", &path, Some(&owner), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an expired token");
    let owner = token(
        &app,
        app_with_role(&app, "Owner app 2", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;
    let elsewhere = token(
        &app,
        app_with_role(&app, "Other app", Role::CatalogOwner, Some(engineering)).await,
    )
    .await;

    let (status, body) = call(&app, "GET", &path, Some(&elsewhere), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("Forbidden"))
    );
    let (status, body) = call(
        &app,
        "GET",
        &format!("{path}/{}", uuid::Uuid::new_v4()),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ResourceNotFound"))
    );

    let mut nameless = graph_docs_example();
    nameless["displayName"] = json!("");
    let (status, body) = call(&app, "POST", &path, Some(&owner), Some(nameless)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("Name"),
        "{body}"
    );
    let mut untyped = graph_docs_example();
    untyped.as_object_mut().unwrap().remove("@odata.type");
    let (status, body) = call(&app, "POST", &path, Some(&owner), Some(untyped)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("@odata.type"),
        "{body}"
    );
    let mut too_long = graph_docs_example();
    too_long["callbackConfiguration"]["durationBeforeTimeout"] = json!("P15D");
    let (status, body) = call(&app, "POST", &path, Some(&owner), Some(too_long)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("14 days"),
        "{body}"
    );
    let mut legacy = graph_docs_example();
    legacy["@odata.type"] = json!("#microsoft.graph.customAccessPackageWorkflowExtension");
    let (status, _) = call(&app, "POST", &path, Some(&owner), Some(legacy)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "legacy creation only on the beta path"
    );

    let in_use: String = app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Contoso.SodCheckProcess'")
        .await;
    let (status, body) = call(
        &app,
        "DELETE",
        &format!("{path}/{in_use}"),
        Some(&owner),
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
            .contains("Employees, manager approval"),
        "{body}"
    );

    let big = json!({ "displayName": "x".repeat(70 * 1024) });
    let (status, body) = call(&app, "POST", &path, Some(&owner), Some(big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let request = Request::post(&path)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {owner}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("displayName=x"))
        .unwrap();
    assert_eq!(
        app.send(request).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let before = app.scalar("SELECT COUNT(*) FROM custom_extensions").await;
    assert_eq!(before, 6, "no refused call wrote anything");
}

#[tokio::test]
async fn legacy_extensions_are_created_through_the_beta_path() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let owner = token(
        &app,
        app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;
    let path = format!("/beta/identityGovernance/entitlementManagement/accessPackageCatalogs/{catalog}/customAccessPackageWorkflowExtensions");
    let body = json!({
        "@odata.type": "#microsoft.graph.customAccessPackageWorkflowExtension",
        "displayName": "Imported flow",
        "endpointConfiguration": { "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": "38ab2ccc-3747-4567-b36b-9478f5602f0d", "resourceGroupName": "rg", "logicAppWorkflowName": "imported",
            "url": "https://prod-01.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc" },
        "authenticationConfiguration": { "@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": "api://imported" }
    });
    let (status, created) = call(&app, "POST", &path, Some(&owner), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["authenticationConfiguration"]["resourceId"],
        "api://imported"
    );
    assert!(
        !created["endpointConfiguration"]["url"]
            .as_str()
            .unwrap()
            .contains("abc"),
        "the signature is masked"
    );
    let (_, list) = call(&app, "GET", &path, Some(&owner), None).await;
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Imported flow", "Legacy audit hook", "Legacy provisioning"]
    );
}

/// A workflow's view: a token with client credentials over real HTTP, then the catalog's
/// extensions, with nothing but an HTTP client.
#[tokio::test]
async fn a_script_gets_a_token_and_lists_the_catalogs_extensions() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let client = app_with_role(
        &app,
        "Script",
        Role::AccessPackageAssignmentManager,
        Some(catalog),
    )
    .await;
    let base = app.serve().await;
    let http = reqwest::Client::new();
    let token: Value = serde_json::from_str(
        &http
            .post(format!("{base}/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client.to_string()),
                ("client_secret", SECRET),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let list: Value = serde_json::from_str(
        &http
            .get(format!(
                "{base}{BASE}/catalogs/{catalog}/customWorkflowExtensions"
            ))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Contoso.SodCheckProcess",
            "Expiry reminder",
            "Legacy audit hook",
            "Legacy provisioning",
            "Welcome mail"
        ]
    );
}

#[tokio::test]
async fn rotating_the_signing_secret_keeps_the_old_one_for_a_day() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let owner = token(
        &app,
        app_with_role(&app, "Owner app", Role::CatalogOwner, Some(catalog)).await,
    )
    .await;
    let manager = token(
        &app,
        app_with_role(
            &app,
            "Manager app",
            Role::AccessPackageManager,
            Some(catalog),
        )
        .await,
    )
    .await;
    let id: String = app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Welcome mail'")
        .await;
    let old: String = app
        .id_of("SELECT signing_secret FROM custom_extensions WHERE display_name = 'Welcome mail'")
        .await;
    let path =
        format!("{BASE}/catalogs/{catalog}/customWorkflowExtensions/{id}/rotateSigningSecret");

    let (status, _) = call(&app, "POST", &path, Some(&manager), None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only owners and admins manage extensions"
    );
    let (status, body) = call(&app, "POST", &path, Some(&owner), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = body["signingSecret"].as_str().unwrap().to_string();
    assert!(new.starts_with("whsec_") && new != old);

    let extension = id.parse().unwrap();
    let mut conn = app.state.db.acquire().await.unwrap();
    let now = app.state.clock.now();
    let signing =
        app::store::extensions::signing_secrets(&mut conn, &app.state.sealer, extension, now)
            .await
            .unwrap();
    assert_eq!(
        signing,
        vec![new.clone(), old],
        "both sign during the grace period"
    );
    let later = now + chrono::Duration::hours(25);
    let signing =
        app::store::extensions::signing_secrets(&mut conn, &app.state.sealer, extension, later)
            .await
            .unwrap();
    assert_eq!(signing, vec![new]);
    let (status, _) = call(
        &app,
        "POST",
        &format!(
            "{BASE}/catalogs/{catalog}/customWorkflowExtensions/{}/rotateSigningSecret",
            uuid::Uuid::new_v4()
        ),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

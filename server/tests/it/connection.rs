//! Connection tests end to end: creating an extension (or moving its endpoint) queues a test
//! that the worker sends, signed like any callout, to a real receiver on loopback; the outcome
//! is kept on the row; "Test connection" runs one now, for extension managers only.

use crate::harness::{json_post, text, TestApp, HOST};
use crate::receiver::{Reply, TestReceiver};
use app::auth::authz::Principal;
use app::callout::token::verify_jwt;
use app::domain::endpoint::{Endpoint, LogicAppEndpoint};
use app::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use app::domain::ids::{CatalogId, ExtensionId};
use app::domain::kind::ExtensionKind;
use app::engine::worker::drain;
use app::error::AppError;
use app::services::{connection, extensions};
use app::views::{ConnectionResult, CreatedExtension};
use axum::body::Body;
use chrono::{Duration, SubsecRound};
use http::{header, Request, StatusCode};
use serde_json::json;

struct Setup {
    app: TestApp,
    receiver: TestReceiver,
    admin: Principal,
    catalog: CatalogId,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    let admin = app.principal("admin@contoso.test").await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await
        .parse()
        .unwrap();
    Setup {
        app,
        receiver,
        admin,
        catalog,
    }
}

impl Setup {
    fn draft(&self, path: &str) -> ExtensionDraft {
        ExtensionDraft {
            display_name: "Contoso.Provisioning".into(),
            description: "Provisions the account".into(),
            kind: ExtensionKind::AssignmentRequest,
            behaviour: Behaviour::LaunchAndContinue,
            endpoint: Endpoint::Http {
                url: format!("{}{path}", self.receiver.url),
            },
            client: ClientConfiguration::default(),
            resource_id: None,
        }
    }

    async fn create(&self) -> CreatedExtension {
        extensions::create(
            &self.app.state,
            &self.admin,
            self.catalog,
            self.draft("/hooks/provisioning"),
        )
        .await
        .expect("a failing connection test never blocks saving")
    }

    async fn queued_tests(&self) -> i64 {
        self.app
            .scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'connectionTest'")
            .await
    }

    /// The Connection column of the row, as the tab sends it.
    async fn connection_of(&self, id: ExtensionId) -> Option<ConnectionResult> {
        extensions::tab(
            &self.app.state,
            &self.admin,
            self.catalog,
            &app::views::lists::NameQuery::default(),
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.id == id)
        .expect("the extension is listed")
        .connection
    }

    async fn update(&self, id: ExtensionId, change: impl FnOnce(&mut ExtensionDraft)) {
        let form = extensions::form(&self.app.state, &self.admin, self.catalog, Some(id))
            .await
            .unwrap();
        let mut draft = form.current.expect("the current values");
        change(&mut draft);
        extensions::update(&self.app.state, &self.admin, self.catalog, id, draft)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn creating_an_extension_sends_a_signed_connection_test_and_the_row_shows_it_passed() {
    let s = setup().await;
    let created = s.create().await;
    assert_eq!(s.queued_tests().await, 1, "queued with the extension");
    assert!(
        s.receiver.calls().is_empty(),
        "sent by the worker, not inline"
    );

    drain(&s.app.state).await.unwrap();
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    let body = call.json();
    let instance = body["CustomExtensionStageInstanceId"]
        .as_str()
        .expect("a new instance id")
        .to_string();
    let description: String = s
        .app
        .id_of("SELECT description FROM catalogs WHERE display_name = 'Marketing'")
        .await;
    assert_eq!(
        body,
        json!({
            "Stage": "CustomExtensionConnectionTest",
            "CustomExtensionStageInstanceId": instance,
            "AccessPackageCatalog": {
                "Id": s.catalog.to_string(),
                "DisplayName": "Marketing",
                "Description": description,
            },
        })
    );
    assert!(String::from_utf8_lossy(&call.body).starts_with(
        r#"{"Stage":"CustomExtensionConnectionTest","CustomExtensionStageInstanceId""#
    ));

    // Signed like a callout: the webhook-id is the test's instance id.
    assert_eq!(call.header("webhook-id"), instance);
    let timestamp: i64 = call.header("webhook-timestamp").parse().unwrap();
    assert_eq!(timestamp, s.app.state.clock.now().timestamp());
    assert!(
        call.signed_with(&created.signing_secret),
        "the signature verifies with the secret returned at creation"
    );
    let jwks = s.app.jwks().await;
    let token = call
        .header("authorization")
        .strip_prefix("PoP ")
        .expect("a PoP token");
    let verified = verify_jwt(&jwks, token, s.app.state.clock.now()).expect("the token verifies");
    assert_eq!(verified.claims["p"], "/hooks/provisioning");
    assert_eq!(
        call.header("content-type"),
        "application/json; charset=utf-8"
    );

    let result = s.connection_of(created.id).await.expect("tested");
    assert!(result.passed);
    assert_eq!(result.http_status, Some(202));
    assert_eq!(result.error, None);
    assert_eq!(
        result.tested_at,
        s.app.state.clock.now().trunc_subsecs(6),
        "when it ran, to the microsecond kept"
    );
    assert!(
        result.summary().starts_with("Passed · HTTP 202 · "),
        "{}",
        result.summary()
    );
    assert_eq!(s.queued_tests().await, 0, "done once");

    // The page shows it in words, and "Not tested yet" for the demo rows. (Each text may be
    // followed by a hydration marker, `<!>`, so only its start is matched.)
    let cookie = s.app.sign_in("admin@contoso.test").await;
    let page = s
        .app
        .send(
            Request::get(format!("/catalogs/{}/custom-extensions", s.catalog))
                .header(header::HOST, HOST)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let (status, html) = text(page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!(
            r#"<td data-testid="connection">{}<"#,
            result.summary()
        )),
        "{html}"
    );
    assert!(
        html.contains(r#"<td data-testid="connection">Not tested yet<"#),
        "{html}"
    );
    assert!(html.contains(">Connection</th>"), "{html}");
}

#[tokio::test]
async fn a_failing_endpoint_is_stored_as_failed_and_the_extension_stays() {
    let s = setup().await;
    s.receiver.reply(Reply::Status(500));
    let created = s.create().await;
    drain(&s.app.state).await.unwrap();
    // One try, never retried.
    s.app.state.clock.advance(Duration::hours(2));
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 1);

    let result = s.connection_of(created.id).await.expect("tested");
    assert!(!result.passed);
    assert_eq!(result.http_status, Some(500));
    assert_eq!(
        result.error.as_deref(),
        Some("the endpoint answered HTTP 500")
    );
    assert!(
        result
            .summary()
            .starts_with("Failed · the endpoint answered HTTP 500 · "),
        "{}",
        result.summary()
    );
    assert_eq!(
        s.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM custom_extensions WHERE id = '{}'",
                created.id
            ))
            .await,
        1
    );
    assert_eq!(s.queued_tests().await, 0);

    // Fixed: "Test connection" runs it again at once and the row follows.
    s.receiver.reply(Reply::Status(200));
    let owner = s.app.sign_in("owner@contoso.test").await;
    let (status, answer) = text(
        s.app
            .send(json_post(
                "/api/test_connection",
                json!({ "catalog": s.catalog, "extension": created.id }),
                Some(&owner),
            ))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let answer: ConnectionResult = serde_json::from_str(&answer).unwrap();
    assert!(answer.passed);
    assert_eq!(answer.http_status, Some(200));
    assert_eq!(s.receiver.calls().len(), 2);
    assert_eq!(s.connection_of(created.id).await, Some(answer));
}

#[tokio::test]
async fn test_connection_is_only_for_those_who_manage_extensions() {
    let s = setup().await;
    let created = s.create().await;
    drain(&s.app.state).await.unwrap();
    s.receiver.clear();
    let before = s.connection_of(created.id).await;
    let body = json!({ "catalog": s.catalog, "extension": created.id });

    let (_, anonymous) = text(
        s.app
            .send(json_post("/api/test_connection", body.clone(), None))
            .await,
    )
    .await;
    assert!(anonymous.contains("NotSignedIn"), "{anonymous}");

    let manager = s.app.sign_in("manager@contoso.test").await;
    let (_, refused) = text(
        s.app
            .send(json_post("/api/test_connection", body, Some(&manager)))
            .await,
    )
    .await;
    assert!(refused.contains("NotPermitted"), "{refused}");

    let manager = s.app.principal("manager@contoso.test").await;
    let err = connection::test(&s.app.state, &manager, s.catalog, created.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotPermitted(_)), "{err:?}");

    assert!(s.receiver.calls().is_empty(), "nothing was sent");
    assert_eq!(s.connection_of(created.id).await, before);
}

#[tokio::test]
async fn only_an_endpoint_change_queues_a_new_test() {
    let s = setup().await;
    let created = s.create().await;
    drain(&s.app.state).await.unwrap();
    s.receiver.clear();

    s.update(created.id, |d| {
        d.description = "Now better described".into()
    })
    .await;
    assert_eq!(s.queued_tests().await, 0);
    drain(&s.app.state).await.unwrap();
    assert!(s.receiver.calls().is_empty());

    let url = format!("{}/hooks/v2", s.receiver.url);
    s.update(created.id, |d| {
        d.endpoint = Endpoint::Http { url: url.clone() }
    })
    .await;
    assert_eq!(s.queued_tests().await, 1, "a new URL is tested");
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 1);

    // The same URL, now named as a Logic App: new coordinates are tested too.
    s.update(created.id, |d| {
        d.endpoint = Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f".into(),
            resource_group_name: "governance".into(),
            logic_app_workflow_name: "Contoso.Provisioning".into(),
            url: url.clone(),
        })
    })
    .await;
    assert_eq!(s.queued_tests().await, 1);
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 2);
}

#[tokio::test]
async fn a_legacy_extension_gets_the_legacy_test_body_with_a_bearer_token() {
    let s = setup().await;
    let legacy: ExtensionId = s
        .app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Legacy audit hook'")
        .await
        .parse()
        .unwrap();
    sqlx::query(
        "UPDATE custom_extensions SET endpoint_type = 'http', endpoint_url = $1 WHERE id = $2",
    )
    .bind(format!("{}/legacy", s.receiver.url))
    .bind(legacy.to_string())
    .execute(&s.app.state.db)
    .await
    .unwrap();
    assert_eq!(s.connection_of(legacy).await, None, "not tested yet");

    let result = connection::test(&s.app.state, &s.admin, s.catalog, legacy)
        .await
        .unwrap();
    assert!(result.passed);
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].json(),
        json!({
            "Event": "CustomExtensionConnectionTest",
            "CatalogId": s.catalog.to_string(),
            "CatalogName": "Marketing",
        })
    );
    assert!(calls[0].header("authorization").starts_with("Bearer "));
    assert!(!calls[0].header("webhook-id").is_empty());
    assert_eq!(s.connection_of(legacy).await, Some(result));
}

//! Callouts end to end: requests move through the engine, the worker delivers signed callouts
//! to a real receiver on loopback, and every attempt is recorded. Time is a fixed clock that
//! the tests move; the worker is drained instead of waited for.

use crate::harness::TestApp;
use crate::receiver::{Reply, TestReceiver};
use app::callout::token::verify_jwt;
use app::domain::endpoint::Endpoint;
use app::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use app::domain::ids::{AssignmentId, PolicyId, RequestId};
use app::domain::kind::ExtensionKind;
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::{extensions, requests};
use chrono::Duration;

pub(crate) struct Scenario {
    pub app: TestApp,
    pub receiver: TestReceiver,
    secret: String,
    policy: PolicyId,
}

/// Maps `stages` of Marketing's approval policy to a new launch-and-continue extension that
/// calls the receiver.
pub(crate) async fn scenario(stages: &[Stage], client: ClientConfiguration) -> Scenario {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    let admin = app.principal("admin@contoso.test").await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await
        .parse()
        .unwrap();
    let draft = ExtensionDraft {
        display_name: "Contoso.Provisioning".into(),
        description: String::new(),
        kind: ExtensionKind::AssignmentRequest,
        behaviour: Behaviour::LaunchAndContinue,
        endpoint: Endpoint::Http {
            url: format!("{}/hooks/provisioning", receiver.url),
        },
        client,
        resource_id: None,
    };
    let created = extensions::create(&app.state, &admin, catalog, draft)
        .await
        .unwrap();
    // Creating it sent a connection test (connection.rs covers it); these tests start after.
    drain(&app.state).await.unwrap();
    receiver.clear();
    let policy = app.policy("Employees, manager approval").await;
    let mapped: Vec<_> = stages.iter().map(|stage| (*stage, created.id)).collect();
    app.map_stages(policy, &mapped).await;
    Scenario {
        app,
        receiver,
        secret: created.signing_secret,
        policy,
    }
}

impl Scenario {
    pub fn policy(&self) -> PolicyId {
        self.policy
    }

    pub async fn submit(&self) -> RequestId {
        let adele = self.app.principal("adele@contoso.test").await;
        let id = requests::submit(
            &self.app.state,
            &adele,
            self.policy,
            "Need it for the Q3 campaign",
        )
        .await
        .unwrap();
        drain(&self.app.state).await.unwrap();
        id
    }

    async fn approve(&self, request: RequestId) {
        let approver = self.app.principal("approver@contoso.test").await;
        requests::approve(&self.app.state, &approver, request, "Looks right")
            .await
            .unwrap();
        drain(&self.app.state).await.unwrap();
    }

    async fn assignment_of(&self, request: RequestId) -> AssignmentId {
        let id: String = sqlx::query_scalar("SELECT assignment_id FROM requests WHERE id = $1")
            .bind(request.to_string())
            .fetch_one(&self.app.state.db)
            .await
            .unwrap();
        id.parse().unwrap()
    }

    /// (stage, status) of every instance, oldest first.
    pub async fn instances(&self) -> Vec<(String, String)> {
        let sql = format!(
            "SELECT stage, status FROM callout_instances ORDER BY created_at, {}",
            app::store::request_views::stage_rank("stage")
        );
        sqlx::query_as(&sql)
            .fetch_all(&self.app.state.db)
            .await
            .unwrap()
    }

    /// (http status, error) of every attempt, in order.
    pub async fn attempts(&self) -> Vec<(Option<i64>, Option<String>)> {
        sqlx::query_as("SELECT http_status, error FROM callout_attempts ORDER BY id")
            .fetch_all(&self.app.state.db)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn each_request_stage_fires_a_signed_callout_with_its_body() {
    let s = scenario(
        &[
            Stage::AssignmentRequestCreated,
            Stage::AssignmentRequestApproved,
            Stage::AssignmentRequestGranted,
            Stage::AssignmentRequestRemoved,
        ],
        ClientConfiguration::default(),
    )
    .await;
    let request = s.submit().await;
    assert_eq!(
        s.app.request_state(request).await,
        ("pendingApproval".into(), "PendingApproval".into())
    );
    s.approve(request).await;
    assert_eq!(
        s.app.request_state(request).await,
        ("delivered".into(), "Delivered".into())
    );
    let adele = s.app.principal("adele@contoso.test").await;
    let assignment = s.assignment_of(request).await;
    requests::remove_assignment(&s.app.state, &adele, assignment)
        .await
        .unwrap();
    drain(&s.app.state).await.unwrap();

    // Callouts that fall due together (approved and granted) are sent concurrently and may
    // arrive in either order; each names its stage.
    let order = |c: &crate::receiver::Received| {
        Stage::ALL
            .iter()
            .position(|st| c.json()["Stage"] == st.wire_name())
            .unwrap()
    };
    let mut calls = s.receiver.calls();
    calls.sort_by_key(order);
    let stages: Vec<String> = calls
        .iter()
        .map(|c| c.json()["Stage"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        stages,
        [
            "assignmentRequestCreated",
            "assignmentRequestApproved",
            "assignmentRequestGranted",
            "assignmentRequestRemoved"
        ]
    );

    let created = calls[0].json();
    assert_eq!(
        created["AccessPackageAssignmentRequestId"],
        request.to_string()
    );
    assert_eq!(
        created["CallbackUriPath"],
        format!("/identityGovernance/entitlementManagement/assignmentRequests/{request}/resume")
    );
    assert!(
        created.get("CallbackConfiguration").is_none(),
        "launch and continue sends no callback configuration"
    );
    assert_eq!(created["Justification"], "Need it for the Q3 campaign");
    assert_eq!(created["RequestType"], "UserAdd");
    assert_eq!(created["AccessPackage"]["DisplayName"], "Marketing tools");
    assert_eq!(created["AccessPackageCatalog"]["DisplayName"], "Marketing");
    assert_eq!(created["Requestor"]["DisplayName"], "Adele Vance");
    assert!(
        created["Assignment"].is_null(),
        "no assignment before it is granted"
    );
    let granted = calls[2].json();
    assert_eq!(granted["Assignment"]["Id"], assignment.to_string());
    assert_eq!(
        granted["Assignment"]["Target"]["DisplayName"],
        "Adele Vance"
    );
    assert_eq!(
        granted["Assignment"]["AssignmentPolicy"]["DisplayName"],
        "Employees, manager approval"
    );
    let removed = calls[3].json();
    assert_eq!(removed["RequestType"], "UserRemove");

    // Every callout is signed (Standard Webhooks) and carries a PoP token Latch's JWKS verifies.
    let jwks = s.app.jwks().await;
    let port = s.receiver.url.rsplit(':').next().unwrap();
    for (call, stage) in calls.iter().zip(&stages) {
        let id = call.header("webhook-id");
        assert_eq!(
            id,
            call.json()["CustomExtensionStageInstanceId"]
                .as_str()
                .unwrap(),
            "{stage}"
        );
        assert!(
            call.signed_with(&s.secret),
            "{stage}: the signature verifies with the extension's secret"
        );
        let token = call
            .header("authorization")
            .strip_prefix("PoP ")
            .expect("a PoP token");
        let verified =
            verify_jwt(&jwks, token, s.app.state.clock.now()).expect("the token verifies");
        assert_eq!(verified.claims["m"], "POST");
        assert_eq!(verified.claims["u"], format!("127.0.0.1:{port}"));
        assert_eq!(verified.claims["p"], "/hooks/provisioning");
        assert_eq!(verified.claims["aud"], s.receiver.url);
        assert_eq!(verified.claims["iss"], s.app.state.settings.public_url);
        assert_eq!(
            call.header("content-type"),
            "application/json; charset=utf-8"
        );
        assert!(call.header("user-agent").starts_with("Latch/"));
    }
    let statuses: Vec<String> = s
        .instances()
        .await
        .into_iter()
        .map(|(_, status)| status)
        .collect();
    assert_eq!(statuses, ["calloutSent"; 4]);
    let correlation: Vec<Option<String>> =
        sqlx::query_scalar("SELECT external_correlation_id FROM callout_instances")
            .fetch_all(&s.app.state.db)
            .await
            .unwrap();
    assert!(
        correlation.iter().all(|c| c.as_deref() == Some("run-0001")),
        "{correlation:?}"
    );
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_until_its_grace_ends() {
    let s = scenario(
        &[
            Stage::AssignmentRequestCreated,
            Stage::AssignmentRequestApproved,
        ],
        ClientConfiguration::default(),
    )
    .await;
    let admin = s.app.principal("admin@contoso.test").await;
    let catalog = s
        .app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await
        .parse()
        .unwrap();
    let extension = s
        .app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Contoso.Provisioning'")
        .await
        .parse()
        .unwrap();
    let rotated = extensions::rotate_secret(&s.app.state, &admin, catalog, extension)
        .await
        .unwrap()
        .signing_secret;
    assert_ne!(rotated, s.secret);

    let request = s.submit().await;
    s.app
        .state
        .clock
        .advance(extensions::ROTATION_GRACE + Duration::minutes(1));
    s.approve(request).await;

    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 2);
    let (during, after) = (&calls[0], &calls[1]);
    assert_eq!(during.json()["Stage"], "assignmentRequestCreated");
    assert_eq!(during.header("webhook-signature").split(' ').count(), 2);
    assert!(during.signed_with(&rotated), "the new secret signs at once");
    assert!(
        during.signed_with(&s.secret),
        "the old one still signs beside it"
    );
    assert_eq!(after.json()["Stage"], "assignmentRequestApproved");
    assert_eq!(after.header("webhook-signature").split(' ').count(), 1);
    assert!(after.signed_with(&rotated));
    assert!(!after.signed_with(&s.secret), "the grace period is over");
}

#[tokio::test]
async fn a_500_is_retried_on_schedule_and_then_succeeds() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration::default(),
    )
    .await;
    s.receiver.reply(Reply::Status(500));
    let request = s.submit().await;
    assert_eq!(s.receiver.calls().len(), 1);
    assert_eq!(s.instances().await[0].1, "pending", "waiting for its retry");

    // The first retry is due about 5 s later (±20 %): not before 4 s, surely by 6 s.
    s.app.state.clock.advance(Duration::seconds(3));
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 1, "no retry before its time");
    s.receiver.reply(Reply::Status(202));
    s.app.state.clock.advance(Duration::seconds(3));
    drain(&s.app.state).await.unwrap();

    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].header("webhook-id"),
        calls[1].header("webhook-id"),
        "a retry keeps its webhook-id"
    );
    assert_ne!(
        calls[0].header("client-request-id"),
        calls[1].header("client-request-id")
    );
    assert_eq!(
        s.attempts().await,
        vec![
            (Some(500), Some("the endpoint answered HTTP 500".into())),
            (Some(202), None)
        ]
    );
    assert_eq!(s.instances().await[0].1, "calloutSent");
    assert_eq!(
        s.app.request_state(request).await.0,
        "pendingApproval",
        "launch and continue never held it"
    );
}

#[tokio::test]
async fn a_400_is_not_retried_and_does_not_block_the_request() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration::default(),
    )
    .await;
    s.receiver.reply(Reply::Status(400));
    let request = s.submit().await;
    s.app.state.clock.advance(Duration::hours(2));
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 1);
    assert_eq!(
        s.attempts().await,
        vec![(Some(400), Some("the endpoint answered HTTP 400".into()))]
    );
    assert_eq!(s.instances().await[0].1, "calloutFailed");
    assert_eq!(s.app.request_state(request).await.0, "pendingApproval");
}

#[tokio::test]
async fn a_hanging_endpoint_times_out_and_fails_after_its_retries() {
    let client = ClientConfiguration {
        timeout_in_milliseconds: 200,
        maximum_retries: 1,
    };
    let s = scenario(&[Stage::AssignmentRequestCreated], client).await;
    s.receiver
        .reply(Reply::Slow(std::time::Duration::from_secs(2)));
    s.submit().await;
    s.app.state.clock.advance(Duration::seconds(10));
    drain(&s.app.state).await.unwrap();
    let attempts = s.attempts().await;
    assert_eq!(attempts.len(), 2, "one try and one retry");
    for (status, error) in attempts {
        assert_eq!(status, None);
        assert_eq!(error.as_deref(), Some("timed out waiting for the endpoint"));
    }
    assert_eq!(s.instances().await[0].1, "calloutFailed");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration::default(),
    )
    .await;
    s.receiver.reply(Reply::Redirect);
    s.submit().await;
    assert_eq!(s.receiver.calls().len(), 1);
    let attempts = s.attempts().await;
    assert_eq!(attempts.len(), 1, "a redirect is a failure, not retried");
    assert_eq!(attempts[0].0, Some(302));
    assert!(
        attempts[0]
            .1
            .as_deref()
            .unwrap()
            .contains("redirects are not followed"),
        "{attempts:?}"
    );
    assert_eq!(s.instances().await[0].1, "calloutFailed");
}

#[tokio::test]
async fn an_address_that_is_not_allow_listed_is_refused_without_a_call() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration {
            maximum_retries: 0,
            ..Default::default()
        },
    )
    .await;
    // The same receiver, named by an address the operator did not allow.
    let port = s.receiver.url.rsplit(':').next().unwrap();
    sqlx::query(
        "UPDATE custom_extensions SET endpoint_url = $1 WHERE display_name = 'Contoso.Provisioning'",
    )
    .bind(format!("http://127.0.0.2:{port}/hooks/provisioning"))
    .execute(&s.app.state.db)
    .await
    .unwrap();
    s.submit().await;
    assert!(s.receiver.calls().is_empty());
    let attempts = s.attempts().await;
    assert_eq!(attempts.len(), 1);
    assert!(
        attempts[0].1.as_deref().unwrap().starts_with("refused:"),
        "{attempts:?}"
    );
    assert_eq!(s.instances().await[0].1, "calloutFailed");
}

#[tokio::test]
async fn a_restart_mid_delivery_sends_again_with_the_same_webhook_id() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration::default(),
    )
    .await;
    s.receiver.reply(Reply::Status(503));
    s.submit().await;
    // The process dies right after claiming the retry: the job is leased, nothing is sent.
    s.app.state.clock.advance(Duration::seconds(10));
    let claimed = app::store::jobs::claim_due(
        &s.app.state.db,
        s.app.state.clock.now(),
        Duration::minutes(2),
        10,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.receiver.calls().len(), 1, "a leased job is not run twice");

    // A new process on the same database file, after the lease ran out.
    let restarted = app::state::AppState::new(
        s.app.state.db.clone(),
        app::state::Settings::for_tests(),
        app::clock::Clock::fixed(s.app.state.clock.now() + Duration::minutes(3)),
        crate::harness::test_key(),
    );
    s.receiver.reply(Reply::Status(202));
    drain(&restarted).await.unwrap();
    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].header("webhook-id"), calls[1].header("webhook-id"));
    assert_eq!(s.instances().await[0].1, "calloutSent");
    assert_eq!(s.attempts().await.len(), 2, "each try recorded once");
}

//! `resume` through the real router: every rule of api.md in its order, both path segments
//! under both versions, duplicates, racing resumes, and resumes after cancel or timeout.

use crate::api::{app_with_role, call, join_all, marketing, token};
use crate::harness::{TestApp, HOST};
use crate::receiver::TestReceiver;
use app::domain::ids::{PolicyId, RequestId};
use app::domain::role::Role;
use app::engine::worker::drain;
use app::services::requests;
use axum::body::Body;
use http::{header, Request, StatusCode};
use serde_json::{json, Value};

struct Waiting {
    app: TestApp,
    token: String,
    policy: PolicyId,
    receiver: TestReceiver,
}

/// Marketing's approval policy waits at "Request is created" (Contoso.SodCheckProcess,
/// launch and wait, 1 hour), pointed at a receiver that accepts every callout.
async fn waiting() -> Waiting {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    app.extension_at("Contoso.SodCheckProcess", &format!("{}/sod", receiver.url))
        .await;
    let catalog = marketing(&app).await;
    let token = token(
        &app,
        app_with_role(
            &app,
            "Contoso SoD",
            Role::AccessPackageAssignmentManager,
            Some(catalog),
        )
        .await,
    )
    .await;
    let policy = app.policy("Employees, manager approval").await;
    Waiting {
        app,
        token,
        policy,
        receiver,
    }
}

impl Waiting {
    async fn submit(&self, who: &str) -> (RequestId, String) {
        let p = self.app.principal(who).await;
        let id = requests::submit(&self.app.state, &p, self.policy, "Need it")
            .await
            .unwrap();
        drain(&self.app.state).await.unwrap();
        let instance: String = sqlx::query_scalar("SELECT id FROM callout_instances WHERE request_id = $1 AND stage = 'assignmentRequestCreated'")
            .bind(id.to_string())
            .fetch_one(&self.app.state.db)
            .await
            .unwrap();
        (id, instance)
    }

    async fn resumes_recorded(&self, id: RequestId) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM request_history WHERE request_id = $1 AND event = 'resumed'",
        )
        .bind(id.to_string())
        .fetch_one(&self.app.state.db)
        .await
        .unwrap()
    }
}

fn body(instance: &str, state: Option<&str>) -> Value {
    let mut data = json!({
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        "stage": "assignmentRequestCreated",
        "customExtensionStageInstanceId": instance,
        "customExtensionStageInstanceDetail": "This user is all verified",
    });
    if let Some(state) = state {
        data["state"] = json!(state);
    }
    json!({ "source": "Contoso.SodCheckProcess", "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated", "data": data })
}

fn path(version: &str, segment: &str, id: RequestId) -> String {
    format!("/{version}/identityGovernance/entitlementManagement/{segment}/{id}/resume")
}

#[tokio::test]
async fn a_resume_continues_once_and_a_repeat_changes_nothing() {
    let w = waiting().await;
    let (id, instance) = w.submit("adele@contoso.test").await;
    assert_eq!(
        w.app.request_state(id).await,
        ("submitted".into(), "WaitingForCallback".into())
    );
    let url = path("v1.0", "assignmentRequests", id);
    let (status, answer) = call(
        &w.app,
        "POST",
        &url,
        Some(&w.token),
        Some(body(&instance, None)),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    assert_eq!(
        w.app.request_state(id).await,
        ("pendingApproval".into(), "PendingApproval".into())
    );
    let (status, _) = call(
        &w.app,
        "POST",
        &url,
        Some(&w.token),
        Some(body(&instance, None)),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "the same resume again");
    assert_eq!(w.resumes_recorded(id).await, 1);
    let (status, answer) = call(
        &w.app,
        "POST",
        &url,
        Some(&w.token),
        Some(body(&instance, Some("denied"))),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let detail: (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT status, resume_source, detail FROM callout_instances WHERE id = $1")
            .bind(&instance)
            .fetch_one(&w.app.state.db)
            .await
            .unwrap();
    assert_eq!(
        detail,
        (
            "callbackReceived".into(),
            Some("Contoso.SodCheckProcess".into()),
            Some("This user is all verified".into())
        )
    );
}

#[tokio::test]
async fn the_seeds_example_denies_at_the_created_stage_on_every_path() {
    let w = waiting().await;
    for (version, segment) in [
        ("v1.0", "assignmentRequests"),
        ("beta", "assignmentRequests"),
        ("v1.0", "accessPackageAssignmentRequests"),
        ("beta", "accessPackageAssignmentRequests"),
    ] {
        let (id, instance) = w.submit("adele@contoso.test").await;
        let mut denial = body(&instance, Some("denied"));
        denial["data"]["stage"] = json!("AssignmentRequestCreated");
        let (status, answer) = call(
            &w.app,
            "POST",
            &path(version, segment, id),
            Some(&w.token),
            Some(denial),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NO_CONTENT,
            "{version}/{segment}: {answer}"
        );
        assert_eq!(
            w.app.request_state(id).await,
            ("denied".into(), "Denied".into()),
            "{version}/{segment}"
        );
    }
}

#[tokio::test]
async fn each_rule_answers_in_order_and_changes_nothing() {
    let w = waiting().await;
    let (id, instance) = w.submit("adele@contoso.test").await;
    let url = path("v1.0", "assignmentRequests", id);
    let engineering = w
        .app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Engineering'")
        .await
        .parse()
        .unwrap();
    let stranger = token(
        &w.app,
        app_with_role(
            &w.app,
            "Elsewhere",
            Role::AccessPackageAssignmentManager,
            Some(engineering),
        )
        .await,
    )
    .await;
    let manager = token(
        &w.app,
        app_with_role(
            &w.app,
            "Packages only",
            Role::AccessPackageManager,
            Some(marketing(&w.app).await),
        )
        .await,
    )
    .await;
    let expect = |status: StatusCode, wanted: StatusCode, what: &str, answer: &Value| {
        assert_eq!(status, wanted, "{what}: {answer}")
    };

    let (s, a) = call(&w.app, "POST", &url, None, Some(body(&instance, None))).await;
    expect(s, StatusCode::UNAUTHORIZED, "no token", &a);
    let (s, a) = call(
        &w.app,
        "POST",
        &url,
        Some(&stranger),
        Some(body(&instance, None)),
    )
    .await;
    expect(s, StatusCode::FORBIDDEN, "a role on another catalog", &a);
    let (s, a) = call(
        &w.app,
        "POST",
        &url,
        Some(&manager),
        Some(body(&instance, None)),
    )
    .await;
    expect(s, StatusCode::FORBIDDEN, "a role that may not resume", &a);
    let (s, a) = call(
        &w.app,
        "POST",
        &path("v1.0", "assignmentRequests", RequestId::new()),
        Some(&w.token),
        Some(body(&instance, None)),
    )
    .await;
    expect(s, StatusCode::NOT_FOUND, "no such request", &a);

    let request = Request::post(&url)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {}", w.token))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("resume"))
        .unwrap();
    assert_eq!(
        w.app.send(request).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut big = body(&instance, None);
    big["padding"] = json!("x".repeat(70 * 1024));
    let (s, a) = call(&w.app, "POST", &url, Some(&w.token), Some(big)).await;
    expect(s, StatusCode::PAYLOAD_TOO_LARGE, "over 64 KiB", &a);
    for (what, mut b) in [
        ("type", body(&instance, None)),
        ("data.stage", body(&instance, None)),
        ("data.customExtensionStageInstanceId", body(&instance, None)),
    ] {
        match what {
            "type" => {
                b.as_object_mut().unwrap().remove("type");
            }
            "data.stage" => {
                b["data"].as_object_mut().unwrap().remove("stage");
            }
            _ => {
                b["data"]
                    .as_object_mut()
                    .unwrap()
                    .remove("customExtensionStageInstanceId");
            }
        }
        let (s, a) = call(&w.app, "POST", &url, Some(&w.token), Some(b)).await;
        expect(s, StatusCode::BAD_REQUEST, what, &a);
        assert!(
            a["error"]["message"].as_str().unwrap().contains(what),
            "{a}"
        );
    }
    let mut mismatch = body(&instance, None);
    mismatch["type"] =
        json!("microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved");
    let (s, a) = call(&w.app, "POST", &url, Some(&w.token), Some(mismatch)).await;
    expect(s, StatusCode::BAD_REQUEST, "type and stage disagree", &a);
    let mut other_stage = body(&instance, None);
    other_stage["type"] =
        json!("microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved");
    other_stage["data"]["stage"] = json!("assignmentRequestApproved");
    let (s, a) = call(&w.app, "POST", &url, Some(&w.token), Some(other_stage)).await;
    expect(
        s,
        StatusCode::NOT_FOUND,
        "no instance of this request at that stage",
        &a,
    );
    let (s, a) = call(
        &w.app,
        "POST",
        &url,
        Some(&w.token),
        Some(body(&uuid::Uuid::new_v4().to_string(), None)),
    )
    .await;
    expect(s, StatusCode::NOT_FOUND, "another instance", &a);
    let (s, a) = call(
        &w.app,
        "POST",
        &url,
        Some(&w.token),
        Some(body(&instance, Some("approved"))),
    )
    .await;
    expect(s, StatusCode::BAD_REQUEST, "a state other than denied", &a);
    let mut long = body(&instance, None);
    long["data"]["customExtensionStageInstanceDetail"] = json!("d".repeat(4001));
    let (s, a) = call(&w.app, "POST", &url, Some(&w.token), Some(long)).await;
    expect(
        s,
        StatusCode::BAD_REQUEST,
        "detail over 4000 characters",
        &a,
    );
    assert!(
        a["error"]["message"].as_str().unwrap().contains("4000"),
        "{a}"
    );

    assert_eq!(
        w.app.request_state(id).await,
        ("submitted".into(), "WaitingForCallback".into()),
        "nothing changed"
    );
    assert_eq!(w.resumes_recorded(id).await, 0);
}

#[tokio::test]
async fn racing_resumes_make_exactly_one_transition() {
    let w = waiting().await;
    let (id, instance) = w.submit("adele@contoso.test").await;
    let url = path("v1.0", "assignmentRequests", id);
    let mut calls = Vec::new();
    for n in 0..20 {
        let (app_router, token, url, b) = (
            &w.app,
            w.token.clone(),
            url.clone(),
            body(&instance, if n % 2 == 0 { None } else { Some("denied") }),
        );
        calls.push(async move {
            call(app_router, "POST", &url, Some(&token), Some(b))
                .await
                .0
        });
    }
    let statuses = join_all(calls).await;
    let ok = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(ok + conflicts, 20, "{statuses:?}");
    assert_eq!(ok, 10, "the winner and its nine duplicates: {statuses:?}");
    assert_eq!(w.resumes_recorded(id).await, 1, "exactly one transition");
}

#[tokio::test]
async fn a_resume_after_cancel_or_timeout_is_refused() {
    let w = waiting().await;
    let (id, instance) = w.submit("adele@contoso.test").await;
    let adele = w.app.principal("adele@contoso.test").await;
    requests::cancel(&w.app.state, &adele, id).await.unwrap();
    let (s, a) = call(
        &w.app,
        "POST",
        &path("v1.0", "assignmentRequests", id),
        Some(&w.token),
        Some(body(&instance, None)),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{a}");
    assert!(
        a["error"]["message"].as_str().unwrap().contains("canceled"),
        "{a}"
    );

    let (id, instance) = w.submit("alex@contoso.test").await;
    w.app.state.clock.advance(chrono::Duration::minutes(61));
    drain(&w.app.state).await.unwrap();
    assert_eq!(
        w.app.request_state(id).await,
        ("denied".into(), "Expired".into())
    );
    // The first token has expired with the hour too.
    let fresh = token(
        &w.app,
        app_with_role(
            &w.app,
            "Later",
            Role::AccessPackageAssignmentManager,
            Some(marketing(&w.app).await),
        )
        .await,
    )
    .await;
    let (s, a) = call(
        &w.app,
        "POST",
        &path("beta", "accessPackageAssignmentRequests", id),
        Some(&fresh),
        Some(body(&instance, None)),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{a}");
}

#[tokio::test]
async fn a_request_an_app_makes_names_the_app_as_requestor_in_its_callout() {
    let w = waiting().await;
    let adele: String = w
        .app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'adele@contoso.test'")
        .await;
    let package: String = w
        .app
        .id_of(&format!(
            "SELECT access_package_id FROM policies WHERE id = '{}'",
            w.policy
        ))
        .await;
    let (status, _) = call(
        &w.app,
        "POST",
        "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
        Some(&w.token),
        Some(json!({
            "requestType": "adminAdd",
            "assignment": { "targetId": adele, "assignmentPolicyId": w.policy, "accessPackageId": package },
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    drain(&w.app.state).await.unwrap();
    let app_id: String = w
        .app
        .id_of("SELECT id FROM apps WHERE display_name = 'Contoso SoD'")
        .await;
    let body = w.receiver.calls().last().expect("a callout").json();
    assert_eq!(body["Requestor"]["DisplayName"], "Contoso SoD");
    assert_eq!(body["Requestor"]["Id"], app_id);
    assert_eq!(body["Requestor"]["ObjectId"], app_id);
}

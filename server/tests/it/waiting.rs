//! Launch-and-wait outcomes at every stage, driven by the clock (no sleeps): the outcomes table
//! of domain.md, row by row, and waiting across a restart. The resume API's own rules are in
//! api_resume.rs.

use crate::harness::TestApp;
use crate::receiver::Reply;
use crate::receiver::TestReceiver;
use app::domain::ids::{CalloutInstanceId, PolicyId, RequestId};
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::resume::{self, Resume, Resumed};
use app::services::{request_views, requests};
use chrono::Duration;

const NO_APPROVAL: &str = "All employees";
const WITH_APPROVAL: &str = "Employees, manager approval";

/// The policy waits at `stage` (and nowhere else) for Contoso.SodCheckProcess (1 hour), which
/// calls a receiver that accepts every callout unless told otherwise.
async fn waiting_at(policy: &str, stage: Stage) -> (TestApp, TestReceiver, PolicyId) {
    let app = TestApp::new().await;
    let receiver = TestReceiver::start().await;
    let sod = app
        .extension_at("Contoso.SodCheckProcess", &format!("{}/sod", receiver.url))
        .await;
    let policy = app.policy(policy).await;
    app.map_stages(policy, &[(stage, sod)]).await;
    (app, receiver, policy)
}

async fn submit(app: &TestApp, who: &str, policy: PolicyId) -> RequestId {
    let p = app.principal(who).await;
    let id = requests::submit(&app.state, &p, policy, "Spring campaign")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    id
}

async fn approve(app: &TestApp, id: RequestId) {
    let approver = app.principal("approver@contoso.test").await;
    requests::approve(&app.state, &approver, id, "Fine")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
}

/// The instance the request waits on at `stage`, and its status.
async fn instance_at(app: &TestApp, id: RequestId, stage: Stage) -> (CalloutInstanceId, String) {
    let (instance, status): (String, String) = sqlx::query_as(
        "SELECT id, status FROM callout_instances WHERE request_id = $1 AND stage = $2",
    )
    .bind(id.to_string())
    .bind(stage.wire_name())
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    (instance.parse().unwrap(), status)
}

async fn resume(app: &TestApp, id: RequestId, stage: Stage, denied: bool) {
    let (instance, _) = instance_at(app, id, stage).await;
    let workflow = app.principal("owner@contoso.test").await;
    let input = Resume {
        stage,
        instance,
        denied,
        source: Some("Contoso.SodCheckProcess".into()),
        detail: Some("Checked by the workflow".into()),
    };
    let resumed = resume::resume(&app.state, &workflow, id, input)
        .await
        .unwrap();
    assert_eq!(resumed, Resumed::Applied);
    drain(&app.state).await.unwrap();
}

/// What the requestor's history says of the request.
async fn requestor_sees(app: &TestApp, who: &str, id: RequestId) -> String {
    let p = app.principal(who).await;
    request_views::details(&app.state, &p, id)
        .await
        .unwrap()
        .words
}

/// The timeline as `who` sees it: each step's name, and the troubleshooting sentence under it.
async fn timeline(app: &TestApp, who: &str, id: RequestId) -> Vec<(String, Option<String>)> {
    let p = app.principal(who).await;
    request_views::details(&app.state, &p, id)
        .await
        .unwrap()
        .history
        .into_iter()
        .map(|h| (h.words, h.technical))
        .collect()
}

fn names(steps: &[(String, Option<String>)]) -> Vec<&str> {
    steps.iter().map(|(name, _)| name.as_str()).collect()
}

#[tokio::test]
async fn a_granted_stage_that_times_out_fails_the_delivery_and_removes_the_access() {
    let (app, _receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestGranted).await;
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(
        app.request_state(id).await,
        ("delivering".into(), "WaitingForCallback".into())
    );
    let assignment: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(assignment, "delivering");

    app.pass(Duration::minutes(59)).await;
    assert_eq!(
        app.request_state(id).await.1,
        "WaitingForCallback",
        "not before the hour"
    );
    app.pass(Duration::minutes(2)).await;
    assert_eq!(
        app.request_state(id).await,
        ("deliveryFailed".into(), "Expired".into())
    );
    let assignment: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(
        assignment, "deliveryFailed",
        "access is not kept when the workflow never answered"
    );
    let instance: String = app.id_of("SELECT status FROM callout_instances").await;
    assert_eq!(instance, "callbackTimedOut");
}

#[tokio::test]
async fn a_removed_stage_that_times_out_still_completes_the_removal() {
    let (app, _receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestRemoved).await;
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(
        app.request_state(id).await,
        ("delivered".into(), "Delivered".into())
    );
    let assignment = app
        .id_of("SELECT id FROM assignments")
        .await
        .parse()
        .unwrap();
    let adele = app.principal("adele@contoso.test").await;
    let removal = requests::remove_assignment(&app.state, &adele, assignment)
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "expired", "the access ends at once");
    assert_eq!(app.request_state(removal).await.1, "WaitingForCallback");

    app.pass(Duration::minutes(61)).await;
    let (state, status) = app.request_state(removal).await;
    assert_eq!(
        (state.as_str(), status.as_str()),
        ("delivered", "Expired"),
        "the removal completes anyway"
    );
}

fn pair(state: &str, status: &str) -> (String, String) {
    (state.to_string(), status.to_string())
}

#[tokio::test]
async fn waiting_then_resumed_at_created_continues_with_the_next_step() {
    let (app, _receiver, policy) = waiting_at(WITH_APPROVAL, Stage::AssignmentRequestCreated).await;
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(
        app.request_state(id).await,
        pair("submitted", "WaitingForCallback")
    );
    let (_, status) = instance_at(&app, id, Stage::AssignmentRequestCreated).await;
    assert_eq!(status, "waitingForCallback");
    assert_eq!(
        requestor_sees(&app, "adele@contoso.test", id).await,
        "Waiting for information before proceeding"
    );

    resume(&app, id, Stage::AssignmentRequestCreated, false).await;
    assert_eq!(
        app.request_state(id).await,
        pair("pendingApproval", "PendingApproval")
    );
    assert_eq!(
        requestor_sees(&app, "adele@contoso.test", id).await,
        "Process continues"
    );
    let (_, status) = instance_at(&app, id, Stage::AssignmentRequestCreated).await;
    assert_eq!(status, "callbackReceived");
    let detail: String = app.id_of("SELECT detail FROM callout_instances").await;
    assert_eq!(detail, "Checked by the workflow");

    // The timeline names the steps in the requestor's words; the sentence naming the custom
    // extension and its stage is for the troubleshooting view only.
    let mine = timeline(&app, "adele@contoso.test", id).await;
    assert_eq!(
        names(&mine),
        [
            "Request submitted",
            "Waiting for information before proceeding",
            "Custom extension called at \u{201c}Request is created\u{201d}",
            "Process continues",
            "Waiting for approval"
        ]
    );
    assert!(mine.iter().all(|(_, technical)| technical.is_none()));
    let admin = timeline(&app, "admin@contoso.test", id).await;
    assert_eq!(names(&admin), names(&mine));
    assert_eq!(
        admin[1].1.as_deref(),
        Some("Waiting for the custom extension at \u{201c}Request is created\u{201d} to resume the request")
    );
    assert!(
        admin[3].1.as_deref().is_some_and(
            |t| t.ends_with("at \u{201c}Request is created\u{201d}: process continues")
        ),
        "{admin:?}"
    );
}

/// The workflow may resume while Latch still waits for the answer to its callout (the
/// receiver resumes at once and answers after): the late answer does not undo the resume.
#[tokio::test]
async fn a_resume_before_the_callouts_answer_keeps_the_instance_resumed() {
    let (app, receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestCreated).await;
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    receiver.reply(Reply::Held(gate.clone()));
    let p = app.principal("adele@contoso.test").await;
    let id = requests::submit(&app.state, &p, policy, "Spring campaign")
        .await
        .unwrap();
    let state = app.state.clone();
    let delivering = tokio::spawn(async move { drain(&state).await });
    while receiver.calls().is_empty() {
        tokio::task::yield_now().await;
    }
    let (_, status) = instance_at(&app, id, Stage::AssignmentRequestCreated).await;
    assert_eq!(status, "pending", "the callout's answer is not in yet");

    resume(&app, id, Stage::AssignmentRequestCreated, false).await;
    gate.notify_one();
    delivering.await.unwrap().unwrap();
    drain(&app.state).await.unwrap();

    let (_, status) = instance_at(&app, id, Stage::AssignmentRequestCreated).await;
    assert_eq!(status, "callbackReceived");
    assert_eq!(app.request_state(id).await, pair("delivered", "Delivered"));
    let attempts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM callout_attempts WHERE http_status = 202")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(attempts, 1, "the answer is still recorded");
}

#[tokio::test]
async fn the_approved_stage_waits_and_resumes_to_delivery_or_denies() {
    let (app, _receiver, policy) =
        waiting_at(WITH_APPROVAL, Stage::AssignmentRequestApproved).await;
    let continued = submit(&app, "adele@contoso.test", policy).await;
    let denied = submit(&app, "alex@contoso.test", policy).await;
    for id in [continued, denied] {
        approve(&app, id).await;
        assert_eq!(
            app.request_state(id).await,
            pair("submitted", "WaitingForCallback")
        );
    }

    resume(&app, continued, Stage::AssignmentRequestApproved, false).await;
    assert_eq!(
        app.request_state(continued).await,
        pair("delivered", "Delivered")
    );
    assert_eq!(
        requestor_sees(&app, "adele@contoso.test", continued).await,
        "Delivered"
    );

    resume(&app, denied, Stage::AssignmentRequestApproved, true).await;
    assert_eq!(app.request_state(denied).await, pair("denied", "Denied"));
    let (_, status) = instance_at(&app, denied, Stage::AssignmentRequestApproved).await;
    assert_eq!(status, "callbackReceived");
    assert_eq!(
        requestor_sees(&app, "alex@contoso.test", denied).await,
        "Request denied"
    );
    let assignments = app.scalar("SELECT COUNT(*) FROM assignments").await;
    assert_eq!(assignments, 1, "only the continued request got access");
}

#[tokio::test]
async fn created_and_approved_stages_that_time_out_deny_the_request_as_expired() {
    for (policy_name, stage) in [
        (NO_APPROVAL, Stage::AssignmentRequestCreated),
        (WITH_APPROVAL, Stage::AssignmentRequestApproved),
    ] {
        let (app, _receiver, policy) = waiting_at(policy_name, stage).await;
        let id = submit(&app, "adele@contoso.test", policy).await;
        if stage == Stage::AssignmentRequestApproved {
            approve(&app, id).await;
        }
        app.pass(Duration::minutes(59)).await;
        assert_eq!(
            app.request_state(id).await.1,
            "WaitingForCallback",
            "{stage:?}"
        );

        app.pass(Duration::minutes(2)).await;
        assert_eq!(
            app.request_state(id).await,
            pair("denied", "Expired"),
            "{stage:?}"
        );
        assert_eq!(instance_at(&app, id, stage).await.1, "callbackTimedOut");
        assert_eq!(
            requestor_sees(&app, "adele@contoso.test", id).await,
            "Process expired",
            "{stage:?}"
        );
        // The requestor's timeline says it once; the timeout itself is for troubleshooting.
        let mine = timeline(&app, "adele@contoso.test", id).await;
        assert_eq!(
            names(&mine)
                .iter()
                .filter(|n| **n == "Process expired")
                .count(),
            1,
            "{mine:?}"
        );
        assert!(
            !names(&mine).iter().any(|n| n.starts_with("No resume")),
            "{mine:?}"
        );
        let admin = timeline(&app, "admin@contoso.test", id).await;
        assert!(
            names(&admin)
                .iter()
                .any(|n| n.starts_with("No resume from the custom extension")),
            "{admin:?}"
        );
        let assignments = app.scalar("SELECT COUNT(*) FROM assignments").await;
        assert_eq!(assignments, 0, "{stage:?}");
    }
}

#[tokio::test]
async fn a_waiting_callout_that_cannot_be_delivered_ends_like_a_timeout() {
    // A 400 is not retried, so "after all retries" is at once; the 1-hour deadline is not
    // waited for.
    let (app, receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestCreated).await;
    receiver.reply(Reply::Status(400));
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(app.request_state(id).await, pair("denied", "Expired"));
    assert_eq!(
        instance_at(&app, id, Stage::AssignmentRequestCreated)
            .await
            .1,
        "calloutFailed"
    );
    assert_eq!(
        requestor_sees(&app, "adele@contoso.test", id).await,
        "Process expired"
    );
    let timers = app
        .scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'timer'")
        .await;
    assert_eq!(timers, 0, "the wait deadline is cancelled");

    let (app, receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestGranted).await;
    receiver.reply(Reply::Status(400));
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(
        app.request_state(id).await,
        pair("deliveryFailed", "Expired")
    );
    let assignment: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(assignment, "deliveryFailed");
}

#[tokio::test]
async fn requests_keep_waiting_across_a_restart_with_their_deadlines() {
    let (app, _receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestCreated).await;
    let resumed = submit(&app, "adele@contoso.test", policy).await;
    let silent = submit(&app, "alex@contoso.test", policy).await;

    let app = app.restart(Duration::minutes(30)).await;
    drain(&app.state).await.unwrap();
    for id in [resumed, silent] {
        assert_eq!(
            app.request_state(id).await,
            pair("submitted", "WaitingForCallback")
        );
    }
    resume(&app, resumed, Stage::AssignmentRequestCreated, false).await;
    assert_eq!(
        app.request_state(resumed).await,
        pair("delivered", "Delivered")
    );

    // The deadline is the one set before the restart: an hour after the wait began.
    app.pass(Duration::minutes(29)).await;
    assert_eq!(app.request_state(silent).await.1, "WaitingForCallback");
    app.pass(Duration::minutes(2)).await;
    assert_eq!(app.request_state(silent).await, pair("denied", "Expired"));
}

#[tokio::test]
async fn a_denial_at_created_shows_its_detail_to_the_approver_and_the_admin() {
    let (app, _receiver, policy) = waiting_at(WITH_APPROVAL, Stage::AssignmentRequestCreated).await;
    let id = submit(&app, "adele@contoso.test", policy).await;
    resume(&app, id, Stage::AssignmentRequestCreated, true).await;
    assert_eq!(app.request_state(id).await, pair("denied", "Denied"));

    let approver = app.principal("approver@contoso.test").await;
    let pending = request_views::approvals(&app.state, &approver, &Default::default())
        .await
        .unwrap()
        .rows;
    assert!(pending.is_empty(), "it never reached the approver");
    let history = request_views::approval_history(&app.state, &approver, &Default::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].id, id);
    assert_eq!(history[0].words, "Request denied");

    for who in ["approver@contoso.test", "admin@contoso.test"] {
        let p = app.principal(who).await;
        let details = request_views::details(&app.state, &p, id).await.unwrap();
        let reported = &details.workflow_details[0];
        assert_eq!(reported.detail, "Checked by the workflow", "{who}");
        assert_eq!(reported.source.as_deref(), Some("Contoso.SodCheckProcess"));
        assert!(reported.at.is_some());
    }
    let others = request_views::approval_history(
        &app.state,
        &app.principal("alex@contoso.test").await,
        &Default::default(),
    )
    .await
    .unwrap()
    .rows;
    assert!(others.is_empty(), "only the policy's approvers see it");
}

/// A leaver whose request waits at the granted stage: the request can't be canceled (the
/// workflow may be provisioning), so it is left to finish; when the workflow resumes it, the
/// access it delivers is removed at once.
#[tokio::test]
async fn a_leavers_request_waiting_at_granted_loses_its_access_when_it_delivers() {
    let (app, _receiver, policy) = waiting_at(NO_APPROVAL, Stage::AssignmentRequestGranted).await;
    let id = submit(&app, "adele@contoso.test", policy).await;
    assert_eq!(app.request_state(id).await.1, "WaitingForCallback");
    let admin = app.principal("admin@contoso.test").await;
    let adele: app::domain::ids::UserId = app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'adele@contoso.test'")
        .await
        .parse()
        .unwrap();
    let summary = app::directory::people::disable(&app.state, &admin, adele)
        .await
        .unwrap();
    assert_eq!((summary.requests_canceled, summary.requests_left), (0, 1));
    assert_eq!(
        app.request_state(id).await,
        ("delivering".into(), "WaitingForCallback".into())
    );

    resume(&app, id, Stage::AssignmentRequestGranted, false).await;
    assert_eq!(app.request_state(id).await.0, "delivered");
    let assignment: String = app
        .id_of(&format!(
            "SELECT state FROM assignments WHERE request_id = '{id}'"
        ))
        .await;
    assert_eq!(assignment, "expired", "the leaver keeps no access");
    let removal: String = app
        .id_of("SELECT justification FROM requests WHERE request_type = 'adminRemove'")
        .await;
    assert_eq!(removal, app::engine::run::LEAVER_JUSTIFICATION);
}

//! Auto-resume against the stub Latch: what is sent, when nothing is, and what is recorded.
//! The receiver resumes at once (`--resume-after 0`); tests wait, a bounded time, for the stub
//! to be called and for the receiver to record the answer.

use super::*;

const CREATED: &str = "assignmentRequestCreated";
const GRANTED: &str = "assignmentRequestGranted";

fn callback_path() -> String {
    format!("/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{REQUEST}/resume")
}

/// Delivers a launch-and-wait callout for `instance`; its recorded run id.
async fn deliver_stage(
    latch: &StubLatch,
    app: &Router,
    stage: &str,
    instance: &str,
    justification: &str,
) -> Value {
    let body = callout_body(stage, instance, justification).to_string();
    deliver(app, &Sent::with_body(latch, body)).await["runId"].clone()
}

/// The recorded callout with this run id, once its resume is recorded (waits a bounded time).
async fn resume_of(receiver: &Receiver, run_id: &Value) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let callouts = serde_json::to_value(receiver.callouts()).unwrap();
        let callout = callouts
            .as_array()
            .unwrap()
            .iter()
            .find(|callout| &callout["runId"] == run_id)
            .cloned()
            .expect("the callout is recorded");
        if !callout["resume"].is_null() {
            return callout["resume"].clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no resume recorded: {callout}"
        );
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
}

fn continued(stage: &str, instance: &str) -> Value {
    json!({
        "source": "Latch sample receiver",
        "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": stage,
            "customExtensionStageInstanceId": instance,
            "customExtensionStageInstanceDetail": "Sample receiver: no conflicting roles found",
        },
    })
}

#[tokio::test]
async fn a_created_callout_is_continued() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[], Clock::fixed(now()));
    let run_id = deliver_stage(&latch, &app, CREATED, INSTANCE, "Need it for Q3").await;

    let resumes = latch.wait_for_resumes(1).await;
    assert_eq!(resumes[0].path, callback_path());
    assert_eq!(resumes[0].authorization, "Bearer stub-token-1");
    assert_eq!(resumes[0].body, continued(CREATED, INSTANCE));

    let mut resume = resume_of(&receiver, &run_id).await;
    assert!(resume["latencyMs"].is_u64(), "{resume}");
    resume["latencyMs"] = Value::Null;
    assert_eq!(
        resume,
        json!({
            "at": "2026-01-01T12:00:00Z",
            "state": "continue",
            "reason": null,
            "httpStatus": 204,
            "latencyMs": null,
            "error": null,
        })
    );
}

#[tokio::test]
async fn the_deny_word_denies_at_created() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[SECRET], Clock::fixed(now()));
    let run_id = deliver_stage(&latch, &app, CREATED, INSTANCE, "SoD CONFLICT with payroll").await;

    let resumes = latch.wait_for_resumes(1).await;
    let mut denied = continued(CREATED, INSTANCE);
    denied["data"]["state"] = json!("denied");
    denied["data"]["customExtensionStageInstanceDetail"] =
        json!("Sample receiver: the justification mentions \"conflict\"");
    assert_eq!(resumes[0].body, denied);

    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(resume["state"], "denied");
    assert_eq!(resume["reason"], "the justification mentions \"conflict\"");
    assert_eq!(resume["httpStatus"], 204);

    // The page shows it, escaped.
    let page = body_text(send(&app, Request::get("/").body(Body::empty()).unwrap()).await).await;
    assert!(
        page.contains("denied, HTTP 204 in ")
            && page.contains("the justification mentions &quot;conflict&quot;"),
        "{page}"
    );
}

#[tokio::test]
async fn the_deny_word_continues_at_granted() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[], Clock::fixed(now()));
    let run_id = deliver_stage(&latch, &app, GRANTED, INSTANCE, "conflict").await;

    let resumes = latch.wait_for_resumes(1).await;
    assert_eq!(resumes[0].body, continued(GRANTED, INSTANCE));
    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(resume["state"], "continue");
    assert_eq!(
        resume["reason"],
        "the justification mentions \"conflict\", but only the created and approved stages can deny"
    );
}

#[tokio::test]
async fn the_hold_word_and_callouts_that_do_not_wait_get_no_resume() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[], Clock::fixed(now()));
    let held = deliver_stage(&latch, &app, CREATED, "held-instance", "please HOLD").await;
    let mut no_wait = callout_body(GRANTED, "no-wait", "");
    no_wait.as_object_mut().unwrap().remove("CallbackUriPath");
    let no_wait = deliver(&app, &Sent::with_body(&latch, no_wait.to_string())).await;
    // A callout that is resumed, to know the others had their chance.
    let resumed = deliver_stage(&latch, &app, CREATED, INSTANCE, "fine").await;
    resume_of(&receiver, &resumed).await;

    let resumes = latch.wait_for_resumes(1).await;
    assert_eq!(resumes.len(), 1, "{resumes:?}");
    assert_eq!(
        resumes[0].body["data"]["customExtensionStageInstanceId"],
        INSTANCE
    );
    assert_eq!(
        resume_of(&receiver, &held).await,
        json!({
            "at": "2026-01-01T12:00:00Z",
            "state": "held",
            "reason": "the justification mentions \"hold\"",
            "httpStatus": null,
            "latencyMs": null,
            "error": null,
        })
    );
    assert_eq!(no_wait["resume"], Value::Null);
}

#[tokio::test]
async fn an_unverified_callout_is_skipped_with_the_reason() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[], Clock::fixed(now()));
    let mut forged = Sent::with_body(&latch, callout_body(CREATED, "forged", "").to_string());
    forged.key = key(1);
    let skipped = deliver(&app, &forged).await;
    assert_eq!(skipped["resume"]["state"], "skipped");
    assert_eq!(
        skipped["resume"]["reason"],
        "the token did not verify: no published key matches the token's kid"
    );

    // Once a secret is known, the signature must verify too.
    let (_, other) = latch.resuming(&[OTHER_SECRET], Clock::fixed(now()));
    let unsigned = Sent::with_body(&latch, callout_body(CREATED, "unsigned", "").to_string());
    let skipped = deliver(&other, &unsigned).await;
    assert_eq!(skipped["resume"]["state"], "skipped");
    assert_eq!(
        skipped["resume"]["reason"],
        "the signature did not verify: no secret matches"
    );

    // A callout that is resumed, to know the others had their chance.
    let resumed = deliver_stage(&latch, &app, CREATED, INSTANCE, "").await;
    resume_of(&receiver, &resumed).await;
    assert_eq!(latch.resumes().len(), 1);
}

#[tokio::test]
async fn one_token_serves_many_resumes_until_it_nears_expiry() {
    let latch = StubLatch::start().await;
    let clock = Clock::fixed(now());
    let (receiver, app) = latch.resuming(&[], clock.clone());
    let mut run_ids = Vec::new();
    for n in 0..5 {
        let instance = format!("instance-{n}");
        run_ids.push(deliver_stage(&latch, &app, CREATED, &instance, "").await);
    }
    for run_id in &run_ids {
        assert_eq!(resume_of(&receiver, run_id).await["httpStatus"], 204);
    }
    let resumes = latch.wait_for_resumes(5).await;
    assert!(resumes
        .iter()
        .all(|r| r.authorization == "Bearer stub-token-1"));
    let requests = latch.token_requests();
    assert_eq!(requests.len(), 1);
    let form = |name: &str| requests[0].get(name).map(String::as_str);
    assert_eq!(form("grant_type"), Some("client_credentials"));
    assert_eq!(form("client_id"), Some(CLIENT_ID));
    assert_eq!(form("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(form("scope"), Some("https://graph.microsoft.com/.default"));

    // The token lives an hour; five minutes before that, the next resume gets a new one.
    let later = clock.advance(Duration::minutes(55));
    let mut callout = Sent::with_body(&latch, callout_body(CREATED, "instance-5", "").to_string());
    (callout.issued_at, callout.timestamp) = (later, later.timestamp());
    let run_id = deliver(&app, &callout).await["runId"].clone();
    resume_of(&receiver, &run_id).await;
    let resumes = latch.wait_for_resumes(6).await;
    assert_eq!(resumes[5].authorization, "Bearer stub-token-2");
    assert_eq!(latch.token_requests().len(), 2);
}

#[tokio::test]
async fn a_5xx_is_retried_and_a_4xx_is_recorded() {
    let latch = StubLatch::start().await;
    let (receiver, app) = latch.resuming(&[], Clock::fixed(now()));
    latch.reply_to_resumes([(StatusCode::SERVICE_UNAVAILABLE, json!({}))]);
    let run_id = deliver_stage(&latch, &app, CREATED, INSTANCE, "").await;
    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(
        (resume["httpStatus"].clone(), resume["error"].clone()),
        (json!(204), Value::Null)
    );
    assert_eq!(latch.wait_for_resumes(2).await.len(), 2);

    let conflict =
        json!({ "error": { "code": "Conflict", "message": "The wait already timed out." } });
    latch.reply_to_resumes([(StatusCode::CONFLICT, conflict)]);
    let run_id = deliver_stage(&latch, &app, CREATED, "late", "").await;
    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(resume["httpStatus"], 409);
    assert_eq!(resume["error"], "HTTP 409: The wait already timed out.");
    assert_eq!(latch.resumes().len(), 3, "a 4xx is not retried");

    // Three 5xx in a row use up the retries.
    let failing = (StatusCode::BAD_GATEWAY, json!({}));
    latch.reply_to_resumes([failing.clone(), failing.clone(), failing]);
    let run_id = deliver_stage(&latch, &app, CREATED, "down", "").await;
    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(resume["httpStatus"], 502);
    assert_eq!(latch.resumes().len(), 6);
}

#[tokio::test]
async fn refused_credentials_are_recorded_and_not_retried() {
    let latch = StubLatch::start().await;
    let mut options = latch.options(&[]);
    options.resume = Some(ResumeOptions {
        delay: StdDuration::ZERO,
        client_id: CLIENT_ID.to_owned(),
        client_secret: ClientSecret::new("wrong"),
        deny_word: None,
        hold_word: None,
    });
    let receiver = Receiver::new(&options, Clock::fixed(now()), &[StdDuration::ZERO; 2]).unwrap();
    let app = router(receiver.clone());
    let run_id = deliver_stage(&latch, &app, CREATED, INSTANCE, "").await;
    let resume = resume_of(&receiver, &run_id).await;
    assert_eq!(
        resume["error"],
        format!(
            "Latch refused a token to app {CLIENT_ID}: HTTP 401: invalid_client: the client id or secret is wrong"
        )
    );
    assert_eq!(resume["httpStatus"], Value::Null);
    assert_eq!(latch.token_requests().len(), 1);
    assert!(latch.resumes().is_empty());
}

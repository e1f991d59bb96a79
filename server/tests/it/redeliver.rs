//! Redeliver: a manager sends a failed launch-and-continue callout again from the request's
//! troubleshooting view.

use crate::callouts::scenario;
use crate::receiver::Reply;
use app::domain::extension::ClientConfiguration;
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::error::AppError;
use app::services::redeliver::redeliver;
use app::services::request_views;
use chrono::Duration;

#[tokio::test]
async fn a_failed_callout_is_sent_again_with_the_same_webhook_id_and_fresh_retries() {
    // One retry allowed: after the first attempt, a plain resend would have none left.
    let client = ClientConfiguration {
        maximum_retries: 1,
        ..ClientConfiguration::default()
    };
    let s = scenario(&[Stage::AssignmentRequestCreated], client).await;
    s.receiver.reply(Reply::Status(400));
    let request = s.submit().await;
    assert_eq!(s.instances().await[0].1, "calloutFailed");
    let instance = s
        .app
        .id_of("SELECT id FROM callout_instances")
        .await
        .parse()
        .unwrap();

    for who in [
        "adele@contoso.test",
        "approver@contoso.test",
        "manager@contoso.test",
    ] {
        let p = s.app.principal(who).await;
        let refused = redeliver(&s.app.state, &p, request, instance).await;
        assert!(
            matches!(refused, Err(AppError::NotPermitted(_))),
            "{who}: {refused:?}"
        );
    }
    assert_eq!(
        s.instances().await[0].1,
        "calloutFailed",
        "refusals change nothing"
    );

    let owner = s.app.principal("owner@contoso.test").await;
    let view = request_views::details(&s.app.state, &owner, request)
        .await
        .unwrap();
    assert!(view.instances.unwrap()[0].can_redeliver);

    // The admin fixes the endpoint; it still fails, but with a retryable answer: the
    // redelivery goes to the fixed endpoint and gets the whole retry schedule although the
    // instance already used one attempt.
    sqlx::query(
        "UPDATE custom_extensions SET endpoint_url = $1 WHERE display_name = 'Contoso.Provisioning'",
    )
    .bind(format!("{}/hooks/fixed", s.receiver.url))
    .execute(&s.app.state.db)
    .await
    .unwrap();
    s.receiver.reply(Reply::Status(503));
    redeliver(&s.app.state, &owner, request, instance)
        .await
        .unwrap();
    drain(&s.app.state).await.unwrap();
    assert_eq!(s.instances().await[0].1, "pending", "a retry is due");
    s.receiver.reply(Reply::Status(202));
    s.app.state.clock.advance(Duration::seconds(10));
    drain(&s.app.state).await.unwrap();

    let calls = s.receiver.calls();
    assert_eq!(calls.len(), 3);
    let paths: Vec<&str> = calls.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/hooks/provisioning", "/hooks/fixed", "/hooks/fixed"],
        "sent again with the extension as it is now"
    );
    assert!(calls
        .iter()
        .all(|c| c.header("webhook-id") == instance.to_string()));
    assert_eq!(s.instances().await[0].1, "calloutSent");
    let statuses: Vec<Option<i64>> = s.attempts().await.into_iter().map(|a| a.0).collect();
    assert_eq!(statuses, [Some(400), Some(503), Some(202)]);

    let view = request_views::details(&s.app.state, &owner, request)
        .await
        .unwrap();
    let step = view
        .history
        .iter()
        .find(|h| h.words.contains("sent again"))
        .expect("a history step for the redelivery");
    assert_eq!(step.actor, "Oscar Owens");
    assert!(!view.instances.unwrap()[0].can_redeliver);
    let audited = s
        .app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'customExtensionCalloutInstance.redeliver'")
        .await;
    assert_eq!(audited, 1);

    let again = redeliver(&s.app.state, &owner, request, instance).await;
    match again {
        Err(AppError::Conflict(message)) => assert!(message.contains("calloutSent"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_instance_of_another_request_is_not_found() {
    let s = scenario(
        &[Stage::AssignmentRequestCreated],
        ClientConfiguration::default(),
    )
    .await;
    s.receiver.reply(Reply::Status(400));
    let first = s.submit().await;
    let instance = s
        .app
        .id_of("SELECT id FROM callout_instances")
        .await
        .parse()
        .unwrap();
    let alex = s.app.principal("alex@contoso.test").await;
    let other = app::services::requests::submit(&s.app.state, &alex, s.policy(), "")
        .await
        .unwrap();
    assert_ne!(first, other);
    let owner = s.app.principal("owner@contoso.test").await;
    let refused = redeliver(&s.app.state, &owner, other, instance).await;
    assert!(matches!(refused, Err(AppError::NotFound(_))), "{refused:?}");
}

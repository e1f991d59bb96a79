//! Requests through the services, as requestors, approvers and managers see them: refusals
//! create nothing, and each role sees only what it may.

use crate::harness::TestApp;
use app::engine::worker::drain;
use app::error::AppError;
use app::services::{request_views, requests};

async fn without_extensions(app: &TestApp) {
    // These tests are about people, not callouts: no stage calls anything.
    sqlx::query("DELETE FROM policy_stage_settings")
        .execute(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_goes_from_approval_to_delivered_and_each_role_sees_its_part() {
    let app = TestApp::new().await;
    without_extensions(&app).await;
    let adele = app.principal("adele@contoso.test").await;
    let alex = app.principal("alex@contoso.test").await;
    let approver = app.principal("approver@contoso.test").await;
    let admin = app.principal("admin@contoso.test").await;
    let tools = app.policy("Employees, manager approval").await;

    let id = requests::submit(&app.state, &adele, tools, "Campaign work")
        .await
        .unwrap();
    let history = request_views::my_requests(&app.state, &adele, &Default::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(history[0].words, "Pending approval");
    assert!(
        request_views::my_requests(&app.state, &alex, &Default::default())
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    assert!(matches!(
        request_views::details(&app.state, &alex, id).await,
        Err(AppError::NotFound(_))
    ));

    let pending = request_views::approvals(&app.state, &approver, &Default::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (
            pending[0].requestor.as_str(),
            pending[0].justification.as_str()
        ),
        ("Adele Vance", "Campaign work")
    );
    assert!(
        request_views::approvals(&app.state, &alex, &Default::default())
            .await
            .unwrap()
            .rows
            .is_empty()
    );
    let err = requests::approve(&app.state, &alex, id, "")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotPermitted(_)), "{err:?}");

    requests::approve(&app.state, &approver, id, "Fine")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let mine = request_views::details(&app.state, &adele, id)
        .await
        .unwrap();
    assert_eq!(mine.words, "Delivered");
    assert!(
        mine.instances.is_none(),
        "a requestor does not see callout internals"
    );
    let steps: Vec<&str> = mine.history.iter().map(|h| h.words.as_str()).collect();
    assert_eq!(
        steps,
        [
            "Request submitted",
            "Waiting for approval",
            "Approved",
            "Delivering access",
            "Access delivered"
        ]
    );
    let full = request_views::details(&app.state, &admin, id)
        .await
        .unwrap();
    assert_eq!(full.instances, Some(vec![]));
    let assignments = request_views::my_assignments(&app.state, &adele, &Default::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(assignments.len(), 1);
    assert!(assignments[0].may_remove);
    assert!(
        assignments[0].expires_at.is_some(),
        "the policy gives 30 days"
    );

    let again = requests::submit(&app.state, &adele, tools, "again")
        .await
        .unwrap_err();
    assert_eq!(
        again,
        AppError::Conflict("You already have this access package.".into())
    );
}

#[tokio::test]
async fn refused_requests_create_nothing() {
    let app = TestApp::new().await;
    without_extensions(&app).await;
    let adele = app.principal("adele@contoso.test").await;
    let tools = app.policy("Employees, manager approval").await;
    requests::submit(&app.state, &adele, tools, "first")
        .await
        .unwrap();
    let err = requests::submit(&app.state, &adele, tools, "second")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::Conflict("You already have an open request for this access package.".into())
    );
    let err = requests::submit(&app.state, &adele, tools, &"x".repeat(4001))
        .await
        .unwrap_err();
    assert!(err.field_message("justification").is_some(), "{err:?}");

    sqlx::query("UPDATE policies SET allowed_target_scope = 'specificDirectoryUsers' WHERE display_name = 'All employees'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let open = app.policy("All employees").await;
    let err = requests::submit(&app.state, &adele, open, "")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotPermitted(_)), "{err:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM requests").await, 1);
}

#[tokio::test]
async fn a_requestor_cancels_an_open_request_once() {
    let app = TestApp::new().await;
    without_extensions(&app).await;
    let adele = app.principal("adele@contoso.test").await;
    let alex = app.principal("alex@contoso.test").await;
    let tools = app.policy("Employees, manager approval").await;
    let id = requests::submit(&app.state, &adele, tools, "")
        .await
        .unwrap();
    assert!(matches!(
        requests::cancel(&app.state, &alex, id).await,
        Err(AppError::NotFound(_))
    ));
    requests::cancel(&app.state, &adele, id).await.unwrap();
    let details = request_views::details(&app.state, &adele, id)
        .await
        .unwrap();
    assert_eq!(
        (details.state.as_str(), details.status.as_str()),
        ("canceled", "Canceled")
    );
    assert!(!details.can_cancel);
    let err = requests::cancel(&app.state, &adele, id).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'timer'")
            .await,
        0,
        "the approval timer is gone"
    );
}

#[tokio::test]
async fn a_manager_removes_an_assignment_and_a_stranger_cannot() {
    let app = TestApp::new().await;
    without_extensions(&app).await;
    let adele = app.principal("adele@contoso.test").await;
    let alex = app.principal("alex@contoso.test").await;
    let owner = app.principal("owner@contoso.test").await;
    let open = app.policy("All employees").await;
    let id = requests::submit(&app.state, &adele, open, "")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let assignment: String = sqlx::query_scalar("SELECT assignment_id FROM requests WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let assignment = assignment.parse().unwrap();
    assert!(matches!(
        requests::remove_assignment(&app.state, &alex, assignment).await,
        Err(AppError::NotFound(_))
    ));
    let managed = request_views::managed_assignment_page(&app.state, &owner, &Default::default())
        .await
        .unwrap()
        .rows;
    assert_eq!(managed.len(), 1);
    requests::remove_assignment(&app.state, &owner, assignment)
        .await
        .unwrap();
    drain(&app.state).await.unwrap();
    let state: String = app.id_of("SELECT state FROM assignments").await;
    assert_eq!(state, "expired");
    let removals = app
        .scalar("SELECT COUNT(*) FROM requests WHERE request_type = 'adminRemove'")
        .await;
    assert_eq!(removals, 1);
    let err = requests::remove_assignment(&app.state, &owner, assignment)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
}

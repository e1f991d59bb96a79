//! The Users page's services on a real database: who may use them, adding a user with a setup
//! link, editing, searching and paging, resetting a password, disabling (the leaver path) and
//! enabling, and the last administrator kept.

use crate::harness::TestApp;
use app::directory::{people, setup};
use app::domain::person::PersonDraft;
use app::error::AppError;

fn draft(email: &str, name: &str) -> PersonDraft {
    PersonDraft {
        email: email.into(),
        display_name: name.into(),
        department: "Operations".into(),
        job_title: String::new(),
    }
}

#[tokio::test]
async fn only_user_administrators_manage_users() {
    let app = TestApp::new().await;
    for email in ["alex@contoso.test", "owner@contoso.test"] {
        let p = app.principal(email).await;
        let refused = people::add(&app.state, &p, &draft("n@contoso.test", "N"))
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Not permitted: to add users you need the User Administrator or Identity Governance Administrator role."
        );
        assert!(people::list(&app.state, &p, "", "", "").await.is_err());
    }
    // A User Administrator holds no catalog, yet manages users.
    let alex = app.principal("alex@contoso.test").await;
    let mut conn = app.state.db.acquire().await.unwrap();
    app::store::roles::grant_to_user(
        &mut conn,
        alex.user_id.unwrap(),
        app::domain::role::Role::UserAdministrator,
        None,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);
    let alex = app.principal("alex@contoso.test").await;
    assert!(!alex.has_governance_role());
    people::add(&app.state, &alex, &draft("n@contoso.test", "Nestor Wilke"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_added_user_sets_a_password_and_an_edit_keeps_e_mail_addresses_unique() {
    let app = TestApp::new().await;
    let admin = app.principal("admin@contoso.test").await;
    let bad = people::add(&app.state, &admin, &draft("nestor", ""))
        .await
        .unwrap_err();
    assert_eq!(
        bad.field_message("email").as_deref(),
        Some("E-mail address must have the form name@domain.")
    );
    assert_eq!(
        bad.field_message("displayName").as_deref(),
        Some("Display name is required.")
    );
    let taken = people::add(
        &app.state,
        &admin,
        &draft("Alex@contoso.test", "Another Alex"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        taken.field_message("email").as_deref(),
        Some("Another user already has this e-mail address.")
    );

    let link = people::add(
        &app.state,
        &admin,
        &draft("nestor@contoso.test", "Nestor Wilke"),
    )
    .await
    .unwrap();
    assert!(
        link.url.starts_with("http://127.0.0.1:3000/setup/"),
        "{}",
        link.url
    );
    let token = link.url.rsplit('/').next().unwrap();
    setup::complete(&app.state, token, "a long passphrase", "a long passphrase")
        .await
        .unwrap();
    assert!(app
        .sign_in_with("nestor@contoso.test", "a long passphrase")
        .await
        .is_some());

    let edited = people::update(
        &app.state,
        &admin,
        link.user,
        &PersonDraft {
            job_title: "Director".into(),
            ..draft("nestor.wilke@contoso.test", "Nestor Wilke")
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (edited.email.as_str(), edited.job_title.as_str()),
        ("nestor.wilke@contoso.test", "Director")
    );
    let clash = people::update(
        &app.state,
        &admin,
        link.user,
        &draft("alex@contoso.test", "Nestor"),
    )
    .await
    .unwrap_err();
    assert!(clash.field_message("email").is_some());
    let audit = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE object_id = '{}'",
            link.user
        ))
        .await;
    assert_eq!(audit, 3, "add, set password, update");
}

#[tokio::test]
async fn search_by_name_or_e_mail_prefix_and_pages_of_fifty() {
    let app = TestApp::new().await;
    let admin = app.principal("admin@contoso.test").await;
    for i in 0..60 {
        people::add(
            &app.state,
            &admin,
            &draft(
                &format!("temp{i:02}@fabrikam.test"),
                &format!("Temp {i:02}"),
            ),
        )
        .await
        .unwrap();
    }
    let first = people::list(&app.state, &admin, "temp", "", "")
        .await
        .unwrap();
    assert_eq!((first.total, first.rows.len()), (60, 50));
    assert_eq!(first.rows[0].display_name, "Temp 00");
    assert_eq!(first.previous, None);
    // The next page by the last one's key, whatever the case of the search.
    let next = first.next.clone().expect("a next page");
    let second = people::list(&app.state, &admin, "TEMP", &next, "")
        .await
        .unwrap();
    assert_eq!((second.total, second.rows.len()), (60, 10));
    assert_eq!(second.rows[0].display_name, "Temp 50");
    assert_eq!(second.next, None);
    let back = second.previous.clone().expect("a page before");
    let again = people::list(&app.state, &admin, "temp", "", &back)
        .await
        .unwrap();
    assert_eq!(again.rows, first.rows);
    let forged = people::list(&app.state, &admin, "temp", "not-a-key", "").await;
    assert!(
        matches!(&forged, Err(AppError::Invalid(f)) if f[0].field == "page"),
        "{forged:?}"
    );
    let by_mail = people::list(&app.state, &admin, "alex@", "", "")
        .await
        .unwrap();
    assert_eq!(
        by_mail
            .rows
            .iter()
            .map(|r| r.email.as_str())
            .collect::<Vec<_>>(),
        ["alex@contoso.test"]
    );
    let wildcard = people::list(&app.state, &admin, "%", "", "").await.unwrap();
    assert_eq!(wildcard.total, 0, "LIKE wildcards are matched literally");
    assert_eq!(
        people::list(&app.state, &admin, "", "", "")
            .await
            .unwrap()
            .total,
        66
    );
}

#[tokio::test]
async fn a_password_reset_ends_the_old_password_and_sessions() {
    let app = TestApp::new().await;
    let admin = app.principal("admin@contoso.test").await;
    let cookie = app.sign_in("alex@contoso.test").await;
    let alex = app.principal("alex@contoso.test").await.user_id.unwrap();
    let link = people::reset_password(&app.state, &admin, alex)
        .await
        .unwrap();
    assert_eq!(
        app.sign_in_with("alex@contoso.test", "latch-demo").await,
        None,
        "old password refused"
    );
    let token = cookie.split_once('=').unwrap().1;
    assert!(matches!(
        app::services::session::principal(&app.state, Some(token)).await,
        Err(AppError::NotSignedIn)
    ));
    let setup_token = link.url.rsplit('/').next().unwrap();
    setup::complete(
        &app.state,
        setup_token,
        "alex's new passphrase",
        "alex's new passphrase",
    )
    .await
    .unwrap();
    assert!(app
        .sign_in_with("alex@contoso.test", "alex's new passphrase")
        .await
        .is_some());
}

#[tokio::test]
async fn disabling_takes_access_away_and_enabling_gives_back_only_sign_in() {
    let app = TestApp::new().await;
    let admin = app.principal("admin@contoso.test").await;
    let alex = app.principal("alex@contoso.test").await;
    let policy = app.policy("All employees").await;
    app.map_stages(policy, &[]).await;
    app::services::requests::submit(&app.state, &alex, policy, "campaign")
        .await
        .unwrap();
    app::engine::worker::drain(&app.state).await.unwrap();
    let approval = app.policy("Employees, manager approval").await;
    app.map_stages(approval, &[]).await;
    app::services::requests::submit(&app.state, &alex, approval, "budget")
        .await
        .unwrap();
    let id = alex.user_id.unwrap();

    let details = people::details(&app.state, &admin, id).await.unwrap();
    assert_eq!(details.access.len(), 1, "{details:?}");
    assert_eq!(details.open_requests.len(), 1, "{details:?}");

    let summary = people::disable(&app.state, &admin, id).await.unwrap();
    assert_eq!(
        (
            summary.requests_canceled,
            summary.assignments_removed,
            summary.requests_left
        ),
        (1, 1, 0)
    );
    app::engine::worker::drain(&app.state).await.unwrap();
    let details = people::details(&app.state, &admin, id).await.unwrap();
    assert!(!details.person.enabled);
    assert!(
        details.access.is_empty() && details.open_requests.is_empty(),
        "{details:?}"
    );
    let again = people::disable(&app.state, &admin, id).await.unwrap_err();
    assert_eq!(again.to_string(), "Alex Wilber is already disabled.");
    // A disabled user can't be assigned access either.
    let direct = app::services::manager_requests::admin_add(
        &app.state,
        &admin,
        &app::services::manager_requests::DirectAssignment {
            target: id,
            policy,
            package: app
                .id_of(&format!(
                    "SELECT access_package_id FROM policies WHERE id = '{policy}'"
                ))
                .await
                .parse()
                .unwrap(),
            justification: "back".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(direct.to_string().contains("disabled"), "{direct}");

    people::enable(&app.state, &admin, id).await.unwrap();
    assert!(app
        .sign_in_with("alex@contoso.test", "latch-demo")
        .await
        .is_some());
    assert!(
        people::details(&app.state, &admin, id)
            .await
            .unwrap()
            .access
            .is_empty(),
        "access is not restored"
    );
}

#[tokio::test]
async fn the_last_administrator_cannot_be_disabled() {
    let app = TestApp::new().await;
    let admin = app.principal("admin@contoso.test").await;
    let me = admin.user_id.unwrap();
    let refused = people::disable(&app.state, &admin, me).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Megan Bowen is the last enabled Identity Governance Administrator; make someone else an administrator before disabling them."
    );
    assert!(
        app.sign_in_with("admin@contoso.test", "latch-demo")
            .await
            .is_some(),
        "nothing changed"
    );
    // With a second administrator, the first may go.
    let owner = app.principal("owner@contoso.test").await.user_id.unwrap();
    let mut conn = app.state.db.acquire().await.unwrap();
    app::store::roles::grant_to_user(
        &mut conn,
        owner,
        app::domain::role::Role::IdentityGovernanceAdministrator,
        None,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    drop(conn);
    people::disable(&app.state, &admin, me).await.unwrap();
}

//! The services against a real, migrated SQLite file per test, loaded with the demo data:
//! authorization, validation, and that a refused call changes nothing.

use crate::domain::endpoint::{Endpoint, LogicAppEndpoint};
use crate::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use crate::domain::field_error::keys;
use crate::domain::ids::ExtensionId;
use crate::domain::kind::ExtensionKind;
use crate::domain::limits::ExtensionLimits;
use crate::domain::timeout::{TimeUnit, WaitTimeout};
use crate::error::AppError;
use crate::services::test_fixture::{fixture, fixture_with, Fixture};
use crate::services::{catalogs, extensions, session};
use crate::store::{self, audit};
use crate::views::lists::NameQuery;
use crate::views::ConversionOffer;

/// Lookups these tests need beyond the shared fixture.
impl Fixture {
    async fn count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM custom_extensions")
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    async fn extension_named(&self, name: &str) -> ExtensionId {
        let id: String =
            sqlx::query_scalar("SELECT id FROM custom_extensions WHERE display_name = $1")
                .bind(name)
                .fetch_one(&self.state.db)
                .await
                .unwrap();
        id.parse().unwrap()
    }
}

pub(super) fn sod_check(workflow: &str) -> ExtensionDraft {
    ExtensionDraft {
        display_name: "Contoso.AccessReview".into(),
        description: "Checks the request".into(),
        kind: ExtensionKind::AssignmentRequest,
        behaviour: Behaviour::LaunchAndWait(WaitTimeout::new(30, TimeUnit::Minutes).unwrap()),
        endpoint: Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f".into(),
            resource_group_name: "governance".into(),
            logic_app_workflow_name: workflow.into(),
            url: "https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sig=SECRET".into(),
        }),
        client: ClientConfiguration::default(),
        resource_id: None,
    }
}

#[tokio::test]
async fn sign_in_checks_the_password_and_names_no_account() {
    let f = fixture().await;
    let wrong = session::sign_in(&f.state, "admin@contoso.test", "nope", None)
        .await
        .unwrap_err();
    let nobody = session::sign_in(&f.state, "nobody@contoso.test", "nope", None)
        .await
        .unwrap_err();
    assert_eq!(
        wrong, nobody,
        "the answer must not tell whether the account exists"
    );
    assert_eq!(
        wrong.field_message("password").as_deref(),
        Some("The e-mail address or password is incorrect.")
    );
    let admin = f.as_user("ADMIN@contoso.test").await;
    assert!(admin.is_admin());
    assert_eq!(
        session::principal(&f.state, Some("forged"))
            .await
            .unwrap_err(),
        AppError::NotSignedIn
    );
}

#[tokio::test]
async fn owner_creates_an_extension_and_sees_it_listed() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let created = extensions::create(
        &f.state,
        &owner,
        f.marketing,
        sod_check("Contoso.AccessReview"),
    )
    .await
    .unwrap();
    assert!(created.signing_secret.starts_with("whsec_"));
    assert_eq!(
        created.signing_secret.len(),
        "whsec_".len() + 44,
        "base64 of 32 bytes"
    );

    let list = extensions::tab(&f.state, &owner, f.marketing, &NameQuery::default())
        .await
        .unwrap();
    assert!(list.may_manage);
    let row = list
        .rows
        .iter()
        .find(|r| r.id == created.id)
        .expect("listed");
    assert_eq!(row.kind.type_label(), "Assignment request");
    assert_eq!(
        row.kind.token_security().label(),
        "Proof-of-possession (PoP)"
    );
    assert_eq!(row.logic_app, "Contoso.AccessReview");
    assert_eq!(row.behaviour, "Launch and wait");

    let mut conn = f.state.db.acquire().await.unwrap();
    let events = audit::for_object(&mut conn, "customExtension", &created.id.to_string())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "customExtension.create");
    assert_eq!(events[0].actor_name, "Oscar Owens (owner@contoso.test)");
}

#[tokio::test]
async fn a_rejected_create_names_the_field_and_writes_nothing() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let before = f.count().await;
    // The resource path is 151 characters with a 37-character workflow name.
    let err = extensions::create(&f.state, &admin, f.marketing, sod_check(&"w".repeat(37)))
        .await
        .unwrap_err();
    assert_eq!(
        err.field_message(keys::LOGIC_APP_WORKFLOW_NAME).as_deref(),
        Some("Resource path is 151 characters; the limit is 150.")
    );
    let mut legacy = sod_check("ok");
    legacy.kind = ExtensionKind::Legacy;
    legacy.behaviour = Behaviour::LaunchAndContinue;
    let err = extensions::create(&f.state, &admin, f.marketing, legacy)
        .await
        .unwrap_err();
    assert!(err.field_message(keys::KIND).is_some(), "{err:?}");
    assert_eq!(f.count().await, before);
}

#[tokio::test]
async fn roles_decide_who_may_manage_extensions() {
    let f = fixture().await;
    let before = f.count().await;
    let manager = f.as_user("manager@contoso.test").await;
    let list = extensions::tab(&f.state, &manager, f.marketing, &NameQuery::default())
        .await
        .unwrap();
    assert!(
        !list.may_manage,
        "a package manager sees but does not manage"
    );
    let err = extensions::create(&f.state, &manager, f.marketing, sod_check("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotPermitted(_)), "{err:?}");

    let requestor = f.as_user("adele@contoso.test").await;
    let err = extensions::tab(&f.state, &requestor, f.marketing, &NameQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotPermitted(_)), "{err:?}");
    assert!(matches!(
        catalogs::list(&f.state, &requestor).await,
        Err(AppError::NotPermitted(_))
    ));
    assert!(matches!(
        catalogs::page(&f.state, &requestor, &NameQuery::default()).await,
        Err(AppError::NotPermitted(_))
    ));

    let owner = f.as_user("owner@contoso.test").await;
    let err = extensions::tab(&f.state, &owner, f.engineering, &NameQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::NotPermitted(_)),
        "a Marketing owner has no say in Engineering"
    );
    let visible = catalogs::list(&f.state, &owner).await.unwrap();
    assert_eq!(
        visible
            .iter()
            .map(|c| c.display_name.as_str())
            .collect::<Vec<_>>(),
        vec!["Marketing"]
    );
    let page = catalogs::page(&f.state, &owner, &NameQuery::default())
        .await
        .unwrap();
    let names: Vec<&str> = page.rows.iter().map(|c| c.display_name.as_str()).collect();
    assert_eq!(
        names,
        vec!["Marketing"],
        "the page shows only the owner's catalog"
    );
    assert_eq!(page.pages.total, 1);
    assert_eq!(f.count().await, before);
}

#[tokio::test]
async fn the_catalog_limit_refuses_one_more() {
    let f = fixture_with(ExtensionLimits {
        per_catalog: 5,
        per_tenant: 500,
    })
    .await;
    let admin = f.as_user("admin@contoso.test").await;
    let err = extensions::create(&f.state, &admin, f.marketing, sod_check("x"))
        .await
        .unwrap_err();
    assert!(err.field_message(keys::CATALOG).is_some(), "{err:?}");
    extensions::create(&f.state, &admin, f.engineering, sod_check("x"))
        .await
        .unwrap();
}

#[tokio::test]
async fn edit_keeps_a_masked_trigger_url_and_records_before_and_after() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let created = extensions::create(
        &f.state,
        &admin,
        f.marketing,
        sod_check("Contoso.AccessReview"),
    )
    .await
    .unwrap();
    let form = extensions::form(&f.state, &admin, f.marketing, Some(created.id))
        .await
        .unwrap();
    let mut draft = form.current.expect("current values");
    assert!(
        !draft.endpoint.url().contains("SECRET"),
        "the signature is never shown: {}",
        draft.endpoint.url()
    );
    draft.description = "Now with a better description".into();
    extensions::update(&f.state, &admin, f.marketing, created.id, draft)
        .await
        .unwrap();

    let mut conn = f.state.db.acquire().await.unwrap();
    let stored = store::extensions::get(&mut conn, f.marketing, created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.description, "Now with a better description");
    assert!(
        stored.endpoint_url.ends_with("sig=SECRET"),
        "{}",
        stored.endpoint_url
    );
    let events = audit::for_object(&mut conn, "customExtension", &created.id.to_string())
        .await
        .unwrap();
    assert_eq!(events.last().unwrap().action, "customExtension.update");
    assert!(events
        .last()
        .unwrap()
        .summary
        .contains("Now with a better description"));
}

#[tokio::test]
async fn a_rejected_edit_changes_nothing() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let id = f.extension_named("Welcome mail").await;
    let mut draft = extensions::form(&f.state, &admin, f.marketing, Some(id))
        .await
        .unwrap()
        .current
        .unwrap();
    draft.description = "changed".into();
    draft.client.maximum_retries = 6;
    let err = extensions::update(&f.state, &admin, f.marketing, id, draft.clone())
        .await
        .unwrap_err();
    assert!(
        err.field_message(keys::MAXIMUM_RETRIES).is_some(),
        "{err:?}"
    );
    draft.client.maximum_retries = 1;
    draft.kind = ExtensionKind::PreExpiration;
    let err = extensions::update(&f.state, &admin, f.marketing, id, draft)
        .await
        .unwrap_err();
    assert!(err.field_message(keys::KIND).is_some(), "{err:?}");
    let mut conn = f.state.db.acquire().await.unwrap();
    let stored = store::extensions::get(&mut conn, f.marketing, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.description, "Sends the new member a welcome e-mail");
    assert_eq!(stored.kind, "assignmentRequest");
}

#[tokio::test]
async fn delete_is_refused_while_a_policy_uses_the_extension() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let used = f.extension_named("Contoso.SodCheckProcess").await;
    let err = extensions::delete(&f.state, &admin, f.marketing, used)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "\u{201c}Contoso.SodCheckProcess\u{201d} can't be deleted while policies use it: \
         \u{201c}Employees, manager approval\u{201d} (Request is created). Remove it from those policies first."
    );
    let before = f.count().await;
    let created = extensions::create(&f.state, &admin, f.marketing, sod_check("x"))
        .await
        .unwrap();
    extensions::delete(&f.state, &admin, f.marketing, created.id)
        .await
        .unwrap();
    assert_eq!(f.count().await, before);
    let err = extensions::delete(&f.state, &admin, f.marketing, created.id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)));
    let err = extensions::delete(&f.state, &admin, f.engineering, used)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::NotFound(_)),
        "an id from another catalog is not found here"
    );
}

#[tokio::test]
async fn legacy_conversion_follows_the_policies_that_use_it() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let unused = f.extension_named("Legacy audit hook").await;
    let both = f.extension_named("Legacy provisioning").await;

    assert_eq!(
        extensions::conversion_offer(&f.state, &owner, f.marketing, unused)
            .await
            .unwrap(),
        ConversionOffer::Choose
    );
    let err = extensions::convert(&f.state, &owner, f.marketing, unused, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(_)),
        "an unused extension needs a chosen kind"
    );
    let kind = extensions::convert(
        &f.state,
        &owner,
        f.marketing,
        unused,
        Some(ExtensionKind::PreExpiration),
    )
    .await
    .unwrap();
    assert_eq!(kind, ExtensionKind::PreExpiration);
    let list = extensions::tab(&f.state, &owner, f.marketing, &NameQuery::default())
        .await
        .unwrap();
    let row = list.rows.iter().find(|r| r.id == unused).unwrap();
    assert_eq!(
        (row.kind.type_label(), row.kind.token_security().label()),
        ("Pre-expiration", "Proof-of-possession (PoP)")
    );

    let offer = extensions::conversion_offer(&f.state, &owner, f.marketing, both)
        .await
        .unwrap();
    let ConversionOffer::Blocked(message) = offer else {
        panic!("expected blocked, got {offer:?}")
    };
    assert!(
        message.contains("All employees") && message.contains("Employees, manager approval"),
        "{message}"
    );
    assert!(
        message.contains("Assignment is granted")
            && message.contains("1 day before assignment expiry"),
        "{message}"
    );
    let err = extensions::convert(
        &f.state,
        &owner,
        f.marketing,
        both,
        Some(ExtensionKind::AssignmentRequest),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)));
    let mut conn = f.state.db.acquire().await.unwrap();
    assert_eq!(
        store::extensions::get(&mut conn, f.marketing, both)
            .await
            .unwrap()
            .unwrap()
            .kind,
        "legacy"
    );
}

#[tokio::test]
async fn a_legacy_extension_used_by_one_kind_of_stage_takes_that_kind() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let both = f.extension_named("Legacy provisioning").await;
    // Leave only the request-stage use.
    sqlx::query("DELETE FROM policy_stage_settings WHERE custom_extension_id = $1 AND stage = 'assignmentOneDayBeforeExpiration'")
        .bind(both.to_string())
        .execute(&f.state.db)
        .await
        .unwrap();
    let offer = extensions::conversion_offer(&f.state, &admin, f.marketing, both)
        .await
        .unwrap();
    assert_eq!(
        offer,
        ConversionOffer::Fixed(ExtensionKind::AssignmentRequest)
    );
    let kind = extensions::convert(&f.state, &admin, f.marketing, both, None)
        .await
        .unwrap();
    assert_eq!(kind, ExtensionKind::AssignmentRequest);
    let uses: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_stage_settings WHERE custom_extension_id = $1",
    )
    .bind(both.to_string())
    .fetch_one(&f.state.db)
    .await
    .unwrap();
    assert_eq!(uses, 1, "policy links are kept");
}

//! The Apps services against a real database with the demo data: secrets that work once
//! registered and stop on revoke, roles that tokens carry, and refusals that change nothing.

use super::*;
use crate::domain::field_error::keys;
use crate::services::test_fixture::{fixture, Fixture};
use crate::services::tokens::{self, TokenError};
use crate::store::demo::{DEMO_APP_ID, DEMO_APP_SECRET};
use crate::store::roles::RoleGrant;

const ASSIGNMENT_MANAGER: Role = Role::AccessPackageAssignmentManager;

/// Lookups these tests need beyond the shared fixture.
impl Fixture {
    /// Rows in the tables the Apps screen writes, in a fixed order.
    async fn app_rows(&self) -> [i64; 4] {
        let mut counts = [0; 4];
        for (i, table) in ["apps", "app_secrets", "role_assignments", "audit_events"]
            .iter()
            .enumerate()
        {
            counts[i] = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&self.state.db)
                .await
                .unwrap();
        }
        counts
    }

    /// A new app holding assignment manager on Marketing, and a token it got.
    async fn assignment_manager_app(&self, admin: &Principal) -> (AppId, String) {
        let created = register(
            &self.state,
            admin,
            "Resume worker",
            SecretLifetime::default(),
        )
        .await
        .unwrap();
        let app = created.app_id;
        assign_role(
            &self.state,
            admin,
            app,
            ASSIGNMENT_MANAGER,
            Some(self.marketing),
        )
        .await
        .unwrap();
        let token = tokens::issue(&self.state, &app.to_string(), &created.client_secret, None)
            .await
            .unwrap()
            .access_token;
        (app, token)
    }

    async fn audit_actions(&self, app: AppId) -> Vec<String> {
        let mut conn = self.state.db.acquire().await.unwrap();
        audit::for_object(&mut conn, "app", &app.to_string())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

#[tokio::test]
async fn a_registered_app_gets_tokens_with_its_secret_shown_once() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let created = register(&f.state, &admin, "  Payroll sync  ", SecretLifetime::Days90)
        .await
        .unwrap();
    assert_eq!(created.display_name, "Payroll sync");
    let secret = &created.client_secret;
    assert!(secret.starts_with("latch_"), "{secret}");
    assert_eq!(secret.len(), "latch_".len() + 43, "base64url of 32 bytes");
    assert!(!secret.contains(['=', '+', '/']), "{secret}");
    assert_eq!(created.hint, secret[..12]);
    assert_eq!(
        created.expires_at,
        Some(f.state.clock.now() + Duration::days(90))
    );

    let issued = tokens::issue(&f.state, &created.app_id.to_string(), secret, None)
        .await
        .unwrap();
    assert!(!issued.access_token.is_empty());
    let caller = tokens::principal(&f.state, &issued.access_token)
        .await
        .unwrap();
    assert_eq!(caller.app_id, Some(created.app_id));
    assert!(caller.grants.is_empty(), "a new app holds no role");
    assert_eq!(
        tokens::issue(&f.state, &created.app_id.to_string(), "latch_wrong", None).await,
        Err(TokenError::InvalidClient)
    );

    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let app = listed
        .apps
        .iter()
        .find(|a| a.id == created.app_id)
        .expect("listed");
    assert_eq!(app.secrets.len(), 1);
    assert_eq!(app.secrets[0].hint, created.hint);
    assert_eq!(app.secrets[0].status, SecretStatus::Active);
    let wire = serde_json::to_string(&listed).unwrap();
    assert!(!wire.contains(secret.as_str()), "no list carries a secret");
    assert!(!wire.contains("$argon2"), "nor a hash");
    assert_eq!(f.audit_actions(created.app_id).await, ["app.register"]);
}

#[tokio::test]
async fn a_revoked_secret_gets_no_more_tokens_and_others_still_do() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let first = register(&f.state, &admin, "Rotating", SecretLifetime::default())
        .await
        .unwrap();
    let app = first.app_id;
    let second = add_secret(&f.state, &admin, app, SecretLifetime::Days730)
        .await
        .unwrap();
    assert_ne!(first.client_secret, second.client_secret);
    let client_id = app.to_string();
    for secret in [&first.client_secret, &second.client_secret] {
        tokens::issue(&f.state, &client_id, secret, None)
            .await
            .unwrap();
    }

    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let secrets = &listed.apps.iter().find(|a| a.id == app).unwrap().secrets;
    let first_id = secrets
        .iter()
        .find(|s| s.hint == first.hint)
        .expect("the first secret")
        .id;
    revoke_secret(&f.state, &admin, app, first_id)
        .await
        .unwrap();
    assert_eq!(
        tokens::issue(&f.state, &client_id, &first.client_secret, None).await,
        Err(TokenError::InvalidClient)
    );
    tokens::issue(&f.state, &client_id, &second.client_secret, None)
        .await
        .expect("the other secret still works");
    assert!(matches!(
        revoke_secret(&f.state, &admin, app, first_id).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        revoke_secret(&f.state, &admin, app, uuid::Uuid::new_v4()).await,
        Err(AppError::NotFound(_))
    ));

    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let secrets = &listed.apps.iter().find(|a| a.id == app).unwrap().secrets;
    let revoked = secrets.iter().find(|s| s.id == first_id).unwrap();
    assert_eq!(revoked.status, SecretStatus::Revoked);
    let at = revoked.revoked_at.expect("the revocation time");
    assert!(
        (f.state.clock.now() - at).abs() < Duration::milliseconds(1),
        "stored to the microsecond: {at}"
    );
    assert_eq!(
        f.audit_actions(app).await,
        ["app.register", "app.addSecret", "app.revokeSecret"]
    );
}

#[tokio::test]
async fn an_expired_secret_is_listed_as_expired_and_gets_no_token() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let created = register(&f.state, &admin, "Short-lived", SecretLifetime::Days90)
        .await
        .unwrap();
    f.state.clock.advance(Duration::days(90));
    assert_eq!(
        tokens::issue(
            &f.state,
            &created.app_id.to_string(),
            &created.client_secret,
            None
        )
        .await,
        Err(TokenError::InvalidClient)
    );
    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let app = listed.apps.iter().find(|a| a.id == created.app_id).unwrap();
    assert_eq!(app.secrets[0].status, SecretStatus::Expired);
}

#[tokio::test]
async fn an_assigned_catalog_role_reaches_the_apps_token() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let (app, token) = f.assignment_manager_app(&admin).await;
    let caller = tokens::principal(&f.state, &token).await.unwrap();
    assert_eq!(
        caller.grants,
        vec![RoleGrant {
            role: ASSIGNMENT_MANAGER,
            catalog_id: Some(f.marketing)
        }]
    );
    assert!(caller.may(f.marketing, Role::may_manage_assignments));
    assert!(!caller.may_see_catalog(f.engineering));

    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let row = &listed.apps.iter().find(|a| a.id == app).unwrap().roles;
    assert_eq!(row.len(), 1);
    assert_eq!(row[0].role.label(), "Access package assignment manager");
    assert_eq!(row[0].scope(), "Marketing");

    // Twice is refused in words; the tenant role on a catalog and a catalog role without one
    // are refused beside the catalog field.
    let again = assign_role(&f.state, &admin, app, ASSIGNMENT_MANAGER, Some(f.marketing))
        .await
        .unwrap_err();
    assert_eq!(
        again,
        AppError::Conflict(
            "\u{201c}Resume worker\u{201d} already holds Access package assignment manager on Marketing.".into()
        )
    );
    let tenant_on_catalog = assign_role(
        &f.state,
        &admin,
        app,
        Role::IdentityGovernanceAdministrator,
        Some(f.marketing),
    )
    .await
    .unwrap_err();
    assert!(tenant_on_catalog.field_message(keys::CATALOG).is_some());
    let no_catalog = assign_role(&f.state, &admin, app, Role::CatalogOwner, None)
        .await
        .unwrap_err();
    assert_eq!(
        no_catalog.field_message(keys::CATALOG).as_deref(),
        Some("Choose the catalog where the app is Catalog owner.")
    );

    remove_role(&f.state, &admin, app, ASSIGNMENT_MANAGER, Some(f.marketing))
        .await
        .unwrap();
    let caller = tokens::principal(&f.state, &token).await.unwrap();
    assert!(caller.grants.is_empty(), "removed at once");
    assert!(matches!(
        remove_role(&f.state, &admin, app, ASSIGNMENT_MANAGER, Some(f.marketing)).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        f.audit_actions(app).await,
        ["app.register", "app.assignRole", "app.removeRole"]
    );
    let mut conn = f.state.db.acquire().await.unwrap();
    let events = audit::for_object(&mut conn, "app", &app.to_string())
        .await
        .unwrap();
    let removed: serde_json::Value = serde_json::from_str(&events[2].summary).unwrap();
    assert_eq!(removed["before"]["role"], "accessPackageAssignmentManager");
    assert_eq!(removed["before"]["catalog"], "Marketing");
    assert_eq!(removed["after"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_role_removed_by_another_instance_stops_within_a_second_and_a_token_at_its_expiry() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let (app, token) = f.assignment_manager_app(&admin).await;
    let caller = tokens::principal(&f.state, &token).await.unwrap();
    assert_eq!(caller.grants.len(), 1);
    // Another instance on the same database: its write does not pass through this process.
    let mut conn = f.state.db.acquire().await.unwrap();
    assert!(
        roles::revoke_from_app(&mut conn, app, ASSIGNMENT_MANAGER, Some(f.marketing))
            .await
            .unwrap()
    );
    drop(conn);
    let caller = tokens::principal(&f.state, &token).await.unwrap();
    assert_eq!(caller.grants.len(), 1, "as read less than a second ago");
    f.state
        .clock
        .advance(crate::services::callers::APP_READ_FOR);
    let caller = tokens::principal(&f.state, &token).await.unwrap();
    assert!(caller.grants.is_empty(), "read again");

    let lifetime = tokens::TOKEN_LIFETIME + crate::callout::token::CLOCK_SKEW;
    f.state.clock.advance(lifetime - Duration::seconds(2));
    assert!(tokens::principal(&f.state, &token).await.is_ok());
    f.state.clock.advance(Duration::seconds(1));
    assert!(
        matches!(
            tokens::principal(&f.state, &token).await,
            Err(AppError::NotSignedIn)
        ),
        "a token checked before is refused once it expires"
    );
}

#[tokio::test]
async fn the_tenant_role_can_be_assigned_and_removed() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let app = register(&f.state, &admin, "Provisioner", SecretLifetime::default())
        .await
        .unwrap()
        .app_id;
    let tenant = Role::IdentityGovernanceAdministrator;
    assign_role(&f.state, &admin, app, tenant, None)
        .await
        .unwrap();
    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let roles = &listed.apps.iter().find(|a| a.id == app).unwrap().roles;
    assert_eq!(roles[0].scope(), "Tenant");
    remove_role(&f.state, &admin, app, tenant, None)
        .await
        .unwrap();
    let mut conn = f.state.db.acquire().await.unwrap();
    assert!(roles::of_app(&mut conn, app).await.unwrap().is_empty());
}

#[tokio::test]
async fn only_administrators_manage_apps_and_a_refusal_changes_nothing() {
    let f = fixture().await;
    let demo: AppId = DEMO_APP_ID.parse().unwrap();
    let admin = f.as_user("admin@contoso.test").await;
    let demo_secret = list(&f.state, &admin, &NameQuery::default())
        .await
        .unwrap()
        .apps[0]
        .secrets[0]
        .id;
    let before = f.app_rows().await;
    for upn in [
        "owner@contoso.test",
        "manager@contoso.test",
        "adele@contoso.test",
    ] {
        let p = f.as_user(upn).await;
        let refusals = [
            list(&f.state, &p, &NameQuery::default()).await.map(|_| ()),
            register(&f.state, &p, "Sneaky", SecretLifetime::default())
                .await
                .map(|_| ()),
            add_secret(&f.state, &p, demo, SecretLifetime::default())
                .await
                .map(|_| ()),
            revoke_secret(&f.state, &p, demo, demo_secret).await,
            assign_role(&f.state, &p, demo, Role::CatalogOwner, Some(f.marketing)).await,
            remove_role(&f.state, &p, demo, ASSIGNMENT_MANAGER, Some(f.marketing)).await,
        ];
        for (i, refusal) in refusals.into_iter().enumerate() {
            assert!(
                matches!(refusal, Err(AppError::NotPermitted(_))),
                "{upn}, call {i}: {refusal:?}"
            );
        }
    }
    // Signing in writes no audit event or role, so every count is as it was.
    assert_eq!(f.app_rows().await, before);
    tokens::issue(&f.state, DEMO_APP_ID, DEMO_APP_SECRET, None)
        .await
        .expect("the demo secret still works");
}

#[tokio::test]
async fn the_demo_apps_secret_gets_a_token_with_its_role() {
    let f = fixture().await;
    let issued = tokens::issue(&f.state, DEMO_APP_ID, DEMO_APP_SECRET, None)
        .await
        .unwrap();
    let caller = tokens::principal(&f.state, &issued.access_token)
        .await
        .unwrap();
    assert_eq!(caller.display_name, "Contoso SoD check");
    assert_eq!(
        caller.grants,
        vec![RoleGrant {
            role: ASSIGNMENT_MANAGER,
            catalog_id: Some(f.marketing)
        }]
    );
    let admin = f.as_user("admin@contoso.test").await;
    let listed = list(&f.state, &admin, &NameQuery::default()).await.unwrap();
    let demo = listed
        .apps
        .iter()
        .find(|a| a.id.to_string() == DEMO_APP_ID)
        .unwrap();
    assert_eq!(demo.secrets[0].expires_at, None);
    assert_eq!(demo.roles[0].scope(), "Marketing");
    let offered = catalog_choices(&f.state, &admin, &NameQuery::default())
        .await
        .unwrap();
    assert_eq!(
        offered
            .rows
            .iter()
            .map(|c| c.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Engineering", "Marketing"]
    );
}

#[tokio::test]
async fn bad_names_are_refused_beside_the_name_and_write_nothing() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let before = f.app_rows().await;
    let empty = register(&f.state, &admin, "   ", SecretLifetime::default())
        .await
        .unwrap_err();
    assert_eq!(
        empty.field_message(keys::DISPLAY_NAME).as_deref(),
        Some("Name is required.")
    );
    let long = register(
        &f.state,
        &admin,
        &"n".repeat(257),
        SecretLifetime::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        long.field_message(keys::DISPLAY_NAME).as_deref(),
        Some("Name is 257 characters; the limit is 256.")
    );
    assert_eq!(f.app_rows().await, before);
    register(
        &f.state,
        &admin,
        &"é".repeat(256),
        SecretLifetime::default(),
    )
    .await
    .expect("256 characters fit");
}

#[test]
fn secrets_are_random_and_hints_keep_six_characters_after_the_prefix() {
    let a = new_client_secret();
    let b = new_client_secret();
    assert_ne!(a, b);
    assert_eq!(secret_hint(&a).len(), 12);
    assert!(a.starts_with(&secret_hint(&a)));
    assert_eq!(secret_hint("short"), "short");
}

#[test]
fn lifetimes_round_trip_through_their_option_values() {
    for lifetime in SecretLifetime::ALL {
        assert_eq!(SecretLifetime::from_key(lifetime.key()), Some(lifetime));
    }
    assert_eq!(SecretLifetime::from_key("0"), None);
    assert_eq!(SecretLifetime::default().days(), 180);
}

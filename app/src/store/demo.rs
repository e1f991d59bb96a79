//! Demo data (`LATCH_DEMO`): accounts, catalogs, packages, policies and custom extensions of
//! every kind. Loaded only into a new, empty database, in one transaction. The passwords'
//! hashes come from above (`directory::demo`): storage knows no password rules.

use crate::domain::endpoint::{Endpoint, LogicAppEndpoint};
use crate::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use crate::domain::ids::{
    AccessPackageId, AppId, CatalogId, ExtensionId, GroupId, PolicyId, UserId,
};
use crate::domain::kind::ExtensionKind;
use crate::domain::role::Role;
use crate::domain::stage::Stage;
use crate::domain::timeout::{TimeUnit, WaitTimeout};
use crate::store::packages::NewPolicy;
use crate::store::sealed::Sealer;
use crate::store::Pool;
use crate::store::{apps, catalogs, extensions, groups, packages, roles, users};
use chrono::{DateTime, Utc};

pub const DEMO_PASSWORD: &str = "latch-demo";

/// (e-mail, display name, role: tenant-wide for the administrator, otherwise on Marketing)
pub const DEMO_USERS: [(&str, &str, Option<Role>); 6] = [
    (
        "admin@contoso.test",
        "Megan Bowen",
        Some(Role::IdentityGovernanceAdministrator),
    ),
    (
        "owner@contoso.test",
        "Oscar Owens",
        Some(Role::CatalogOwner),
    ),
    (
        "manager@contoso.test",
        "Miriam Graham",
        Some(Role::AccessPackageManager),
    ),
    ("approver@contoso.test", "Alan Steiner", None),
    ("adele@contoso.test", "Adele Vance", None),
    ("alex@contoso.test", "Alex Wilber", None),
];

/// The demo app (operations.md): a workflow's API client that may resume Marketing's requests.
pub const DEMO_APP_NAME: &str = "Contoso SoD check";
pub const DEMO_APP_ID: &str = "5e1f5e1f-0000-4000-8000-000000000001";
pub const DEMO_APP_SECRET: &str = "latch-demo-secret";
/// An identity provider's provisioning connection: User Administrator, for `/scim/v2`. Its
/// secret is `DEMO_APP_SECRET` too.
pub const DEMO_SCIM_APP_NAME: &str = "Contoso provisioning (SCIM)";
pub const DEMO_SCIM_APP_ID: &str = "5e1f5e1f-0000-4000-8000-000000000002";
/// A group Adele belongs to; "Brand assets" is open to its members only.
pub const DEMO_GROUP_NAME: &str = "Campaign team";

/// Where demo extensions call: the sample workflow receiver's default address.
const RECEIVER: &str = "http://127.0.0.1:7071";

fn http(
    name: &str,
    description: &str,
    kind: ExtensionKind,
    behaviour: Behaviour,
) -> ExtensionDraft {
    ExtensionDraft {
        display_name: name.into(),
        description: description.into(),
        kind,
        behaviour,
        endpoint: Endpoint::Http {
            url: format!(
                "{RECEIVER}/{}",
                name.to_lowercase().replace([' ', '.'], "-")
            ),
        },
        client: ClientConfiguration::default(),
        resource_id: None,
    }
}

/// The argon2id hashes of the demo password and the demo app's secret.
#[derive(Debug, Clone)]
pub struct DemoHashes {
    pub password: String,
    pub app_secret: String,
    /// The secret's first characters, shown to tell secrets apart.
    pub app_secret_hint: String,
}

/// Loads the demo data if the database has no users yet; returns whether it did.
pub async fn load_if_empty(
    db: &Pool,
    sealer: &Sealer,
    now: DateTime<Utc>,
    hashes: &DemoHashes,
) -> Result<bool, sqlx::Error> {
    let mut tx = crate::store::write_tx(db).await?;
    if users::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let marketing = CatalogId::new();
    let engineering = CatalogId::new();
    catalogs::insert(
        &mut tx,
        marketing,
        "Marketing",
        "Campaign tools and brand assets",
        now,
    )
    .await?;
    catalogs::insert(
        &mut tx,
        engineering,
        "Engineering",
        "Build, test and production access",
        now,
    )
    .await?;

    let (mut approver, mut adele) = (None, None);
    for (upn, name, role) in DEMO_USERS {
        let id = UserId::new();
        users::insert(&mut tx, id, upn, name, Some(&hashes.password), now).await?;
        match role {
            Some(Role::IdentityGovernanceAdministrator) => {
                roles::grant_to_user(
                    &mut tx,
                    id,
                    Role::IdentityGovernanceAdministrator,
                    None,
                    now,
                )
                .await?
            }
            Some(role) => roles::grant_to_user(&mut tx, id, role, Some(marketing), now).await?,
            None => {}
        }
        if upn.starts_with("approver@") {
            approver = Some(id);
        }
        if upn.starts_with("adele@") {
            adele = Some(id);
        }
    }
    let approver = approver.expect("the demo approver is in DEMO_USERS");
    let adele = adele.expect("Adele is in DEMO_USERS");

    let app: AppId = DEMO_APP_ID.parse().expect("the demo app id is a UUID");
    apps::insert(&mut tx, app, DEMO_APP_NAME, now).await?;
    apps::add_secret(
        &mut tx,
        app,
        &hashes.app_secret,
        &hashes.app_secret_hint,
        None,
        now,
    )
    .await?;
    roles::grant_to_app(
        &mut tx,
        app,
        Role::AccessPackageAssignmentManager,
        Some(marketing),
        now,
    )
    .await?;

    // Marketing: two packages, a policy with approval and expiration and one without either.
    let tools = AccessPackageId::new();
    let analytics = AccessPackageId::new();
    packages::insert_package(
        &mut tx,
        tools,
        marketing,
        "Marketing tools",
        "Design suite and the campaign planner",
        now,
    )
    .await?;
    packages::insert_package(
        &mut tx,
        analytics,
        marketing,
        "Campaign analytics",
        "Read access to campaign dashboards",
        now,
    )
    .await?;
    let approval_policy = PolicyId::new();
    let open_policy = PolicyId::new();
    packages::insert_policy(
        &mut tx,
        &NewPolicy {
            id: approval_policy,
            package: tools,
            display_name: "Employees, manager approval",
            description: "Any employee; an approver decides; 30 days",
            approvers: &[approver],
            expiration: Some("P30D"),
        },
        now,
    )
    .await?;
    packages::insert_policy(
        &mut tx,
        &NewPolicy {
            id: open_policy,
            package: analytics,
            display_name: "All employees",
            description: "Any employee, no approval, no expiration",
            approvers: &[],
            expiration: None,
        },
        now,
    )
    .await?;

    // A group, as provisioning would push it, and a package open to its members only.
    let campaign_team = GroupId::new();
    groups::insert(&mut tx, campaign_team, DEMO_GROUP_NAME, None, now).await?;
    groups::add_member(&mut tx, campaign_team, adele).await?;
    let brand = AccessPackageId::new();
    packages::insert_package(
        &mut tx,
        brand,
        marketing,
        "Brand assets",
        "Logos, templates and the brand guide",
        now,
    )
    .await?;
    let team_policy = PolicyId::new();
    packages::insert_policy(
        &mut tx,
        &NewPolicy {
            id: team_policy,
            package: brand,
            display_name: "Campaign team members",
            description: "Members of the Campaign team group, no approval",
            approvers: &[],
            expiration: None,
        },
        now,
    )
    .await?;
    sqlx::query(
        "UPDATE policies SET allowed_target_scope = 'specificDirectoryUsers' WHERE id = $1",
    )
    .bind(team_policy.to_string())
    .execute(&mut *tx)
    .await?;
    groups::set_policy_groups(&mut tx, team_policy, &[campaign_team]).await?;

    // An identity provider's provisioning connection (SCIM), with the same demo secret.
    let scim_app: AppId = DEMO_SCIM_APP_ID.parse().expect("the demo app id is a UUID");
    apps::insert(&mut tx, scim_app, DEMO_SCIM_APP_NAME, now).await?;
    apps::add_secret(
        &mut tx,
        scim_app,
        &hashes.app_secret,
        &hashes.app_secret_hint,
        None,
        now,
    )
    .await?;
    roles::grant_to_app(&mut tx, scim_app, Role::UserAdministrator, None, now).await?;

    let hour = WaitTimeout::new(1, TimeUnit::Hours).expect("one hour is a valid wait");
    let sod = ExtensionId::new();
    let welcome = ExtensionId::new();
    let reminder = ExtensionId::new();
    let legacy_both = ExtensionId::new();
    let legacy_unused = ExtensionId::new();
    let sod_check = ExtensionDraft {
        display_name: "Contoso.SodCheckProcess".into(),
        description: "Separation-of-duties check before approval".into(),
        kind: ExtensionKind::AssignmentRequest,
        behaviour: Behaviour::LaunchAndWait(hour),
        endpoint: Endpoint::LogicApp(LogicAppEndpoint {
            subscription_id: "3f2e1d0c-8b7a-4c5d-9e6f-1a2b3c4d5e6f".into(),
            resource_group_name: "contoso-governance".into(),
            logic_app_workflow_name: "Contoso.SodCheckProcess".into(),
            url: format!("{RECEIVER}/sod-check?api-version=2016-10-01&sig=demo-signature"),
        }),
        client: ClientConfiguration::default(),
        resource_id: None,
    };
    let drafts = [
        (sod, marketing, sod_check),
        (
            welcome,
            marketing,
            http(
                "Welcome mail",
                "Sends the new member a welcome e-mail",
                ExtensionKind::AssignmentRequest,
                Behaviour::LaunchAndContinue,
            ),
        ),
        (
            reminder,
            marketing,
            http(
                "Expiry reminder",
                "Reminds the member before access ends",
                ExtensionKind::PreExpiration,
                Behaviour::LaunchAndContinue,
            ),
        ),
        (
            legacy_both,
            marketing,
            http(
                "Legacy provisioning",
                "Imported flow used at a request stage and an expiry stage",
                ExtensionKind::Legacy,
                Behaviour::LaunchAndContinue,
            ),
        ),
        (
            legacy_unused,
            marketing,
            http(
                "Legacy audit hook",
                "Imported flow that no policy uses",
                ExtensionKind::Legacy,
                Behaviour::LaunchAndContinue,
            ),
        ),
    ];
    for (id, catalog, draft) in &drafts {
        let secret = crate::services::extensions::new_signing_secret();
        extensions::insert(
            &mut tx,
            sealer,
            *id,
            *catalog,
            draft,
            &secret,
            "Latch demo data",
            now,
        )
        .await?;
    }
    let eng_onboarding = ExtensionId::new();
    let onboarding = http(
        "Engineering onboarding",
        "Creates build-server accounts",
        ExtensionKind::AssignmentRequest,
        Behaviour::LaunchAndContinue,
    );
    extensions::insert(
        &mut tx,
        sealer,
        eng_onboarding,
        engineering,
        &onboarding,
        &crate::services::extensions::new_signing_secret(),
        "Latch demo data",
        now,
    )
    .await?;

    packages::set_stage(
        &mut tx,
        approval_policy,
        Stage::AssignmentRequestCreated,
        sod,
    )
    .await?;
    packages::set_stage(
        &mut tx,
        approval_policy,
        Stage::AssignmentRequestGranted,
        welcome,
    )
    .await?;
    packages::set_stage(
        &mut tx,
        approval_policy,
        Stage::AssignmentFourteenDaysBeforeExpiration,
        reminder,
    )
    .await?;
    packages::set_stage(
        &mut tx,
        approval_policy,
        Stage::AssignmentOneDayBeforeExpiration,
        legacy_both,
    )
    .await?;
    packages::set_stage(
        &mut tx,
        open_policy,
        Stage::AssignmentRequestGranted,
        legacy_both,
    )
    .await?;

    // Engineering: one package whose short-lived access shows the expiry stages later on.
    let build = AccessPackageId::new();
    let build_policy = PolicyId::new();
    packages::insert_package(
        &mut tx,
        build,
        engineering,
        "Build servers",
        "Shell access to the build farm",
        now,
    )
    .await?;
    packages::insert_policy(
        &mut tx,
        &NewPolicy {
            id: build_policy,
            package: build,
            display_name: "Engineers, 7 days",
            description: "Any employee, no approval, 7 days",
            approvers: &[],
            expiration: Some("P7D"),
        },
        now,
    )
    .await?;
    packages::set_stage(
        &mut tx,
        build_policy,
        Stage::AssignmentRequestGranted,
        eng_onboarding,
    )
    .await?;

    tx.commit().await?;
    Ok(true)
}

/// Each demo account's password hash, for the start-up check that warns while one is left.
pub async fn demo_account_hashes(db: &Pool) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let mut found = Vec::new();
    for (upn, _, _) in DEMO_USERS {
        if let Some(user) = users::find_by_upn(&mut conn, upn).await? {
            found.push((upn.to_string(), user.password_hash));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_db;

    #[tokio::test]
    async fn loads_once_into_an_empty_database() {
        let (db, _dir) = test_db().await;
        let now = Utc::now();
        let hashes = DemoHashes {
            password: "hash-of-password".into(),
            app_secret: "hash-of-secret".into(),
            app_secret_hint: "latch-d".into(),
        };
        assert!(load_if_empty(&db, &Sealer::none(), now, &hashes)
            .await
            .unwrap());
        assert!(
            !load_if_empty(&db, &Sealer::none(), now, &hashes)
                .await
                .unwrap(),
            "a second start adds nothing"
        );
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(users, 6);
        let kinds: Vec<(String, i64)> = sqlx::query_as(
            "SELECT kind, COUNT(*) FROM custom_extensions GROUP BY kind ORDER BY kind",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert_eq!(
            kinds,
            vec![
                ("assignmentRequest".into(), 3),
                ("legacy".into(), 2),
                ("preExpiration".into(), 1)
            ]
        );
        let accounts = demo_account_hashes(&db).await.unwrap();
        assert_eq!(accounts.len(), 6);
        assert!(accounts
            .iter()
            .all(|(_, h)| h.as_deref() == Some("hash-of-password")));

        let mut conn = db.acquire().await.unwrap();
        let app: AppId = DEMO_APP_ID.parse().unwrap();
        let record = apps::get(&mut conn, app)
            .await
            .unwrap()
            .expect("the demo app");
        assert_eq!(record.display_name, DEMO_APP_NAME);
        let hashes = apps::live_secret_hashes(&mut conn, app, now).await.unwrap();
        assert_eq!(hashes.len(), 1);
        assert_eq!(hashes[0], "hash-of-secret", "stored as given");
        let marketing: String =
            sqlx::query_scalar("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            roles::of_app(&mut conn, app).await.unwrap(),
            vec![roles::RoleGrant {
                role: Role::AccessPackageAssignmentManager,
                catalog_id: Some(marketing.parse().unwrap()),
            }]
        );
    }
}

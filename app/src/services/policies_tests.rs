//! The policy editor's service against a real, migrated SQLite file per test with the demo
//! data: who may edit, the rules checked again on the server, and a refused save that
//! changes nothing.

use super::{catalog_policies, form, update, view};
use crate::domain::ids::{ExtensionId, GroupId, PolicyId, UserId};
use crate::domain::policy_rules::{keys, Approval, Expiration, PolicyDraft, Requestors, StageRule};
use crate::domain::stage::Stage;
use crate::error::AppError;
use crate::services::test_fixture::{fixture, Fixture};
use crate::store::{audit, groups};
use crate::views::lists::NameQuery;

/// Lookups these tests need beyond the shared fixture.
impl Fixture {
    async fn policy(&self, name: &str) -> PolicyId {
        self.id_of("policies", name).await.parse().unwrap()
    }

    async fn extension(&self, name: &str) -> ExtensionId {
        self.id_of("custom_extensions", name).await.parse().unwrap()
    }

    async fn user(&self, upn: &str) -> UserId {
        let id: String = sqlx::query_scalar("SELECT id FROM users WHERE user_principal_name = $1")
            .bind(upn)
            .fetch_one(&self.state.db)
            .await
            .unwrap();
        id.parse().unwrap()
    }

    /// A group made as provisioning makes one, with these members.
    async fn group(&self, name: &str, members: &[&str]) -> GroupId {
        let id = GroupId::new();
        let mut member_ids = Vec::new();
        for upn in members {
            member_ids.push(self.user(upn).await);
        }
        let mut conn = self.state.db.acquire().await.unwrap();
        groups::insert(&mut conn, id, name, None, self.state.clock.now())
            .await
            .unwrap();
        for user in member_ids {
            groups::add_member(&mut conn, id, user).await.unwrap();
        }
        id
    }

    /// Everything the editor writes, to show a refused save changed nothing.
    async fn snapshot(&self, policy: PolicyId) -> (Vec<(String, String)>, String, i64) {
        let stages: Vec<(String, String)> = sqlx::query_as(
            "SELECT stage, custom_extension_id FROM policy_stage_settings WHERE policy_id = $1 ORDER BY stage",
        )
        .bind(policy.to_string())
        .fetch_all(&self.state.db)
        .await
        .unwrap();
        let row: (String, String, String, crate::store::Flag, Option<String>) = sqlx::query_as(
            "SELECT allowed_target_scope, approval_timeout, expiration_type, is_approval_required, \
                    expiration_duration FROM policies WHERE id = $1",
        )
        .bind(policy.to_string())
        .fetch_one(&self.state.db)
        .await
        .unwrap();
        let audits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
            .fetch_one(&self.state.db)
            .await
            .unwrap();
        let mut conn = self.state.db.acquire().await.unwrap();
        let allowed = groups::of_policy(&mut conn, policy).await.unwrap();
        (stages, format!("{row:?} groups {allowed:?}"), audits)
    }
}

fn rule(stage: Stage, extension: ExtensionId) -> StageRule {
    StageRule {
        stage,
        extension: Some(extension),
    }
}

#[tokio::test]
async fn a_manager_maps_created_to_welcome_mail_and_it_is_stored() {
    let f = fixture().await;
    let manager = f.as_user("manager@contoso.test").await;
    let policy = f.policy("All employees").await;
    let welcome = f.extension("Welcome mail").await;
    let before = form(&f.state, &manager, f.marketing, policy).await.unwrap();
    assert_eq!(before.package_name, "Campaign analytics");
    assert_eq!(before.current.rules.len(), 1, "{:?}", before.current.rules);

    let mut draft = before.current.clone();
    draft
        .rules
        .push(rule(Stage::AssignmentRequestCreated, welcome));
    update(&f.state, &manager, f.marketing, policy, draft)
        .await
        .unwrap();

    let after = form(&f.state, &manager, f.marketing, policy).await.unwrap();
    assert_eq!(
        after.current.rules,
        vec![
            rule(Stage::AssignmentRequestCreated, welcome),
            rule(
                Stage::AssignmentRequestGranted,
                f.extension("Legacy provisioning").await
            ),
        ],
        "stored, and read back in the portal's stage order"
    );
    let mut conn = f.state.db.acquire().await.unwrap();
    let events = audit::for_object(&mut conn, "assignmentPolicy", &policy.to_string())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "assignmentPolicy.update");
    assert_eq!(events[0].actor_name, "Miriam Graham (manager@contoso.test)");
    let summary: serde_json::Value = serde_json::from_str(&events[0].summary).unwrap();
    assert_eq!(
        summary["before"]["customExtensionStageSettings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        summary["after"]["customExtensionStageSettings"][0]["stage"],
        "assignmentRequestCreated"
    );
}

#[tokio::test]
async fn a_pre_expiration_extension_at_created_is_refused_and_nothing_changes() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let policy = f.policy("All employees").await;
    let reminder = f.extension("Expiry reminder").await;
    let before = f.snapshot(policy).await;
    let mut draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    // A change on another tab rides along; it must not be written either.
    draft.expiration = Expiration::AfterDays(90);
    draft
        .rules
        .push(rule(Stage::AssignmentRequestCreated, reminder));
    let error = update(&f.state, &owner, f.marketing, policy, draft)
        .await
        .unwrap_err();
    assert_eq!(
        error.field_message(&keys::rule_extension(1)).as_deref(),
        Some("\u{201c}Expiry reminder\u{201d} is a pre-expiration workflow and can't run at \u{201c}Request is created\u{201d}.")
    );
    assert_eq!(f.snapshot(policy).await, before);
}

#[tokio::test]
async fn an_extension_of_another_catalog_is_refused() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let policy = f.policy("Employees, manager approval").await;
    let foreign = f.extension("Engineering onboarding").await;
    let before = f.snapshot(policy).await;
    let mut draft = form(&f.state, &admin, f.marketing, policy)
        .await
        .unwrap()
        .current;
    draft.rules[0] = rule(Stage::AssignmentRequestCreated, foreign);
    let error = update(&f.state, &admin, f.marketing, policy, draft)
        .await
        .unwrap_err();
    assert_eq!(
        error.field_message(&keys::rule_extension(0)).as_deref(),
        Some("\u{201c}Engineering onboarding\u{201d} is in another catalog; a policy can only use the custom extensions of its own catalog.")
    );
    assert_eq!(f.snapshot(policy).await, before);
}

#[tokio::test]
async fn a_duplicate_stage_and_a_sixth_rule_are_refused() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let policy = f.policy("Employees, manager approval").await;
    let legacy = f.extension("Legacy provisioning").await;
    let mut draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    draft
        .rules
        .push(rule(Stage::AssignmentRequestCreated, legacy));
    let error = update(&f.state, &owner, f.marketing, policy, draft.clone())
        .await
        .unwrap_err();
    assert_eq!(
        error.field_message(&keys::rule_stage(4)).as_deref(),
        Some("\u{201c}Request is created\u{201d} appears twice; a stage can have one custom extension.")
    );
    draft.rules[4] = rule(Stage::AssignmentRequestApproved, legacy);
    update(&f.state, &owner, f.marketing, policy, draft.clone())
        .await
        .expect("exactly five rules are fine");
    draft
        .rules
        .push(rule(Stage::AssignmentRequestRemoved, legacy));
    let error = update(&f.state, &owner, f.marketing, policy, draft)
        .await
        .unwrap_err();
    assert!(error.field_message(keys::RULES).is_some(), "{error:?}");
}

#[tokio::test]
async fn those_without_a_policy_role_are_not_permitted() {
    let f = fixture().await;
    let adele = f.as_user("adele@contoso.test").await;
    let policy = f.policy("All employees").await;
    let owner = f.as_user("owner@contoso.test").await;
    let draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    let before = f.snapshot(policy).await;
    assert!(matches!(
        form(&f.state, &adele, f.marketing, policy).await,
        Err(AppError::NotPermitted(_))
    ));
    assert!(matches!(
        update(&f.state, &adele, f.marketing, policy, draft.clone()).await,
        Err(AppError::NotPermitted(_))
    ));
    assert!(matches!(
        catalog_policies(&f.state, &adele, f.marketing, &NameQuery::default()).await,
        Err(AppError::NotPermitted(_))
    ));
    // The Marketing owner holds no role in Engineering.
    let build = f.policy("Engineers, 7 days").await;
    assert!(matches!(
        form(&f.state, &owner, f.engineering, build).await,
        Err(AppError::NotPermitted(_))
    ));
    assert_eq!(f.snapshot(policy).await, before);
}

#[tokio::test]
async fn a_policy_of_another_catalog_is_not_found() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let build = f.policy("Engineers, 7 days").await;
    let draft = form(&f.state, &admin, f.engineering, build)
        .await
        .unwrap()
        .current;
    assert!(matches!(
        form(&f.state, &admin, f.marketing, build).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        update(&f.state, &admin, f.marketing, build, draft).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn approval_and_expiration_settings_round_trip() {
    let f = fixture().await;
    let manager = f.as_user("manager@contoso.test").await;
    let policy = f.policy("All employees").await;
    let alan = f.user("approver@contoso.test").await;
    let adele = f.user("adele@contoso.test").await;
    let alex = f.user("alex@contoso.test").await;
    let current = form(&f.state, &manager, f.marketing, policy).await.unwrap();
    assert_eq!(current.current.expiration, Expiration::Never);
    assert!(!current.current.approval.required);
    assert_eq!(current.users.len(), 6);

    let mut targets = vec![alex, adele];
    targets.sort();
    let draft = PolicyDraft {
        requestors: Requestors::SpecificUsers {
            users: vec![alex, adele],
            groups: vec![],
        },
        approval: Approval {
            required: true,
            approvers: vec![alan],
            timeout_days: 3,
        },
        expiration: Expiration::AfterDays(7),
        rules: current.current.rules.clone(),
    };
    update(&f.state, &manager, f.marketing, policy, draft.clone())
        .await
        .unwrap();
    let read = form(&f.state, &manager, f.marketing, policy)
        .await
        .unwrap()
        .current;
    assert_eq!(
        read.requestors,
        Requestors::SpecificUsers {
            users: targets,
            groups: vec![]
        }
    );
    assert_eq!(read.approval, draft.approval);
    assert_eq!(read.expiration, Expiration::AfterDays(7));
    let stored: (String, String, Option<String>, String) = sqlx::query_as(
        "SELECT expiration_type, approval_timeout, expiration_duration, allowed_target_scope FROM policies WHERE id = $1",
    )
    .bind(policy.to_string())
    .fetch_one(&f.state.db)
    .await
    .unwrap();
    assert_eq!(
        stored,
        (
            "afterDuration".into(),
            "P3D".into(),
            Some("P7D".into()),
            "specificDirectoryUsers".into()
        )
    );
    // The engine reads the same forms.
    let mut conn = f.state.db.acquire().await.unwrap();
    let rules = crate::engine::policy::Policy::load(&mut conn, policy)
        .await
        .unwrap()
        .rules;
    assert!(rules.approval_required);
    assert_eq!(rules.approval_timeout, chrono::Duration::days(3));
    drop(conn);

    // An end date; approval off again drops the approvers.
    let end = f.state.clock.now().date_naive() + chrono::Duration::days(60);
    let draft = PolicyDraft {
        requestors: Requestors::AllUsers,
        approval: Approval {
            required: false,
            approvers: vec![alan],
            timeout_days: 3,
        },
        expiration: Expiration::OnDate(end),
        rules: vec![],
    };
    update(&f.state, &manager, f.marketing, policy, draft)
        .await
        .unwrap();
    let read = form(&f.state, &manager, f.marketing, policy)
        .await
        .unwrap()
        .current;
    assert_eq!(read.requestors, Requestors::AllUsers);
    assert_eq!(read.expiration, Expiration::OnDate(end));
    assert!(!read.approval.required);
    assert!(read.approval.approvers.is_empty());
    assert!(read.rules.is_empty());
    let mut conn = f.state.db.acquire().await.unwrap();
    let expires = crate::engine::policy::Policy::load(&mut conn, policy)
        .await
        .unwrap()
        .expires_at(f.state.clock.now())
        .unwrap();
    assert_eq!(expires.date_naive(), end);
}

#[tokio::test]
async fn out_of_range_settings_are_refused_beside_their_fields() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let policy = f.policy("Employees, manager approval").await;
    let before = f.snapshot(policy).await;
    let mut draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    assert!(draft.approval.required);
    assert_eq!(draft.expiration, Expiration::AfterDays(30));
    draft.approval.timeout_days = 15;
    draft.approval.approvers.clear();
    draft.expiration = Expiration::AfterDays(3651);
    let error = update(&f.state, &owner, f.marketing, policy, draft)
        .await
        .unwrap_err();
    for field in [
        keys::APPROVAL_TIMEOUT,
        keys::APPROVERS,
        keys::EXPIRATION_DAYS,
    ] {
        assert!(error.field_message(field).is_some(), "{field}: {error:?}");
    }
    assert_eq!(f.snapshot(policy).await, before);
}

#[tokio::test]
async fn the_package_list_shows_policies_and_who_may_edit_them() {
    let f = fixture().await;
    let manager = f.as_user("manager@contoso.test").await;
    let list = catalog_policies(&f.state, &manager, f.marketing, &NameQuery::default())
        .await
        .unwrap();
    assert!(list.may_edit);
    let names: Vec<(&str, Vec<&str>)> = list
        .packages
        .iter()
        .map(|p| {
            (
                p.display_name.as_str(),
                p.policies.iter().map(|l| l.display_name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("Brand assets", vec!["Campaign team members"]),
            ("Campaign analytics", vec!["All employees"]),
            ("Marketing tools", vec!["Employees, manager approval"]),
        ]
    );
    assert_eq!(
        list.packages[1].policies[0].id,
        f.policy("All employees").await
    );
}

#[tokio::test]
async fn a_group_is_saved_read_back_audited_and_lets_its_members_request() {
    let f = fixture().await;
    let manager = f.as_user("manager@contoso.test").await;
    let policy = f.policy("All employees").await;
    let team = f.group("Launch crew", &["adele@contoso.test"]).await;
    let other = f.group("Another team", &[]).await;
    let demo: GroupId = f.id_of("groups", "Campaign team").await.parse().unwrap();
    let setup = form(&f.state, &manager, f.marketing, policy).await.unwrap();
    let offered: Vec<(GroupId, &str)> = setup
        .groups
        .iter()
        .map(|g| (g.id, g.display_name.as_str()))
        .collect();
    assert_eq!(
        offered,
        [
            (other, "Another team"),
            (demo, "Campaign team"),
            (team, "Launch crew")
        ],
        "every group, by name"
    );

    let mut draft = setup.current.clone();
    draft.requestors = Requestors::SpecificUsers {
        users: vec![],
        groups: vec![team, team],
    };
    update(&f.state, &manager, f.marketing, policy, draft)
        .await
        .unwrap();
    let read = form(&f.state, &manager, f.marketing, policy)
        .await
        .unwrap()
        .current;
    assert_eq!(
        read.requestors,
        Requestors::SpecificUsers {
            users: vec![],
            groups: vec![team]
        },
        "stored once"
    );
    let shown = view(&f.state, &manager, policy).await.unwrap();
    assert_eq!(shown.groups.len(), 1);
    assert_eq!(shown.groups[0].display_name, "Launch crew");

    let mut conn = f.state.db.acquire().await.unwrap();
    let events = audit::for_object(&mut conn, "assignmentPolicy", &policy.to_string())
        .await
        .unwrap();
    drop(conn);
    let summary: serde_json::Value = serde_json::from_str(&events[0].summary).unwrap();
    assert_eq!(summary["before"]["allowedTargetScope"], "allMemberUsers");
    assert_eq!(
        summary["after"]["allowedTargetScope"],
        "specificDirectoryUsers"
    );
    assert_eq!(
        summary["after"]["specificAllowedGroups"],
        serde_json::json!([team])
    );

    let sees = |upn: &'static str| {
        let f = &f;
        async move {
            let p = f.as_user(upn).await;
            crate::services::request_views::requestable(&f.state, &p)
                .await
                .unwrap()
                .iter()
                .any(|r| r.policy == policy)
        }
    };
    assert!(sees("adele@contoso.test").await, "a member may request");
    assert!(!sees("alex@contoso.test").await, "others may not");

    // All users again: the groups go with the users, so a later switch back starts empty.
    let mut draft = read;
    draft.requestors = Requestors::AllUsers;
    update(&f.state, &manager, f.marketing, policy, draft)
        .await
        .unwrap();
    let mut conn = f.state.db.acquire().await.unwrap();
    assert!(groups::of_policy(&mut conn, policy)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_unknown_group_is_refused_and_nothing_changes() {
    let f = fixture().await;
    let owner = f.as_user("owner@contoso.test").await;
    let policy = f.policy("Employees, manager approval").await;
    let team = f.group("Launch crew", &[]).await;
    let before = f.snapshot(policy).await;
    let mut draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    draft.requestors = Requestors::SpecificUsers {
        users: vec![],
        groups: vec![team, GroupId::new()],
    };
    // A change on another tab rides along; it must not be written either.
    draft.expiration = Expiration::AfterDays(90);
    let error = update(&f.state, &owner, f.marketing, policy, draft)
        .await
        .unwrap_err();
    assert_eq!(
        error.field_message(keys::ALLOWED_GROUPS).as_deref(),
        Some("One of the chosen groups no longer exists; choose again.")
    );
    assert_eq!(f.snapshot(policy).await, before);

    let mut draft = form(&f.state, &owner, f.marketing, policy)
        .await
        .unwrap()
        .current;
    draft.requestors = Requestors::SpecificUsers {
        users: vec![],
        groups: vec![],
    };
    let error = update(&f.state, &owner, f.marketing, policy, draft)
        .await
        .unwrap_err();
    assert_eq!(
        error.field_message(keys::ALLOWED_TARGETS).as_deref(),
        Some("Choose at least one user or group who can request, or allow all users.")
    );
    assert_eq!(f.snapshot(policy).await, before);
}

#[tokio::test]
async fn a_deleted_group_leaves_the_policies_that_named_it() {
    let f = fixture().await;
    let admin = f.as_user("admin@contoso.test").await;
    let policy = f.policy("All employees").await;
    let team = f.group("Launch crew", &["adele@contoso.test"]).await;
    let alex = f.user("alex@contoso.test").await;
    let mut draft = form(&f.state, &admin, f.marketing, policy)
        .await
        .unwrap()
        .current;
    draft.requestors = Requestors::SpecificUsers {
        users: vec![alex],
        groups: vec![team],
    };
    update(&f.state, &admin, f.marketing, policy, draft)
        .await
        .unwrap();
    let mut conn = f.state.db.acquire().await.unwrap();
    groups::delete(&mut conn, team).await.unwrap();
    drop(conn);
    let read = form(&f.state, &admin, f.marketing, policy).await.unwrap();
    assert_eq!(
        read.current.requestors,
        Requestors::SpecificUsers {
            users: vec![alex],
            groups: vec![]
        }
    );
    assert!(
        !read.groups.iter().any(|g| g.id == team),
        "no longer offered"
    );
}

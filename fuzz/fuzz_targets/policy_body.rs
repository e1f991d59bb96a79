#![no_main]
//! Assignment policy bodies (POST and PUT of `assignmentPolicies`): no panic; a refusal is a
//! 400 naming the property, or field errors from the policy rules; an accepted draft survives
//! the server-function codec (JSON) unchanged and normalizes to a fixed point.

use app::domain::ids::{CatalogId, ExtensionId};
use app::domain::kind::ExtensionKind;
use app::domain::policy_rules::{ExtensionFacts, PolicyContext, PolicyDraft, Requestors};
use chrono::NaiveDate;
use latch_fuzz::{assert_field_error, assert_graph_refusal};
use libfuzzer_sys::fuzz_target;
use server::rest::parsers::{json_body, policy_draft, PolicyBody};

fuzz_target!(|data: &[u8]| {
    let body = match json_body::<PolicyBody>(data) {
        Ok(body) => body,
        Err(error) => return assert_graph_refusal(&error),
    };
    let draft = match policy_draft(&body, Vec::new()) {
        Ok(draft) => draft,
        Err(error) => return assert_graph_refusal(&error),
    };

    // A world where everything the body names exists, in the policy's catalog, of the kind
    // that serves the stage the body puts it at: what is left to refuse is the rules' own.
    let catalog = CatalogId::from_uuid(uuid::Uuid::nil());
    let (mut users, groups) = match &draft.requestors {
        Requestors::AllUsers => (Vec::new(), Vec::new()),
        Requestors::SpecificUsers { users, groups } => (users.clone(), groups.clone()),
    };
    users.extend(draft.approval.approvers.iter().copied());
    let extensions: Vec<ExtensionFacts> = draft
        .rules
        .iter()
        .filter_map(|rule| {
            Some(ExtensionFacts {
                id: rule.extension?,
                display_name: "Fuzzed".into(),
                kind: ExtensionKind::for_stage_group(rule.stage.group()),
                catalog,
            })
        })
        .collect();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let ctx = PolicyContext {
        catalog,
        today,
        extensions: &extensions,
        users: &users,
        groups: &groups,
    };
    if let Err(errors) = draft.validate(&ctx) {
        assert!(!errors.is_empty());
        errors.iter().for_each(assert_field_error);
    }
    let _ = draft.fourteen_day_warning(today);

    let coded: PolicyDraft = serde_json::from_slice(&serde_json::to_vec(&draft).unwrap())
        .expect("a draft survives the server-function codec");
    assert_eq!(coded, draft);
    let normalized = draft.clone().normalized();
    assert_eq!(normalized.clone().normalized(), normalized);

    // PUT without stage settings keeps the current ones.
    if body.custom_extension_stage_settings.is_none() {
        let kept = vec![app::domain::policy_rules::StageRule {
            stage: app::domain::stage::Stage::AssignmentRequestGranted,
            extension: Some(ExtensionId::from_uuid(uuid::Uuid::nil())),
        }];
        let put = policy_draft(&body, kept.clone()).expect("the same body parses again");
        assert_eq!(put.rules, kept);
    }
});

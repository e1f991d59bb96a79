#![no_main]
//! Custom extension bodies (POST, PUT and PATCH of `customWorkflowExtensions` and the legacy
//! path): no panic; a refusal is a 400 naming the property, or a field error from the
//! extension rules; an accepted extension written back in Graph's shape reads back the same,
//! and applying the same body twice (PATCH) changes nothing more.

use app::domain::extension::ExtensionDraft;
use app::domain::kind::ExtensionKind;
use app::store::extensions::ExtensionRecord;
use latch_fuzz::{assert_field_error, assert_graph_refusal};
use libfuzzer_sys::fuzz_target;
use server::rest::parsers::{apply, blank, json_body, kind_of, to_graph, ExtensionBody};

fn record() -> ExtensionRecord {
    ExtensionRecord {
        id: "6b1f5f0e-1c52-4f55-9d4c-2a4f2f8f4b11".into(),
        catalog_id: "0d7b2f4c-8a55-4b0e-9a55-5b4b9f8d1e22".into(),
        display_name: String::new(),
        description: String::new(),
        kind: String::new(),
        behaviour: String::new(),
        wait_timeout_amount: None,
        wait_timeout_unit: None,
        endpoint_type: String::new(),
        subscription_id: None,
        resource_group_name: None,
        logic_app_workflow_name: None,
        endpoint_url: String::new(),
        resource_id: None,
        timeout_ms: 0,
        maximum_retries: 0,
        created_by: "fuzz".into(),
        last_modified_by: "fuzz".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        modified_at: "2026-01-01T00:00:00Z".into(),
        last_test_at: None,
        last_test_ok: None,
        last_test_http_status: None,
        last_test_latency_ms: None,
        last_test_error: None,
    }
}

/// The draft as Graph's answer shows it: PoP kinds have no `resourceId` there.
fn shown(mut draft: ExtensionDraft) -> ExtensionDraft {
    if draft.kind != ExtensionKind::Legacy {
        draft.resource_id = None;
    }
    draft
}

fn body(data: &[u8]) -> Option<ExtensionBody> {
    match json_body::<ExtensionBody>(data) {
        Ok(body) => Some(body),
        Err(error) => {
            assert_graph_refusal(&error);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(first) = body(data) else {
        return;
    };
    // POST: the kind comes from the body; PUT and PATCH keep the stored kind.
    let kind = match kind_of(&first) {
        Ok(kind) => kind,
        Err(error) => {
            assert_graph_refusal(&error);
            ExtensionKind::AssignmentRequest
        }
    };
    let draft = match apply(blank(kind), first) {
        Ok(draft) => draft,
        Err(error) => return assert_graph_refusal(&error),
    };
    let allow_hosts = ["127.0.0.1".to_owned(), "localhost".to_owned()];
    if let Err(errors) = draft.validate(&allow_hosts) {
        assert!(!errors.is_empty());
        errors.iter().for_each(assert_field_error);
    }

    let again = apply(draft.clone(), body(data).unwrap()).expect("the same body applies twice");
    assert_eq!(again, draft, "PATCH with the same body again");

    let written = serde_json::to_vec(&to_graph(&record(), &draft)).unwrap();
    let read = body(&written).expect("Latch's own answer is a valid body");
    assert_eq!(kind_of(&read), Ok(kind));
    let read = apply(blank(kind), read).expect("Latch's own answer applies");
    assert_eq!(read, shown(draft));
});

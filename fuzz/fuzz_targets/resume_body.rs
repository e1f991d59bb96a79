#![no_main]
//! The body of `POST …/assignmentRequests/{id}/resume`, a workflow's answer to a
//! launch-and-wait callout: no panic, a refusal is a 400 naming the property, and an accepted
//! resume written back as Graph's body parses to the same resume.

use latch_fuzz::assert_graph_refusal;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use server::rest::parsers::resume_body;

fuzz_target!(|data: &[u8]| {
    let resume = match resume_body(data) {
        Ok(resume) => resume,
        Err(error) => return assert_graph_refusal(&error),
    };
    let mut callback = json!({
        "stage": resume.stage.wire_name(),
        "customExtensionStageInstanceId": resume.instance,
    });
    if resume.denied {
        callback["state"] = json!("denied");
    }
    if let Some(detail) = &resume.detail {
        callback["customExtensionStageInstanceDetail"] = json!(detail);
    }
    let mut body = json!({
        "type": format!(
            "microsoft.graph.accessPackageCustomExtensionStage.{}",
            resume.stage.wire_name()
        ),
        "data": callback,
    });
    if let Some(source) = &resume.source {
        body["source"] = json!(source);
    }
    let again = resume_body(&serde_json::to_vec(&body).unwrap()).expect("a written resume parses");
    assert_eq!(again, resume);
});

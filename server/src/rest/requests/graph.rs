//! Requests, callout instances and assignments in Graph's shapes. Navigation properties that
//! Graph returns only on `$expand` (`accessPackage`, `requestor`, `target`, `assignment`) are
//! always given here with what Latch knows of them: a workflow needs them and one round trip
//! is cheaper than two.

use app::services::manager_views::{
    CalloutInstance, ManagedAssignment, ManagedRequest, Subject, SubjectKind,
};
use serde_json::{json, Value};

/// Graph's `accessPackageSubject`: `type` as beta spells it, `subjectType` as v1.0 does.
pub fn subject(s: &Subject) -> Value {
    let kind = match s.kind {
        SubjectKind::User => "user",
        SubjectKind::App => "servicePrincipal",
    };
    json!({
        "id": s.id,
        "objectId": s.id,
        "displayName": s.display_name,
        "email": s.email,
        "principalName": s.email,
        "type": kind,
        "subjectType": kind,
    })
}

pub fn instance(i: &CalloutInstance) -> Value {
    json!({
        "id": i.id,
        "customExtensionId": i.extension,
        "stage": i.stage,
        "status": i.status,
        "detail": i.detail,
        "externalCorrelationId": i.external_correlation_id,
    })
}

pub fn request(r: &ManagedRequest) -> Value {
    let mut body = json!({
        "id": r.id,
        "requestType": r.kind.wire_name(),
        "state": r.state.wire_name(),
        "status": r.status.wire_name(),
        "createdDateTime": r.created_at,
        "completedDateTime": r.completed_at,
        "justification": Some(&r.justification).filter(|j| !j.is_empty()),
        "schedule": { "startDateTime": r.created_at },
        "accessPackage": { "id": r.package },
        "requestor": r.requestor.as_ref().map(subject),
        "target": subject(&r.target),
    });
    if let Some(assignment) = r.assignment {
        body["assignment"] = json!({ "id": assignment });
    }
    if let Some(instances) = &r.instances {
        body["customExtensionCalloutInstances"] =
            Value::Array(instances.iter().map(instance).collect());
    }
    body
}

/// Graph spells a failed assignment `deliverFailed`; Latch's column says `deliveryFailed`.
pub fn assignment_state(stored: &str) -> &str {
    match stored {
        "deliveryFailed" => "deliverFailed",
        other => other,
    }
}

pub fn assignment(a: &ManagedAssignment) -> Value {
    let expiration = match &a.expires_at {
        Some(end) => json!({ "type": "afterDateTime", "endDateTime": end }),
        None => json!({ "type": "noExpiration", "endDateTime": null }),
    };
    json!({
        "id": a.id,
        "state": assignment_state(&a.state),
        "status": a.status,
        "target": subject(&a.target),
        "accessPackage": { "id": a.package },
        "assignmentPolicy": { "id": a.policy },
        "schedule": { "startDateTime": a.start_at, "expiration": expiration },
        "expiredDateTime": a.expired_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_are_service_principals_without_mail() {
        let app = Subject {
            id: "5e1f5e1f-0000-4000-8000-000000000001".into(),
            kind: SubjectKind::App,
            display_name: "Contoso SoD check".into(),
            email: None,
        };
        let shown = subject(&app);
        assert_eq!(shown["type"], "servicePrincipal");
        assert_eq!(shown["objectId"], shown["id"]);
        assert!(shown["email"].is_null());
    }

    #[test]
    fn failed_assignments_use_graphs_spelling() {
        assert_eq!(assignment_state("deliveryFailed"), "deliverFailed");
        assert_eq!(assignment_state("delivered"), "delivered");
    }
}

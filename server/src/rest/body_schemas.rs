//! The request bodies of the OpenAPI document: the properties each handler reads, with their
//! JSON types (every property optional, others ignored, as the handlers take them). They let
//! a generator such as Schemathesis (`scripts/fuzz-api.sh`) send well-typed bodies and, in
//! negative mode, bodies that break them; the services decide what is required.

use serde_json::{json, Value};

/// The `requestBody` of `method path` (a path as `openapi::all` writes it), if it takes one.
pub fn request_body(method: &str, path: &str) -> Option<Value> {
    if (method, path) == ("post", "/oauth2/v2.0/token") {
        return Some(json!({
            "required": true,
            "content": { "application/x-www-form-urlencoded": { "schema": token() } }
        }));
    }
    let under = path.split_once(super::ROOT).map_or(path, |(_, rest)| rest);
    let writes = matches!(method, "post" | "put" | "patch");
    let schema = match under {
        _ if !writes || under.ends_with("/rotateSigningSecret") || under.ends_with("/cancel") => {
            return None
        }
        _ if under.ends_with("/resume") => resume(),
        _ if under.contains("WorkflowExtensions") => extension(),
        "/catalogs" | "/catalogs/{catalog}" | "/accessPackageCatalogs/{catalog}" => catalog(),
        "/accessPackages" | "/accessPackages/{package}" => package(),
        _ if under.contains("ssignmentPolicies") => policy(),
        "/assignmentRequests" | "/accessPackageAssignmentRequests" => request(),
        _ => return None,
    };
    Some(json!({
        "required": true,
        "content": { "application/json": { "schema": schema } }
    }))
}

fn object(properties: Value) -> Value {
    json!({ "type": "object", "properties": properties })
}

fn text() -> Value {
    json!({ "type": "string" })
}

fn id() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn reference() -> Value {
    object(json!({ "id": id() }))
}

fn token() -> Value {
    json!({
        "type": "object",
        "properties": {
            "grant_type": { "type": "string", "enum": ["client_credentials"] },
            "client_id": id(),
            "client_secret": text(),
            "scope": text(),
        },
        "required": ["grant_type"],
    })
}

fn catalog() -> Value {
    object(json!({ "displayName": text(), "description": text() }))
}

fn package() -> Value {
    object(json!({
        "displayName": text(),
        "description": text(),
        "isHidden": { "type": "boolean" },
        "catalog": reference(),
        "catalogId": id(),
    }))
}

fn extension() -> Value {
    object(json!({
        "@odata.type": text(),
        "displayName": text(),
        "description": text(),
        "endpointConfiguration": object(json!({
            "@odata.type": text(),
            "subscriptionId": text(),
            "resourceGroupName": text(),
            "logicAppWorkflowName": text(),
            "url": text(),
            "targetUrl": text(),
        })),
        "authenticationConfiguration": object(json!({
            "@odata.type": text(),
            "resourceId": text(),
        })),
        "clientConfiguration": object(json!({
            "timeoutInMilliseconds": { "type": "integer", "minimum": 0 },
            "maximumRetries": { "type": "integer", "minimum": 0 },
        })),
        "callbackConfiguration": {
            "type": "object",
            "nullable": true,
            "properties": { "timeoutDuration": text(), "durationBeforeTimeout": text() },
        },
    }))
}

fn subjects() -> Value {
    json!({
        "type": "array",
        "items": object(json!({ "@odata.type": text(), "userId": id(), "groupId": id() })),
    })
}

fn policy() -> Value {
    object(json!({
        "id": id(),
        "displayName": text(),
        "description": text(),
        "accessPackage": reference(),
        "accessPackageId": id(),
        "allowedTargetScope": text(),
        "specificAllowedTargets": subjects(),
        "expiration": object(json!({
            "type": text(),
            "duration": text(),
            "endDateTime": text(),
        })),
        "requestApprovalSettings": object(json!({
            "isApprovalRequiredForAdd": { "type": "boolean" },
            "stages": {
                "type": "array",
                "items": object(json!({
                    "durationBeforeAutomaticDenial": text(),
                    "primaryApprovers": subjects(),
                })),
            },
        })),
        "customExtensionStageSettings": {
            "type": "array",
            "items": object(json!({ "stage": text(), "customExtension": reference() })),
        },
    }))
}

fn request() -> Value {
    object(json!({
        "requestType": { "type": "string", "enum": ["adminAdd", "adminRemove", "userAdd", "userRemove"] },
        "justification": text(),
        "assignment": object(json!({
            "id": id(),
            "targetId": id(),
            "assignmentPolicyId": id(),
            "accessPackageId": id(),
        })),
    }))
}

fn resume() -> Value {
    json!({
        "type": "object",
        "properties": {
            "type": text(),
            "source": text(),
            "data": object(json!({
                "@odata.type": text(),
                "stage": text(),
                "customExtensionStageInstanceId": id(),
                "customExtensionStageInstanceDetail": text(),
                "state": text(),
            })),
        },
        "required": ["type", "data"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_but_the_bodiless_ones_has_a_body() {
        for (path, op) in super::super::openapi::all() {
            let body = request_body(op.method, &path);
            let bodiless = op.method == "get"
                || op.method == "delete"
                || path.ends_with("/rotateSigningSecret")
                || path.ends_with("/cancel");
            assert_eq!(body.is_none(), bodiless, "{} {path}", op.method);
        }
    }
}

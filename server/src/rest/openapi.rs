//! The OpenAPI document of the REST surface, generated from one table of operations. A test
//! (server/tests/it/openapi.rs) checks the table against the router both ways: every listed
//! operation answers (not 404/405), and every `.route("…")` in this folder is listed.

use serde_json::{json, Map, Value};

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
}

const fn op(method: &'static str, path: &'static str, summary: &'static str) -> Operation {
    Operation {
        method,
        path,
        summary,
    }
}

/// Under `/v1.0` and `/beta`, after `/identityGovernance/entitlementManagement`.
pub const ENTITLEMENT_MANAGEMENT: &[Operation] = &[
    op(
        "get",
        "/catalogs",
        "List catalogs the caller holds a role in",
    ),
    op("post", "/catalogs", "Create a catalog (administrators)"),
    op("get", "/catalogs/{catalog}", "Get a catalog"),
    op(
        "patch",
        "/catalogs/{catalog}",
        "Update a catalog (owners and administrators)",
    ),
    op(
        "delete",
        "/catalogs/{catalog}",
        "Delete an empty catalog (409 while it holds packages or extensions)",
    ),
    op("get", "/accessPackageCatalogs", "List catalogs (beta name)"),
    op(
        "get",
        "/accessPackageCatalogs/{catalog}",
        "Get a catalog (beta name)",
    ),
    op(
        "get",
        "/catalogs/{catalog}/customWorkflowExtensions",
        "List a catalog's custom extensions",
    ),
    op(
        "post",
        "/catalogs/{catalog}/customWorkflowExtensions",
        "Create a custom extension (201, with signingSecret once)",
    ),
    op(
        "get",
        "/catalogs/{catalog}/customWorkflowExtensions/{extension}",
        "Get a custom extension",
    ),
    op(
        "put",
        "/catalogs/{catalog}/customWorkflowExtensions/{extension}",
        "Replace a custom extension",
    ),
    op(
        "patch",
        "/catalogs/{catalog}/customWorkflowExtensions/{extension}",
        "Update a custom extension",
    ),
    op(
        "delete",
        "/catalogs/{catalog}/customWorkflowExtensions/{extension}",
        "Delete a custom extension (409 while a policy uses it)",
    ),
    op(
        "get",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions",
        "List custom extensions (beta name)",
    ),
    op(
        "post",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions",
        "Create a custom extension (beta name)",
    ),
    op(
        "get",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}",
        "Get a custom extension (beta name)",
    ),
    op(
        "put",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}",
        "Replace a custom extension (beta name)",
    ),
    op(
        "patch",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}",
        "Update a custom extension (beta name)",
    ),
    op(
        "delete",
        "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}",
        "Delete a custom extension (beta name)",
    ),
    op("post", "/catalogs/{catalog}/customWorkflowExtensions/{extension}/rotateSigningSecret", "New signing secret, shown once; the old one signs beside it for 24 hours"),
    op("post", "/accessPackageCatalogs/{catalog}/accessPackageCustomWorkflowExtensions/{extension}/rotateSigningSecret", "Rotate the signing secret (beta name)"),
    op("get", "/accessPackages", "List access packages"),
    op("post", "/accessPackages", "Create an access package"),
    op("get", "/accessPackages/{package}", "Get an access package"),
    op(
        "patch",
        "/accessPackages/{package}",
        "Update an access package",
    ),
    op(
        "delete",
        "/accessPackages/{package}",
        "Delete an access package (409 while it has policies or assignments)",
    ),
    op("get", "/assignmentPolicies", "List assignment policies"),
    op("post", "/assignmentPolicies", "Create an assignment policy"),
    op(
        "get",
        "/assignmentPolicies/{policy}",
        "Get an assignment policy ($expand=customExtensionStageSettings($expand=customExtension))",
    ),
    op(
        "put",
        "/assignmentPolicies/{policy}",
        "Replace an assignment policy, customExtensionStageSettings included",
    ),
    op(
        "delete",
        "/assignmentPolicies/{policy}",
        "Delete an assignment policy",
    ),
    op(
        "get",
        "/accessPackageAssignmentPolicies",
        "List assignment policies (beta name)",
    ),
    op(
        "post",
        "/accessPackageAssignmentPolicies",
        "Create an assignment policy (beta name)",
    ),
    op(
        "get",
        "/accessPackageAssignmentPolicies/{policy}",
        "Get an assignment policy (beta name)",
    ),
    op(
        "put",
        "/accessPackageAssignmentPolicies/{policy}",
        "Replace an assignment policy (beta name)",
    ),
    op(
        "delete",
        "/accessPackageAssignmentPolicies/{policy}",
        "Delete an assignment policy (beta name)",
    ),
    op("get", "/assignmentRequests", "List assignment requests"),
    op(
        "post",
        "/assignmentRequests",
        "Create an assignment request (adminAdd, adminRemove)",
    ),
    op(
        "get",
        "/assignmentRequests/{request}",
        "Get an assignment request ($expand=customExtensionCalloutInstances)",
    ),
    op(
        "post",
        "/assignmentRequests/{request}/cancel",
        "Cancel an assignment request",
    ),
    op(
        "get",
        "/accessPackageAssignmentRequests",
        "List assignment requests (beta name)",
    ),
    op(
        "post",
        "/accessPackageAssignmentRequests",
        "Create an assignment request (beta name)",
    ),
    op(
        "get",
        "/accessPackageAssignmentRequests/{request}",
        "Get an assignment request (beta name)",
    ),
    op(
        "post",
        "/accessPackageAssignmentRequests/{request}/cancel",
        "Cancel an assignment request (beta name)",
    ),
    op("post", "/assignmentRequests/{request}/resume", "Resume a request waiting for a custom extension (204; 409 when no longer waiting)"),
    op("post", "/accessPackageAssignmentRequests/{request}/resume", "Resume a waiting request (beta name)"),
    op("get", "/assignments", "List assignments"),
    op("get", "/assignments/{assignment}", "Get an assignment"),
    op(
        "get",
        "/accessPackageAssignments",
        "List assignments (beta name)",
    ),
    op(
        "get",
        "/accessPackageAssignments/{assignment}",
        "Get an assignment (beta name)",
    ),
];

/// Only under `/beta/identityGovernance/entitlementManagement`.
pub const BETA_ONLY: &[Operation] = &[
    op(
        "get",
        "/accessPackageCatalogs/{catalog}/customAccessPackageWorkflowExtensions",
        "List legacy custom extensions",
    ),
    op(
        "post",
        "/accessPackageCatalogs/{catalog}/customAccessPackageWorkflowExtensions",
        "Create a legacy custom extension (migration only)",
    ),
];

/// Full paths.
pub const TOP_LEVEL: &[Operation] = &[
    op(
        "post",
        "/oauth2/v2.0/token",
        "Client-credentials token (application/x-www-form-urlencoded)",
    ),
    op(
        "get",
        "/v1.0/users",
        "List users ($filter=userPrincipalName eq '…'); any admin or catalog role",
    ),
    op(
        "get",
        "/v1.0/users/{user}",
        "Get a user by id or user principal name",
    ),
    op("get", "/beta/users", "List users (beta)"),
    op("get", "/beta/users/{user}", "Get a user (beta)"),
];

pub const ROOT: &str = "/identityGovernance/entitlementManagement";

/// Every operation with its full path.
pub fn all() -> Vec<(String, &'static Operation)> {
    let mut out = Vec::new();
    for version in ["/v1.0", "/beta"] {
        for op in ENTITLEMENT_MANAGEMENT {
            out.push((format!("{version}{ROOT}{}", op.path), op));
        }
    }
    for op in BETA_ONLY {
        out.push((format!("/beta{ROOT}{}", op.path), op));
    }
    for op in TOP_LEVEL {
        out.push((op.path.to_string(), op));
    }
    out
}

pub fn document(public_url: &str) -> Value {
    let mut paths = Map::new();
    for (path, op) in all() {
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }))
            .collect();
        let secured = op.path != "/oauth2/v2.0/token";
        let mut operation = json!({
            "summary": op.summary,
            "parameters": parameters,
            "responses": {
                "default": { "description": "Graph error: {\"error\": {\"code\", \"message\", \"innerError\"}}" }
            }
        });
        if secured {
            operation["security"] = json!([{ "bearer": [] }]);
        }
        if let Some(body) = super::body_schemas::request_body(op.method, &path) {
            operation["requestBody"] = body;
        }
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Latch entitlement management (Graph-compatible)",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "servers": [{ "url": public_url }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }
            }
        },
        "paths": paths,
    })
}

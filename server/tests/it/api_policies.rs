//! `/accessPackages` and `/assignmentPolicies` through the real router: every route's happy
//! path, 401, 403 across catalogs, 404, 400 per policy rule with the property named, 409, and
//! Graph's own extension example linked to a policy and read back expanded.

use crate::api::{app_with_role, call, graph_docs_example, marketing, token, BASE};
use crate::harness::TestApp;
use app::domain::ids::{CatalogId, GroupId, PolicyId, UserId};
use app::domain::role::Role;
use app::domain::stage::Stage;
use app::store::groups;
use http::StatusCode;
use serde_json::{json, Value};

const BETA: &str = "/beta/identityGovernance/entitlementManagement";

async fn engineering(app: &TestApp) -> CatalogId {
    app.id_of("SELECT id FROM catalogs WHERE display_name = 'Engineering'")
        .await
        .parse()
        .unwrap()
}

async fn id_named(app: &TestApp, table: &str, name: &str) -> String {
    sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE display_name = $1"))
        .bind(name)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn user(app: &TestApp, upn: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE user_principal_name = $1")
        .bind(upn)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

async fn audit_actions(app: &TestApp, object_id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE object_id = $1 ORDER BY id")
        .bind(object_id)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

fn names(list: &Value) -> Vec<&str> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap())
        .collect()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

/// The demo data, an access package manager app on Marketing (the least role that manages
/// packages and policies) and a catalog owner app on Engineering.
struct World {
    app: TestApp,
    marketing: CatalogId,
    engineering: CatalogId,
    manager: String,
    elsewhere: String,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let marketing = marketing(&app).await;
    let engineering = engineering(&app).await;
    let manager = app_with_role(
        &app,
        "Packages app",
        Role::AccessPackageManager,
        Some(marketing),
    )
    .await;
    let manager = token(&app, manager).await;
    let elsewhere = app_with_role(
        &app,
        "Engineering app",
        Role::CatalogOwner,
        Some(engineering),
    )
    .await;
    let elsewhere = token(&app, elsewhere).await;
    World {
        app,
        marketing,
        engineering,
        manager,
        elsewhere,
    }
}

impl World {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(&self.app, method, path, Some(&self.manager), body).await
    }

    async fn policy(&self, name: &str) -> String {
        id_named(&self.app, "policies", name).await
    }

    async fn extension(&self, name: &str) -> String {
        id_named(&self.app, "custom_extensions", name).await
    }

    async fn package(&self, name: &str) -> String {
        id_named(&self.app, "access_packages", name).await
    }
}

// ---- access packages ----

#[tokio::test]
async fn access_packages_are_listed_created_read_changed_and_deleted() {
    let w = world().await;
    let path = format!("{BASE}/accessPackages");

    let (status, list) = w.call("GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        names(&list),
        ["Brand assets", "Campaign analytics", "Marketing tools"],
        "Marketing's only"
    );
    assert!(list["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#identityGovernance/entitlementManagement/accessPackages"));
    let (_, theirs) = call(&w.app, "GET", &path, Some(&w.elsewhere), None).await;
    assert_eq!(names(&theirs), ["Build servers"]);

    let filtered = format!("{path}?$filter=catalog/id%20eq%20'{}'&$top=1", w.marketing);
    let (status, first) = w.call("GET", &filtered, None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(names(&first), ["Brand assets"]);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("$filter=catalog%2Fid+eq+%27"), "{next}");
    let next = next.strip_prefix("http://127.0.0.1:3000").unwrap();
    let (_, second) = w.call("GET", next, None).await;
    assert_eq!(names(&second), ["Campaign analytics"]);

    let (status, created) = w
        .call(
            "POST",
            &path,
            Some(json!({ "displayName": " Brand kit ", "description": "Logos and fonts", "isHidden": true,
                         "catalog": { "id": w.marketing } })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["displayName"], "Brand kit", "trimmed");
    assert_eq!(created["isHidden"], true);
    assert!(created["createdDateTime"].is_string() && created["modifiedDateTime"].is_string());
    assert!(
        created.get("catalog").is_none(),
        "catalog only with $expand"
    );
    let id = created["id"].as_str().unwrap().to_string();

    let (status, read) = w
        .call("GET", &format!("{path}/{id}?$expand=catalog"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["catalog"]["id"], json!(w.marketing));
    assert_eq!(read["catalog"]["displayName"], "Marketing");
    let (status, beta) = w
        .call("GET", &format!("{BETA}/accessPackages/{id}"), None)
        .await;
    assert_eq!(
        (status, &beta["displayName"]),
        (StatusCode::OK, &json!("Brand kit"))
    );

    let (status, patched) = w
        .call(
            "PATCH",
            &format!("{path}/{id}"),
            Some(json!({ "description": "Logos, fonts, templates" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["description"], "Logos, fonts, templates");
    assert_eq!(patched["displayName"], "Brand kit", "PATCH keeps the rest");
    assert_eq!(patched["isHidden"], true);

    let (status, _) = w.call("DELETE", &format!("{path}/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = w.call("GET", &format!("{path}/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&w.app, &id).await,
        [
            "accessPackage.create",
            "accessPackage.update",
            "accessPackage.delete"
        ]
    );
}

#[tokio::test]
async fn access_package_errors_have_their_status() {
    let w = world().await;
    let path = format!("{BASE}/accessPackages");
    let tools = w.package("Marketing tools").await;
    let item = format!("{path}/{tools}");
    let body = json!({ "displayName": "x", "catalog": { "id": w.marketing } });

    for (method, p, b) in [
        ("GET", &path, None),
        ("POST", &path, Some(body.clone())),
        ("GET", &item, None),
        ("PATCH", &item, Some(json!({ "description": "x" }))),
        ("DELETE", &item, None),
    ] {
        let (status, answer) = call(&w.app, method, p, None, b).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {p}: {answer}");
    }

    // An app with a role on Engineering, calling for Marketing.
    let filtered = format!("{path}?$filter=catalog/id eq '{}'", w.marketing).replace(' ', "%20");
    for (method, p, b) in [
        ("GET", &filtered, None),
        ("POST", &path, Some(body.clone())),
        ("GET", &item, None),
        ("PATCH", &item, Some(json!({ "description": "x" }))),
        ("DELETE", &item, None),
    ] {
        let (status, answer) = call(&w.app, method, p, Some(&w.elsewhere), b).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("Forbidden")),
            "{method} {p}: {answer}"
        );
    }
    // Reading is for every catalog role; managing is not for assignment managers.
    let assigner = app_with_role(
        &w.app,
        "Assigner",
        Role::AccessPackageAssignmentManager,
        Some(w.marketing),
    )
    .await;
    let assigner = token(&w.app, assigner).await;
    let (status, _) = call(&w.app, "GET", &item, Some(&assigner), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = call(&w.app, "POST", &path, Some(&assigner), Some(body.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        message(&answer).contains("Access package manager"),
        "{answer}"
    );

    let unknown = format!("{path}/{}", uuid::Uuid::new_v4());
    for (method, p, b) in [
        ("GET", unknown.as_str(), None),
        (
            "PATCH",
            unknown.as_str(),
            Some(json!({ "description": "x" })),
        ),
        ("DELETE", unknown.as_str(), None),
        ("GET", &format!("{path}/not-a-guid"), None),
    ] {
        let (status, answer) = w.call(method, p, b).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("ResourceNotFound")),
            "{method} {p}"
        );
    }
    let (status, _) = w
        .call(
            "POST",
            &path,
            Some(json!({ "displayName": "x", "catalog": { "id": uuid::Uuid::new_v4() } })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown catalog");

    let cases = [
        (
            json!({ "displayName": "  ", "catalog": { "id": w.marketing } }),
            "Property 'displayName': Name is required.",
        ),
        (
            json!({ "displayName": "x".repeat(257), "catalog": { "id": w.marketing } }),
            "Property 'displayName': Name is 257 characters",
        ),
        (
            json!({ "displayName": "x", "description": "d".repeat(1025), "catalog": { "id": w.marketing } }),
            "Property 'description'",
        ),
        (
            json!({ "displayName": "x" }),
            "Property 'catalog' is required",
        ),
        (
            json!({ "displayName": "x", "isHidden": "yes", "catalog": { "id": w.marketing } }),
            "Property 'isHidden'",
        ),
    ];
    for (b, expected) in cases {
        let (status, answer) = w.call("POST", &path, Some(b)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(message(&answer).starts_with(expected), "{answer}");
    }
    let (status, answer) = w
        .call(
            "PATCH",
            &item,
            Some(json!({ "catalog": { "id": w.engineering } })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message(&answer).starts_with("Property 'catalog'"),
        "{answer}"
    );
    let (status, answer) = w
        .call("GET", &format!("{path}?$filter=isHidden%20eq%20true"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&answer).contains("$filter"), "{answer}");
    let (status, answer) = w
        .call("GET", &format!("{item}?$expand=resources"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&answer).contains("catalog"), "{answer}");

    let (status, answer) = w.call("DELETE", &item, None).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("Conflict"))
    );
    assert_eq!(
        message(&answer),
        "\u{201c}Marketing tools\u{201d} can't be deleted while it has 1 assignment policy. Delete its policies first."
    );
    assert_eq!(
        w.app.scalar("SELECT COUNT(*) FROM access_packages").await,
        4,
        "nothing written"
    );
}

// ---- assignment policies ----

fn new_policy(package: &str, approver: &str, requestor: &str) -> Value {
    json!({
        "displayName": "Contractors, approval",
        "description": "Named contractors; an approver decides; 90 days",
        "accessPackage": { "id": package },
        "allowedTargetScope": "specificDirectoryUsers",
        "specificAllowedTargets": [{ "@odata.type": "#microsoft.graph.singleUser", "userId": requestor }],
        "expiration": { "type": "afterDuration", "duration": "P90D" },
        "requestorSettings": { "enableTargetsToSelfAddAccess": true },
        "requestApprovalSettings": {
            "isApprovalRequiredForAdd": true,
            "isApprovalRequiredForUpdate": false,
            "stages": [{
                "durationBeforeAutomaticDenial": "P7D",
                "primaryApprovers": [{ "@odata.type": "#microsoft.graph.singleUser", "userId": approver }]
            }]
        }
    })
}

#[tokio::test]
async fn assignment_policies_are_created_read_replaced_and_deleted() {
    let w = world().await;
    let path = format!("{BASE}/assignmentPolicies");
    let tools = w.package("Marketing tools").await;
    let alan = user(&w.app, "approver@contoso.test").await;
    let adele = user(&w.app, "adele@contoso.test").await;
    let welcome = w.extension("Welcome mail").await;
    let reminder = w.extension("Expiry reminder").await;

    let (status, list) = w.call("GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        names(&list),
        [
            "Campaign team members",
            "All employees",
            "Employees, manager approval"
        ],
        "Marketing's only"
    );
    let (_, theirs) = call(&w.app, "GET", &path, Some(&w.elsewhere), None).await;
    assert_eq!(names(&theirs), ["Engineers, 7 days"]);

    let (status, created) = w
        .call("POST", &path, Some(new_policy(&tools, &alan, &adele)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["displayName"], "Contractors, approval");
    assert_eq!(created["accessPackage"], json!({ "id": tools }));
    assert_eq!(created["allowedTargetScope"], "specificDirectoryUsers");
    assert_eq!(
        created["specificAllowedTargets"],
        json!([{ "@odata.type": "#microsoft.graph.singleUser", "userId": adele }])
    );
    assert_eq!(
        created["expiration"],
        json!({ "type": "afterDuration", "duration": "P90D", "endDateTime": null })
    );
    assert_eq!(
        created["requestApprovalSettings"]["isApprovalRequiredForAdd"],
        true
    );
    assert_eq!(
        created["requestApprovalSettings"]["stages"],
        json!([{ "durationBeforeAutomaticDenial": "P7D",
                 "primaryApprovers": [{ "@odata.type": "#microsoft.graph.singleUser", "userId": alan }] }])
    );
    assert_eq!(created["customExtensionStageSettings"], json!([]));

    let item = format!("{path}/{id}");
    let (status, read) = w.call("GET", &item, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["description"], created["description"]);
    let (status, beta) = w
        .call(
            "GET",
            &format!("{BETA}/accessPackageAssignmentPolicies/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (status, &beta["displayName"]),
        (StatusCode::OK, &created["displayName"])
    );
    let filtered = format!("{path}?$filter=accessPackage/id%20eq%20'{tools}'");
    let (_, of_tools) = w.call("GET", &filtered, None).await;
    assert_eq!(
        names(&of_tools),
        ["Contractors, approval", "Employees, manager approval"]
    );
    let (_, expanded) = w
        .call("GET", &format!("{item}?$expand=accessPackage"), None)
        .await;
    assert_eq!(expanded["accessPackage"]["displayName"], "Marketing tools");

    // PUT replaces: what it leaves out goes back to its default.
    let (status, replaced) = w
        .call(
            "PUT",
            &item,
            Some(json!({
                "id": id,
                "displayName": "Everyone, until year end",
                "allowedTargetScope": "allMemberUsers",
                "expiration": { "type": "afterDateTime", "endDateTime": "2099-12-31T00:00:00Z" },
                "customExtensionStageSettings": [
                    { "stage": "assignmentRequestGranted", "customExtension": { "id": welcome } },
                    { "stage": "assignmentOneDayBeforeExpiration", "customExtension": { "id": reminder } }
                ]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["displayName"], "Everyone, until year end");
    assert_eq!(replaced["description"], "");
    assert_eq!(replaced["allowedTargetScope"], "allMemberUsers");
    assert_eq!(replaced["specificAllowedTargets"], json!([]));
    assert_eq!(
        replaced["requestApprovalSettings"]["isApprovalRequiredForAdd"],
        false
    );
    assert_eq!(replaced["expiration"]["type"], "afterDateTime");
    assert_eq!(
        replaced["expiration"]["endDateTime"],
        "2099-12-31T23:59:59Z"
    );
    assert_eq!(
        replaced["customExtensionStageSettings"],
        json!([
            { "stage": "assignmentRequestGranted", "customExtension": {
                "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "id": welcome } },
            { "stage": "assignmentOneDayBeforeExpiration", "customExtension": {
                "@odata.type": "#microsoft.graph.accessPackageAssignmentWorkflowExtension", "id": reminder } }
        ])
    );
    // Without customExtensionStageSettings a PUT keeps them; [] removes them.
    let keep = json!({ "displayName": "Everyone", "allowedTargetScope": "allMemberUsers" });
    let (_, kept) = w.call("PUT", &item, Some(keep.clone())).await;
    assert_eq!(
        kept["customExtensionStageSettings"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{kept}"
    );
    let mut clear = keep;
    clear["customExtensionStageSettings"] = json!([]);
    let (_, cleared) = w.call("PUT", &item, Some(clear)).await;
    assert_eq!(cleared["customExtensionStageSettings"], json!([]));

    let (status, _) = w.call("DELETE", &item, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = w.call("GET", &item, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_actions(&w.app, &id).await,
        [
            "assignmentPolicy.create",
            "assignmentPolicy.update",
            "assignmentPolicy.update",
            "assignmentPolicy.update",
            "assignmentPolicy.delete"
        ]
    );
}

#[tokio::test]
async fn assignment_policy_errors_have_their_status() {
    let w = world().await;
    let path = format!("{BASE}/assignmentPolicies");
    let tools = w.package("Marketing tools").await;
    let open = w.policy("All employees").await;
    let item = format!("{path}/{open}");
    let alan = user(&w.app, "approver@contoso.test").await;
    let adele = user(&w.app, "adele@contoso.test").await;
    let body = new_policy(&tools, &alan, &adele);
    let put = json!({ "displayName": "All employees", "allowedTargetScope": "allMemberUsers" });

    for (method, p, b) in [
        ("GET", &path, None),
        ("POST", &path, Some(body.clone())),
        ("GET", &item, None),
        ("PUT", &item, Some(put.clone())),
        ("DELETE", &item, None),
    ] {
        let (status, answer) = call(&w.app, method, p, None, b).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {p}: {answer}");
    }
    let filtered = format!("{path}?$filter=accessPackage/id%20eq%20'{tools}'");
    for (method, p, b) in [
        ("GET", &filtered, None),
        ("POST", &path, Some(body.clone())),
        ("GET", &item, None),
        ("PUT", &item, Some(put.clone())),
        ("DELETE", &item, None),
    ] {
        let (status, answer) = call(&w.app, method, p, Some(&w.elsewhere), b).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("Forbidden")),
            "{method} {p}: {answer}"
        );
    }
    let unknown = format!("{path}/{}", uuid::Uuid::new_v4());
    let mut elsewhere = body.clone();
    elsewhere["accessPackage"]["id"] = json!(uuid::Uuid::new_v4());
    for (method, p, b) in [
        ("GET", &unknown, None),
        ("PUT", &unknown, Some(put.clone())),
        ("DELETE", &unknown, None),
        ("POST", &path, Some(elsewhere)),
    ] {
        let (status, answer) = w.call(method, p, b).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("ResourceNotFound")),
            "{method} {p}: {answer}"
        );
    }

    let before = (
        w.app.scalar("SELECT COUNT(*) FROM policies").await,
        w.app
            .scalar("SELECT COUNT(*) FROM policy_stage_settings")
            .await,
        w.app.scalar("SELECT COUNT(*) FROM audit_events").await,
    );
    let legacy = w.extension("Legacy provisioning").await;
    let rule = |stage: &str, extension: &str| json!({ "stage": stage, "customExtension": { "id": extension } });
    let with_rules = |rules: Vec<Value>| {
        let mut b = put.clone();
        b["customExtensionStageSettings"] = json!(rules);
        b
    };
    let reminder = w.extension("Expiry reminder").await;
    let foreign = w.extension("Engineering onboarding").await;
    let welcome = w.extension("Welcome mail").await;
    let six: Vec<Value> = Stage::ALL
        .iter()
        .map(|s| rule(s.wire_name(), &legacy))
        .collect();
    let cases = [
        (
            with_rules(vec![rule("assignmentRequestCreated", &reminder)]),
            "Property 'customExtensionStageSettings[0].customExtension': \u{201c}Expiry reminder\u{201d} is a pre-expiration workflow and can't run at \u{201c}Request is created\u{201d}.",
        ),
        (
            with_rules(vec![rule("assignmentRequestGranted", &foreign)]),
            "Property 'customExtensionStageSettings[0].customExtension': \u{201c}Engineering onboarding\u{201d} is in another catalog; a policy can only use the custom extensions of its own catalog.",
        ),
        (
            with_rules(vec![rule("assignmentRequestCreated", &welcome), rule("ASSIGNMENTREQUESTCREATED", &legacy)]),
            "Property 'customExtensionStageSettings[1].stage': \u{201c}Request is created\u{201d} appears twice; a stage can have one custom extension.",
        ),
        (
            with_rules(six),
            "Property 'customExtensionStageSettings': A policy can have at most 5 custom extension rules; this one has 6. Remove 1.",
        ),
        (
            with_rules(vec![rule("assignmentRequestCreated", &uuid::Uuid::new_v4().to_string())]),
            "Property 'customExtensionStageSettings[0].customExtension': The custom extension chosen for \u{201c}Request is created\u{201d} no longer exists",
        ),
        (
            with_rules(vec![rule("whenever", &welcome)]),
            "Property 'customExtensionStageSettings[0].stage': \"whenever\" is not a stage",
        ),
        (
            with_rules(vec![json!({ "stage": "assignmentRequestCreated" })]),
            "Property 'customExtensionStageSettings[0].customExtension' is required",
        ),
        (
            json!({ "displayName": "", "allowedTargetScope": "allMemberUsers" }),
            "Property 'displayName': Name is required.",
        ),
        (
            json!({ "displayName": "x" }),
            "Property 'allowedTargetScope' is required",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "specificDirectoryUsers" }),
            "Property 'specificAllowedTargets': Choose at least one user or group who can request, or allow all users.",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "allMemberUsers",
                    "requestApprovalSettings": { "isApprovalRequiredForAdd": true, "stages": [] } }),
            "Property 'requestApprovalSettings.stages[0].primaryApprovers': Choose at least one approver",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "allMemberUsers",
                    "requestApprovalSettings": { "isApprovalRequiredForAdd": true, "stages": [
                        { "durationBeforeAutomaticDenial": "P15D", "primaryApprovers": [{ "userId": alan }] }] } }),
            "Property 'requestApprovalSettings.stages[0].durationBeforeAutomaticDenial': The approval time-out must be between 1 and 14 days.",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "allMemberUsers",
                    "expiration": { "type": "afterDuration", "duration": "P0D" } }),
            "Property 'expiration.duration': Assignments must last between 1 and 3650 days.",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "allMemberUsers",
                    "expiration": { "type": "afterDateTime", "endDateTime": "2001-01-01T00:00:00Z" } }),
            "Property 'expiration.endDateTime': The end date must be after today.",
        ),
        (
            json!({ "displayName": "x", "allowedTargetScope": "allMemberUsers", "accessPackage": { "id": tools } }),
            "Property 'accessPackage'",
        ),
    ];
    for (b, expected) in cases {
        let (status, answer) = w.call("PUT", &item, Some(b.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b}: {answer}");
        assert!(
            message(&answer).starts_with(expected),
            "{b}\n{}",
            message(&answer)
        );
    }
    // A create is checked by the same rules; every broken one is named at once.
    let mut broken = body.clone();
    broken["displayName"] = json!("");
    broken["customExtensionStageSettings"] = json!([rule("assignmentRequestCreated", &reminder)]);
    let (status, answer) = w.call("POST", &path, Some(broken)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message(&answer).starts_with("Property 'displayName': Name is required."),
        "{answer}"
    );
    assert!(
        message(&answer).contains("Property 'customExtensionStageSettings[0].customExtension'"),
        "{answer}"
    );
    let mut missing = body.clone();
    missing.as_object_mut().unwrap().remove("accessPackage");
    let (status, answer) = w.call("POST", &path, Some(missing)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message(&answer).starts_with("Property 'accessPackage' is required"),
        "{answer}"
    );
    let (status, answer) = w
        .call(
            "GET",
            &format!("{item}?$expand=customExtensionStageSettings($expand=owner)"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        before,
        (
            w.app.scalar("SELECT COUNT(*) FROM policies").await,
            w.app
                .scalar("SELECT COUNT(*) FROM policy_stage_settings")
                .await,
            w.app.scalar("SELECT COUNT(*) FROM audit_events").await,
        ),
        "no refused call wrote anything"
    );

    // A policy that requests went through stays; so does a package with policies.
    let adele_signed_in = w.app.principal("adele@contoso.test").await;
    app::services::requests::submit(
        &w.app.state,
        &adele_signed_in,
        open.parse::<PolicyId>().unwrap(),
        "dashboards",
    )
    .await
    .unwrap();
    let (status, answer) = w.call("DELETE", &item, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        message(&answer),
        "\u{201c}All employees\u{201d} can't be deleted: 1 request and 1 assignment were made through it, and they stay in the history."
    );
}

/// A group made directly in the store, as provisioning would make it, with these members.
async fn group(app: &TestApp, name: &str, members: &[&str]) -> GroupId {
    let id = GroupId::new();
    let mut ids = Vec::new();
    for upn in members {
        ids.push(user(app, upn).await.parse::<UserId>().unwrap());
    }
    let mut conn = app.state.db.acquire().await.unwrap();
    groups::insert(&mut conn, id, name, None, app.state.clock.now())
        .await
        .unwrap();
    for member in ids {
        groups::add_member(&mut conn, id, member).await.unwrap();
    }
    id
}

#[tokio::test]
async fn a_policy_names_groups_beside_users_in_specific_allowed_targets() {
    let w = world().await;
    let path = format!("{BASE}/assignmentPolicies");
    let tools = w.package("Marketing tools").await;
    let alan = user(&w.app, "approver@contoso.test").await;
    let alex = user(&w.app, "alex@contoso.test").await;
    let crew = group(&w.app, "Launch crew", &["adele@contoso.test"]).await;

    let mut body = new_policy(&tools, &alan, &alex);
    body["specificAllowedTargets"] = json!([
        { "@odata.type": "#microsoft.graph.singleUser", "userId": alex },
        { "@odata.type": "#microsoft.graph.groupMembers", "groupId": crew, "description": "ignored" }
    ]);
    let (status, created) = w.call("POST", &path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let both = json!([
        { "@odata.type": "#microsoft.graph.singleUser", "userId": alex },
        { "@odata.type": "#microsoft.graph.groupMembers", "groupId": crew, "description": "Launch crew" }
    ]);
    assert_eq!(created["specificAllowedTargets"], both);
    let id = created["id"].as_str().unwrap().to_string();
    let item = format!("{path}/{id}");
    let (status, read) = w.call("GET", &item, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["specificAllowedTargets"], both);
    let (_, listed) = w
        .call(
            "GET",
            &format!("{path}?$filter=accessPackage/id%20eq%20'{tools}'"),
            None,
        )
        .await;
    let mine = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(id))
        .unwrap();
    assert_eq!(
        mine["specificAllowedTargets"], both,
        "lists show groups too"
    );

    // The group's members may request; others not named may not.
    let policy: PolicyId = id.parse().unwrap();
    for (upn, expected) in [("adele@contoso.test", true), ("owner@contoso.test", false)] {
        let p = w.app.principal(upn).await;
        let sees = app::services::request_views::requestable(&w.app.state, &p)
            .await
            .unwrap()
            .iter()
            .any(|r| r.policy == policy);
        assert_eq!(sees, expected, "{upn}");
    }

    // Refused targets are named by their index, and nothing is written.
    let before = (
        w.app
            .scalar("SELECT COUNT(*) FROM policy_allowed_groups")
            .await,
        w.app.scalar("SELECT COUNT(*) FROM audit_events").await,
    );
    let with_targets = |targets: Value| {
        json!({ "displayName": "Contractors, approval", "allowedTargetScope": "specificDirectoryUsers",
                "specificAllowedTargets": targets })
    };
    let cases = [
        (
            json!([{ "@odata.type": "#microsoft.graph.singleUser", "userId": alex },
                   { "@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1 }]),
            "Property 'specificAllowedTargets[1].@odata.type': \"#microsoft.graph.requestorManager\" is not supported; use #microsoft.graph.singleUser (with userId) or #microsoft.graph.groupMembers (with groupId).",
        ),
        (
            json!([{ "@odata.type": "#microsoft.graph.groupMembers", "description": "Launch crew" }]),
            "Property 'specificAllowedTargets[0].groupId' is required with #microsoft.graph.groupMembers.",
        ),
        (
            json!([{ "@odata.type": "#microsoft.graph.groupMembers", "groupId": "Launch crew" }]),
            "Property 'specificAllowedTargets[0].groupId': \"Launch crew\" is not a group id.",
        ),
        (
            json!([{ "@odata.type": "#microsoft.graph.groupMembers", "groupId": uuid::Uuid::new_v4() }]),
            "Property 'specificAllowedTargets': One of the chosen groups no longer exists; choose again.",
        ),
    ];
    for (targets, expected) in cases {
        let (status, answer) = w.call("PUT", &item, Some(with_targets(targets))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(message(&answer), expected);
    }
    assert_eq!(
        before,
        (
            w.app
                .scalar("SELECT COUNT(*) FROM policy_allowed_groups")
                .await,
            w.app.scalar("SELECT COUNT(*) FROM audit_events").await,
        ),
        "no refused call wrote anything"
    );

    // A group alone is enough; deleting the group takes it out of the policy.
    let (status, replaced) = w
        .call(
            "PUT",
            &item,
            Some(with_targets(json!([
                { "@odata.type": "#microsoft.graph.groupMembers", "groupId": crew }
            ]))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(
        replaced["specificAllowedTargets"],
        json!([{ "@odata.type": "#microsoft.graph.groupMembers", "groupId": crew, "description": "Launch crew" }])
    );
    let mut conn = w.app.state.db.acquire().await.unwrap();
    groups::delete(&mut conn, crew).await.unwrap();
    drop(conn);
    let (_, read) = w.call("GET", &item, None).await;
    assert_eq!(read["allowedTargetScope"], "specificDirectoryUsers");
    assert_eq!(read["specificAllowedTargets"], json!([]));
}

/// The acceptance case: Graph's own create-extension example, linked to a policy by PUT and
/// read back expanded; the policy editor sees the same rule.
#[tokio::test]
async fn graphs_extension_example_is_linked_by_put_and_read_back_expanded() {
    let w = world().await;
    let owner = app_with_role(&w.app, "Owner app", Role::CatalogOwner, Some(w.marketing)).await;
    let owner = token(&w.app, owner).await;
    let (status, extension) = call(
        &w.app,
        "POST",
        &format!("{BASE}/catalogs/{}/customWorkflowExtensions", w.marketing),
        Some(&owner),
        Some(graph_docs_example()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{extension}");
    let extension_id = extension["id"].as_str().unwrap().to_string();

    let open = w.policy("All employees").await;
    let item = format!("{BASE}/assignmentPolicies/{open}");
    let (status, current) = w.call("GET", &item, None).await;
    assert_eq!(status, StatusCode::OK);
    let mut body = current.clone();
    for read_only in ["@odata.context", "createdDateTime", "modifiedDateTime"] {
        body.as_object_mut().unwrap().remove(read_only);
    }
    body["customExtensionStageSettings"] = json!([
        { "stage": "assignmentRequestCreated", "customExtension": {
            "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "id": extension_id } },
        current["customExtensionStageSettings"][0].clone()
    ]);
    let (status, put) = w.call("PUT", &item, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{put}");
    assert_eq!(put["displayName"], "All employees");

    let expand = "$expand=customExtensionStageSettings($expand=customExtension)";
    let (status, read) = w.call("GET", &format!("{item}?{expand}"), None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let settings = read["customExtensionStageSettings"].as_array().unwrap();
    assert_eq!(settings.len(), 2);
    assert_eq!(settings[0]["stage"], "assignmentRequestCreated");
    let linked = &settings[0]["customExtension"];
    assert_eq!(linked["id"], json!(extension_id));
    assert_eq!(
        linked["@odata.type"],
        "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
    );
    assert_eq!(
        linked["displayName"],
        "test_accessPackageAssignmentRequestWorkflowExtension"
    );
    assert_eq!(
        linked["endpointConfiguration"]["logicAppWorkflowName"],
        "elm-extension-email"
    );
    assert_eq!(
        linked["callbackConfiguration"]["durationBeforeTimeout"],
        "PT1H"
    );
    assert!(linked.get("signingSecret").is_none());
    assert_eq!(settings[1]["stage"], "assignmentRequestGranted");
    assert_eq!(
        settings[1]["customExtension"]["displayName"],
        "Legacy provisioning"
    );
    let (_, listed) = w
        .call(
            "GET",
            &format!("{BETA}/accessPackageAssignmentPolicies?{expand}"),
            None,
        )
        .await;
    let same = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(open))
        .unwrap();
    assert_eq!(
        same["customExtensionStageSettings"],
        read["customExtensionStageSettings"]
    );

    // The policy editor reads the rule the API wrote.
    let manager = w.app.principal("manager@contoso.test").await;
    let form =
        app::services::policies::form(&w.app.state, &manager, w.marketing, open.parse().unwrap())
            .await
            .unwrap();
    assert!(form
        .current
        .rules
        .iter()
        .any(|r| r.stage == Stage::AssignmentRequestCreated
            && r.extension.map(|e| e.to_string()) == Some(extension_id.clone())));

    // And the extension can't be deleted while the policy uses it.
    let (status, answer) = call(
        &w.app,
        "DELETE",
        &format!(
            "{BASE}/catalogs/{}/customWorkflowExtensions/{extension_id}",
            w.marketing
        ),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
}

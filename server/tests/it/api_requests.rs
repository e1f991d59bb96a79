//! The REST API's requests, assignments and users through the real router, called by apps with
//! client-credentials tokens: direct assignment and removal through the lifecycle engine,
//! reads scoped to the catalogs an app manages, cancel, callout instances after the worker ran,
//! and every refusal (401, 403, 404, 400 naming the property, 409).

use crate::api::{call, call_raw, join_all, register, token};
use crate::harness::TestApp;
use crate::receiver::TestReceiver;
use app::domain::endpoint::Endpoint;
use app::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use app::domain::ids::{AppId, CatalogId, PolicyId};
use app::domain::kind::ExtensionKind;
use app::domain::role::Role;
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::extensions;
use http::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/v1.0/identityGovernance/entitlementManagement";
const BETA: &str = "/beta/identityGovernance/entitlementManagement";

/// The demo data's names, and two apps: one managing Marketing's assignments, one Engineering's.
struct World {
    app: TestApp,
    marketing_app: String,
    engineering_app: String,
    marketing_app_id: AppId,
}

async fn catalog(app: &TestApp, name: &str) -> CatalogId {
    app.id_of(&format!(
        "SELECT id FROM catalogs WHERE display_name = '{name}'"
    ))
    .await
    .parse()
    .unwrap()
}

async fn id_of(app: &TestApp, table: &str, column: &str, value: &str) -> String {
    app.id_of(&format!(
        "SELECT id FROM {table} WHERE {column} = '{value}'"
    ))
    .await
}

async fn user(app: &TestApp, upn: &str) -> String {
    id_of(app, "users", "user_principal_name", upn).await
}

async fn package(app: &TestApp, name: &str) -> String {
    id_of(app, "access_packages", "display_name", name).await
}

async fn policy(app: &TestApp, name: &str) -> String {
    id_of(app, "policies", "display_name", name).await
}

/// Registers an app holding `grants` and returns its client id.
/// The status and Graph error message of a refused call.
async fn refused(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let (status, body) = call(app, method, path, token, body).await;
    let message = body["error"]["message"].as_str().unwrap_or_default();
    (status, message.to_string())
}

impl World {
    async fn new() -> World {
        let app = TestApp::new().await;
        let marketing = catalog(&app, "Marketing").await;
        let engineering = catalog(&app, "Engineering").await;
        let marketing_app_id = register(
            &app,
            "Marketing provisioning",
            &[(Role::AccessPackageAssignmentManager, Some(marketing))],
        )
        .await;
        let engineering_app_id = register(
            &app,
            "Engineering provisioning",
            &[(Role::AccessPackageAssignmentManager, Some(engineering))],
        )
        .await;
        let marketing_app = token(&app, marketing_app_id).await;
        let engineering_app = token(&app, engineering_app_id).await;
        World {
            app,
            marketing_app,
            engineering_app,
            marketing_app_id,
        }
    }

    /// An `adminAdd` body for `upn` under a policy of a package, by their names.
    async fn admin_add(&self, upn: &str, package_name: &str, policy_name: &str) -> Value {
        json!({
            "requestType": "adminAdd",
            "assignment": {
                "targetId": user(&self.app, upn).await,
                "assignmentPolicyId": policy(&self.app, policy_name).await,
                "accessPackageId": package(&self.app, package_name).await,
            },
            "justification": "Joined the campaign team",
        })
    }

    /// Campaign analytics for `upn`: no approval, so it is delivered at once.
    async fn analytics_for(&self, upn: &str) -> Value {
        self.admin_add(upn, "Campaign analytics", "All employees")
            .await
    }

    /// Marketing tools for `upn`: the SoD check (launch and wait) holds it at created.
    async fn tools_for(&self, upn: &str) -> Value {
        self.admin_add(upn, "Marketing tools", "Employees, manager approval")
            .await
    }

    async fn post_request(&self, body: Value) -> (StatusCode, Value) {
        call(
            &self.app,
            "POST",
            &format!("{BASE}/assignmentRequests"),
            Some(&self.marketing_app),
            Some(body),
        )
        .await
    }

    /// One request as the Marketing app reads it.
    async fn read(&self, id: &str) -> (StatusCode, Value) {
        call(
            &self.app,
            "GET",
            &format!("{BASE}/assignmentRequests/{id}"),
            Some(&self.marketing_app),
            None,
        )
        .await
    }

    /// Posts a request that must be created; returns the answer.
    async fn created(&self, body: Value) -> Value {
        let (status, answer) = self.post_request(body).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        answer
    }
}

#[tokio::test]
async fn an_app_assigns_directly_through_the_engine_and_is_credited() {
    let w = World::new().await;
    let adele = user(&w.app, "adele@contoso.test").await;
    let answer = w.created(w.analytics_for("adele@contoso.test").await).await;
    // No approval and a launch-and-continue granted stage: the engine delivered it at once,
    // and the answer is what is stored after the transaction.
    assert_eq!(answer["requestType"], "adminAdd");
    assert_eq!(answer["state"], "delivered");
    assert_eq!(answer["status"], "Delivered");
    assert_eq!(answer["justification"], "Joined the campaign team");
    assert_eq!(
        answer["accessPackage"]["id"],
        package(&w.app, "Campaign analytics").await
    );
    assert_eq!(answer["target"]["id"], adele);
    assert_eq!(answer["target"]["displayName"], "Adele Vance");
    assert_eq!(answer["target"]["email"], "adele@contoso.test");
    assert_eq!(answer["target"]["type"], "user");
    assert_eq!(
        answer["requestor"],
        json!({
            "id": w.marketing_app_id.to_string(),
            "objectId": w.marketing_app_id.to_string(),
            "displayName": "Marketing provisioning",
            "email": null,
            "principalName": null,
            "type": "servicePrincipal",
            "subjectType": "servicePrincipal",
        })
    );
    assert!(answer["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        answer["schedule"]["startDateTime"],
        answer["createdDateTime"]
    );
    assert!(answer["completedDateTime"].is_string());
    assert!(answer["assignment"]["id"].is_string());
    assert!(answer["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#identityGovernance/entitlementManagement/assignmentRequests/$entity"));

    // History credits the app by its display name; the audit log names the app as the caller.
    let id = answer["id"].as_str().unwrap();
    let submitted_by: String = sqlx::query_scalar(
        "SELECT actor_name FROM request_history WHERE request_id = $1 AND event = 'submitted'",
    )
    .bind(id)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(submitted_by, "Marketing provisioning");
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_kind, actor_name FROM audit_events WHERE object_id = $1 AND action = 'assignmentRequest.adminAdd'",
    )
    .bind(id)
    .fetch_all(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [(
            "app".to_string(),
            "Marketing provisioning (app)".to_string()
        )]
    );

    // A policy whose created stage waits: the request is still submitted when the call answers.
    let waiting = w.created(w.tools_for("alex@contoso.test").await).await;
    assert_eq!(waiting["state"], "submitted");
    assert_eq!(waiting["status"], "WaitingForCallback");
    assert!(waiting.get("assignment").is_none(), "no assignment yet");
    assert!(waiting["completedDateTime"].is_null());

    // Each 201 is built from what the call knew rather than read back; a read shows the same.
    for created in [&answer, &waiting] {
        let (status, read) = w.read(created["id"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert_eq!(&read, created);
    }

    // The beta alias takes the same body; requestType in any case.
    let mut body = w.analytics_for("alex@contoso.test").await;
    body["requestType"] = json!("ADMINADD");
    let (status, beta) = call(
        &w.app,
        "POST",
        &format!("{BETA}/accessPackageAssignmentRequests"),
        Some(&w.marketing_app),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{beta}");
    assert_eq!(beta["state"], "delivered");
}

/// A list under `$filter`, which must be answered 200.
async fn list_where(w: &World, path: &str, filter: &str) -> Value {
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let (status, found) = call(
        &w.app,
        "GET",
        &format!("{path}?$filter={encoded}"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{filter}: {found}");
    found
}

#[tokio::test]
async fn requests_are_listed_filtered_paged_and_read_per_catalog() {
    let w = World::new().await;
    let delivered = w.created(w.analytics_for("adele@contoso.test").await).await;
    let waiting = w.created(w.tools_for("alex@contoso.test").await).await;
    let path = format!("{BASE}/assignmentRequests");

    let (status, list) = call(&w.app, "GET", &path, Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&delivered["id"].as_str().unwrap()));
    assert!(ids.contains(&waiting["id"].as_str().unwrap()));

    let (status, only) = call(
        &w.app,
        "GET",
        &format!("{path}?$filter=state%20eq%20'Submitted'"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{only}");
    assert_eq!(only["value"].as_array().unwrap().len(), 1);
    assert_eq!(only["value"][0]["id"], waiting["id"]);

    for bad in [
        "state%20ne%20'x'",
        "state%20eq%20'granted'",
        "status%20eq%20'Delivered'",
    ] {
        let (status, message) = refused(
            &w.app,
            "GET",
            &format!("{path}?$filter={bad}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(message.contains("'$filter'"), "{message}");
    }

    // Pages of one follow each other.
    let (status, first) = call(
        &w.app,
        "GET",
        &format!("{path}?$top=1"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["value"].as_array().unwrap().len(), 1);
    let next = first["@odata.nextLink"].as_str().unwrap();
    let next = &next[next.find("/v1.0").unwrap()..];
    let (_, second) = call(&w.app, "GET", next, Some(&w.marketing_app), None).await;
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert_ne!(second["value"][0]["id"], first["value"][0]["id"]);
    assert!(second.get("@odata.nextLink").is_none());

    // A filtered page keeps its filter in the next link.
    let (status, filtered) = call(
        &w.app,
        "GET",
        &format!("{path}?$top=1&$filter=state%20eq%20'delivered'"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(filtered["value"][0]["id"], delivered["id"]);
    assert!(filtered.get("@odata.nextLink").is_none());

    // Graph's other filters, joined by `and`: the target, the package.
    let target = waiting["target"]["id"].as_str().unwrap();
    let package = delivered["accessPackage"]["id"].as_str().unwrap();
    for (filter, expected) in [
        (format!("target/id eq '{target}'"), vec![&waiting["id"]]),
        (
            format!("accessPackage/id eq '{package}'"),
            vec![&delivered["id"]],
        ),
        (
            format!("accessPackage/id eq '{package}' and state eq 'delivered'"),
            vec![&delivered["id"]],
        ),
        (
            format!("target/id eq '{target}' AND state eq 'delivered'"),
            vec![],
        ),
    ] {
        let found = list_where(&w, &path, &filter).await;
        let ids: Vec<&Value> = found["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["id"])
            .collect();
        assert_eq!(ids, expected, "{filter}");
    }
    // What is not supported is named; a page token this server did not give is refused.
    for (query, named) in [
        ("$filter=requestor/id%20eq%20'x'", "requestor/id"),
        ("$filter=target/id%20eq%20'alex'", "target/id"),
        ("$skiptoken=2", "$skiptoken"),
    ] {
        let (status, message) = refused(
            &w.app,
            "GET",
            &format!("{path}?{query}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(message.contains(named), "{query}: {message}");
    }

    // One request, by id, under both versions.
    let id = waiting["id"].as_str().unwrap();
    let (status, one) = call(
        &w.app,
        "GET",
        &format!("{path}/{id}"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["state"], "submitted");
    assert!(one.get("customExtensionCalloutInstances").is_none());
    let (status, beta) = call(
        &w.app,
        "GET",
        &format!("{BETA}/accessPackageAssignmentRequests/{id}"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(beta["id"], one["id"]);

    // Engineering's app sees none of Marketing's requests, and is refused one by id.
    let (status, theirs) = call(&w.app, "GET", &path, Some(&w.engineering_app), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["value"], json!([]));
    let (status, message) = refused(
        &w.app,
        "GET",
        &format!("{path}/{id}"),
        Some(&w.engineering_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        message.contains("Access package assignment manager"),
        "{message}"
    );
}

#[tokio::test]
async fn callout_instances_are_expanded_after_the_worker_ran() {
    let w = World::new().await;
    let receiver = TestReceiver::start().await;
    let admin = w.app.principal("admin@contoso.test").await;
    let marketing = catalog(&w.app, "Marketing").await;
    let created = extensions::create(
        &w.app.state,
        &admin,
        marketing,
        ExtensionDraft {
            display_name: "Contoso.Welcome".into(),
            description: String::new(),
            kind: ExtensionKind::AssignmentRequest,
            behaviour: Behaviour::LaunchAndContinue,
            endpoint: Endpoint::Http {
                url: format!("{}/hooks/welcome", receiver.url),
            },
            client: ClientConfiguration::default(),
            resource_id: None,
        },
    )
    .await
    .unwrap();
    let open: PolicyId = policy(&w.app, "All employees").await.parse().unwrap();
    let mut conn = w.app.state.db.acquire().await.unwrap();
    sqlx::query("DELETE FROM policy_stage_settings WHERE policy_id = $1")
        .bind(open.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
    app::store::packages::set_stage(&mut conn, open, Stage::AssignmentRequestGranted, created.id)
        .await
        .unwrap();
    drop(conn);

    let answer = w.created(w.analytics_for("adele@contoso.test").await).await;
    let id = answer["id"].as_str().unwrap();
    let path = format!("{BASE}/assignmentRequests/{id}?$expand=customExtensionCalloutInstances");
    let (_, before) = call(&w.app, "GET", &path, Some(&w.marketing_app), None).await;
    assert_eq!(
        before["customExtensionCalloutInstances"][0]["status"], "pending",
        "queued, not yet sent: {before}"
    );

    drain(&w.app.state).await.unwrap();
    let (status, after) = call(&w.app, "GET", &path, Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let instances = after["customExtensionCalloutInstances"].as_array().unwrap();
    assert_eq!(instances.len(), 1, "{after}");
    let instance = &instances[0];
    assert_eq!(instance["customExtensionId"], created.id.to_string());
    assert_eq!(instance["stage"], "assignmentRequestGranted");
    assert_eq!(instance["status"], "calloutSent");
    assert_eq!(instance["externalCorrelationId"], "run-0001");
    assert!(instance["detail"].is_null());
    let sent = receiver
        .calls()
        .into_iter()
        .find(|c| c.json()["Stage"] == "assignmentRequestGranted")
        .expect("the granted callout reached the receiver");
    assert_eq!(
        sent.json()["CustomExtensionStageInstanceId"],
        instance["id"],
        "the instance id is the one the workflow resumes with"
    );

    // The list expands too.
    let (_, list) = call(
        &w.app,
        "GET",
        &format!("{BASE}/assignmentRequests?$expand=customExtensionCalloutInstances"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(
        list["value"][0]["customExtensionCalloutInstances"],
        json!(instances)
    );
    let (status, message) = refused(
        &w.app,
        "GET",
        &format!("{BASE}/assignmentRequests/{id}?$expand=history"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("'$expand'"), "{message}");
}

#[tokio::test]
async fn demo_callouts_to_an_absent_receiver_show_honestly() {
    // The demo policy calls http://127.0.0.1:7071, where nothing listens in tests.
    let w = World::new().await;
    let answer = w.created(w.analytics_for("adele@contoso.test").await).await;
    let path = format!(
        "{BASE}/assignmentRequests/{}?$expand=customExtensionCalloutInstances",
        answer["id"].as_str().unwrap()
    );
    drain(&w.app.state).await.unwrap();
    let (_, read) = call(&w.app, "GET", &path, Some(&w.marketing_app), None).await;
    let instance = &read["customExtensionCalloutInstances"][0];
    assert_eq!(instance["stage"], "assignmentRequestGranted");
    assert_eq!(
        instance["status"], "pending",
        "the first try was refused and a retry is due later: {read}"
    );
    assert!(instance["externalCorrelationId"].is_null());
    assert_eq!(
        read["state"], "delivered",
        "launch and continue never blocks"
    );

    // Once every retry is spent the instance says so; the request stays delivered.
    for _ in 0..6 {
        w.app.state.clock.advance(chrono::Duration::hours(1));
        drain(&w.app.state).await.unwrap();
    }
    // (Tokens last an hour: the moved clock needs a fresh one.)
    let fresh = token(&w.app, w.marketing_app_id).await;
    let (_, read) = call(&w.app, "GET", &path, Some(&fresh), None).await;
    assert_eq!(
        read["customExtensionCalloutInstances"][0]["status"],
        "calloutFailed"
    );
    assert_eq!(read["state"], "delivered");
}

#[tokio::test]
async fn cancel_answers_200_once_and_409_when_not_cancelable() {
    let w = World::new().await;
    let waiting = w.created(w.tools_for("adele@contoso.test").await).await;
    let id = waiting["id"].as_str().unwrap();
    let cancel = format!("{BASE}/assignmentRequests/{id}/cancel");

    let (status, message) = refused(&w.app, "POST", &cancel, Some(&w.engineering_app), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{message}");
    let (status, _, body) = call_raw(&w.app, "POST", &cancel, Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "", "Graph answers a cancel with no body");
    let (_, read) = w.read(id).await;
    assert_eq!(
        (&read["state"], &read["status"]),
        (&json!("canceled"), &json!("Canceled"))
    );
    assert!(read["completedDateTime"].is_string());
    let canceled_by: String = sqlx::query_scalar(
        "SELECT actor_name FROM request_history WHERE request_id = $1 AND event = 'canceled'",
    )
    .bind(id)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(canceled_by, "Marketing provisioning");

    let (status, message) = refused(&w.app, "POST", &cancel, Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message.contains("canceled"), "{message}");

    let delivered = w.created(w.analytics_for("adele@contoso.test").await).await;
    let (status, message) = refused(
        &w.app,
        "POST",
        &format!(
            "{BETA}/accessPackageAssignmentRequests/{}/cancel",
            delivered["id"].as_str().unwrap()
        ),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message.contains("delivered"), "{message}");

    let unknown = uuid::Uuid::new_v4();
    for path in [
        format!("{BASE}/assignmentRequests/{unknown}/cancel"),
        format!("{BASE}/assignmentRequests/not-a-guid/cancel"),
    ] {
        let (status, _) = refused(&w.app, "POST", &path, Some(&w.marketing_app), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn admin_remove_ends_an_assignment_and_is_refused_twice() {
    let w = World::new().await;
    let delivered = w.created(w.analytics_for("adele@contoso.test").await).await;
    let assignment = delivered["assignment"]["id"].as_str().unwrap();
    let body = json!({ "requestType": "AdminRemove", "assignment": { "id": assignment },
                       "justification": "Left the campaign team" });

    let (status, message) = refused(
        &w.app,
        "POST",
        &format!("{BASE}/assignmentRequests"),
        Some(&w.engineering_app),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{message}");

    let mut too_long = body.clone();
    too_long["justification"] = json!("x".repeat(10_000));
    let (status, message) = refused(
        &w.app,
        "POST",
        &format!("{BASE}/assignmentRequests"),
        Some(&w.marketing_app),
        Some(too_long),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{message}");
    assert!(message.contains("justification"), "{message}");

    let removal = w.created(body.clone()).await;
    assert_eq!(removal["requestType"], "adminRemove");
    assert_eq!(removal["assignment"]["id"], assignment);
    assert_eq!(removal["justification"], "Left the campaign team");
    assert_eq!(
        removal["requestor"]["displayName"],
        "Marketing provisioning"
    );
    assert_eq!(removal["target"]["email"], "adele@contoso.test");
    let (_, ended) = call(
        &w.app,
        "GET",
        &format!("{BASE}/assignments/{assignment}"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(ended["state"], "expired");
    assert!(ended["expiredDateTime"].is_string());

    let (status, again) = w.post_request(body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert!(again["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Only a delivered assignment can be removed"));

    // Removed, it can be assigned again.
    w.created(w.analytics_for("adele@contoso.test").await).await;
}

#[tokio::test]
async fn duplicates_are_conflicts_and_create_nothing() {
    let w = World::new().await;
    w.created(w.tools_for("adele@contoso.test").await).await;
    let (status, body) = w
        .post_request(w.tools_for("adele@contoso.test").await)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "Conflict");
    assert_eq!(
        body["error"]["message"],
        "Adele Vance already has an open request for this access package."
    );

    w.created(w.analytics_for("adele@contoso.test").await).await;
    let (status, body) = w
        .post_request(w.analytics_for("adele@contoso.test").await)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"]["message"],
        "Adele Vance already has this access package."
    );
    assert_eq!(w.app.scalar("SELECT COUNT(*) FROM requests").await, 2);
}

#[tokio::test]
async fn requests_posted_together_each_get_their_answer_and_a_duplicate_among_them_is_refused() {
    let w = World::new().await;
    let adele = w.tools_for("adele@contoso.test").await;
    let alex = w.tools_for("alex@contoso.test").await;
    let approver = w.analytics_for("approver@contoso.test").await;
    let mut bodies = vec![adele; 5];
    bodies.extend([alex.clone(), approver, alex]);
    let answers = join_all(bodies.into_iter().map(|b| w.post_request(b)).collect()).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|(s, _)| *s).collect();
    let created = |range: std::ops::Range<usize>| {
        statuses[range]
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count()
    };
    assert_eq!(created(0..5), 1, "one of Adele's five: {statuses:?}");
    assert_eq!(
        created(5..8),
        2,
        "one of Alex's two and the approver's: {statuses:?}"
    );
    for (status, body) in &answers {
        if *status != StatusCode::CREATED {
            assert_eq!(*status, StatusCode::CONFLICT, "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .ends_with("already has an open request for this access package."),
                "{body}"
            );
        }
    }
    // Each 201 names the request it created, and only those exist.
    let mut ids: Vec<&str> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(w.app.scalar("SELECT COUNT(*) FROM requests").await, 3);
    assert_eq!(
        w.app
            .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'assignmentRequest.adminAdd'")
            .await,
        3
    );
}

#[tokio::test]
async fn each_validation_rule_names_its_property() {
    let w = World::new().await;
    let good = w.analytics_for("adele@contoso.test").await;
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let tools_policy = policy(&w.app, "Employees, manager approval").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&["requestType"], Value::Null),
            "'requestType' is required",
        ),
        (with(&["requestType"], json!("grant")), "'requestType'"),
        (
            with(&["requestType"], json!("userAdd")),
            "'requestType': userAdd",
        ),
        (
            with(&["requestType"], json!("userRemove")),
            "'requestType': userRemove",
        ),
        (
            with(&["requestType"], json!("systemRemove")),
            "'requestType': systemRemove",
        ),
        (with(&["requestType"], json!(7)), "'requestType'"),
        (
            with(&["assignment"], Value::Null),
            "'assignment' is required",
        ),
        (
            with(&["assignment", "targetId"], json!("adele")),
            "'assignment.targetId'",
        ),
        (
            with(&["assignment", "targetId"], Value::Null),
            "'assignment.targetId' is required",
        ),
        (
            with(&["assignment", "assignmentPolicyId"], json!("{not-a-guid}")),
            "'assignment.assignmentPolicyId'",
        ),
        (
            with(&["assignment", "accessPackageId"], json!("12345")),
            "'assignment.accessPackageId'",
        ),
        (
            with(
                &["assignment", "accessPackageId"],
                json!(uuid::Uuid::new_v4()),
            ),
            "'assignment.accessPackageId': There is no access package",
        ),
        (
            with(&["assignment", "assignmentPolicyId"], json!(tools_policy)),
            "'assignment.assignmentPolicyId': There is no assignment policy",
        ),
        (
            with(&["assignment", "targetId"], json!(uuid::Uuid::new_v4())),
            "'assignment.targetId': There is no user",
        ),
        (
            with(&["justification"], json!("x".repeat(4001))),
            "'justification'",
        ),
        (
            json!({ "requestType": "adminRemove", "assignment": {} }),
            "'assignment.id' is required",
        ),
        (
            json!({ "requestType": "adminRemove", "assignment": { "id": "x" } }),
            "'assignment.id'",
        ),
        (
            json!({ "requestType": "adminRemove", "assignment": { "id": uuid::Uuid::new_v4() } }),
            "'assignment.id': There is no assignment",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = w.post_request(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], "BadRequest");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
    }

    // A target outside the policy's scope is a mistake in the body too.
    sqlx::query("UPDATE policies SET allowed_target_scope = 'specificDirectoryUsers' WHERE display_name = 'All employees'")
        .execute(&w.app.state.db)
        .await
        .unwrap();
    let (status, answer) = w.post_request(good).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"]["message"].as_str().unwrap().contains(
            "'assignment.targetId': The policy \u{201c}All employees\u{201d} is for specific users"
        ),
        "{answer}"
    );
    assert_eq!(w.app.scalar("SELECT COUNT(*) FROM requests").await, 0);

    let (status, answer) = call(
        &w.app,
        "POST",
        &format!("{BASE}/assignmentRequests"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
}

#[tokio::test]
async fn other_catalogs_and_other_roles_are_refused() {
    let w = World::new().await;
    // Engineering's app asks for a Marketing package.
    let (status, answer) = call(
        &w.app,
        "POST",
        &format!("{BASE}/assignmentRequests"),
        Some(&w.engineering_app),
        Some(w.analytics_for("adele@contoso.test").await),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"]["code"], "Forbidden");

    // Engineering's own package works for it.
    let (status, answer) = call(
        &w.app,
        "POST",
        &format!("{BASE}/assignmentRequests"),
        Some(&w.engineering_app),
        Some(
            w.admin_add("alex@contoso.test", "Build servers", "Engineers, 7 days")
                .await,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // An access package manager manages packages, not assignments: refused everywhere, before
    // its body is looked at.
    let marketing = catalog(&w.app, "Marketing").await;
    let manager = register(
        &w.app,
        "Package editor",
        &[(Role::AccessPackageManager, Some(marketing))],
    )
    .await;
    let manager = token(&w.app, manager).await;
    for (method, path, body) in [
        ("GET", format!("{BASE}/assignmentRequests"), None),
        ("GET", format!("{BASE}/assignments"), None),
        (
            "POST",
            format!("{BASE}/assignmentRequests"),
            Some(json!({ "requestType": "bogus" })),
        ),
        (
            "GET",
            format!("{BASE}/assignmentRequests/{}", uuid::Uuid::new_v4()),
            None,
        ),
    ] {
        let (status, message) = refused(&w.app, method, &path, Some(&manager), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {message}");
        assert!(message.contains("assignment managers"), "{message}");
    }
}

#[tokio::test]
async fn assignments_are_read_per_catalog() {
    let w = World::new().await;
    let delivered = w.created(w.analytics_for("adele@contoso.test").await).await;
    let assignment = delivered["assignment"]["id"].as_str().unwrap();
    let path = format!("{BASE}/assignments");

    let (status, list) = call(&w.app, "GET", &path, Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let a = &list["value"][0];
    assert_eq!(a["id"], assignment);
    assert_eq!(a["state"], "delivered");
    assert_eq!(a["status"], "Delivered");
    assert_eq!(a["target"]["id"], user(&w.app, "adele@contoso.test").await);
    assert_eq!(a["target"]["displayName"], "Adele Vance");
    assert_eq!(a["target"]["email"], "adele@contoso.test");
    assert_eq!(
        a["accessPackage"]["id"],
        package(&w.app, "Campaign analytics").await
    );
    assert_eq!(
        a["assignmentPolicy"]["id"],
        policy(&w.app, "All employees").await
    );
    assert_eq!(
        a["schedule"]["expiration"],
        json!({ "type": "noExpiration", "endDateTime": null })
    );
    assert!(a["schedule"]["startDateTime"].is_string());
    assert!(a["expiredDateTime"].is_null());

    // The approval policy's 30 days show as an end date.
    let tools = package(&w.app, "Marketing tools").await;
    sqlx::query("DELETE FROM policy_stage_settings")
        .execute(&w.app.state.db)
        .await
        .unwrap();
    let pending = w.created(w.tools_for("alex@contoso.test").await).await;
    assert_eq!(pending["state"], "pendingApproval");
    let approver = w.app.principal("approver@contoso.test").await;
    app::services::requests::approve(
        &w.app.state,
        &approver,
        pending["id"].as_str().unwrap().parse().unwrap(),
        "",
    )
    .await
    .unwrap();
    let (_, delivered_only) = call(
        &w.app,
        "GET",
        &format!("{BETA}/accessPackageAssignments?$filter=state%20eq%20'delivered'"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    let expiring = delivered_only["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["accessPackage"]["id"] == tools.as_str())
        .expect("Alex's assignment");
    assert_eq!(expiring["schedule"]["expiration"]["type"], "afterDateTime");
    assert!(expiring["schedule"]["expiration"]["endDateTime"].is_string());
    let (_, none) = call(
        &w.app,
        "GET",
        &format!("{path}?$filter=state%20eq%20'deliverFailed'"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(none["value"], json!([]));
    let (status, message) = refused(
        &w.app,
        "GET",
        &format!("{path}?$filter=state%20eq%20'granted'"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("'$filter'"), "{message}");

    // Graph's other filters joined by `and`, and pages of one by key.
    let adele = user(&w.app, "adele@contoso.test").await;
    let analytics = package(&w.app, "Campaign analytics").await;
    for (filter, expected) in [
        (format!("target/id eq '{adele}'"), 1),
        (
            format!("accessPackage/id eq '{analytics}' and state eq 'delivered'"),
            1,
        ),
        (
            format!("target/id eq '{adele}' and accessPackage/id eq '{tools}'"),
            0,
        ),
    ] {
        let found = list_where(&w, &path, &filter).await;
        assert_eq!(
            found["value"].as_array().unwrap().len(),
            expected,
            "{filter}"
        );
    }
    let (status, first) = call(
        &w.app,
        "GET",
        &format!("{path}?$top=1"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let next = first["@odata.nextLink"].as_str().unwrap();
    let (_, second) = call(
        &w.app,
        "GET",
        &next[next.find("/v1.0").unwrap()..],
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert_ne!(second["value"][0]["id"], first["value"][0]["id"]);
    assert!(second.get("@odata.nextLink").is_none());
    for query in ["$filter=requestor/id%20eq%20'x'", "$skiptoken=1"] {
        let (status, _) = refused(
            &w.app,
            "GET",
            &format!("{path}?{query}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }

    let (status, one) = call(
        &w.app,
        "GET",
        &format!("{BETA}/accessPackageAssignments/{assignment}"),
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["id"], assignment);
    assert!(one["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("assignments/$entity"));

    let (status, theirs) = call(&w.app, "GET", &path, Some(&w.engineering_app), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["value"], json!([]));
    let (status, _) = refused(
        &w.app,
        "GET",
        &format!("{path}/{assignment}"),
        Some(&w.engineering_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for missing in [uuid::Uuid::new_v4().to_string(), "nope".to_string()] {
        let (status, _) = refused(
            &w.app,
            "GET",
            &format!("{path}/{missing}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn users_are_read_by_any_role_holder() {
    let w = World::new().await;
    let (status, list) = call(&w.app, "GET", "/v1.0/users", Some(&w.engineering_app), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 6);
    assert!(list["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/v1.0/$metadata#users"));

    let (status, found) = call(
        &w.app,
        "GET",
        "/v1.0/users?$filter=userPrincipalName%20eq%20'ADELE@Contoso.test'",
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let adele = user(&w.app, "adele@contoso.test").await;
    assert_eq!(
        found["value"],
        json!([{
            "id": adele,
            "displayName": "Adele Vance",
            "userPrincipalName": "adele@contoso.test",
            "mail": "adele@contoso.test",
        }])
    );
    let (_, nobody) = call(
        &w.app,
        "GET",
        "/v1.0/users?$filter=userPrincipalName%20eq%20'nobody@contoso.test'",
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(nobody["value"], json!([]));
    let (status, message) = refused(
        &w.app,
        "GET",
        "/v1.0/users?$filter=displayName%20eq%20'Adele%20Vance'",
        Some(&w.marketing_app),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("userPrincipalName eq"), "{message}");

    for key in [adele.clone(), "adele@contoso.test".to_string()] {
        let (status, one) = call(
            &w.app,
            "GET",
            &format!("/v1.0/users/{key}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{key}: {one}");
        assert_eq!(one["id"], adele);
        assert_eq!(one["userPrincipalName"], "adele@contoso.test");
    }
    let (status, _) = call(&w.app, "GET", "/beta/users", Some(&w.marketing_app), None).await;
    assert_eq!(status, StatusCode::OK);
    for missing in [
        uuid::Uuid::new_v4().to_string(),
        "nobody@contoso.test".into(),
    ] {
        let (status, _) = refused(
            &w.app,
            "GET",
            &format!("/v1.0/users/{missing}"),
            Some(&w.marketing_app),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }

    // An app without any role reads nothing.
    let roleless = register(&w.app, "No roles", &[]).await;
    let roleless = token(&w.app, roleless).await;
    for path in ["/v1.0/users".to_string(), format!("/v1.0/users/{adele}")] {
        let (status, message) = refused(&w.app, "GET", &path, Some(&roleless), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(message.contains("role"), "{message}");
    }
}

#[tokio::test]
async fn every_route_wants_a_token() {
    let w = World::new().await;
    let id = uuid::Uuid::new_v4();
    let routes = [
        ("GET", format!("{BASE}/assignmentRequests")),
        ("POST", format!("{BASE}/assignmentRequests")),
        ("GET", format!("{BASE}/assignmentRequests/{id}")),
        ("POST", format!("{BASE}/assignmentRequests/{id}/cancel")),
        ("GET", format!("{BETA}/accessPackageAssignmentRequests")),
        ("POST", format!("{BETA}/accessPackageAssignmentRequests")),
        (
            "GET",
            format!("{BETA}/accessPackageAssignmentRequests/{id}"),
        ),
        (
            "POST",
            format!("{BETA}/accessPackageAssignmentRequests/{id}/cancel"),
        ),
        ("GET", format!("{BASE}/assignments")),
        ("GET", format!("{BASE}/assignments/{id}")),
        ("GET", format!("{BETA}/accessPackageAssignments")),
        ("GET", format!("{BETA}/accessPackageAssignments/{id}")),
        ("GET", "/v1.0/users".to_string()),
        ("GET", format!("/v1.0/users/{id}")),
    ];
    for (method, path) in routes {
        let body = (method == "POST").then(|| json!({ "requestType": "adminAdd" }));
        for token in [None, Some("not-a-token")] {
            let (status, answer) = call(&w.app, method, &path, token, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}: {answer}"
            );
            assert_eq!(answer["error"]["code"], "Unauthorized");
        }
    }
}

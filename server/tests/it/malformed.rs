//! Malformed bodies on every surface — server functions (JSON and a plain form), the REST API,
//! SCIM, the token endpoint and resume: a missing field, a wrong type, extra nesting (an object
//! where a string belongs, and 10,000 `[`), invalid UTF-8 and an empty body. Each is a 4xx in
//! the surface's own error shape, names the field where there is one, and changes no row.

use crate::api::{app_with_role, marketing, token};
use crate::harness::{text, TestApp, HOST, ORIGIN};
use app::domain::role::Role;
use app::error::{AppError, BODY};
use axum::body::Body;
use http::{header, Request, StatusCode};
use serde_json::{json, Value};

const REST: &str = "/v1.0/identityGovernance/entitlementManagement";
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// 10,000 `[`: deeper than any parser's recursion limit.
fn deep() -> String {
    "[".repeat(10_000)
}

/// A call with these headers and exactly these bytes; the status and the body as text.
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(header::HeaderName, &str)],
    body: impl Into<Vec<u8>>,
) -> (StatusCode, String) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST);
    for (name, value) in headers {
        builder = builder.header(name, *value);
    }
    text(
        app.send(builder.body(Body::from(body.into())).unwrap())
            .await,
    )
    .await
}

/// A JSON `POST` as an app with this Bearer token.
async fn post_json(
    app: &TestApp,
    path: &str,
    bearer: &str,
    body: impl Into<Vec<u8>>,
) -> (StatusCode, String) {
    let headers = [
        (header::AUTHORIZATION, bearer),
        (header::CONTENT_TYPE, JSON),
    ];
    send(app, "POST", path, &headers, body).await
}

/// One malformed body: what is sent and the field the refusal must name (`None`: the body as
/// a whole, or whichever value a parser stopped at first).
struct Case {
    body: Vec<u8>,
    field: Option<&'static str>,
}

fn case(body: impl Into<Vec<u8>>, field: Option<&'static str>) -> Case {
    Case {
        body: body.into(),
        field,
    }
}

/// The five kinds (and deep nesting) for a JSON object with the text property `field` beside
/// `rest`, a valid remainder of the object.
fn json_cases(field: &'static str, rest: &str) -> Vec<Case> {
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(",{rest}")
    };
    vec![
        case(format!("{{{}}}", rest.trim_start_matches(',')), Some(field)),
        case(format!(r#"{{"{field}":42{rest}}}"#), Some(field)),
        case(
            format!(r#"{{"{field}":{{"nested":"x"}}{rest}}}"#),
            Some(field),
        ),
        case(format!(r#"{{"{field}":{}"#, deep()), None),
        case(deep(), None),
        case(
            [br#"{""#.as_slice(), field.as_bytes(), b"\":\"\xff\xfe\"}"].concat(),
            None,
        ),
        case(b"\xff\xfe{".to_vec(), None),
        case("", None),
    ]
}

// ---------------------------------------------------------------------------------------
// Server functions

/// The refusal of a server function: 400 and `AppError::Invalid` about `field` (the path at
/// fault; `body` for what is not JSON at all).
fn assert_server_fn_refusal(what: &str, status: StatusCode, text: &str, field: Option<&str>) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    let error: AppError = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let AppError::Invalid(errors) = &error else {
        panic!("{what}: {error:?}")
    };
    assert!(
        errors[0]
            .message
            .starts_with("The request body is not valid: "),
        "{what}: {text}"
    );
    if let Some(field) = field {
        assert_eq!(errors[0].field, field, "{what}: {text}");
        let leaf = field.rsplit('.').next().unwrap_or(field);
        assert!(errors[0].message.contains(leaf), "{what}: {text}");
    }
}

#[tokio::test]
async fn server_functions_refuse_malformed_bodies_naming_the_field() {
    let app = TestApp::new().await;
    let admin = app.sign_in("admin@contoso.test").await;
    let adele = app.sign_in("adele@contoso.test").await;
    let catalog = marketing(&app).await;
    let policy = app.policy("Employees, manager approval").await;
    let owner = app.principal("admin@contoso.test").await;
    let draft = app::services::policies::form(&app.state, &owner, catalog, policy)
        .await
        .unwrap()
        .current;
    let mut draft = serde_json::to_value(draft).unwrap();
    draft["approval"]["timeoutDays"] = json!("x");
    let before = app.snapshot().await;

    // add_person takes `{ "draft": { … } }`: the cases go inside, and the path grows.
    let mut person: Vec<Case> = json_cases(
        "email",
        r#""display_name":"New","department":"","job_title":"""#,
    )
    .into_iter()
    .map(|c| match c.body.first() {
        Some(b'{') => Case {
            body: [b"{\"draft\":".as_slice(), &c.body, b"}"].concat(),
            field: c.field.map(|_| "draft.email"),
        },
        _ => c,
    })
    .collect();
    person.push(case(
        r#"{"draft":{"email":"n@contoso.test","department":"","job_title":""}}"#,
        Some("draft.display_name"),
    ));
    person.push(case(b"\xff\xfe{".to_vec(), Some(BODY)));
    person.push(case("", Some(BODY)));
    let calls: Vec<(&str, &str, Vec<Case>)> = vec![
        ("add_person", &admin, person),
        (
            "request_access",
            &adele,
            json_cases("justification", &format!(r#""policy":"{policy}""#)),
        ),
        (
            "update_policy",
            &admin,
            vec![
                case(
                    json!({ "catalog": catalog, "policy": policy, "draft": draft }).to_string(),
                    Some("draft.approval.timeoutDays"),
                ),
                case(
                    json!({ "catalog": catalog, "policy": { "id": policy } }).to_string(),
                    Some("policy"),
                ),
                case(
                    json!({ "catalog": catalog, "policy": policy }).to_string(),
                    Some("draft"),
                ),
            ],
        ),
    ];
    for (function, cookie, cases) in calls {
        for c in cases {
            let what = format!("{function} {}", String::from_utf8_lossy(&c.body));
            let (status, text) = send(
                &app,
                "POST",
                &format!("/api/{function}"),
                &[
                    (header::ORIGIN, ORIGIN),
                    (header::CONTENT_TYPE, JSON),
                    (header::ACCEPT, JSON),
                    (header::COOKIE, cookie),
                ],
                c.body,
            )
            .await;
            assert_server_fn_refusal(&what, status, &text, c.field);
        }
    }

    // The sign-in form (URL-encoded): every field is text, so a wrong type is extra nesting.
    for c in [
        case("email=a%40contoso.test&next=%2F", Some("password")),
        case("email[x]=a&password=p&next=%2F", Some("email")),
        case(
            "email=a&password[]=p&password[]=q&next=%2F",
            Some("password"),
        ),
        case("email[a][b][c][d][e][f][g]=x&password=p&next=%2F", None),
        case(b"email=\xff&password=p&next=%2F".to_vec(), Some(BODY)),
        case("", Some("email")),
    ] {
        let what = format!("sign_in {}", String::from_utf8_lossy(&c.body));
        let (status, text) = send(
            &app,
            "POST",
            "/api/sign_in",
            &[
                (header::ORIGIN, ORIGIN),
                (header::CONTENT_TYPE, FORM),
                (header::ACCEPT, JSON),
            ],
            c.body,
        )
        .await;
        assert_server_fn_refusal(&what, status, &text, c.field);
    }
    assert_eq!(app.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------
// REST

/// Graph's error body: `error.code` and `error.message`, naming `field` when there is one.
fn assert_graph_refusal(what: &str, status: StatusCode, text: &str, field: Option<&str>) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(body["error"]["code"], "BadRequest", "{what}: {text}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: {text}");
    if let Some(field) = field {
        assert!(message.contains(&format!("'{field}'")), "{what}: {message}");
    }
}

#[tokio::test]
async fn rest_creates_refuse_malformed_bodies_naming_the_property() {
    let app = TestApp::new().await;
    let client = app_with_role(
        &app,
        "Governance",
        Role::IdentityGovernanceAdministrator,
        None,
    )
    .await;
    let bearer = format!("Bearer {}", token(&app, client).await);
    let catalog = marketing(&app).await;
    let package = app
        .id_of("SELECT access_package_id FROM policies WHERE display_name = 'Employees, manager approval'")
        .await;
    let before = app.snapshot().await;

    let creates = [
        (format!("{REST}/catalogs"), json_cases("displayName", "")),
        (
            format!("{REST}/catalogs/{catalog}/customWorkflowExtensions"),
            json_cases(
                "displayName",
                r##""@odata.type":"#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension""##,
            ),
        ),
        (
            format!("{REST}/assignmentPolicies"),
            json_cases(
                "displayName",
                &format!(
                    r#""accessPackage":{{"id":"{package}"}},"allowedTargetScope":"allMemberUsers""#
                ),
            ),
        ),
        (
            format!("{REST}/assignmentRequests"),
            json_cases("requestType", r#""assignment":{"targetId":"x"}"#),
        ),
    ];
    for (path, cases) in creates {
        for c in cases {
            let what = format!("POST {path} {}", String::from_utf8_lossy(&c.body));
            let (status, text) = post_json(&app, &path, &bearer, c.body).await;
            assert_graph_refusal(&what, status, &text, c.field);
        }
        // Not JSON at all: 415.
        let (status, _) = send(
            &app,
            "POST",
            &path,
            &[(header::AUTHORIZATION, bearer.as_str())],
            "displayName=x",
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
    }
    // Deeper properties are named by their path.
    for (path, body, field) in [
        (
            format!("{REST}/assignmentRequests"),
            json!({ "requestType": "adminAdd", "assignment": { "targetId": { "id": "x" } } }),
            "assignment.targetId",
        ),
        (
            format!("{REST}/assignmentPolicies"),
            json!({ "displayName": "P", "accessPackage": "x" }),
            "accessPackage",
        ),
        (
            format!("{REST}/assignmentPolicies"),
            json!({ "displayName": "P", "accessPackage": { "id": package }, "requestApprovalSettings": { "stages": [{ "primaryApprovers": "x" }] } }),
            "requestApprovalSettings.stages[0].primaryApprovers",
        ),
        (
            format!("{REST}/catalogs/{catalog}/customWorkflowExtensions"),
            json!({ "displayName": "E", "endpointConfiguration": { "url": ["https://x.test"] } }),
            "endpointConfiguration.url",
        ),
    ] {
        let what = format!("POST {path} {body}");
        let (status, text) = post_json(&app, &path, &bearer, body.to_string()).await;
        assert_graph_refusal(&what, status, &text, Some(field));
    }
    assert_eq!(app.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------
// SCIM

/// SCIM's error body: 400, `invalidSyntax` (not JSON) or `invalidValue`, `detail` naming
/// `field` when there is one.
fn assert_scim_refusal(what: &str, status: StatusCode, text: &str, field: Option<&str>) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{what}: {text}"
    );
    let kind = body["scimType"].as_str().unwrap_or_default();
    assert!(
        kind == "invalidSyntax" || kind == "invalidValue",
        "{what}: {text}"
    );
    if let Some(field) = field {
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(field), "{what}: {detail}");
    }
}

#[tokio::test]
async fn scim_refuses_malformed_bodies_naming_the_attribute() {
    let app = TestApp::new().await;
    let client = app_with_role(&app, "Entra provisioning", Role::UserAdministrator, None).await;
    let bearer = format!("Bearer {}", token(&app, client).await);
    let scim_json = "application/scim+json";
    let (status, group) = send(
        &app,
        "POST",
        "/scim/v2/Groups",
        &[
            (header::AUTHORIZATION, bearer.as_str()),
            (header::CONTENT_TYPE, scim_json),
        ],
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Sales" })
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group: Value = serde_json::from_str(&group).unwrap();
    let group = group["id"].as_str().unwrap().to_string();
    let user = app
        .id_of("SELECT id FROM users WHERE user_principal_name = 'adele@contoso.test'")
        .await;
    let before = app.snapshot().await;

    let patch = |operations: &str| {
        format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{operations}}}"#
        )
    };
    let calls = [
        (
            "POST",
            "/scim/v2/Users".to_string(),
            json_cases("userName", r#""active":true"#),
        ),
        (
            "POST",
            "/scim/v2/Groups".to_string(),
            json_cases("displayName", r#""externalId":"g""#),
        ),
        (
            "PATCH",
            format!("/scim/v2/Users/{user}"),
            vec![
                case(
                    r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#,
                    Some("Operations"),
                ),
                case(patch("42"), Some("Operations")),
                case(
                    patch(r#"[{"op":"replace","path":"active","value":{"nested":"x"}}]"#),
                    Some("active"),
                ),
                case(
                    patch(r#"[{"op":"replace","value":{"displayName":{"nested":"x"}}}]"#),
                    Some("displayName"),
                ),
                case(patch(&deep()), None),
                case(deep(), None),
                case(b"{\"Operations\":\"\xff\"}".to_vec(), None),
                case("", None),
            ],
        ),
        (
            "PATCH",
            format!("/scim/v2/Groups/{group}"),
            vec![
                case(patch("{}"), Some("Operations")),
                case(
                    patch(r#"[{"op":"add","path":"members","value":"x"}]"#),
                    Some("members"),
                ),
                case(
                    patch(r#"[{"op":"replace","path":"displayName","value":{"nested":"x"}}]"#),
                    Some("displayName"),
                ),
                case(patch(&deep()), None),
                case(b"\xff\xfe".to_vec(), None),
                case("", None),
            ],
        ),
    ];
    for (method, path, cases) in calls {
        for c in cases {
            let what = format!("{method} {path} {}", String::from_utf8_lossy(&c.body));
            let (status, text) = send(
                &app,
                method,
                &path,
                &[
                    (header::AUTHORIZATION, bearer.as_str()),
                    (header::CONTENT_TYPE, scim_json),
                ],
                c.body,
            )
            .await;
            assert_scim_refusal(&what, status, &text, c.field);
        }
    }
    assert_eq!(app.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------
// The token endpoint

#[tokio::test]
async fn the_token_endpoint_refuses_malformed_forms_naming_the_parameter() {
    let app = TestApp::new().await;
    let client = app_with_role(&app, "Client", Role::IdentityGovernanceAdministrator, None).await;
    let before = app.snapshot().await;
    let secret = crate::api::SECRET;
    for (content_type, body, error, words) in [
        (
            FORM,
            format!("grant_type=client_credentials&client_id={client}").into_bytes(),
            "invalid_request",
            "client_secret",
        ),
        (FORM, b"".to_vec(), "invalid_request", "grant_type"),
        (
            FORM,
            format!("grant_type=password&client_id={client}&client_secret={secret}").into_bytes(),
            "unsupported_grant_type",
            "client_credentials",
        ),
        (
            FORM,
            format!("grant_type[x]=client_credentials&client_id={client}&client_secret={secret}")
                .into_bytes(),
            "invalid_request",
            "grant_type",
        ),
        (
            FORM,
            format!("grant_type=client_credentials&client_id[]={client}&client_secret={secret}")
                .into_bytes(),
            "invalid_request",
            "client_id",
        ),
        (
            FORM,
            format!("grant_type=client_credentials&client_id={client}&client_id=x&client_secret={secret}")
                .into_bytes(),
            "invalid_request",
            "client_id",
        ),
        (
            FORM,
            [
                format!("grant_type=client_credentials&client_id={client}&client_secret=").as_bytes(),
                b"\xff\xfe",
            ]
            .concat(),
            "invalid_request",
            "UTF-8",
        ),
        (
            FORM,
            format!("grant_type=client_credentials&client_id={client}&client_secret=%FF%FE")
                .into_bytes(),
            "invalid_request",
            "client_secret",
        ),
        (
            JSON,
            json!({ "grant_type": "client_credentials", "client_id": client, "client_secret": secret })
                .to_string()
                .into_bytes(),
            "invalid_request",
            "x-www-form-urlencoded",
        ),
    ] {
        let what = String::from_utf8_lossy(&body).into_owned();
        let (status, text) = send(
            &app,
            "POST",
            "/oauth2/v2.0/token",
            &[(header::CONTENT_TYPE, content_type)],
            body,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["error"], error, "{what}: {text}");
        let description = answer["error_description"].as_str().unwrap_or_default();
        assert!(description.contains(words), "{what}: {description}");
    }
    assert_eq!(app.snapshot().await, before);
}

// ---------------------------------------------------------------------------------------
// Resume

#[tokio::test]
async fn resume_refuses_malformed_bodies_naming_the_property() {
    let app = TestApp::new().await;
    let catalog = marketing(&app).await;
    let client = app_with_role(
        &app,
        "Contoso SoD",
        Role::AccessPackageAssignmentManager,
        Some(catalog),
    )
    .await;
    let bearer = format!("Bearer {}", token(&app, client).await);
    let policy = app.policy("Employees, manager approval").await;
    let adele = app.principal("adele@contoso.test").await;
    let request = app::services::requests::submit(&app.state, &adele, policy, "Need it")
        .await
        .unwrap();
    let path = format!("{REST}/assignmentRequests/{request}/resume");
    let instance = uuid::Uuid::new_v4().to_string();
    let kind = "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated";
    let valid = json!({
        "type": kind,
        "source": "Contoso.SodCheckProcess",
        "data": { "stage": "assignmentRequestCreated", "customExtensionStageInstanceId": instance }
    });
    let with = |keys: &[&str], value: Value| {
        let mut body = valid.clone();
        let (last, parents) = keys.split_last().unwrap();
        let parent = parents.iter().fold(&mut body, |v, k| &mut v[*k]);
        parent[*last] = value;
        body.to_string()
    };
    let before = app.snapshot().await;
    for c in [
        case(json!({ "type": kind }).to_string(), Some("data.stage")),
        case(
            json!({ "type": kind, "data": { "stage": "assignmentRequestCreated" } }).to_string(),
            Some("data.customExtensionStageInstanceId"),
        ),
        case(json!({ "data": valid["data"] }).to_string(), Some("type")),
        case(with(&["type"], json!(42)), Some("type")),
        case(with(&["data", "stage"], json!(["x"])), Some("data.stage")),
        case(
            with(
                &["data", "customExtensionStageInstanceId"],
                json!({ "id": instance }),
            ),
            Some("data.customExtensionStageInstanceId"),
        ),
        case(with(&["data"], json!("x")), Some("data")),
        case(with(&["source"], json!({ "nested": "x" })), Some("source")),
        case(with(&["data", "state"], json!(true)), Some("data.state")),
        case(format!(r#"{{"type":{}"#, deep()), None),
        case(deep(), None),
        case("[]", None),
        case(b"{\"type\":\"\xff\xfe\"}".to_vec(), None),
        case("", None),
    ] {
        let what = String::from_utf8_lossy(&c.body).into_owned();
        let (status, text) = post_json(&app, &path, &bearer, c.body).await;
        assert_graph_refusal(&what, status, &text, c.field);
    }
    assert_eq!(app.snapshot().await, before);
}

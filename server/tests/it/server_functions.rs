use crate::harness::{form_post, json_post, text, TestApp, HOST, ORIGIN};
use axum::body::Body;
use http::{header, Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_returns_to_next() {
    let app = TestApp::new().await;
    let response = app
        .send(form_post(
            "/api/sign_in",
            "email=owner%40contoso.test&password=latch-demo&next=%2Fcatalogs",
            Some(ORIGIN),
        ))
        .await;
    assert_eq!(
        response.headers().get(header::LOCATION).unwrap(),
        "/catalogs"
    );
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("latch_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_does_anything() {
    let app = TestApp::new().await;
    let response = app
        .send(form_post(
            "/api/sign_in",
            "email=owner%40contoso.test&password=latch-demo&next=%2F",
            Some("https://evil.example"),
        ))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM sessions").await, 0);

    let cookie = app.sign_in("admin@contoso.test").await;
    let target = app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Legacy audit hook'")
        .await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await;
    let mut request = json_post(
        "/api/delete_extension",
        json!({ "catalog": catalog, "extension": target }),
        Some(&cookie),
    );
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(app.send(request).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM custom_extensions WHERE display_name = 'Legacy audit hook'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in() {
    let app = TestApp::new().await;
    let request = Request::get("/catalogs?x=1")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert!(response.status().is_redirection());
    assert_eq!(
        response.headers().get(header::LOCATION).unwrap(),
        "/sign-in?next=%2Fcatalogs%3Fx%3D1"
    );
}

#[tokio::test]
async fn server_functions_check_the_callers_role_not_the_ui() {
    let app = TestApp::new().await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await;
    let target = app
        .id_of("SELECT id FROM custom_extensions WHERE display_name = 'Legacy audit hook'")
        .await;
    let body = json!({ "catalog": catalog, "extension": target });

    let (status, anonymous) = text(
        app.send(json_post("/api/delete_extension", body.clone(), None))
            .await,
    )
    .await;
    assert!(anonymous.contains("NotSignedIn"), "{anonymous}");
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let requestor = app.sign_in("adele@contoso.test").await;
    let (status, refused) = text(
        app.send(json_post(
            "/api/delete_extension",
            body.clone(),
            Some(&requestor),
        ))
        .await,
    )
    .await;
    assert!(refused.contains("NotPermitted"), "{refused}");
    assert_eq!(status, StatusCode::FORBIDDEN);

    let manager = app.sign_in("manager@contoso.test").await;
    let (_, refused) = text(
        app.send(json_post(
            "/api/delete_extension",
            body.clone(),
            Some(&manager),
        ))
        .await,
    )
    .await;
    assert!(refused.contains("NotPermitted"), "{refused}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM custom_extensions WHERE display_name = 'Legacy audit hook'"
        )
        .await,
        1
    );

    let owner = app.sign_in("owner@contoso.test").await;
    let (status, _) = text(
        app.send(json_post("/api/delete_extension", body, Some(&owner)))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM custom_extensions WHERE display_name = 'Legacy audit hook'"
        )
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'customExtension.delete'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_create_with_bad_fields_answers_every_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await;
    let owner = app.sign_in("owner@contoso.test").await;
    let before = app.scalar("SELECT COUNT(*) FROM custom_extensions").await;
    let draft = json!({
        "displayName": "",
        "description": "",
        "kind": "assignmentRequest",
        "behaviour": { "mode": "launchAndContinue" },
        "endpoint": { "type": "http", "url": "http://example.com/hook" },
        "client": { "timeoutInMilliseconds": 100, "maximumRetries": 3 },
        "resourceId": null
    });
    let (status, answer) = text(
        app.send(json_post(
            "/api/create_extension",
            json!({ "catalog": catalog, "draft": draft }),
            Some(&owner),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["displayName", "url", "timeoutInMilliseconds"] {
        assert!(
            answer.contains(&format!("\"field\":\"{field}\"")),
            "{field} missing in {answer}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM custom_extensions").await,
        before
    );
}

/// A server-function call whose body does not decode is the caller's mistake: 400 with a
/// sentence naming what is wrong, and nothing written.
#[tokio::test]
async fn a_malformed_server_function_body_is_a_400_and_changes_nothing() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("admin@contoso.test").await;
    let users = app.scalar("SELECT COUNT(*) FROM users").await;
    // The refusal is about the path at fault (`api::codec`), or the body as a whole.
    for (body, field, words) in [
        (json!({}), "draft", "missing field `draft`"),
        (
            json!({ "draft": { "email": "n@contoso.test" } }),
            "draft.display_name",
            "draft: missing field `display_name`",
        ),
        (json!({ "draft": 42 }), "draft", "draft: invalid type"),
    ] {
        let response = app
            .send(json_post("/api/add_person", body.clone(), Some(&cookie)))
            .await;
        let (status, text) = text(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        let error: app::error::AppError = serde_json::from_str(&text).unwrap();
        let message = error.field_message(field).unwrap_or_default();
        assert!(
            message.starts_with("The request body is not valid: "),
            "{text}"
        );
        assert!(message.contains(words), "{body}: {message}");
    }
    let not_json = Request::post("/api/add_person")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, &cookie)
        .body(Body::from(vec![0xff, 0xfe, b'{']))
        .unwrap();
    let (status, _) = text(app.send(not_json).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, users);
}

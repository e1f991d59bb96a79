//! Brute force: failed sign-ins, client secrets and SCIM secret tokens are held, then refused
//! with 429 and `Retry-After`, alike for accounts that exist and accounts that do not. Time
//! moves on the test clock only (`attempt` advances it exactly to each held answer's end).

use crate::harness::{TestApp, HOST, ORIGIN};
use app::domain::throttle::ThrottleLimits;
use app::state::{Settings, ThrottleSettings};
use axum::body::Body;
use chrono::Duration;
use http::{header, Request, Response, StatusCode};

use app::store::demo::{DEMO_APP_ID as DEMO_APP, DEMO_APP_SECRET, DEMO_SCIM_APP_ID};

/// What a caller sees of an answer, for comparing two callers.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    location: Option<String>,
    retry_after: Option<String>,
    held_seconds: i64,
}

/// Sends `request`; when the answer is held, moves the test clock to the moment it is let go.
async fn attempt(app: &TestApp, request: Request<Body>) -> (Response<Body>, i64) {
    let clock = &app.state.clock;
    let answer = app.send(request);
    tokio::pin!(answer);
    let mut held = Duration::zero();
    loop {
        tokio::select! {
            biased;
            response = &mut answer => return (response, held.num_seconds()),
            _ = tokio::task::yield_now() => {}
        }
        if let Some(wake) = clock.next_wake() {
            let by = wake - clock.now();
            if by > Duration::zero() {
                clock.advance(by);
                held += by;
            }
        }
    }
}

fn seen(response: &Response<Body>, held_seconds: i64) -> Seen {
    let text = |name| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    Seen {
        status: response.status().as_u16(),
        location: text(header::LOCATION),
        retry_after: text(header::RETRY_AFTER),
        held_seconds,
    }
}

/// The sign-in form posted by a script (it does not ask for HTML), optionally through a proxy
/// that names the caller's address.
fn sign_in(email: &str, password: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("email", email)
        .append_pair("password", password)
        .append_pair("next", "/")
        .finish();
    let mut builder = Request::post("/api/sign_in")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(address) = forwarded_for {
        builder = builder.header("x-forwarded-for", address);
    }
    builder.body(Body::from(body)).unwrap()
}

fn token_request(client_id: &str, secret: &str) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", client_id)
        .append_pair("client_secret", secret)
        .append_pair("scope", "https://graph.microsoft.com/.default")
        .finish();
    Request::post("/oauth2/v2.0/token")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

/// `n` wrong passwords for `email`: what each answer looked like.
async fn wrong_passwords(app: &TestApp, email: &str, n: usize) -> Vec<Seen> {
    let mut answers = Vec::new();
    for _ in 0..n {
        let (response, held) = attempt(app, sign_in(email, "not-the-password", None)).await;
        answers.push(seen(&response, held));
    }
    answers
}

#[tokio::test]
async fn the_sixth_failed_sign_in_is_held_and_the_eleventh_is_refused_with_retry_after() {
    let app = TestApp::new().await;
    let answers = wrong_passwords(&app, "admin@contoso.test", 12).await;
    let held: Vec<i64> = answers.iter().map(|a| a.held_seconds).collect();
    assert_eq!(held, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 0, 0]);
    for refused in &answers[..10] {
        assert!(
            refused.location.as_deref().unwrap().contains("error="),
            "a wrong password goes back to the form with the reason: {refused:?}"
        );
    }
    for locked in &answers[10..] {
        assert_eq!(locked.status, 429, "{locked:?}");
        assert_eq!(locked.location, None);
    }
    assert_eq!(answers[10].retry_after.as_deref(), Some("900"));

    // Locked: the right password is refused too, without being checked.
    let (response, _) = attempt(
        &app,
        sign_in("admin@contoso.test", app::store::demo::DEMO_PASSWORD, None),
    )
    .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let (_, body) = crate::harness::text(response).await;
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(
        error.to_string(),
        "Too many failed attempts. Try again in 15 minutes."
    );

    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'signIn.lockout' \
             AND object_kind = 'account' AND object_id = 'admin@contoso.test'"
        )
        .await,
        1,
        "one lockout, one audit event"
    );
}

#[tokio::test]
async fn a_lockout_ends_and_a_successful_sign_in_forgets_the_failures() {
    let app = TestApp::new().await;
    wrong_passwords(&app, "admin@contoso.test", 11).await;
    app.state.clock.advance(Duration::minutes(15));
    assert!(
        app.sign_in_with("admin@contoso.test", app::store::demo::DEMO_PASSWORD)
            .await
            .is_some(),
        "the lockout is over"
    );
    let again = wrong_passwords(&app, "admin@contoso.test", 6).await;
    let held: Vec<i64> = again.iter().map(|a| a.held_seconds).collect();
    assert_eq!(held, [0, 0, 0, 0, 0, 1], "counting starts again from zero");
}

#[tokio::test]
async fn an_account_that_does_not_exist_is_answered_exactly_like_one_that_does() {
    let real = TestApp::new().await;
    let made_up = TestApp::new().await;
    let for_real = wrong_passwords(&real, "admin@contoso.test", 12).await;
    let for_made_up = wrong_passwords(&made_up, "nobody@contoso.test", 12).await;
    let strip_email = |answers: Vec<Seen>| -> Vec<Seen> {
        answers
            .into_iter()
            .map(|a| Seen {
                location: a
                    .location
                    .map(|l| l.split("&email=").next().unwrap().to_string()),
                ..a
            })
            .collect()
    };
    assert_eq!(strip_email(for_real), strip_email(for_made_up));
}

#[tokio::test]
async fn a_browser_that_is_locked_out_is_told_so_on_the_form() {
    let app = TestApp::new().await;
    wrong_passwords(&app, "alex@contoso.test", 11).await;
    let body = "email=alex%40contoso.test&password=latch-demo&next=%2F";
    let (response, _) = attempt(
        &app,
        crate::harness::form_post("/api/sign_in", body, Some(ORIGIN)),
    )
    .await;
    assert!(response.status().is_redirection());
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with("/sign-in?") && location.contains("Too+many+failed+attempts"),
        "{location}"
    );
    assert!(response.headers().get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled_but_another_address_is_not() {
    let settings = Settings {
        throttle: ThrottleSettings {
            address: ThrottleLimits {
                free_failures: 3,
                max_failures: 4,
                ..ThrottleLimits::ADDRESS
            },
            address_header: Some("x-forwarded-for".into()),
            ..ThrottleSettings::default()
        },
        ..Settings::for_tests()
    };
    let app = TestApp::with(settings).await;
    let mut held = Vec::new();
    for n in 0..5 {
        let email = format!("guess{n}@contoso.test");
        let (response, seconds) = attempt(
            &app,
            sign_in(&email, "password1", Some("203.0.113.1, 192.0.2.66")),
        )
        .await;
        held.push((response.status().as_u16(), seconds));
    }
    // A script's refused sign-in is a 200 naming the form to go back to (server functions'
    // redirect for callers that do not ask for HTML).
    assert_eq!(held, [(200, 0), (200, 0), (200, 0), (200, 1), (429, 0)]);
    // The proxy's last entry is the address: the forged first one does not matter.
    let (elsewhere, seconds) = attempt(
        &app,
        sign_in(
            "admin@contoso.test",
            app::store::demo::DEMO_PASSWORD,
            Some("192.0.2.66, 198.51.100.5"),
        ),
    )
    .await;
    assert_eq!((elsewhere.status().as_u16(), seconds), (200, 0));
    assert!(elsewhere.headers().get(header::SET_COOKIE).is_some());
}

#[tokio::test]
async fn the_token_endpoint_holds_then_refuses_a_guessed_client_secret() {
    let app = TestApp::new().await;
    let mut answers = Vec::new();
    for _ in 0..11 {
        let (response, held) = attempt(&app, token_request(DEMO_APP, "latch_wrong")).await;
        answers.push(seen(&response, held));
    }
    let held: Vec<i64> = answers.iter().map(|a| a.held_seconds).collect();
    assert_eq!(held, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 0]);
    assert!(answers[..10].iter().all(|a| a.status == 401));
    assert_eq!(answers[10].status, 429);
    assert_eq!(answers[10].retry_after.as_deref(), Some("900"));

    let (response, _) = attempt(&app, token_request(DEMO_APP, DEMO_APP_SECRET)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let (_, body) = crate::harness::text(response).await;
    assert!(
        body.contains("\"error\":\"temporarily_unavailable\""),
        "{body}"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'signIn.lockout' AND object_kind = 'client'"
        )
        .await,
        1
    );

    app.state.clock.advance(Duration::minutes(15));
    let (response, _) = attempt(&app, token_request(DEMO_APP, DEMO_APP_SECRET)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn scim_secret_tokens_are_throttled_like_client_secrets() {
    let app = TestApp::new().await;
    let request = || {
        Request::get("/scim/v2/Users")
            .header(header::HOST, HOST)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {DEMO_SCIM_APP_ID}:wrong"),
            )
            .body(Body::empty())
            .unwrap()
    };
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (response, _) = attempt(&app, request()).await;
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(response.headers()[header::RETRY_AFTER], "900");
        }
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10], 429);
}

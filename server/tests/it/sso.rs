//! Single sign-on through the real router against a stand-in provider on loopback (`idp.rs`):
//! the person is found by e-mail and linked, then by issuer + subject; unknown and disabled
//! people are refused (or created, when configured); and every forged or replayed answer is
//! refused with a plain sentence on the sign-in page.

use crate::harness::{TestApp, HOST, ORIGIN};
use crate::idp::TestIdp;
use app::callout::keys::SigningKey;
use app::callout::token::sign_jwt;
use app::oidc::FlowCookie;
use app::state::{OidcSettings, Settings};
use axum::body::Body;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use http::{header, Request, StatusCode};
use serde_json::{json, Value};

const CLIENT_ID: &str = "latch-test";
const CLIENT_SECRET: &str = "the-client-secret";

fn other_key() -> SigningKey {
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(&mut rand::rngs::OsRng).unwrap())
        .clone()
}

struct Sso {
    app: TestApp,
    idp: TestIdp,
    key: SigningKey,
}

async fn setup(create_users: bool, local_sign_in: bool) -> Sso {
    let key = crate::harness::test_key();
    let idp = TestIdp::start(key.clone()).await;
    let app = TestApp::with(Settings {
        oidc: Some(OidcSettings {
            issuer: idp.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            name: "Contoso".into(),
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            create_users,
        }),
        local_sign_in,
        ..Settings::for_tests()
    })
    .await;
    Sso { app, idp, key }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn set_cookie(response: &http::Response<Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn location(response: &http::Response<Body>) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// A sign-in under way: the flow cookie as the browser holds it, and what it carries.
struct Started {
    cookie: String,
    flow: FlowCookie,
    authorize: url::Url,
}

async fn start(s: &Sso, next: &str) -> Started {
    let response = s
        .app
        .send(get(&format!("/auth/oidc/start?next={next}"), None))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let authorize = url::Url::parse(&location(&response)).unwrap();
    let cookie = set_cookie(&response, "latch_oidc").expect("the flow cookie");
    let flow = FlowCookie::decode(cookie.split_once('=').unwrap().1).unwrap();
    Started {
        cookie,
        flow,
        authorize,
    }
}

fn claims(s: &Sso, started: &Started, email: &str, subject: &str) -> Value {
    let now = s.app.state.clock.now().timestamp();
    json!({
        "iss": s.idp.issuer, "aud": CLIENT_ID, "sub": subject, "email": email,
        "name": "Megan Bowen", "nonce": started.flow.nonce, "iat": now, "exp": now + 300
    })
}

/// The provider's redirect back; (where Latch sends the browser, the session cookie if any).
async fn callback(s: &Sso, started: &Started, code: &str, state: &str) -> (String, Option<String>) {
    let path = format!("/auth/oidc/callback?code={code}&state={state}");
    let response = s.app.send(get(&path, Some(&started.cookie))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    let cleared = set_cookie(&response, "latch_oidc");
    assert_eq!(
        cleared.as_deref(),
        Some("latch_oidc="),
        "the flow cookie is spent either way"
    );
    (location(&response), set_cookie(&response, "latch_session"))
}

/// Signs in with an ID token made of these claims by `key`; where the browser lands.
async fn sign_in_with(s: &Sso, started: &Started, token: String) -> (String, Option<String>) {
    s.idp.answer_with(token);
    let code = uuid::Uuid::new_v4().to_string();
    callback(s, started, &code, &started.flow.state.clone()).await
}

fn refused_with(landing: &(String, Option<String>), words: &str) {
    assert!(landing.1.is_none(), "no session: {landing:?}");
    let url = url::Url::parse(&format!("http://x{}", landing.0)).unwrap();
    assert_eq!(url.path(), "/sign-in");
    let error: String = url
        .query_pairs()
        .find(|(k, _)| k == "error")
        .unwrap()
        .1
        .into_owned();
    assert!(error.contains(words), "{error:?} should say {words:?}");
}

async fn principal(s: &Sso, session: &str) -> app::auth::authz::Principal {
    let token = session.split_once('=').unwrap().1;
    app::services::session::principal(&s.app.state, Some(token))
        .await
        .unwrap()
}

fn unsigned(alg: &str, claims: &Value, secret: Option<&str>) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let signature = match secret {
        Some(secret) => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        None => String::new(),
    };
    format!("{input}.{signature}")
}

#[tokio::test]
async fn a_person_in_the_directory_signs_in_with_their_roles_and_is_linked() {
    let s = setup(false, true).await;
    let started = start(&s, "/catalogs").await;
    let q: std::collections::HashMap<_, _> = started.authorize.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["redirect_uri"],
        "http://127.0.0.1:3000/auth/oidc/callback"
    );
    assert!(q["scope"].contains("openid") && q["scope"].contains("email"));
    assert_eq!(q["state"], started.flow.state);
    assert_eq!(q["nonce"], started.flow.nonce);

    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "Admin@Contoso.test", "sub-megan"),
    );
    let (to, session) = sign_in_with(&s, &started, token).await;
    assert_eq!(to, "/catalogs");
    let megan = principal(&s, &session.expect("a session")).await;
    assert_eq!(megan.user_principal_name, "admin@contoso.test");
    assert!(megan.is_admin(), "with her roles");
    let sent = s.idp.token_requests();
    assert!(
        sent[0].get("code_verifier").is_some_and(|v| v.len() >= 43),
        "PKCE verifier sent"
    );

    // Linked: the next sign-in finds her by issuer + subject though her e-mail changed there.
    let again = start(&s, "/").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &again, "megan.bowen@fabrikam.test", "sub-megan"),
    );
    let (_, session) = sign_in_with(&s, &again, token).await;
    assert_eq!(
        principal(&s, &session.unwrap()).await.user_principal_name,
        "admin@contoso.test"
    );
}

#[tokio::test]
async fn unknown_people_are_refused_or_created_and_disabled_people_are_refused() {
    let s = setup(false, true).await;
    let started = start(&s, "/").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "stranger@fabrikam.test", "sub-x"),
    );
    refused_with(
        &sign_in_with(&s, &started, token).await,
        "No Latch account matches stranger@fabrikam.test",
    );
    assert_eq!(
        s.app
            .scalar(
                "SELECT COUNT(*) FROM users WHERE user_principal_name = 'stranger@fabrikam.test'"
            )
            .await,
        0
    );

    sqlx::query("UPDATE users SET enabled = 0 WHERE user_principal_name = 'alex@contoso.test'")
        .execute(&s.app.state.db)
        .await
        .unwrap();
    let started = start(&s, "/").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "alex@contoso.test", "sub-alex"),
    );
    refused_with(&sign_in_with(&s, &started, token).await, "disabled");

    let s = setup(true, true).await;
    let started = start(&s, "/my-access").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "stranger@fabrikam.test", "sub-x"),
    );
    let (to, session) = sign_in_with(&s, &started, token).await;
    assert_eq!(to, "/my-access");
    let created = principal(&s, &session.unwrap()).await;
    assert_eq!(created.user_principal_name, "stranger@fabrikam.test");
    assert_eq!(created.display_name, "Megan Bowen");
    assert!(!created.has_governance_role(), "a new person holds no role");
}

/// Makes the ID token of one refused case.
type Forge = Box<dyn Fn(&Sso, &Started) -> String>;

#[tokio::test]
async fn forged_and_replayed_answers_are_refused() {
    let s = setup(false, true).await;
    let other = other_key();
    // (what is wrong, how the token is made, what the person reads)
    let cases: Vec<(&str, Forge)> = vec![
        (
            "nonce mismatch",
            Box::new(|s, st| {
                let mut c = claims(s, st, "admin@contoso.test", "sub-megan");
                c["nonce"] = json!("another nonce");
                sign_jwt(&s.key, &c)
            }),
        ),
        (
            "wrong issuer",
            Box::new(|s, st| {
                let mut c = claims(s, st, "admin@contoso.test", "sub-megan");
                c["iss"] = json!("https://evil.example");
                sign_jwt(&s.key, &c)
            }),
        ),
        (
            "wrong audience",
            Box::new(|s, st| {
                let mut c = claims(s, st, "admin@contoso.test", "sub-megan");
                c["aud"] = json!("another-client");
                sign_jwt(&s.key, &c)
            }),
        ),
        (
            "expired",
            Box::new(|s, st| {
                let mut c = claims(s, st, "admin@contoso.test", "sub-megan");
                let past = s.app.state.clock.now().timestamp() - 600;
                c["iat"] = json!(past - 300);
                c["exp"] = json!(past);
                sign_jwt(&s.key, &c)
            }),
        ),
        (
            "alg none",
            Box::new(|s, st| {
                unsigned(
                    "none",
                    &claims(s, st, "admin@contoso.test", "sub-megan"),
                    None,
                )
            }),
        ),
        (
            "HS256 with the client secret",
            Box::new(|s, st| {
                unsigned(
                    "HS256",
                    &claims(s, st, "admin@contoso.test", "sub-megan"),
                    Some(CLIENT_SECRET),
                )
            }),
        ),
        (
            "a key the provider never published",
            Box::new(move |s, st| {
                sign_jwt(&other, &claims(s, st, "admin@contoso.test", "sub-megan"))
            }),
        ),
        ("not a JWT", Box::new(|_, _| "garbage".to_string())),
    ];
    for (what, make) in cases {
        let started = start(&s, "/").await;
        let token = make(&s, &started);
        let landing = sign_in_with(&s, &started, token).await;
        assert!(landing.1.is_none(), "{what}: no session");
        refused_with(&landing, "could not be verified");
    }
    assert_eq!(s.app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        s.app.scalar("SELECT COUNT(*) FROM user_identities").await,
        0
    );

    // State mismatch, a missing flow cookie, an expired flow, and the provider's own refusal.
    let started = start(&s, "/").await;
    s.idp.answer_with(sign_jwt(
        &s.key,
        &claims(&s, &started, "admin@contoso.test", "sub-megan"),
    ));
    refused_with(
        &callback(&s, &started, "c1", "forged-state").await,
        "did not start here",
    );
    let response = s
        .app
        .send(get(
            &format!("/auth/oidc/callback?code=c2&state={}", started.flow.state),
            None,
        ))
        .await;
    refused_with(&(location(&response), None), "did not start here");
    let late = start(&s, "/").await;
    s.app.state.clock.advance(chrono::Duration::minutes(11));
    refused_with(
        &callback(&s, &late, "c3", &late.flow.state.clone()).await,
        "expired",
    );
    let response = s
        .app
        .send(get(
            "/auth/oidc/callback?error=access_denied&state=x",
            Some(&late.cookie),
        ))
        .await;
    refused_with(&(location(&response), None), "cancelled or refused");

    // A replay of a successful answer: the provider refuses the used code.
    let started = start(&s, "/").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "admin@contoso.test", "sub-megan"),
    );
    s.idp.answer_with(token);
    let first = callback(&s, &started, "once", &started.flow.state.clone()).await;
    assert!(first.1.is_some());
    refused_with(
        &callback(&s, &started, "once", &started.flow.state.clone()).await,
        "could not reach",
    );
}

#[tokio::test]
async fn rotated_keys_are_fetched_again() {
    let s = setup(false, true).await;
    let started = start(&s, "/").await;
    let rotated = other_key();
    s.idp.publish(vec![rotated.clone(), s.key.clone()]);
    let token = sign_jwt(
        &rotated,
        &claims(&s, &started, "admin@contoso.test", "sub-megan"),
    );
    let (_, session) = sign_in_with(&s, &started, token).await;
    assert!(
        session.is_some(),
        "the new key was fetched and the token verified"
    );
}

#[tokio::test]
async fn without_local_sign_in_the_password_form_is_refused_and_sign_out_reaches_the_provider() {
    let s = setup(false, false).await;
    let options = app::services::session::sign_in_options(&s.app.state);
    assert_eq!(
        (options.single_sign_on.as_deref(), options.password),
        (Some("Contoso"), false)
    );
    let response = s
        .app
        .send(crate::harness::form_post(
            "/api/sign_in",
            "email=admin%40contoso.test&password=latch-demo&next=%2F",
            Some(ORIGIN),
        ))
        .await;
    assert!(
        set_cookie(&response, "latch_session").is_none(),
        "no session"
    );
    refused_with(
        &(location(&response), None),
        "password sign-in is turned off",
    );

    let started = start(&s, "/").await;
    let token = sign_jwt(
        &s.key,
        &claims(&s, &started, "admin@contoso.test", "sub-megan"),
    );
    let (_, session) = sign_in_with(&s, &started, token).await;
    let session = session.unwrap();
    let next =
        app::services::session::sign_out(&s.app.state, Some(session.split_once('=').unwrap().1))
            .await
            .unwrap();
    let url = url::Url::parse(&next).unwrap();
    assert_eq!(url.path(), "/logout");
    assert!(
        next.contains("post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fsign-in"),
        "{next}"
    );
    assert_eq!(s.app.scalar("SELECT COUNT(*) FROM sessions").await, 0);
}

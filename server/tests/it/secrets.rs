//! Secrets at rest (`LATCH_SECRET_KEY`): Latch started as `main` starts it, on a real SQLite
//! file whose bytes the tests read; callouts verified by a real receiver with the secret the
//! administrator was shown, before and after `server secrets rotate-key`; start-up refused
//! without the key or with another one.

use crate::harness::{Place, TestApp};
use crate::receiver::{Received, TestReceiver};
use app::callout::token::verify_jwt;
use app::clock::Clock;
use app::domain::endpoint::Endpoint;
use app::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use app::domain::ids::{CatalogId, ExtensionId};
use app::domain::kind::ExtensionKind;
use app::domain::stage::Stage;
use app::engine::worker::drain;
use app::services::{connection, extensions, requests};
use app::store::sealed::SecretKey;
use server::cli::{self, Command, NewKey};
use std::collections::HashMap;

async fn start(key: Option<&SecretKey>) -> TestApp {
    start_in(Place::new().await, key).await
}

/// For tests that read the database file itself: SQLite whatever the backend.
async fn start_in(place: Place, key: Option<&SecretKey>) -> TestApp {
    TestApp::start_with_key(place, key, Clock::fixed(chrono::Utc::now()))
        .await
        .map_err(|(problem, _)| problem)
        .unwrap()
}

async fn restart(app: TestApp, key: Option<&SecretKey>) -> Result<TestApp, String> {
    let (place, clock) = app.stop().await;
    TestApp::start_with_key(place, key, clock)
        .await
        .map_err(|(problem, _)| problem)
}

async fn marketing(app: &TestApp) -> CatalogId {
    app.id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await
        .parse()
        .unwrap()
}

fn draft(url: &str) -> ExtensionDraft {
    ExtensionDraft {
        display_name: "Contoso.Provisioning".into(),
        description: String::new(),
        kind: ExtensionKind::AssignmentRequest,
        behaviour: Behaviour::LaunchAndContinue,
        endpoint: Endpoint::Http {
            url: format!("{url}/hooks/provisioning"),
        },
        client: ClientConfiguration::default(),
        resource_id: None,
    }
}

/// Every signing secret Latch holds (current and previous), read back through the store, and
/// its RSA private key.
async fn every_secret(app: &TestApp) -> Vec<String> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM custom_extensions ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let mut conn = app.state.db.acquire().await.unwrap();
    let mut secrets = Vec::new();
    for id in ids {
        let id: ExtensionId = id.parse().unwrap();
        secrets.extend(
            app::store::extensions::signing_secrets(
                &mut conn,
                &app.state.sealer,
                id,
                app.state.clock.now(),
            )
            .await
            .unwrap(),
        );
    }
    secrets.push(app.state.keys.to_pkcs8_pem().unwrap());
    secrets
}

/// The bytes of the database file and its write-ahead log, as they are and again after the
/// log was checkpointed into the file.
async fn file_bytes(app: &TestApp) -> Vec<u8> {
    let read = |path: std::path::PathBuf| std::fs::read(path).unwrap_or_default();
    let wal = || {
        let mut name = app.db_file().into_os_string();
        name.push("-wal");
        std::path::PathBuf::from(name)
    };
    let mut bytes = read(app.db_file());
    bytes.extend(read(wal()));
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&app.state.db)
        .await
        .unwrap();
    bytes.extend(read(app.db_file()));
    bytes.extend(read(wal()));
    bytes
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes
        .windows(text.len())
        .any(|window| window == text.as_bytes())
}

/// The parts of a secret that must not be found: the whole value, and for a PEM each line of
/// its base64 body and its armour.
fn needles(secret: &str) -> Vec<String> {
    let mut needles = vec![secret.to_string()];
    if secret.contains("PRIVATE KEY") {
        needles.extend(
            secret
                .lines()
                .filter(|line| line.len() >= 16)
                .map(str::to_string),
        );
        needles.push("PRIVATE KEY".into());
    } else if let Some(body) = secret.strip_prefix("whsec_") {
        needles.push(body.to_string());
    }
    needles
}

fn assert_none_in_the_clear(bytes: &[u8], secrets: &[String]) {
    for secret in secrets {
        for needle in needles(secret) {
            assert!(
                !holds(bytes, &needle),
                "the database file holds {:?}… in the clear",
                &needle[..12.min(needle.len())]
            );
        }
    }
}

/// The receiver's call carries a Standard Webhooks signature made with `secret` and a PoP
/// token Latch's JWKS verifies; returns the token's key id.
async fn assert_verifies(app: &TestApp, call: &Received, secret: &str) -> String {
    assert!(
        call.signed_with(secret),
        "the signature verifies with the secret the administrator was shown"
    );
    let jwks = app.jwks().await;
    let token = call
        .header("authorization")
        .strip_prefix("PoP ")
        .expect("a PoP token");
    verify_jwt(&jwks, token, app.state.clock.now()).expect("the token verifies");
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_string()
}

async fn rotate_key(app: &TestApp, new_key: &SecretKey) -> (u8, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.key");
    std::fs::write(&path, format!("{}\n", new_key.to_base64())).unwrap();
    let command = Command::SecretsRotateKey {
        new_key: NewKey::File(path.to_str().unwrap().into()),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&app.state, command, &mut &b""[..], &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test]
async fn with_a_key_the_database_file_holds_no_secret_in_the_clear() {
    let key = SecretKey::generate();
    let app = start_in(Place::sqlite(), Some(&key)).await;
    let admin = app.principal("admin@contoso.test").await;
    let catalog = marketing(&app).await;
    let created = extensions::create(&app.state, &admin, catalog, draft("http://127.0.0.1:9"))
        .await
        .unwrap();
    // A rotation keeps the old secret beside the new one: both are stored.
    let rotated = extensions::rotate_secret(&app.state, &admin, catalog, created.id)
        .await
        .unwrap();

    let secrets = every_secret(&app).await;
    assert!(secrets.contains(&created.signing_secret));
    assert!(secrets.contains(&rotated.signing_secret));
    let extensions = app.scalar("SELECT COUNT(*) FROM custom_extensions").await;
    assert_eq!(
        secrets.len() as i64,
        extensions + 2,
        "every extension's secret, the rotated one's previous secret and the RSA key"
    );
    let bytes = file_bytes(&app).await;
    assert_none_in_the_clear(&bytes, &secrets);
    assert!(holds(&bytes, &format!("sealed:v1:{}:", key.id())));
    let in_the_clear: i64 = app
        .scalar(
            "SELECT (SELECT COUNT(*) FROM custom_extensions WHERE signing_secret NOT LIKE 'sealed:v1:%' \
               OR previous_signing_secret NOT LIKE 'sealed:v1:%') \
             + (SELECT COUNT(*) FROM signing_keys WHERE private_key_pem NOT LIKE 'sealed:v1:%')",
        )
        .await;
    assert_eq!(in_the_clear, 0);
}

#[tokio::test]
async fn callouts_verify_with_the_shown_secret_before_and_after_a_key_rotation() {
    let key = SecretKey::generate();
    let app = start(Some(&key)).await;
    let receiver = TestReceiver::start().await;
    let admin = app.principal("admin@contoso.test").await;
    let catalog = marketing(&app).await;
    let created = extensions::create(&app.state, &admin, catalog, draft(&receiver.url))
        .await
        .unwrap();
    // Creating it queued a connection test: a callout signed like every other.
    drain(&app.state).await.unwrap();
    let calls = receiver.calls();
    assert_eq!(calls.len(), 1);
    let kid_before = assert_verifies(&app, &calls[0], &created.signing_secret).await;
    receiver.clear();

    let new_key = SecretKey::generate();
    let (code, out, err) = rotate_key(&app, &new_key).await;
    assert_eq!(code, 0, "{err}");
    let values: i64 = app
        .scalar(
            "SELECT (SELECT COUNT(*) FROM custom_extensions) \
               + (SELECT COUNT(previous_signing_secret) FROM custom_extensions) \
               + (SELECT COUNT(*) FROM signing_keys)",
        )
        .await;
    assert!(
        out.starts_with(&format!(
            "Re-encrypted {values} secret(s) under key id {}.\nRestart Latch with the new key",
            new_key.id()
        )),
        "{out}"
    );
    let audited: i64 = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'secretKey.rotate'")
        .await;
    assert_eq!(audited, 1);

    // The old key no longer starts Latch; the new one does.
    let (place, clock) = app.stop().await;
    let (problem, place) = TestApp::start_with_key(place, Some(&key), clock.clone())
        .await
        .err()
        .unwrap();
    assert!(
        problem.starts_with(&format!(
            "LATCH_SECRET_KEY does not match the key the database was encrypted with (key id {})",
            new_key.id()
        )),
        "{problem}"
    );
    let app = TestApp::start_with_key(place, Some(&new_key), clock)
        .await
        .map_err(|(problem, _)| problem)
        .unwrap();

    // A connection test on demand, and a real request's callout through the worker: both
    // verify with the secret shown at creation and the same RSA key.
    let admin = app.principal("admin@contoso.test").await;
    let tested = connection::test(&app.state, &admin, catalog, created.id)
        .await
        .unwrap();
    assert!(tested.passed, "{tested:?}");
    let policy = app.policy("Employees, manager approval").await;
    app.map_stages(policy, &[(Stage::AssignmentRequestCreated, created.id)])
        .await;
    let adele = app.principal("adele@contoso.test").await;
    requests::submit(&app.state, &adele, policy, "Need it for the Q3 campaign")
        .await
        .unwrap();
    drain(&app.state).await.unwrap();

    let calls = receiver.calls();
    assert_eq!(
        calls.len(),
        2,
        "the connection test and the request's callout"
    );
    assert_eq!(
        calls[1].json()["Stage"],
        Stage::AssignmentRequestCreated.wire_name()
    );
    for call in &calls {
        let kid = assert_verifies(&app, call, &created.signing_secret).await;
        assert_eq!(kid, kid_before, "the same RSA key, opened with the new key");
    }
}

#[tokio::test]
async fn secrets_stored_in_the_clear_are_sealed_at_the_first_start_with_a_key() {
    let app = start_in(Place::sqlite(), None).await;
    let before = every_secret(&app).await;
    let kid_before = app.state.keys.kid().to_string();
    let bytes = file_bytes(&app).await;
    assert!(
        before.iter().all(|secret| holds(&bytes, secret)),
        "without a key every secret is in the file as it is"
    );

    let key = SecretKey::generate();
    let app = restart(app, Some(&key)).await.unwrap();
    assert_eq!(
        every_secret(&app).await,
        before,
        "the same secrets, now sealed"
    );
    assert_eq!(app.state.keys.kid(), kid_before);
    let bytes = file_bytes(&app).await;
    assert_none_in_the_clear(&bytes, &before);

    // A later start finds nothing left to seal and the same secrets.
    let app = restart(app, Some(&key)).await.unwrap();
    assert_eq!(every_secret(&app).await, before);
}

#[tokio::test]
async fn without_the_key_or_with_another_one_start_up_stops_naming_the_setting() {
    let key = SecretKey::generate();
    let app = start(Some(&key)).await;
    let (place, clock) = app.stop().await;

    let (problem, place) = TestApp::start_with_key(place, None, clock.clone())
        .await
        .err()
        .unwrap();
    assert!(
        problem.contains(&format!("is encrypted (key id {})", key.id()))
            && problem.contains("set LATCH_SECRET_KEY or LATCH_SECRET_KEY_FILE"),
        "{problem}"
    );

    // Through the configuration, as `main` reads it.
    let other = SecretKey::generate();
    let env: HashMap<String, String> =
        HashMap::from([("LATCH_SECRET_KEY".into(), other.to_base64())]);
    let (config, _) = server::config::Config::load(None, &env).unwrap();
    let db = app::store::connect(&place.url).await.unwrap();
    let problem = server::secrets::unlock(&db, config.secret_key.as_ref())
        .await
        .unwrap_err();
    assert_eq!(
        problem,
        format!(
            "LATCH_SECRET_KEY does not match the key the database was encrypted with (key id {}); \
             the key set has id {}",
            key.id(),
            other.id()
        )
    );
    db.close().await;

    let app = TestApp::start_with_key(place, Some(&key), clock)
        .await
        .map_err(|(problem, _)| problem)
        .unwrap();
    assert!(!every_secret(&app).await.is_empty());
}

#[tokio::test]
async fn a_sealed_secret_moved_to_another_row_stops_start_up() {
    let key = SecretKey::generate();
    let app = start(Some(&key)).await;
    // Someone with write access to the file swaps two extensions' sealed secrets.
    sqlx::query(
        "UPDATE custom_extensions SET signing_secret = \
           (SELECT signing_secret FROM custom_extensions WHERE display_name = 'Welcome mail') \
         WHERE display_name = 'Legacy audit hook'",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    let problem = restart(app, Some(&key)).await.err().unwrap();
    assert!(
        problem.starts_with("custom_extensions.signing_secret of ")
            && problem.ends_with("does not decrypt: it was altered or moved from another row"),
        "{problem}"
    );
}

#[tokio::test]
async fn rotate_key_refuses_the_key_in_use_and_what_is_not_a_key() {
    let key = SecretKey::generate();
    let app = start(Some(&key)).await;
    let (code, _, err) = rotate_key(&app, &key).await;
    assert_eq!(code, 2);
    assert!(err.contains("the new key is the key in use"), "{err}");

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let command = Command::SecretsRotateKey {
        new_key: NewKey::Stdin,
    };
    let code = cli::run(
        &app.state,
        command,
        &mut &b"too short\n"[..],
        &mut out,
        &mut err,
    )
    .await;
    assert_eq!(code, 2);
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("32 random bytes in base64"), "{err}");

    // From standard input, a good key works; the database still opens with it.
    let new_key = SecretKey::generate();
    let line = format!("{}\n", new_key.to_base64());
    let command = Command::SecretsRotateKey {
        new_key: NewKey::Stdin,
    };
    let code = cli::run(
        &app.state,
        command,
        &mut line.as_bytes(),
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .await;
    assert_eq!(code, 0);
    assert!(restart(app, Some(&new_key)).await.is_ok());
}

#[test]
fn generate_key_prints_a_key_the_setting_takes() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(cli::generate_key(&mut out, &mut err), 0);
    let printed = String::from_utf8(out).unwrap();
    let key = SecretKey::from_base64(&printed).unwrap();
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains(&format!("key id {}", key.id())), "{err}");
}

//! The operator's commands on a fresh database without demo data: the first administrator
//! through a setup link or a password on standard input, an app for provisioning, and the
//! leaver path for scripts. The commands run as `server` runs them (`cli::run`), on the real
//! database file; sign-in goes through the real router.

use crate::harness::TestApp;
use app::directory::setup;
use chrono::Duration;
use server::cli::{self, Command};

/// Runs a command; (exit code, standard output, standard error).
async fn run(app: &TestApp, command: Command, stdin: &str) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        &app.state,
        command,
        &mut std::io::Cursor::new(stdin.as_bytes().to_vec()),
        &mut out,
        &mut err,
    )
    .await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn admin_add(email: &str, name: &str, password_stdin: bool) -> Command {
    Command::AdminAdd {
        email: email.into(),
        display_name: name.into(),
        password_stdin,
    }
}

/// The setup link's token, from the command's output.
fn token_in(output: &str) -> String {
    let url = output
        .lines()
        .find(|l| l.contains("/setup/"))
        .unwrap_or_else(|| panic!("no setup link in {output:?}"));
    url.rsplit('/').next().unwrap().trim().to_string()
}

#[tokio::test]
async fn the_first_administrator_sets_a_password_on_the_setup_link_and_signs_in() {
    let app = TestApp::empty().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0);
    let (code, out, err) = run(&app, admin_add("Ann@Contoso.test", "Ann Lee", false), "").await;
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Created Ann@Contoso.test"), "{out}");
    assert!(out.contains("http://127.0.0.1:3000/setup/"), "{out}");
    let token = token_in(&out);

    // No password yet: nobody signs in as Ann.
    assert_eq!(app.sign_in_with("ann@contoso.test", "").await, None);
    let invitation = setup::invitation(&app.state, &token).await.unwrap();
    assert_eq!(invitation.email, "ann@contoso.test");
    let short = setup::complete(&app.state, &token, "short", "short")
        .await
        .unwrap_err();
    assert_eq!(
        short.field_message("password").as_deref(),
        Some("Password must be at least 12 characters.")
    );
    setup::complete(&app.state, &token, "a long passphrase", "a long passphrase")
        .await
        .unwrap();
    let cookie = app
        .sign_in_with("ann@contoso.test", "a long passphrase")
        .await
        .expect("signed in");
    let ann = app::services::session::principal(
        &app.state,
        Some(cookie.trim_start_matches("latch_session=")),
    )
    .await;
    assert!(ann.is_ok_and(|p| p.is_admin()), "Ann is the administrator");

    // The link works once.
    let again = setup::complete(
        &app.state,
        &token,
        "another passphrase",
        "another passphrase",
    )
    .await
    .unwrap_err();
    assert!(
        again.to_string().contains("expired or was already used"),
        "{again}"
    );
    let audit = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('user.addAdministrator', 'user.setPassword')")
        .await;
    assert_eq!(audit, 2);
    let stored: String = app.id_of("SELECT token_hash FROM setup_links").await;
    assert_ne!(stored, token, "the link's token is stored hashed");
}

#[tokio::test]
async fn a_setup_link_expires_after_24_hours() {
    let app = TestApp::empty().await;
    let (_, out, _) = run(&app, admin_add("ann@contoso.test", "Ann Lee", false), "").await;
    let token = token_in(&out);
    app.state.clock.advance(Duration::hours(24));
    let late = setup::complete(&app.state, &token, "a long passphrase", "a long passphrase")
        .await
        .unwrap_err();
    assert!(late.to_string().contains("expired"), "{late}");
    assert_eq!(
        app.sign_in_with("ann@contoso.test", "a long passphrase")
            .await,
        None
    );
    // Running the command again finds Ann and gives a new link.
    let (code, out, _) = run(&app, admin_add("ann@contoso.test", "Ann Lee", false), "").await;
    assert_eq!(code, 0);
    assert!(out.starts_with("Found ann@contoso.test"), "{out}");
    setup::complete(
        &app.state,
        &token_in(&out),
        "a long passphrase",
        "a long passphrase",
    )
    .await
    .unwrap();
    assert!(app
        .sign_in_with("ann@contoso.test", "a long passphrase")
        .await
        .is_some());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn a_password_from_standard_input_needs_no_link() {
    let app = TestApp::empty().await;
    let (code, out, err) = run(
        &app,
        admin_add("ops@contoso.test", "Ops", true),
        "a long passphrase\n",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("/setup/"), "{out}");
    assert!(app
        .sign_in_with("ops@contoso.test", "a long passphrase")
        .await
        .is_some());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM setup_links").await, 0);
}

#[tokio::test]
async fn bad_input_exits_2_naming_the_problem_and_writes_nothing() {
    let app = TestApp::empty().await;
    for (command, stdin, message) in [
        (
            admin_add("ann", "Ann", false),
            "",
            "E-mail address must have the form name@domain.",
        ),
        (
            admin_add("ann@contoso.test", " ", false),
            "",
            "Display name is required.",
        ),
        (
            admin_add("ann@contoso.test", "Ann", true),
            "short\n",
            "Password must be at least 12 characters.",
        ),
        (
            Command::AppAdd {
                display_name: "Entra".into(),
                role: "superUser".into(),
                catalog: None,
            },
            "",
            "--role \"superUser\" is not a role",
        ),
        (
            Command::AppAdd {
                display_name: "Entra".into(),
                role: "catalogOwner".into(),
                catalog: None,
            },
            "",
            "Catalog owner is a catalog role: give --catalog NAME-or-ID.",
        ),
        (
            Command::AppAdd {
                display_name: "Entra".into(),
                role: "catalogOwner".into(),
                catalog: Some("Nowhere".into()),
            },
            "",
            "--catalog \"Nowhere\": there is no catalog with this name or id.",
        ),
        (
            Command::UserDisable {
                email: "nobody@contoso.test".into(),
            },
            "",
            "There is no user with e-mail address nobody@contoso.test.",
        ),
    ] {
        let (code, out, err) = run(&app, command.clone(), stdin).await;
        assert_eq!(code, 2, "{command:?}: {out} {err}");
        assert!(err.contains(message), "{command:?}: {err}");
    }
    for table in [
        "users",
        "apps",
        "setup_links",
        "role_assignments",
        "audit_events",
    ] {
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
}

#[tokio::test]
async fn an_app_for_provisioning_gets_its_secret_once_and_its_role() {
    let app = TestApp::empty().await;
    let (code, out, err) = run(
        &app,
        Command::AppAdd {
            display_name: "Entra provisioning".into(),
            role: "userAdministrator".into(),
            catalog: None,
        },
        "",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let value = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in {out}"))
            .trim()
            .to_string()
    };
    let client_id = value("client_id:");
    let secret = value("client_secret:");
    assert!(secret.starts_with("latch_"), "{secret}");
    let role: String = app
        .id_of(&format!(
            "SELECT role FROM role_assignments WHERE principal_id = '{client_id}'"
        ))
        .await;
    assert_eq!(role, "userAdministrator");
    let stored: String = app.id_of("SELECT secret_hash FROM app_secrets").await;
    assert!(stored.starts_with("$argon2id$"), "stored hashed");
}

#[tokio::test]
async fn user_disable_is_the_leaver_path_and_keeps_the_last_administrator() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("alex@contoso.test").await;
    let (code, out, err) = run(
        &app,
        Command::UserDisable {
            email: "alex@contoso.test".into(),
        },
        "",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Disabled alex@contoso.test: 1 session(s) ended"),
        "{out}"
    );
    let token = cookie.split_once('=').unwrap().1;
    assert!(app::services::session::principal(&app.state, Some(token))
        .await
        .is_err());
    assert_eq!(
        app.sign_in_with("alex@contoso.test", "latch-demo").await,
        None
    );
    let (code, _, err) = run(
        &app,
        Command::UserDisable {
            email: "alex@contoso.test".into(),
        },
        "",
    )
    .await;
    assert_eq!(
        (code, err.trim()),
        (2, "latch: alex@contoso.test is already disabled.")
    );
    let (code, _, err) = run(
        &app,
        Command::UserDisable {
            email: "admin@contoso.test".into(),
        },
        "",
    )
    .await;
    assert_eq!(code, 2);
    assert!(
        err.contains("last enabled Identity Governance Administrator"),
        "{err}"
    );
}

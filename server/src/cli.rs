//! The operator's subcommands (`server admin add`, `server app add`, `server user disable`,
//! `server secrets rotate-key`): they work on the configured database with the same
//! configuration rules as serving, print what the operator needs (a setup link or a client
//! secret, once), and exit 2 on bad input. `server secrets generate-key` needs no database;
//! `server db copy` names its two.

use app::directory::operator;
use app::error::AppError;
use app::state::AppState;
use app::store::at_rest;
use app::store::sealed::SecretKey;
use std::io::{BufRead, Write};

pub const USAGE: &str = "\
usage:
  server                                   serve Latch
  server admin add --email E --display-name N [--password-stdin]
                                           create or find a user, make them Identity Governance
                                           Administrator, print a one-time setup link (or read
                                           the password from standard input)
  server app add --display-name N --role ROLE [--catalog NAME-or-ID]
                                           register an app; print its client id and secret once
  server user disable --email E            disable a user: sessions end, open requests are
                                           canceled, access is removed
  server secrets generate-key              print a new key for LATCH_SECRET_KEY
  server secrets rotate-key (--new-key-file PATH | --new-key-stdin)
                                           re-encrypt the stored secrets under a new key (the
                                           current one from LATCH_SECRET_KEY, if set); stop
                                           Latch first and restart it with the new key
  server db copy --from sqlite://latch.db --to postgres://USER:PASSWORD@HOST/DB
                                           copy a stopped SQLite installation into an empty
                                           PostgreSQL database, checking the row counts";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    Help,
    AdminAdd {
        email: String,
        display_name: String,
        password_stdin: bool,
    },
    AppAdd {
        display_name: String,
        role: String,
        catalog: Option<String>,
    },
    UserDisable {
        email: String,
    },
    SecretsGenerateKey,
    SecretsRotateKey {
        new_key: NewKey,
    },
    DbCopy {
        from: String,
        to: String,
    },
}

/// Where `secrets rotate-key` reads the new key from (never from the command line, which
/// other users of the machine may see).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewKey {
    File(String),
    Stdin,
}

/// Flags of one subcommand: `--name value` pairs and bare switches.
struct Flags {
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Flags {
    fn parse(args: &[String], with_value: &[&str], switches: &[&str]) -> Result<Flags, String> {
        let mut flags = Flags {
            values: vec![],
            switches: vec![],
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            if with_value.contains(&name) {
                if flags.values.iter().any(|(n, _)| n == name) {
                    return Err(format!("{name} is given twice"));
                }
                let value = match inline {
                    Some(v) => v,
                    None => rest
                        .next()
                        .filter(|v| !v.starts_with("--"))
                        .cloned()
                        .ok_or_else(|| format!("{name} needs a value"))?,
                };
                flags.values.push((name.to_string(), value));
            } else if switches.contains(&name) && inline.is_none() {
                flags.switches.push(name.to_string());
            } else {
                return Err(format!("unknown argument {arg:?}"));
            }
        }
        Ok(flags)
    }

    fn optional(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.optional(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("{name} is required"))
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
}

/// The command the arguments (without the program name) ask for.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let words: Vec<&str> = args.iter().take(2).map(String::as_str).collect();
    match words.as_slice() {
        [] => Ok(Command::Serve),
        ["--help" | "-h" | "help", ..] => Ok(Command::Help),
        ["admin", "add"] => {
            let f = Flags::parse(
                &args[2..],
                &["--email", "--display-name"],
                &["--password-stdin"],
            )?;
            Ok(Command::AdminAdd {
                email: f.required("--email")?,
                display_name: f.required("--display-name")?,
                password_stdin: f.switch("--password-stdin"),
            })
        }
        ["app", "add"] => {
            let f = Flags::parse(&args[2..], &["--display-name", "--role", "--catalog"], &[])?;
            Ok(Command::AppAdd {
                display_name: f.required("--display-name")?,
                role: f.required("--role")?,
                catalog: f.optional("--catalog"),
            })
        }
        ["user", "disable"] => {
            let f = Flags::parse(&args[2..], &["--email"], &[])?;
            Ok(Command::UserDisable {
                email: f.required("--email")?,
            })
        }
        ["secrets", "generate-key"] => {
            Flags::parse(&args[2..], &[], &[])?;
            Ok(Command::SecretsGenerateKey)
        }
        ["secrets", "rotate-key"] => {
            let f = Flags::parse(&args[2..], &["--new-key-file"], &["--new-key-stdin"])?;
            let new_key = match (f.optional("--new-key-file"), f.switch("--new-key-stdin")) {
                (Some(path), false) => NewKey::File(path),
                (None, true) => NewKey::Stdin,
                (Some(_), true) => {
                    return Err("give --new-key-file or --new-key-stdin, not both".into())
                }
                (None, false) => return Err("--new-key-file or --new-key-stdin is required".into()),
            };
            Ok(Command::SecretsRotateKey { new_key })
        }
        ["db", "copy"] => {
            let f = Flags::parse(&args[2..], &["--from", "--to"], &[])?;
            let (from, to) = (f.required("--from")?, f.required("--to")?);
            if !from.starts_with("sqlite:") {
                return Err("--from must be a sqlite: URL (sqlite://latch.db)".into());
            }
            if !app::store::is_postgres_url(&to) {
                return Err("--to must be a postgres:// or postgresql:// URL".into());
            }
            Ok(Command::DbCopy { from, to })
        }
        _ => Err(format!("unknown command {:?}", args.join(" "))),
    }
}

/// Exit code 2 for what the operator can correct, 1 for a failure of Latch.
fn refused(err: &mut dyn Write, error: &AppError) -> u8 {
    let _ = writeln!(err, "latch: {error}");
    match error {
        AppError::Internal | AppError::Transport(_) => 1,
        _ => 2,
    }
}

/// `server secrets generate-key`: the key alone on standard output (so it can be redirected
/// into a file), its id on standard error.
pub fn generate_key(out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let key = SecretKey::generate();
    let _ = writeln!(out, "{}", key.to_base64());
    let _ = writeln!(
        err,
        "A new key (key id {}) for LATCH_SECRET_KEY or LATCH_SECRET_KEY_FILE; keep it outside \
         the database and its backups.",
        key.id()
    );
    0
}

fn read_new_key(new_key: &NewKey, stdin: &mut dyn BufRead) -> Result<SecretKey, String> {
    let text = match new_key {
        NewKey::File(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the new key from {path:?}: {e}"))?,
        NewKey::Stdin => {
            let mut line = String::new();
            stdin
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the new key from standard input: {e}"))?;
            line
        }
    };
    SecretKey::from_base64(&text).map_err(|e| format!("the new key {e}"))
}

/// `server secrets rotate-key`: every secret re-encrypted under the new key in one
/// transaction (with an audit event); the old key no longer opens the database.
async fn rotate_key(
    state: &AppState,
    new_key: &NewKey,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let key = match read_new_key(new_key, stdin) {
        Ok(key) => key,
        Err(problem) => {
            let _ = writeln!(err, "latch: {problem}");
            return 2;
        }
    };
    if state.sealer.key_id() == Some(&key.id()) {
        let _ = writeln!(
            err,
            "latch: the new key is the key in use (key id {}): make a new one with \
             `server secrets generate-key`",
            key.id()
        );
        return 2;
    }
    let actor = operator::operator().actor;
    match at_rest::rekey(
        &state.writer,
        &state.sealer,
        &key,
        &actor,
        state.clock.now(),
    )
    .await
    {
        Ok(done) => {
            let _ = writeln!(
                out,
                "Re-encrypted {} secret(s) under key id {}.\n\
                 Restart Latch with the new key in LATCH_SECRET_KEY or LATCH_SECRET_KEY_FILE: \
                 the old key no longer opens this database (backups taken before still need it).",
                done.values, done.key_id
            );
            0
        }
        Err(e) => {
            let _ = writeln!(err, "latch: the secrets were not re-encrypted: {e}");
            1
        }
    }
}

/// `server db copy`: the SQLite database at `from` (opened read-only, so a running Latch on
/// it is not disturbed, though it should be stopped so that nothing is written after the
/// copy) into the PostgreSQL database at `to`, migrated first. Prints the rows of each table.
pub async fn db_copy(from: &str, to: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use app::store::copy::{self, CopyError};
    let (shown_from, shown_to) = (app::store::redacted_url(from), app::store::redacted_url(to));
    let source = match app::store::pool_options(from, 1)
        .connect(&app::store::sqlite_in_mode(from, "ro"))
        .await
    {
        Ok(pool) => pool,
        Err(e) => {
            let _ = writeln!(err, "latch: cannot open {shown_from}: {e}");
            return 2;
        }
    };
    let target = match app::store::connect(to).await {
        Ok(pool) => pool,
        Err(e) => {
            let _ = writeln!(err, "latch: cannot open or migrate {shown_to}: {e}");
            return 2;
        }
    };
    let copied = copy::sqlite_to_postgres(&source, &target).await;
    source.close().await;
    target.close().await;
    match copied {
        Ok(copied) => {
            for (table, rows) in &copied {
                let _ = writeln!(out, "{table:<24} {rows:>10}");
            }
            let total: i64 = copied.values().sum();
            let _ = writeln!(
                out,
                "Copied {total} rows in {} tables from {shown_from} to {shown_to}; each \
                 table's count checked. Point LATCH_DATABASE_URL at the copy to use it.",
                copied.len()
            );
            0
        }
        Err(CopyError::Refused(problem)) => {
            let _ = writeln!(err, "latch: nothing copied: {problem}");
            2
        }
        Err(CopyError::Database(e)) => {
            let _ = writeln!(err, "latch: nothing copied: {e}");
            1
        }
    }
}

/// Runs an operator command; returns the exit code.
pub async fn run(
    state: &AppState,
    command: Command,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match command {
        Command::Serve | Command::Help => {
            let _ = writeln!(out, "{USAGE}");
            0
        }
        Command::SecretsGenerateKey => generate_key(out, err),
        Command::DbCopy { from, to } => db_copy(&from, &to, out, err).await,
        Command::SecretsRotateKey { new_key } => rotate_key(state, &new_key, stdin, out, err).await,
        Command::AdminAdd {
            email,
            display_name,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                if stdin.read_line(&mut line).is_err() {
                    let _ = writeln!(
                        err,
                        "latch: could not read the password from standard input"
                    );
                    return 2;
                }
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            match operator::add_admin(state, &email, &display_name, password.as_deref()).await {
                Ok(added) => {
                    let verb = if added.created { "Created" } else { "Found" };
                    let _ = writeln!(
                        out,
                        "{verb} {email} ({}); they are Identity Governance Administrator.",
                        added.user
                    );
                    match added.link {
                        Some(link) => {
                            let _ = writeln!(
                                out,
                                "Setup link (single use, valid until {} UTC), for them to choose a password:\n{}",
                                link.expires_at, link.url
                            );
                        }
                        None => {
                            let _ = writeln!(out, "Their password is set; they can sign in.");
                        }
                    }
                    0
                }
                Err(e) => refused(err, &e),
            }
        }
        Command::AppAdd {
            display_name,
            role,
            catalog,
        } => match operator::add_app(state, &display_name, &role, catalog.as_deref()).await {
            Ok(secret) => {
                let _ = writeln!(
                    out,
                    "Registered app \u{201c}{}\u{201d}.\nclient_id:     {}\nclient_secret: {}\n\
                     The secret is shown only now; it expires {}.",
                    secret.display_name,
                    secret.app_id,
                    secret.client_secret,
                    secret
                        .expires_at
                        .map(|t| t.format("%Y-%m-%d").to_string())
                        .unwrap_or_else(|| "never".into())
                );
                0
            }
            Err(e) => refused(err, &e),
        },
        Command::UserDisable { email } => match operator::disable_user(state, &email).await {
            Ok(s) => {
                let _ = writeln!(
                    out,
                    "Disabled {email}: {} session(s) ended, {} open request(s) canceled, \
                     {} assignment(s) being removed{}.",
                    s.sessions_ended,
                    s.requests_canceled,
                    s.assignments_removed,
                    if s.requests_left > 0 {
                        format!(
                            ", {} request(s) waiting for a workflow at the granted stage left to finish",
                            s.requests_left
                        )
                    } else {
                        String::new()
                    }
                );
                0
            }
            Err(e) => refused(err, &e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn commands_parse() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
        assert_eq!(
            parse(&args(
                "admin add --email a@contoso.test --display-name=Ann --password-stdin"
            )),
            Ok(Command::AdminAdd {
                email: "a@contoso.test".into(),
                display_name: "Ann".into(),
                password_stdin: true
            })
        );
        assert_eq!(
            parse(&args(
                "app add --display-name Entra --role userAdministrator"
            )),
            Ok(Command::AppAdd {
                display_name: "Entra".into(),
                role: "userAdministrator".into(),
                catalog: None
            })
        );
        assert_eq!(
            parse(&args("user disable --email x@contoso.test")),
            Ok(Command::UserDisable {
                email: "x@contoso.test".into()
            })
        );
        assert_eq!(
            parse(&args("secrets generate-key")),
            Ok(Command::SecretsGenerateKey)
        );
        assert_eq!(
            parse(&args(
                "secrets rotate-key --new-key-file /run/secrets/latch.key"
            )),
            Ok(Command::SecretsRotateKey {
                new_key: NewKey::File("/run/secrets/latch.key".into())
            })
        );
        assert_eq!(
            parse(&args("secrets rotate-key --new-key-stdin")),
            Ok(Command::SecretsRotateKey {
                new_key: NewKey::Stdin
            })
        );
        assert_eq!(
            parse(&args(
                "db copy --from sqlite://latch.db --to postgres://latch@db/latch"
            )),
            Ok(Command::DbCopy {
                from: "sqlite://latch.db".into(),
                to: "postgres://latch@db/latch".into()
            })
        );
    }

    #[test]
    fn bad_arguments_name_the_problem() {
        for (line, message) in [
            (
                "admin add --email a@contoso.test",
                "--display-name is required",
            ),
            ("admin add --email", "--email needs a value"),
            (
                "admin add --email --display-name N",
                "--email needs a value",
            ),
            (
                "admin add --email a --email b --display-name N",
                "--email is given twice",
            ),
            (
                "admin add --email a --display-name N --colour red",
                "unknown argument \"--colour\"",
            ),
            (
                "admin add --email a --display-name N --password-stdin=yes",
                "unknown argument \"--password-stdin=yes\"",
            ),
            ("app add --display-name N", "--role is required"),
            ("db copy --from sqlite://a.db", "--to is required"),
            (
                "db copy --from postgres://x/y --to postgres://x/z",
                "--from must be a sqlite: URL (sqlite://latch.db)",
            ),
            (
                "db copy --from sqlite://a.db --to sqlite://b.db",
                "--to must be a postgres:// or postgresql:// URL",
            ),
            ("user disable", "--email is required"),
            (
                "secrets rotate-key",
                "--new-key-file or --new-key-stdin is required",
            ),
            (
                "secrets rotate-key --new-key-file k --new-key-stdin",
                "give --new-key-file or --new-key-stdin, not both",
            ),
            (
                "secrets rotate-key --new-key AAAA",
                "unknown argument \"--new-key\"",
            ),
            ("secrets generate-key now", "unknown argument \"now\""),
            (
                "user delete --email a",
                "unknown command \"user delete --email a\"",
            ),
            ("serve now", "unknown command \"serve now\""),
        ] {
            assert_eq!(parse(&args(line)), Err(message.to_string()), "{line}");
        }
    }
}

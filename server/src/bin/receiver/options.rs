//! Command-line options, with `RECEIVER_*` environment variables as fallbacks.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use app::callout::signature;
use url::Url;

pub const USAGE: &str = "\
Usage: receiver [--listen ADDR] [--latch URL] [--secret whsec_...]... [--public] [--keep N]
                [--resume-after MS --client-id ID --client-secret SECRET
                 [--deny-word WORD] [--hold-word WORD]]

  --listen ADDR           address to listen on (env RECEIVER_LISTEN, default 127.0.0.1:7071);
                          only loopback addresses unless --public is given
  --latch URL             Latch's base URL, for its discovery document, keys, token and resume
                          API (env RECEIVER_LATCH_URL, default http://127.0.0.1:3000)
  --secret SECRET         a signing secret to verify webhook-signature with; repeatable
                          (env RECEIVER_SECRETS, comma-separated; both are used)
  --public                allow a non-loopback listen address
  --keep N                how many callouts to remember (env RECEIVER_KEEP, default 500)

Auto-resume, as a launch-and-wait workflow would (off unless --resume-after is given):
  --resume-after MS       resume each verified launch-and-wait callout MS milliseconds after it
                          arrives, 0 allowed (env RECEIVER_RESUME_AFTER_MS)
  --client-id ID          the app whose token resumes (env RECEIVER_CLIENT_ID); it must be an
                          assignment manager of the catalog
  --client-secret SECRET  that app's secret (env RECEIVER_CLIENT_SECRET)
  --deny-word WORD        deny a request whose justification contains WORD, at the created and
                          approved stages (env RECEIVER_DENY_WORD; case-insensitive)
  --hold-word WORD        never resume a callout whose justification contains WORD, so Latch's
                          wait times out (env RECEIVER_HOLD_WORD; case-insensitive)";

/// Callouts remembered unless `--keep` says otherwise.
pub const DEFAULT_KEEP: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub listen: SocketAddr,
    /// Without a trailing slash.
    pub latch: String,
    pub secrets: Vec<String>,
    /// At least 1.
    pub keep: usize,
    /// `None`: callouts are only recorded.
    pub resume: Option<ResumeOptions>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeOptions {
    pub delay: Duration,
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// Not empty.
    pub deny_word: Option<String>,
    /// Not empty.
    pub hold_word: Option<String>,
}

/// Kept out of `Debug`, so that printing the options never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    #[cfg(test)]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(…)")
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Options),
    Help,
}

/// Arguments win over the environment; secrets from both are used. An empty environment
/// variable counts as unset.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: &HashMap<String, String>,
) -> Result<Parsed, String> {
    let var = |name: &str| env.get(name).filter(|value| !value.is_empty()).cloned();
    let mut listen = var("RECEIVER_LISTEN");
    let mut latch = var("RECEIVER_LATCH_URL");
    let mut secrets: Vec<String> = env
        .get("RECEIVER_SECRETS")
        .map(|list| list.split(',').map(str::trim).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut public = false;
    let mut keep = var("RECEIVER_KEEP");
    let mut resume_after = var("RECEIVER_RESUME_AFTER_MS");
    let mut client_id = var("RECEIVER_CLIENT_ID");
    let mut client_secret = var("RECEIVER_CLIENT_SECRET");
    let mut deny_word = var("RECEIVER_DENY_WORD");
    let mut hold_word = var("RECEIVER_HOLD_WORD");

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--listen" => listen = Some(value()?),
            "--latch" => latch = Some(value()?),
            "--secret" => secrets.push(value()?),
            "--public" => public = true,
            "--keep" => keep = Some(value()?),
            "--resume-after" => resume_after = Some(value()?),
            "--client-id" => client_id = Some(value()?),
            "--client-secret" => client_secret = Some(value()?),
            "--deny-word" => deny_word = Some(word("--deny-word", value()?)?),
            "--hold-word" => hold_word = Some(word("--hold-word", value()?)?),
            "-h" | "--help" => return Ok(Parsed::Help),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }

    let listen = listen.as_deref().unwrap_or("127.0.0.1:7071");
    let listen: SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen {listen:?} is not an address such as 127.0.0.1:7071"))?;
    if !public && !listen.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {listen}, which is not a loopback address (pass --public to allow it)"
        ));
    }
    let latch = latch.as_deref().unwrap_or("http://127.0.0.1:3000");
    match Url::parse(latch) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {}
        _ => return Err(format!("--latch {latch:?} is not an http(s) URL")),
    }
    secrets.retain(|secret| !secret.is_empty());
    for secret in &secrets {
        check_secret(secret)?;
    }
    let keep = match keep {
        None => DEFAULT_KEEP,
        Some(keep) => match keep.trim().parse() {
            Ok(keep) if keep > 0 => keep,
            _ => return Err(format!("--keep {keep:?} is not a whole number above 0")),
        },
    };
    let resume = match resume_after {
        None => {
            for (flag, word) in [("--deny-word", &deny_word), ("--hold-word", &hold_word)] {
                if word.is_some() {
                    return Err(format!("{flag} only applies with --resume-after"));
                }
            }
            None
        }
        Some(after) => {
            let millis: u64 = after.trim().parse().map_err(|_| {
                format!("--resume-after {after:?} is not a whole number of milliseconds")
            })?;
            let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
                return Err("--resume-after needs --client-id and --client-secret (or \
                     RECEIVER_CLIENT_ID and RECEIVER_CLIENT_SECRET): the app that resumes, an \
                     assignment manager of the catalog"
                    .to_owned());
            };
            Some(ResumeOptions {
                delay: Duration::from_millis(millis),
                client_id,
                client_secret: ClientSecret(client_secret),
                deny_word,
                hold_word,
            })
        }
    };
    Ok(Parsed::Run(Options {
        listen,
        latch: latch.trim_end_matches('/').to_owned(),
        secrets,
        keep,
        resume,
    }))
}

/// An empty word would match every justification.
fn word(flag: &str, word: String) -> Result<String, String> {
    if word.trim().is_empty() {
        Err(format!("{flag} needs a word that is not empty"))
    } else {
        Ok(word)
    }
}

/// Whether `secret` can key a signature (`whsec_` + base64, the prefix optional); the error
/// never repeats the secret.
pub fn check_secret(secret: &str) -> Result<(), String> {
    signature::sign(secret, "check", 0, b"")
        .map(drop)
        .map_err(|e| format!("a secret is unusable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Options, String> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match parse(args.iter().map(|a| a.to_string()), &env)? {
            Parsed::Run(options) => Ok(options),
            Parsed::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults() {
        let options = run(&[], &[]).unwrap();
        assert_eq!(options.listen, "127.0.0.1:7071".parse().unwrap());
        assert_eq!(options.latch, "http://127.0.0.1:3000");
        assert!(options.secrets.is_empty());
        assert_eq!(options.keep, DEFAULT_KEEP);
        assert_eq!(options.resume, None);
    }

    #[test]
    fn arguments_win_over_the_environment_and_secrets_add_up() {
        let env = [
            ("RECEIVER_LISTEN", "127.0.0.1:9000"),
            ("RECEIVER_LATCH_URL", "http://localhost:4000/"),
            ("RECEIVER_SECRETS", &format!("{SECRET}, whsec_AAAA,")),
        ];
        let options = run(&[], &env).unwrap();
        assert_eq!(options.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(options.latch, "http://localhost:4000");
        assert_eq!(options.secrets, [SECRET, "whsec_AAAA"]);

        let args = [
            "--listen=[::1]:7000",
            "--latch",
            "https://latch.example.com",
            "--secret",
            "whsec_BBBB",
        ];
        let options = run(&args, &env).unwrap();
        assert_eq!(options.listen, "[::1]:7000".parse().unwrap());
        assert_eq!(options.latch, "https://latch.example.com");
        assert_eq!(options.secrets, [SECRET, "whsec_AAAA", "whsec_BBBB"]);
    }

    #[test]
    fn non_loopback_addresses_need_public() {
        let refused = run(&["--listen", "0.0.0.0:7071"], &[]).unwrap_err();
        assert!(refused.contains("--public"), "{refused}");
        let options = run(&["--listen", "0.0.0.0:7071", "--public"], &[]).unwrap();
        assert_eq!(options.listen, "0.0.0.0:7071".parse().unwrap());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for args in [
            &["--listen", "nowhere"][..],
            &["--listen"],
            &["--latch", "ftp://x"],
            &["--latch", "not a url"],
            &["--secret", "whsec_%%%"],
            &["--secret", "whsec_"],
            &["--verbose"],
        ] {
            assert!(run(args, &[]).is_err(), "{args:?}");
        }
        assert_eq!(run(&["--help"], &[]), Err("help".to_owned()));
        let error = run(&["--secret", "whsec_%%%"], &[]).unwrap_err();
        assert!(!error.contains("%%%"), "{error}");
    }

    const RESUME_FLAGS: [&str; 6] = [
        "--resume-after",
        "2000",
        "--client-id",
        "5e1f5e1f-0000-4000-8000-000000000001",
        "--client-secret",
        "latch-demo-secret",
    ];

    #[test]
    fn resume_flags_turn_auto_resume_on() {
        let mut args = RESUME_FLAGS.to_vec();
        args.extend([
            "--deny-word",
            "conflict",
            "--hold-word=hold",
            "--keep",
            "20000",
        ]);
        let options = run(&args, &[]).unwrap();
        assert_eq!(options.keep, 20_000);
        assert_eq!(
            options.resume,
            Some(ResumeOptions {
                delay: Duration::from_millis(2000),
                client_id: "5e1f5e1f-0000-4000-8000-000000000001".to_owned(),
                client_secret: ClientSecret::new("latch-demo-secret"),
                deny_word: Some("conflict".to_owned()),
                hold_word: Some("hold".to_owned()),
            })
        );
        // Words are optional, and 0 ms is allowed.
        let options = run(&RESUME_FLAGS, &[]).unwrap();
        let resume = options.resume.unwrap();
        assert_eq!((resume.deny_word, resume.hold_word), (None, None));
        let mut args = RESUME_FLAGS.to_vec();
        args[1] = "0";
        assert_eq!(
            run(&args, &[]).unwrap().resume.unwrap().delay,
            Duration::ZERO
        );
    }

    #[test]
    fn resume_settings_fall_back_to_the_environment() {
        let env = [
            ("RECEIVER_RESUME_AFTER_MS", "150"),
            ("RECEIVER_CLIENT_ID", "env-app"),
            ("RECEIVER_CLIENT_SECRET", "env-secret"),
            ("RECEIVER_DENY_WORD", "conflict"),
            ("RECEIVER_HOLD_WORD", "hold"),
            ("RECEIVER_KEEP", "42"),
        ];
        let options = run(&[], &env).unwrap();
        assert_eq!(options.keep, 42);
        assert_eq!(
            options.resume,
            Some(ResumeOptions {
                delay: Duration::from_millis(150),
                client_id: "env-app".to_owned(),
                client_secret: ClientSecret::new("env-secret"),
                deny_word: Some("conflict".to_owned()),
                hold_word: Some("hold".to_owned()),
            })
        );
        let options = run(
            &["--resume-after", "5", "--deny-word", "sod", "--keep=7"],
            &env,
        )
        .unwrap();
        assert_eq!(options.keep, 7);
        let resume = options.resume.unwrap();
        assert_eq!(resume.delay, Duration::from_millis(5));
        assert_eq!(resume.deny_word.as_deref(), Some("sod"));
        assert_eq!(resume.client_id, "env-app");
        // An empty variable counts as unset.
        let options = run(
            &[],
            &[("RECEIVER_RESUME_AFTER_MS", ""), ("RECEIVER_KEEP", "")],
        );
        assert_eq!(options.unwrap().resume, None);
    }

    #[test]
    fn resume_after_without_credentials_is_an_error() {
        for args in [
            &["--resume-after", "100"][..],
            &["--resume-after", "100", "--client-id", "app"],
            &["--resume-after", "100", "--client-secret", "s"],
        ] {
            let error = run(args, &[]).unwrap_err();
            assert!(
                error.contains("--client-id") && error.contains("--client-secret"),
                "{error}"
            );
        }
        let error = run(&[], &[("RECEIVER_RESUME_AFTER_MS", "100")]).unwrap_err();
        assert!(error.contains("--client-id"), "{error}");
    }

    #[test]
    fn bad_numbers_and_words_are_errors_naming_the_flag() {
        let resume = |extra: &[&'static str]| {
            let mut args = RESUME_FLAGS.to_vec();
            args.extend_from_slice(extra);
            run(&args, &[]).unwrap_err()
        };
        for (args, flag) in [
            (&["--resume-after", "soon"][..], "--resume-after"),
            (&["--resume-after", "-5"], "--resume-after"),
            (&["--resume-after"], "--resume-after"),
            (&["--keep", "0"], "--keep"),
            (&["--keep", "many"], "--keep"),
            (&["--deny-word", "conflict"], "--deny-word"),
            (&["--hold-word", "hold"], "--hold-word"),
        ] {
            let error = run(args, &[]).unwrap_err();
            assert!(error.starts_with(flag), "{args:?}: {error}");
        }
        let error = run(&[], &[("RECEIVER_RESUME_AFTER_MS", "2s")]).unwrap_err();
        assert!(error.starts_with("--resume-after \"2s\""), "{error}");
        assert!(resume(&["--deny-word", " "]).starts_with("--deny-word"));
        assert!(resume(&["--hold-word="]).starts_with("--hold-word"));
    }

    #[test]
    fn the_client_secret_is_not_printed() {
        let options = run(&RESUME_FLAGS, &[]).unwrap();
        let printed = format!("{options:?}");
        assert!(!printed.contains("latch-demo-secret"), "{printed}");
        assert!(printed.contains("5e1f5e1f"), "{printed}");
    }
}

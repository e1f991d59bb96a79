//! Command-line options, with `RECEIVER_*` environment variables as fallbacks.

use std::collections::HashMap;
use std::net::SocketAddr;

use app::callout::signature;
use url::Url;

pub const USAGE: &str = "\
Usage: receiver [--listen ADDR] [--latch URL] [--secret whsec_...]... [--public]

  --listen ADDR    address to listen on (env RECEIVER_LISTEN, default 127.0.0.1:7071);
                   only loopback addresses unless --public is given
  --latch URL      Latch's base URL, for its discovery document and keys
                   (env RECEIVER_LATCH_URL, default http://127.0.0.1:3000)
  --secret SECRET  a signing secret to verify webhook-signature with; repeatable
                   (env RECEIVER_SECRETS, comma-separated; both are used)
  --public         allow a non-loopback listen address";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub listen: SocketAddr,
    /// Without a trailing slash.
    pub latch: String,
    pub secrets: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Options),
    Help,
}

/// Arguments win over the environment for `--listen` and `--latch`; secrets from both are used.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: &HashMap<String, String>,
) -> Result<Parsed, String> {
    let mut listen = env.get("RECEIVER_LISTEN").cloned();
    let mut latch = env.get("RECEIVER_LATCH_URL").cloned();
    let mut secrets: Vec<String> = env
        .get("RECEIVER_SECRETS")
        .map(|list| list.split(',').map(str::trim).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut public = false;

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
    Ok(Parsed::Run(Options {
        listen,
        latch: latch.trim_end_matches('/').to_owned(),
        secrets,
    }))
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
}

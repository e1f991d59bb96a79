//! One HTTP attempt, with every outcome recorded as data (never an error the caller must map).

use super::address::{is_allowed_host, is_blocked};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most of an answer that is read; the rest is dropped unread.
pub const RESPONSE_CAP: usize = 64 * 1024;
/// How much of the answer's body is kept with the attempt.
pub const EXCERPT_CAP: usize = 4 * 1024;

#[derive(Debug, Clone)]
pub struct Outbound {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttemptResult {
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub excerpt: Option<String>,
    /// `x-ms-workflow-run-id` (Logic Apps) or `webhook-correlation-id`.
    pub correlation_id: Option<String>,
    pub retry_after: Option<String>,
    pub redirected: bool,
}

impl AttemptResult {
    pub fn succeeded(&self) -> bool {
        self.http_status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct HttpDeliverer {
    client: reqwest::Client,
    allow_hosts: Arc<Vec<String>>,
}

/// Resolves names and drops refused addresses, so a name that points at a private address
/// (or is re-pointed there after validation) is never dialled.
struct GuardedResolver {
    allow_hosts: Arc<Vec<String>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_hosts.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = is_allowed_host(&host, &allow);
            let usable: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| allowed || !is_blocked(a.ip()))
                .collect();
            if usable.is_empty() {
                let shown = found
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                return Err(format!(
                    "refused: {host} resolves to a private or loopback address ({shown})"
                )
                .into());
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl HttpDeliverer {
    pub fn new(allow_hosts: Vec<String>) -> Self {
        let allow_hosts = Arc::new(allow_hosts);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_hosts: allow_hosts.clone(),
            }))
            .user_agent(concat!("Latch/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client with rustls builds");
        HttpDeliverer {
            client,
            allow_hosts,
        }
    }

    /// Sends one attempt. Every failure (refused address, timeout, connection error, a
    /// redirect, an error status) comes back in the result, with the time it took.
    pub async fn send(&self, call: Outbound) -> AttemptResult {
        let started = Instant::now();
        let mut result = match self.refusal(&call.url) {
            Some(reason) => AttemptResult {
                error: Some(reason),
                ..Default::default()
            },
            None => self.exchange(call).await,
        };
        result.latency_ms = started.elapsed().as_millis() as i64;
        result
    }

    fn refusal(&self, raw: &str) -> Option<String> {
        let url = match url::Url::parse(raw) {
            Ok(u) => u,
            Err(e) => return Some(format!("refused: not a valid URL ({e})")),
        };
        let host = url.host_str().unwrap_or_default();
        let literal: Option<IpAddr> = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok();
        match literal {
            Some(ip) if is_blocked(ip) && !is_allowed_host(host, &self.allow_hosts) => Some(
                format!("refused: {ip} is a private or loopback address and not allow-listed"),
            ),
            _ if url.scheme() == "http" && !is_allowed_host(host, &self.allow_hosts) => {
                Some("refused: plain http is allowed only to allow-listed hosts".into())
            }
            _ => None,
        }
    }

    async fn exchange(&self, call: Outbound) -> AttemptResult {
        let mut request = self
            .client
            .post(&call.url)
            .timeout(call.timeout)
            .body(call.body);
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                return AttemptResult {
                    error: Some(describe(e)),
                    ..Default::default()
                }
            }
        };
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let mut result = AttemptResult {
            http_status: Some(status.as_u16()),
            correlation_id: header("x-ms-workflow-run-id")
                .or_else(|| header("webhook-correlation-id")),
            retry_after: header("retry-after"),
            redirected: status.is_redirection(),
            ..Default::default()
        };
        if status.is_redirection() {
            result.error = Some(format!(
                "the endpoint redirected (HTTP {}{}); redirects are not followed",
                status.as_u16(),
                header("location")
                    .map(|l| format!(" to {l}"))
                    .unwrap_or_default()
            ));
        } else if !status.is_success() {
            result.error = Some(format!("the endpoint answered HTTP {}", status.as_u16()));
        }
        match read_capped(response).await {
            Ok(body) if !body.is_empty() => {
                let keep = &body[..body.len().min(EXCERPT_CAP)];
                result.excerpt = Some(String::from_utf8_lossy(keep).into_owned());
            }
            Ok(_) => {}
            Err(e) => {
                if result.error.is_none() {
                    result.error = Some(describe(e));
                }
            }
        }
        result
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = RESPONSE_CAP - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= RESPONSE_CAP {
            break;
        }
    }
    Ok(body)
}

/// Why an exchange failed, in words, without the URL: a trigger URL's query may carry a
/// signature, and these words are stored and shown.
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out waiting for the endpoint".into();
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    if error.is_connect() {
        format!("could not connect: {text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failure_never_repeats_the_url_and_its_signature() {
        let deliverer = HttpDeliverer::new(vec![]);
        let result = deliverer
            .send(Outbound {
                url: "https://latch-test.invalid/workflows/x?sig=s3cret".into(),
                headers: vec![],
                body: b"{}".to_vec(),
                timeout: Duration::from_secs(5),
            })
            .await;
        let error = result.error.expect("the name does not resolve");
        assert!(
            !error.contains("s3cret") && !error.contains("sig="),
            "{error}"
        );
        assert_eq!(result.http_status, None);
    }
}

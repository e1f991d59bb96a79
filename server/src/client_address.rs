//! Works out the caller's network address once, for throttling: the connection's peer, or,
//! behind a reverse proxy (`LATCH_CLIENT_ADDRESS_HEADER`), the last entry of the header the
//! proxy sets, the one entry the proxy itself wrote and a caller cannot forge.

use app::services::throttle::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The configured header's name, if any (lower case).
#[derive(Clone)]
pub struct AddressHeader(pub Option<Arc<str>>);

pub async fn client_address(
    State(AddressHeader(header)): State<AddressHeader>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let address = match header.as_deref() {
        Some(name) => from_header(request.headers(), name).or(peer),
        None => peer,
    };
    if let Some(ip) = address {
        request.extensions_mut().insert(ClientAddress(ip));
    }
    next.run(request).await
}

/// The last address in `name` (several headers or one comma-separated list; `Forwarded`'s
/// `for=` too), if it is one.
fn from_header(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let last = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()?
        .trim();
    let value = last
        .split(';')
        .find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            key.eq_ignore_ascii_case("for").then_some(value)
        })
        .unwrap_or(last)
        .trim_matches('"');
    parse_ip(value)
}

/// `192.0.2.7`, `192.0.2.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn the_last_entry_counts() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.2")]);
        assert_eq!(
            from_header(&h, "x-forwarded-for"),
            "198.51.100.2".parse().ok()
        );
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-for", "[2001:db8::1]:4711"),
        ]);
        assert_eq!(
            from_header(&h, "x-forwarded-for"),
            "2001:db8::1".parse().ok()
        );
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=https, for=\"192.0.2.43:80\"",
        )]);
        assert_eq!(from_header(&h, "forwarded"), "192.0.2.43".parse().ok());
    }

    #[test]
    fn anything_else_is_no_address() {
        for value in ["", "unknown", "not an address", "for=_hidden", "1.2.3"] {
            let h = headers(&[("x-real-ip", value)]);
            assert_eq!(from_header(&h, "x-real-ip"), None, "{value:?}");
        }
        assert_eq!(from_header(&HeaderMap::new(), "x-real-ip"), None);
    }
}

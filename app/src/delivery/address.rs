//! Which addresses a callout may reach. Loopback, private, link-local (cloud metadata at
//! 169.254.169.254 among them), multicast, unique-local and unspecified addresses are refused
//! unless the operator allow-lists the host.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub fn is_blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => blocked_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => blocked_v4(v4),
            None => blocked_v6(v6),
        },
    }
}

fn blocked_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT: private in practice.
        || (a == 100 && (64..128).contains(&b))
}

fn blocked_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link local fe80::/10
}

/// Whether the operator allow-listed this host (exact, case-insensitive; `[::1]` or `::1`).
pub fn is_allowed_host(host: &str, allow_hosts: &[String]) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    allow_hosts.iter().any(|h| {
        let h = h.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case(bare)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_blocked() {
        for blocked in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_blocked(ip(blocked)), "{blocked} should be blocked");
        }
        for open in ["20.42.0.1", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_blocked(ip(open)), "{open} should be allowed");
        }
    }

    #[test]
    fn allow_list_matches_hosts_exactly() {
        let allow = vec![
            "127.0.0.1".to_string(),
            "LocalHost".to_string(),
            "::1".to_string(),
        ];
        assert!(is_allowed_host("127.0.0.1", &allow));
        assert!(is_allowed_host("localhost", &allow));
        assert!(is_allowed_host("[::1]", &allow));
        assert!(!is_allowed_host("127.0.0.2", &allow));
        assert!(!is_allowed_host("localhost.evil.example", &allow));
    }
}

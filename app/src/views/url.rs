//! Addresses the pages write, the same text on the server and in the browser.

/// Percent-encodes everything but RFC 3986's unreserved characters. Written here rather than
/// taken from the router, whose encoder differs between the server and the browser build, so
/// that the server's links and the hydrated page's are the same text.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_unreserved_characters_only() {
        assert_eq!(encode("a.b-c_d~e"), "a.b-c_d~e");
        assert_eq!(encode("é +/"), "%C3%A9%20%2B%2F");
    }
}

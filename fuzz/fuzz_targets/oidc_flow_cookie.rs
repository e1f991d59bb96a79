#![no_main]
//! The single sign-on flow cookie comes back from the browser: anything that decodes must
//! encode to a cookie that decodes to the same flow, and nothing panics.

use app::oidc::FlowCookie;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(flow) = FlowCookie::decode(text) {
        assert_eq!(FlowCookie::decode(&flow.encode()), Some(flow));
    }
});

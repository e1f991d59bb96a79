//! Outbound HTTP for callouts and connection tests: no redirects, a per-attempt timeout,
//! private and loopback addresses refused unless allow-listed, at most 64 KiB of any answer
//! read. It never runs inside a database transaction: callers claim work, commit, call, then
//! record the outcome in a second short write.

pub mod address;
pub mod http;

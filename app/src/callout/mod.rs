//! What Latch sends to a custom extension's endpoint, built as pure functions (spec:
//! `callout.md`): the JSON bodies, the Standard Webhooks signature, the RS256 tokens and the keys
//! that sign them, and the retry schedule. The HTTP call itself and the attempt records live in
//! the server's worker; nothing here does I/O or reads the clock.

pub mod body;
pub mod keys;
pub mod pop;
pub mod retry;
pub mod signature;
pub mod token;

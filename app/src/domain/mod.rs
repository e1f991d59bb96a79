//! Latch's domain rules: ids, stages, custom extension kinds and their validation.
//! Pure Rust with no I/O, so the browser (as-you-type checks) and the server share one copy of
//! every rule; storage and HTTP live in other layers.

pub mod conversion;
pub mod endpoint;
pub mod expiry;
pub mod extension;
pub mod field_error;
pub mod ids;
pub mod kind;
pub mod lifecycle;
pub mod limits;
pub mod person;
pub mod policy_rules;
pub mod role;
pub mod stage;
pub mod throttle;
pub mod timeout;

//! The lifecycle engine's adapters: it loads a request and its policy, runs the pure machine
//! (`domain::lifecycle`), and writes the transition and its effects in the same transaction.
//! The worker delivers callouts and fires timers from the job table, and runs the expiry scan.

pub mod connection_test;
pub mod deliver;
pub mod expiry;
pub mod facts;
pub mod group;
pub mod policy;
pub mod record;
pub mod run;
pub mod worker;

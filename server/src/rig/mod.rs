//! Latch and the sample receiver as separate processes on loopback against a seeded SQLite
//! file, and a load of launch-and-wait requests through the REST API: what the `bench_wait`
//! benchmark and the crash test (`tests/it/crash.rs`) share. The server itself uses none of it.

pub mod callouts;
pub mod load;
pub mod procs;
pub mod seed;
pub mod workdir;

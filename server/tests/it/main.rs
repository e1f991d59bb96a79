//! In-process tests of the whole router (pages, server functions, guard) on a real SQLite
//! file with the demo data, driven with `tower::ServiceExt::oneshot`.

mod api;
mod api_catalogs;
mod api_policies;
mod api_requests;
mod api_resume;
mod caching;
mod callouts;
mod connection;
mod crash;
mod db_copy;
mod expiry;
mod fleet;
mod harness;
mod headers;
mod health;
mod idp;
mod instances;
mod malformed;
mod openapi;
mod operator;
mod people;
mod receiver;
mod redeliver;
mod rendering;
mod requests;
mod scim;
mod secrets;
mod server_functions;
mod sso;
mod test_clock;
mod throttle;
mod waiting;
mod worker;

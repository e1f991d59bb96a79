//! The directory: people and groups, the first administrator, setup links, SCIM 2.0
//! provisioning and leavers. It sits beside `services` (it uses the store, auth and the
//! lifecycle engine below it, and the pages, REST and SCIM handlers above call it).

pub mod demo;
pub mod graph_users;
pub mod leaver;
pub mod operator;
pub mod people;
pub mod provisioning;
pub mod scim;
pub mod setup;
pub mod sso;

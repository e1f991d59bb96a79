//! Pages and components, one file per screen.

pub mod app;
pub mod approvals;
pub mod apps;
pub mod catalog;
pub mod catalogs;
pub mod common;
pub mod extensions;
pub mod home;
pub mod lazy;
pub mod my_access;
pub mod policy;
pub mod request_details;
pub mod setup;
pub mod sign_in;
pub mod users;
pub mod wizard;

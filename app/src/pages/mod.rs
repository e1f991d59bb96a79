//! Pages and components, one file per screen.

pub mod app;
pub mod approvals;
pub mod apps;
pub mod catalog;
pub mod catalogs;
pub mod common;
pub mod extensions;
pub mod home;
pub mod keyboard;
pub mod lazy;
pub mod lists;
pub mod modal;
pub mod my_access;
pub mod policy;
pub mod request_details;
pub mod request_list;
pub mod setup;
pub mod sign_in;
pub mod tab_strip;
pub mod users;
pub mod wizard;

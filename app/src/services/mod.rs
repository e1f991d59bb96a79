//! The plain functions behind the server functions: authorization, validation and one
//! short transaction each. Server functions only find the caller and call these, so tests
//! call these directly against a real database.

pub mod apps;
pub mod callers;
pub mod catalogs;
pub mod connection;
pub mod extensions;
pub mod manager_requests;
pub mod manager_views;
pub mod name_lists;
pub mod packages;
pub mod policies;
pub mod redeliver;
pub mod request_views;
pub mod requests;
pub mod resume;
pub mod session;
pub mod submissions;
pub mod throttle;
pub mod tokens;

#[cfg(test)]
mod list_tests;
#[cfg(test)]
mod name_list_tests;
#[cfg(test)]
mod test_fixture;
#[cfg(test)]
mod tests;

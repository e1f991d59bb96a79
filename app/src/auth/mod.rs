//! Who is calling, and what they may do: passwords, the session cookie, and the one
//! authorization module that server functions (and later the REST handlers) ask.

pub mod authz;
pub mod cookie;
pub mod password;

//! Server functions of connection tests.

//! Server functions of requests, approvals and assignments.

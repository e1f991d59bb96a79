//! Server functions of the policy editor.

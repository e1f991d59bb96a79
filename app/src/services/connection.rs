//! Connection tests of custom extensions.

//! Test generation.

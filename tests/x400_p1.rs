//! `x400-p1` tests that its own package cannot run: the property tests over the test kit's
//! strategies, and the cross-check with the conformance kit's asn1tools and pycrate. One
//! binary; each former test file is a module in `tests/p1/`.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

// An inline module: its files are found in `tests/p1/`.
mod p1 {
    mod asn1tools_crosscheck;
    mod canon;
    mod proptest;
}

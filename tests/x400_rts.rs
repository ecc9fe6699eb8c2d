//! `x400-rts` tests that its own package cannot run: the RTS machines driven back to back
//! through the test kit, and the cross-checks with the conformance kit's oracles (asn1tools,
//! tshark). One binary; each former test file is a module in `tests/rts/`.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

// An inline module: its files are found in `tests/rts/`.
mod rts {
    mod asn1tools;
    mod machine;
    mod recovery;
    mod streaming;
    mod tshark;
}

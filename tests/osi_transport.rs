//! `osi-transport` under conditions its own package cannot provide: the test kit's network
//! simulator, live foreign peers and tshark. One binary; each former test file is a module
//! in `tests/transport/`.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

// An inline module: its files are found in `tests/transport/`.
mod transport {
    mod interop;
    mod tp4_sim;
    mod tp4_tshark;
}

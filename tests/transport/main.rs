//! `osi-transport` under conditions its own package cannot provide: the test kit's network
//! simulator, live foreign peers and tshark. One binary, one module per former test file.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod tp4_sim;

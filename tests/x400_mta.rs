//! `x400-mta` tests that its own package cannot run: associations driven back to back through
//! the test kit, and over TCP with the MTA's shell, a storm of bad connections included. One
//! binary; each file is a module in `tests/mta/`.

// A panic is how a test fails; tests on tokio and std speak std.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

mod common;

mod mta {
    mod association;
    mod big;
    mod conformance;
    mod crash;
    mod disk_full;
    mod expiry;
    mod pp;
    mod relay;
    mod report_oracle;
    mod storm;
    mod tcp;
}

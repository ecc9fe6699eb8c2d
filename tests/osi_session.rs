//! `osi-session` tests that its own package cannot run: the machine tests driven through the
//! test kit's back-to-back [`Pair`](x400_test_kit::session::Pair), and the tshark checks of
//! the conformance kit. One binary; each former test file is a module in `tests/session/`.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

// An inline module: its files are found in `tests/session/`.
mod session {
    mod machine_activity;
    mod machine_expedited;
    mod machine_kernel;
    mod machine_prepare;
    mod machine_rows;
    mod machine_sync;
    mod machine_transitions;
    mod machine_tshark;
    mod tshark;
}

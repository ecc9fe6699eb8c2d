//! Fuzzing oracles, one per decoder, shared by the cargo-fuzz targets in `fuzz/` and by the
//! corpus replay test that runs on stable (`tests/fuzz_corpus.rs`).
//!
//! An oracle takes arbitrary bytes and panics only when the code under test breaks a promise
//! (a decoder accepted bytes that its encoder cannot reproduce, say). Errors on bad input are
//! the expected outcome, never a failure. Each layer has its own module; add the oracle to
//! [`ORACLES`], a shim in `fuzz/fuzz_targets/` and seeds in `fuzz/corpus/<target>/`.

// Oracles exist to panic when a promise is broken, and check octets they were just given.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod session;
mod session_machine;
mod tpkt;
mod transport;

pub use self::session::{is_canonical, session_context, session_spdu};
pub use self::session_machine::session_machine;
pub use self::tpkt::tpkt_frame;
pub use self::transport::{transport_tp0, transport_tpdu};

/// A named oracle.
pub type Oracle = (&'static str, fn(&[u8]));

/// Every oracle, by fuzz target name. The corpus of target `t` lives in `fuzz/corpus/t/`.
pub const ORACLES: &[Oracle] = &[
    ("tpkt_frame", tpkt_frame),
    ("transport_tpdu", transport_tpdu),
    ("transport_tp0", transport_tp0),
    ("session_spdu", session_spdu),
    ("session_machine", session_machine),
];

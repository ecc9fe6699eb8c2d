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

mod acse;
mod ber;
mod input;
mod mta_association;
#[cfg(feature = "store")]
mod mta_intake;
mod p1;
mod presentation;
mod rts;
mod rts_machine;
mod session;
mod session_machine;
mod tp4;
mod tpkt;
mod transport;

pub use self::acse::acse_apdu;
pub use self::ber::sansio_ber;
pub use self::mta_association::mta_association;
#[cfg(feature = "store")]
pub use self::mta_intake::mta_intake;
pub use self::p1::{p1_mpdu_1984, p1_mts_apdu_1988};
pub use self::presentation::presentation_ppdu;
pub use self::rts::rts_pdu;
pub use self::rts_machine::rts_machine;
pub use self::session::{is_canonical, session_context, session_spdu};
pub use self::session_machine::session_machine;
pub use self::tp4::transport_tp4;
pub use self::tpkt::tpkt_frame;
pub use self::transport::{transport_tp0, transport_tpdu};

/// A named oracle.
pub type Oracle = (&'static str, fn(&[u8]));

/// Every oracle, by fuzz target name. The corpus of target `t` lives in `fuzz/corpus/t/`.
pub const ORACLES: &[Oracle] = &[
    ("sansio_ber", sansio_ber),
    ("tpkt_frame", tpkt_frame),
    ("transport_tpdu", transport_tpdu),
    ("transport_tp0", transport_tp0),
    ("session_spdu", session_spdu),
    ("rts_pdu", rts_pdu),
    ("p1_mpdu_1984", p1_mpdu_1984),
    ("p1_mts_apdu_1988", p1_mts_apdu_1988),
    ("presentation_ppdu", presentation_ppdu),
    ("acse_apdu", acse_apdu),
    ("transport_tp4", transport_tp4),
    ("session_machine", session_machine),
    ("rts_machine", rts_machine),
    ("mta_association", mta_association),
    #[cfg(feature = "store")]
    ("mta_intake", mta_intake),
];

//! Test support for the x400 workspace, shared by the root package's tests and benches and by
//! the cargo-fuzz targets in `fuzz/`. Never published: the published crates' own tests do not
//! use it, so that each of them passes from its package alone.
//!
//! * [`fuzz`]: one oracle per fuzz target, replayed on stable by `tests/fuzz_corpus.rs`;
//! * [`Rng`]: the one seeded PRNG of the tests, simulators and benches;
//! * [`tp4`]: the class 4 network simulator, a transfer harness over it, and (feature `io`) a
//!   transfer over UDP loopback;
//! * [`session`] and [`rts`]: two session or RTS machines wired back to back, with a manual
//!   clock, for tests that script both users;
//! * [`mta`]: two MTA associations (TP0, session, RTS, bind) wired back to back over an
//!   in-memory byte stream, with their peer tables and accounting; (feature `io`) attackers
//!   over TCP and a storm of attempts against the MTA's shell;
//! * `p1` (feature `strategies`): proptest strategies for P1 values within X.411's bounds.
//!
//! What needs the conformance kit beside the repository (its vectors, tshark, the Python venv)
//! is not here but in the root package's `tests/common`.

// Test support on std: std paths are the natural ones, and a panic is how a harness reports a
// broken promise or a failed set-up to the test that called it.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::missing_panics_doc
)]

mod rng;

pub mod fuzz;
pub mod mta;
#[cfg(feature = "strategies")]
pub mod p1;
pub mod rts;
pub mod session;
pub mod tp4;

pub use rng::Rng;

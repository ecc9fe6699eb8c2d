//! Test support for the x400 workspace, shared by the root package's tests and benches and by
//! the cargo-fuzz targets in `fuzz/`. Never published: the published crates' own tests do not
//! use it, so that each of them passes from its package alone.
//!
//! * [`fuzz`]: one oracle per fuzz target, replayed on stable by `tests/fuzz_corpus.rs`;
//! * [`Rng`]: the one seeded PRNG of the tests, simulators and benches.

mod rng;

pub mod fuzz;

pub use rng::Rng;

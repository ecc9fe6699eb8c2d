#![doc = include_str!("../README.md")]
// A std crate: std paths are the natural ones here (the workspace lints are written for the
// no_std protocol crates).
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

pub mod accounting;
pub mod association;
pub mod mailbox;
#[cfg(feature = "tokio")]
pub mod mta;
pub mod peers;
pub mod report;
pub mod routing;
#[cfg(feature = "tokio")]
pub mod shell;
pub mod store;
pub mod trace;

pub use accounting::{Accounting, Counters, Direction, Limits, Permit, Refusal};
pub use peers::{BindRefusal, Peer, PeerTable, Protocol, Secret};

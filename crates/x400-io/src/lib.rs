#![doc = include_str!("../README.md")]
// A std crate: std paths are the natural ones here (the workspace lints are written for the
// no_std protocol crates).
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

pub mod rtf;
pub mod rts;
pub mod tp0;
pub mod tp4;

pub use rts::Link;
pub use tp0::Tp0Tcp;
pub use tp4::{DatagramService, UdpService};

#![doc = include_str!("../README.md")]

pub mod tp4;

pub use tp4::{DatagramService, UdpService};

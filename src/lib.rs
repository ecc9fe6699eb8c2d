#![doc = include_str!("../README.md")]

pub use osi_session as session;
pub use osi_tpkt as tpkt;

pub mod fuzz;

#![doc = include_str!("../README.md")]

pub use osi_tpkt as tpkt;
pub use x400_rts as rts;

pub mod fuzz;

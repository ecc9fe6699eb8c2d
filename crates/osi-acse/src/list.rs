//! `SEQUENCE OF` lists, decoded lazily. The list type is osi-sansio's (it is X.690's, not
//! this protocol's); this module makes this crate's item types its items, with this crate's
//! limits and error.

pub use osi_sansio::ber::{Item, Iter, List};

/// Implements [`Item`] for a type whose decoder takes a [`Cx`](crate::wire::Cx) and whose
/// writer takes an [`Out`](crate::wire::Out), with this crate's limits and error.
pub(crate) use osi_sansio::list_item as item;

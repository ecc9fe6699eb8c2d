//! Reading the fields of a decoded PDU out of [`Tlv`]s with typed errors: the checks of
//! X.690 that every definite-length codec of the workspace makes, written once.
//!
//! A codec keeps its own error type (whose variants name the PDU being read) by implementing
//! [`FromFault`], and its own limits by implementing [`Bounds`]; [`Fields`] carries both
//! down the decoder.

use core::marker::PhantomData;

use super::{Class, Error, Tlv, read_with};
use crate::DecodeLimits;

/// What is wrong with one field, before the codec names the PDU it was reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Not non_exhaustive: a new fault must be mapped by every codec, so adding one is breaking.
pub enum Fault {
    /// The octets are not BER (X.690 §8.1), or break a nesting or size limit of the walk.
    Ber(Error),
    /// The whole input is longer than the codec's limit (`max` octets).
    InputTooLong {
        /// Octets found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Octets follow the one value the input should be.
    TrailingData {
        /// Octets left over.
        len: usize,
    },
    /// A tag the syntax does not allow here.
    UnexpectedTag {
        /// The field or list being read.
        field: &'static str,
        /// The tag class found.
        class: Class,
        /// The tag number found.
        number: u32,
    },
    /// A mandatory field is absent.
    MissingField(&'static str),
    /// A field appears twice, or out of the order a SEQUENCE fixes.
    DuplicateField(&'static str),
    /// Constructed where X.690 makes the value primitive, or the reverse (X.690 §8.1.2.5).
    WrongForm(&'static str),
    /// An INTEGER that is empty, negative or above `u32::MAX` (X.690 §8.3).
    BadInteger(&'static str),
    /// A list holds more items, or an OBJECT IDENTIFIER more arcs, than the limits allow.
    TooMany {
        /// The list.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A field is longer than the limits allow.
    TooLong {
        /// The field.
        field: &'static str,
        /// Octets found.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// A codec's error, made from a [`Fault`] and the name of the PDU being read.
pub trait FromFault {
    /// The error for `fault` met while reading `pdu`.
    fn from_fault(pdu: &'static str, fault: Fault) -> Self;
}

/// The part of a codec's limits that the one walk of an input checks (X.690 §8.1 nesting and
/// counts): the codec's other bounds are its own.
pub trait Bounds {
    /// Longest input, in octets.
    fn max_len(&self) -> usize;
    /// Deepest nesting, the outermost value counting 1.
    fn max_depth(&self) -> usize;
    /// Most values at any depth.
    fn max_elements(&self) -> usize;
}

/// What a decoder carries down: the PDU it reads (for errors) and the codec's limits.
pub struct Fields<'l, L, E> {
    /// The PDU being read, as its standard names its type.
    pub pdu: &'static str,
    /// The codec's limits.
    pub limits: &'l L,
    error: PhantomData<fn() -> E>,
}

impl<L, E> Clone for Fields<'_, L, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L, E> Copy for Fields<'_, L, E> {}

impl<'l, L: Bounds, E: FromFault> Fields<'l, L, E> {
    /// Reading `pdu` within `limits`.
    pub const fn new(pdu: &'static str, limits: &'l L) -> Self {
        Self {
            pdu,
            limits,
            error: PhantomData,
        }
    }

    /// The codec's error for `fault` in this PDU.
    pub fn fault(self, fault: Fault) -> E {
        E::from_fault(self.pdu, fault)
    }

    /// A BER error of the reader.
    pub fn ber(self, error: Error) -> E {
        self.fault(Fault::Ber(error))
    }

    /// `tlv`'s tag is not allowed in `field`.
    pub fn unexpected(self, field: &'static str, tlv: &Tlv<'_>) -> E {
        self.fault(Fault::UnexpectedTag {
            field,
            class: tlv.class,
            number: tlv.number,
        })
    }

    /// `field` is absent.
    pub fn missing(self, field: &'static str) -> E {
        self.fault(Fault::MissingField(field))
    }

    /// `field` appears twice or out of order.
    pub fn duplicate(self, field: &'static str) -> E {
        self.fault(Fault::DuplicateField(field))
    }

    /// `field` holds more than `max`.
    pub fn too_many(self, field: &'static str, max: usize) -> E {
        self.fault(Fault::TooMany { field, max })
    }

    /// Reads `data` as exactly one value, walking all of it once against the limits (so the
    /// nested reads that follow cannot meet deeper or larger input than was checked here).
    ///
    /// # Errors
    ///
    /// [`Fault::InputTooLong`], [`Fault::Ber`] or [`Fault::TrailingData`].
    pub fn whole<'a>(self, data: &'a [u8]) -> Result<Tlv<'a>, E> {
        let max = self.limits.max_len();
        if data.len() > max {
            return Err(self.fault(Fault::InputTooLong {
                len: data.len(),
                max,
            }));
        }
        let walk = DecodeLimits::DEFAULT
            .with_max_len(usize::MAX)
            .with_max_depth(self.limits.max_depth())
            .with_max_elements(self.limits.max_elements());
        let (tlv, rest) = read_with(data, &walk).map_err(|e| self.ber(e))?;
        if !rest.is_empty() {
            return Err(self.fault(Fault::TrailingData { len: rest.len() }));
        }
        Ok(tlv)
    }

    /// The values inside a constructed value.
    pub fn elements<'a>(
        self,
        tlv: &Tlv<'a>,
    ) -> impl Iterator<Item = Result<Tlv<'a>, E>> + use<'a, L, E> {
        tlv.elements()
            .map(move |r| r.map_err(|e| E::from_fault(self.pdu, Fault::Ber(e))))
    }

    /// Insists that `tlv` is constructed.
    ///
    /// # Errors
    ///
    /// [`Fault::WrongForm`].
    pub fn constructed(self, tlv: &Tlv<'_>, field: &'static str) -> Result<(), E> {
        if tlv.constructed {
            Ok(())
        } else {
            Err(self.fault(Fault::WrongForm(field)))
        }
    }

    /// The contents of a primitive value.
    ///
    /// # Errors
    ///
    /// [`Fault::WrongForm`].
    pub fn primitive<'a>(self, tlv: &Tlv<'a>, field: &'static str) -> Result<&'a [u8], E> {
        if tlv.constructed {
            Err(self.fault(Fault::WrongForm(field)))
        } else {
            Ok(tlv.contents)
        }
    }

    /// A primitive string of at most `max` octets. Constructed (segmented) strings are valid
    /// BER (X.690 §8.7.3) but cannot be borrowed as one slice, so they are refused.
    ///
    /// # Errors
    ///
    /// [`Fault::WrongForm`] or [`Fault::TooLong`].
    pub fn octets<'a>(self, tlv: &Tlv<'a>, field: &'static str, max: usize) -> Result<&'a [u8], E> {
        let octets = self.primitive(tlv, field)?;
        if octets.len() > max {
            return Err(self.fault(Fault::TooLong {
                field,
                len: octets.len(),
                max,
            }));
        }
        Ok(octets)
    }

    /// A primitive non-negative INTEGER that fits a `u32` (X.690 §8.3).
    ///
    /// # Errors
    ///
    /// [`Fault::WrongForm`] or [`Fault::BadInteger`].
    pub fn uint(self, tlv: &Tlv<'_>, field: &'static str) -> Result<u32, E> {
        self.primitive(tlv, field)?;
        tlv.small_uint()
            .ok_or_else(|| self.fault(Fault::BadInteger(field)))
    }

    /// The one value inside an explicit tag (X.690 §8.14.2: always constructed).
    ///
    /// # Errors
    ///
    /// [`Fault::WrongForm`], [`Fault::MissingField`] for none, [`Fault::DuplicateField`]
    /// for two, or a BER error.
    pub fn explicit<'a>(self, tlv: &Tlv<'a>, field: &'static str) -> Result<Tlv<'a>, E> {
        self.constructed(tlv, field)?;
        let mut inner = self.elements(tlv);
        let first = inner.next().ok_or_else(|| self.missing(field))??;
        if inner.next().is_some() {
            return Err(self.duplicate(field));
        }
        Ok(first)
    }

    /// A universal INTEGER inside an explicit tag, that fits a `u32`.
    ///
    /// # Errors
    ///
    /// As [`Fields::explicit`] and [`Fields::uint`], or [`Fault::UnexpectedTag`].
    pub fn explicit_uint(self, tlv: &Tlv<'_>, field: &'static str) -> Result<u32, E> {
        let inner = self.explicit(tlv, field)?;
        if !inner.is_universal(2) {
            return Err(self.unexpected(field, &inner));
        }
        self.uint(&inner, field)
    }

    /// Stores `value` into an empty `slot`, or reports a duplicate (the components of a SET,
    /// X.690 §8.11, come in any order but at most once).
    ///
    /// # Errors
    ///
    /// [`Fault::DuplicateField`].
    pub fn put<T>(self, slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), E> {
        if slot.is_some() {
            return Err(self.duplicate(field));
        }
        *slot = Some(value);
        Ok(())
    }
}

/// Walks the fields of a SEQUENCE in order (X.690 §8.9: the components come in the order of
/// the type): each field has a position, and a field at or before the last one seen is a
/// duplicate or out of order.
#[derive(Debug, Default)]
pub struct Order {
    last: Option<u8>,
}

impl Order {
    /// No field seen yet.
    #[must_use]
    pub const fn new() -> Self {
        Self { last: None }
    }

    /// Records the field at `position`.
    ///
    /// # Errors
    ///
    /// [`Fault::DuplicateField`] if it is not after the last one.
    pub fn next<L: Bounds, E: FromFault>(
        &mut self,
        cx: Fields<'_, L, E>,
        position: u8,
        field: &'static str,
    ) -> Result<(), E> {
        if self.last.is_some_and(|last| position <= last) {
            return Err(cx.duplicate(field));
        }
        self.last = Some(position);
        Ok(())
    }
}

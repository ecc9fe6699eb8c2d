//! `SEQUENCE OF` lists (X.690 §8.10), decoded lazily: a received list is checked item by
//! item once, when its PDU is decoded, and kept as the borrowed octets; iterating reads the
//! items again from them. A list to send is a slice of items. Either way nothing is
//! allocated, which is what lets the codecs stay `no_std` without `alloc`.

use core::fmt;

use super::fields::Bounds;
use super::{Class, Elements, Fields, FromFault, Out, ShortBuffer, Tlv};

/// A type that a codec puts in a `SEQUENCE OF`. The methods are the codec's, used by
/// [`List`]; a codec's list items implement it with its own limits and error.
pub trait Item<'a>: Copy {
    /// The codec's limits.
    type Limits: Bounds + 'static;
    /// The codec's error.
    type Error: FromFault + From<ShortBuffer>;
    /// Limits that accept whatever was accepted once: iterating a received list decodes its
    /// items again with these, since the caller's limits were checked when it was decoded.
    #[doc(hidden)]
    const CHECKED: &'static Self::Limits;
    /// Decodes one item of a list in `pdu`.
    #[doc(hidden)]
    fn decode_item(
        tlv: &Tlv<'a>,
        pdu: &'static str,
        limits: &Self::Limits,
    ) -> Result<Self, Self::Error>;
    /// Octets of the encoded item, identifier and length included.
    #[doc(hidden)]
    fn item_len(&self) -> usize;
    /// Writes the item at the start of `dst`; returns the octets written.
    #[doc(hidden)]
    fn encode_item(&self, dst: &mut [u8]) -> Result<usize, Self::Error>;
}

/// A `SEQUENCE OF T`: received (borrowed, checked octets) or to send (a slice).
///
/// Two lists are equal when their items are, however each was made.
#[derive(Clone, Copy)]
pub struct List<'a, T> {
    repr: Repr<'a, T>,
}

#[derive(Clone, Copy)]
enum Repr<'a, T> {
    Received {
        contents: &'a [u8],
        pdu: &'static str,
        len: usize,
    },
    Items(&'a [T]),
}

impl<'a, T: Item<'a>> List<'a, T> {
    /// A list of `items`, to encode.
    #[must_use]
    pub const fn new(items: &'a [T]) -> Self {
        Self {
            repr: Repr::Items(items),
        }
    }

    /// Number of items.
    #[must_use]
    pub const fn len(&self) -> usize {
        match self.repr {
            Repr::Received { len, .. } => len,
            Repr::Items(items) => items.len(),
        }
    }

    /// Whether the list is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in order.
    #[must_use]
    pub fn iter(&self) -> Iter<'a, T> {
        Iter {
            repr: match self.repr {
                Repr::Received { contents, pdu, .. } => IterRepr::Received {
                    elements: Tlv { contents, ..EMPTY }.elements(),
                    pdu,
                },
                Repr::Items(items) => IterRepr::Items(items.iter()),
            },
        }
    }

    /// Checks every item of the constructed value `tlv`, at most `max` of them.
    ///
    /// # Errors
    ///
    /// The codec's error for a primitive `tlv`, more than `max` items, or a bad item.
    pub fn decode(
        cx: Fields<'_, T::Limits, T::Error>,
        tlv: &Tlv<'a>,
        field: &'static str,
        max: usize,
    ) -> Result<Self, T::Error> {
        cx.constructed(tlv, field)?;
        let mut len = 0usize;
        for element in cx.elements(tlv) {
            len += 1;
            if len > max {
                return Err(cx.too_many(field, max));
            }
            T::decode_item(&element?, cx.pdu, cx.limits)?;
        }
        Ok(Self {
            repr: Repr::Received {
                contents: tlv.contents,
                pdu: cx.pdu,
                len,
            },
        })
    }

    /// Octets of the items, encoded.
    #[must_use]
    pub fn contents_len(&self) -> usize {
        self.iter().map(|item| item.item_len()).sum()
    }

    /// Writes the list under `identifier`.
    ///
    /// # Errors
    ///
    /// The codec's error if `out` runs out of room.
    pub fn write(&self, out: &mut Out<'_, T::Error>, identifier: u8) -> Result<(), T::Error> {
        out.header(identifier, self.contents_len())?;
        for item in self.iter() {
            out.with_rest(|rest| item.encode_item(rest))?;
        }
        Ok(())
    }
}

/// A placeholder TLV whose `elements()` walk its `contents`.
const EMPTY: Tlv<'static> = Tlv {
    identifier: &[],
    class: Class::Universal,
    constructed: true,
    number: 16,
    indefinite: false,
    contents: &[],
};

impl<'a, T: Item<'a>> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T: Item<'a> + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Item<'a> + Eq> Eq for List<'a, T> {}

impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The items of a [`List`].
#[derive(Clone)]
pub struct Iter<'a, T> {
    repr: IterRepr<'a, T>,
}

#[derive(Clone)]
enum IterRepr<'a, T> {
    Received {
        elements: Elements<'a>,
        pdu: &'static str,
    },
    Items(core::slice::Iter<'a, T>),
}

impl<'a, T: Item<'a>> Iterator for Iter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            // The items were checked when the list was decoded, so none fails here; if one
            // did, the iteration would end rather than panic.
            IterRepr::Received { elements, pdu } => {
                let tlv = elements.next()?.ok()?;
                T::decode_item(&tlv, pdu, T::CHECKED).ok()
            }
            IterRepr::Items(items) => items.next().copied(),
        }
    }
}

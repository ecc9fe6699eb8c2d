//! `SEQUENCE OF` lists, decoded lazily: a received list is checked item by item once, when
//! its APDU is decoded, and kept as the borrowed octets; iterating reads the items again
//! from them. A list to send is a slice of items. Either way nothing is allocated.

use core::fmt;

use osi_sansio::ber::{Elements, Tlv};

use crate::wire::{Cx, Out};
use crate::{Limits, Result};

pub(crate) mod sealed {
    /// Only this crate's item types are list items.
    pub trait Sealed {}
}

/// A type that the ACSE-1 module (X.227) puts in a `SEQUENCE OF`. Sealed: the methods are the codec's.
pub trait Item<'a>: Copy + sealed::Sealed {
    /// Decodes one item.
    #[doc(hidden)]
    fn decode_item(tlv: &Tlv<'a>, apdu: &'static str, limits: &Limits) -> Result<Self>;
    /// Octets of the encoded item, identifier and length included.
    #[doc(hidden)]
    fn item_len(&self) -> usize;
    /// Writes the item at the start of `dst`; returns the octets written.
    #[doc(hidden)]
    fn encode_item(&self, dst: &mut [u8]) -> Result<usize>;
}

/// Implements [`Item`] for a type whose decoder takes a [`Cx`] and whose writer takes an
/// [`Out`].
macro_rules! item {
    ($t:ident $(<$l:lifetime>)?) => {
        impl $(<$l>)? crate::list::sealed::Sealed for $t $(<$l>)? {}
        impl<'a> crate::list::Item<'a> for $t $(<$l>)? {
            fn decode_item(
                tlv: &osi_sansio::ber::Tlv<'a>,
                apdu: &'static str,
                limits: &crate::Limits,
            ) -> crate::Result<Self> {
                Self::decode_tlv(crate::wire::Cx::new(apdu, limits), tlv)
            }
            fn item_len(&self) -> usize {
                self.tlv_len()
            }
            fn encode_item(&self, dst: &mut [u8]) -> crate::Result<usize> {
                let len = self.tlv_len();
                crate::wire::encode_into(dst, len, |out| self.write(out))
            }
        }
    };
}
pub(crate) use item;

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
        apdu: &'static str,
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
                Repr::Received { contents, apdu, .. } => IterRepr::Received {
                    elements: Tlv { contents, ..EMPTY }.elements(),
                    apdu,
                },
                Repr::Items(items) => IterRepr::Items(items.iter()),
            },
        }
    }

    /// Checks every item of the constructed value `tlv`, at most `max` of them.
    pub(crate) fn decode(
        cx: Cx<'_>,
        tlv: &Tlv<'a>,
        field: &'static str,
        max: usize,
    ) -> Result<Self> {
        cx.constructed(tlv, field)?;
        let mut len = 0usize;
        for element in cx.elements(tlv) {
            len += 1;
            if len > max {
                return Err(cx.too_many(field, max));
            }
            T::decode_item(&element?, cx.apdu, cx.limits)?;
        }
        Ok(Self {
            repr: Repr::Received {
                contents: tlv.contents,
                apdu: cx.apdu,
                len,
            },
        })
    }

    /// Octets of the items, encoded.
    pub(crate) fn contents_len(&self) -> usize {
        self.iter().map(|item| item.item_len()).sum()
    }

    /// Writes the list under `identifier`.
    pub(crate) fn write(&self, out: &mut Out<'_>, identifier: u8) -> Result<()> {
        out.header(identifier, self.contents_len())?;
        for item in self.iter() {
            out.item(&item)?;
        }
        Ok(())
    }
}

/// A placeholder TLV whose `elements()` walk its `contents`.
const EMPTY: Tlv<'static> = Tlv {
    identifier: &[],
    class: osi_sansio::ber::Class::Universal,
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
        apdu: &'static str,
    },
    Items(core::slice::Iter<'a, T>),
}

impl<'a, T: Item<'a>> Iterator for Iter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            // The items were checked when the list was decoded, so none fails here; if one
            // did, the iteration would end rather than panic.
            IterRepr::Received { elements, apdu } => {
                let tlv = elements.next()?.ok()?;
                T::decode_item(&tlv, apdu, &Limits::CHECKED).ok()
            }
            IterRepr::Items(items) => items.next().copied(),
        }
    }
}

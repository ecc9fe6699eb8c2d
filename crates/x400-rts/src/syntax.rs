//! `DataTransferSyntax` and the frame PConnect and PAccept share:
//! `SET { [0] IMPLICIT DataTransferSyntax, [1] IMPLICIT SET { ...user data... } }`.

use alloc::vec::Vec;

use rasn::types::Tag;
use rasn::{AsnType, Decode, Encode};

use crate::ber::{self, Element};
use crate::error::Error;
use crate::options::DecodeLimits;

/// `DataTransferSyntax ::= SET { [0] IMPLICIT INTEGER { x409(0) } }`.
///
/// X.410-1984 mode knows x409(0) only. The same octets are X.226's mode selector, where 1
/// means normal mode; decoders of this crate reject anything but 0
/// ([`Error::NotX410Mode`]).
#[derive(AsnType, Decode, Encode, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rasn(set)]
pub struct DataTransferSyntax {
    /// The syntax: 0 = x409 (BER).
    #[rasn(tag(context, 0))]
    pub syntax: i128,
}

impl DataTransferSyntax {
    /// x409(0), the only value of X.410-1984 mode.
    pub const X409: Self = Self { syntax: 0 };
}

/// Checks length, the outer SET, and the data transfer syntax, and returns the elements of
/// the user-data SET `[1]`.
pub(crate) fn open_frame(
    pdu: &'static str,
    data: &[u8],
    limits: &DecodeLimits,
) -> Result<Vec<Element>, Error> {
    crate::options::check(pdu, data, limits)?;
    let ber = |source| Error::Ber { pdu, source };
    let mut syntax = None;
    let mut user_data = None;
    for element in ber::split_exact(pdu, data, Tag::SET)? {
        let (slot, field) = match element.tag {
            t if t == ber::context(0) => (&mut syntax, "dataTransferSyntax"),
            t if t == ber::context(1) => (&mut user_data, "pUserData"),
            tag => {
                return Err(Error::UnexpectedElement {
                    pdu,
                    field: pdu,
                    tag,
                });
            }
        };
        if slot.replace(element).is_some() {
            return Err(Error::DuplicateField { pdu, field });
        }
    }
    let syntax = syntax.ok_or(Error::MissingField {
        pdu,
        field: "dataTransferSyntax",
    })?;
    let user_data = user_data.ok_or(Error::MissingField {
        pdu,
        field: "pUserData",
    })?;
    if !syntax.constructed {
        return Err(Error::WrongForm {
            pdu,
            field: "dataTransferSyntax",
            constructed: false,
        });
    }
    let [value] = slots(
        pdu,
        "dataTransferSyntax",
        ber::elements(pdu, &syntax.contents().map_err(ber)?)?,
        ["syntax"],
        Unknown::Reject,
    )?;
    let value = value.ok_or(Error::MissingField {
        pdu,
        field: "dataTransferSyntax",
    })?;
    let value = primitive_integer(pdu, "dataTransferSyntax", &value)?;
    if value != DataTransferSyntax::X409.syntax {
        return Err(Error::NotX410Mode { pdu, value });
    }
    if !user_data.constructed {
        return Err(Error::WrongForm {
            pdu,
            field: "pUserData",
            constructed: false,
        });
    }
    ber::elements(pdu, &user_data.contents().map_err(ber)?)
}

/// What to do with a context-specific component whose number has no slot.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Skip it: the user-data SETs, where X.410 peers must ignore unknown `[n]` (ISODE
    /// declares a `protocolVersion [5]` in acsap/acsold.py).
    Ignore,
    /// Refuse it: the other SETs, whose contents X.410 fixes.
    Reject,
}

/// Sorts the elements of a SET into `N` slots by context tag number `[0]..[N-1]`. Other
/// classes and duplicates are errors; higher context numbers as `unknown` says.
pub(crate) fn slots<const N: usize>(
    pdu: &'static str,
    set: &'static str,
    elements: Vec<Element>,
    names: [&'static str; N],
    unknown: Unknown,
) -> Result<[Option<Element>; N], Error> {
    let mut slots: [Option<Element>; N] = core::array::from_fn(|_| None);
    for element in elements {
        let tag = element.tag;
        let context = tag.class == rasn::types::Class::Context;
        let slot = usize::try_from(tag.value)
            .ok()
            .filter(|_| context)
            .and_then(|i| Some((slots.get_mut(i)?, *names.get(i)?)));
        match slot {
            Some((slot, field)) => {
                if slot.replace(element).is_some() {
                    return Err(Error::DuplicateField { pdu, field });
                }
            }
            None if context && unknown == Unknown::Ignore => {}
            None => {
                return Err(Error::UnexpectedElement {
                    pdu,
                    field: set,
                    tag,
                });
            }
        }
    }
    Ok(slots)
}

/// The user-data SET's slots: unknown context components are ignored.
pub(crate) fn user_data_slots<const N: usize>(
    pdu: &'static str,
    elements: Vec<Element>,
    names: [&'static str; N],
) -> Result<[Option<Element>; N], Error> {
    slots(pdu, "pUserData", elements, names, Unknown::Ignore)
}

/// An `[n] IMPLICIT INTEGER`: primitive (X.690 §8.3.1; rasn alone would read a constructed
/// one), any size that fits `i128`.
pub(crate) fn primitive_integer(
    pdu: &'static str,
    field: &'static str,
    element: &Element,
) -> Result<i128, Error> {
    if element.constructed {
        return Err(Error::WrongForm {
            pdu,
            field,
            constructed: true,
        });
    }
    element
        .decode()
        .map_err(|source| Error::Ber { pdu, source })
}

/// An `[n] IMPLICIT INTEGER` user-data component as `u32`, or `default` when absent.
pub(crate) fn integer(
    pdu: &'static str,
    field: &'static str,
    element: Option<&Element>,
    default: u32,
) -> Result<u32, Error> {
    let Some(element) = element else {
        return Ok(default);
    };
    let value = primitive_integer(pdu, field, element)?;
    u32::try_from(value).map_err(|_| Error::IntegerOutOfRange { pdu, field, value })
}

/// `SET { [0] DataTransferSyntax x409, [1] SET { user_data } }`.
pub(crate) fn close_frame(user_data: &[u8]) -> Vec<u8> {
    // [0] IMPLICIT DataTransferSyntax { [0] IMPLICIT INTEGER 0 }.
    const X409: [u8; 5] = [0xa0, 0x03, 0x80, 0x01, 0x00];
    let mut contents = Vec::with_capacity(X409.len() + user_data.len() + 6);
    contents.extend_from_slice(&X409);
    contents.extend(ber::tlv(ber::context_constructed(1), user_data));
    ber::tlv(ber::SET_IDENTIFIER, &contents)
}

/// `[n] IMPLICIT INTEGER value`.
pub(crate) fn encode_integer(n: u32, value: u32) -> Result<Vec<u8>, Error> {
    ber::encode_implicit(&value, ber::context(n))
}

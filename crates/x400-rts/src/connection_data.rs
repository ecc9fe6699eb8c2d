//! `ConnectionData`: the `open` user data or the `recover` identifier of PConnect and PAccept.

use alloc::vec::Vec;

use rasn::types::Any;

use crate::ber::{self, Element, RawValue};
use crate::error::Error;
use crate::recover::SessionConnectionIdentifier;

/// `ConnectionData ::= CHOICE { open [0] ANY, recover [1] IMPLICIT SessionConnectionIdentifier }`.
///
/// The CHOICE is fixed by X.410 (1984); it is not `#[non_exhaustive]` so that the RTS machine
/// can match it completely.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionData {
    /// `open`: a new association, with the RTS user's data (in P1, the MTA bind argument or
    /// result) as one BER value, or `None` when there is none.
    ///
    /// On receipt every form of "no user data" real peers send is `None`: `80 00` (X.228's
    /// `[0] IMPLICIT NULL`), `A0 00`, `A0 02 80 00` (ISODE's PConnect) and `A0 02 05 00`
    /// (a NULL: ISODE's PAccept).
    ///
    /// `None` is sent as `A0 02 05 00`, an explicit `[0]` around NULL: ISODE sends it, so reads
    /// it; every decoder of `[0] ANY` reads it (asn1tools rejects `80 00` and `A0 00`); and
    /// tshark, which decodes `open` as the P1 bind when `applicationProtocol` is 1 or 12,
    /// reads it as the `unauthenticated` bind, while it reports `A0 02 80 00` as an error
    /// (`p1.zero_pdu`). For P1 a NULL bind *is* "no user data" (both the 1984 bind and the
    /// 1988 `MTABindArgument`/`MTABindResult` have NULL = unauthenticated), so a P1 caller
    /// reads `None` as `unauthenticated` and never gets a NULL in `Some`.
    Open(Option<Any>),
    /// `recover`: re-establish the association of a lost session connection, which this
    /// identifies (X.218 §8.1). It carries no user data, so no P1 bind.
    Recover(SessionConnectionIdentifier),
}

impl ConnectionData {
    /// `open` with `value` (one complete BER encoding) as the user data.
    ///
    /// A NULL (`05 00`, e.g. P1's `unauthenticated` bind) or `80 00` goes out as "no user
    /// data" and reads back as `Open(None)`: the two are the same on the wire.
    #[must_use]
    pub fn open(value: impl Into<Vec<u8>>) -> Self {
        Self::Open(Some(Any::new(value.into())))
    }

    /// The `open` user data, if this is an `open` that has some.
    #[must_use]
    pub fn open_data(&self) -> Option<&[u8]> {
        match self {
            Self::Open(Some(any)) => Some(any.as_bytes()),
            _ => None,
        }
    }

    /// Decodes the contents of the explicit tag (`[3]` in PConnect, `[2]` in PAccept) that
    /// holds the CHOICE: exactly one element, `[0]` or `[1]`.
    pub(crate) fn from_wrapper(pdu: &'static str, wrapper: &Element) -> Result<Self, Error> {
        let ber = |source| Error::Ber { pdu, source };
        if !wrapper.constructed {
            return Err(Error::WrongForm {
                pdu,
                field: "connectionData",
                constructed: false,
            });
        }
        let contents = wrapper.contents().map_err(ber)?;
        let element = single_element(pdu, "connectionData", &contents)?;
        match element.tag {
            t if t == ber::context(0) => Ok(Self::Open(open_value(pdu, &element)?)),
            t if t == ber::context(1) => {
                if !element.constructed {
                    return Err(Error::WrongForm {
                        pdu,
                        field: "recover",
                        constructed: false,
                    });
                }
                element.decode().map(Self::Recover).map_err(ber)
            }
            tag => Err(Error::UnexpectedElement {
                pdu,
                field: "connectionData",
                tag,
            }),
        }
    }

    /// The encoding of the CHOICE alone (without the PDU's explicit wrapper).
    pub(crate) fn encode_choice(&self) -> Result<Vec<u8>, Error> {
        match self {
            Self::Open(None) => Ok(ber::tlv(ber::context_constructed(0), &NULL)),
            Self::Open(Some(any)) => {
                // The user data must be one BER value, or the PDU we send is malformed.
                match ber::decode_prefix::<RawValue>(any.as_bytes()) {
                    Ok((_, 0)) => Ok(ber::tlv(ber::context_constructed(0), any.as_bytes())),
                    _ => Err(Error::InvalidOpenData),
                }
            }
            Self::Recover(id) => ber::encode_implicit(id, ber::context(1)),
        }
    }
}

/// `[0] IMPLICIT NULL`: X.228's "no user data", found inside `open` in ISODE's PConnect.
const NO_USER_DATA_IMPLICIT_NULL: [u8; 2] = [0x80, 0x00];

/// A universal NULL: the no-data value inside `open` we send (see [`ConnectionData::Open`]).
const NULL: [u8; 2] = [0x05, 0x00];

/// The value of `open`: see [`ConnectionData::Open`] for the forms of "no user data".
fn open_value(pdu: &'static str, open: &Element) -> Result<Option<Any>, Error> {
    let contents = open
        .contents()
        .map_err(|source| Error::Ber { pdu, source })?;
    if !open.constructed {
        // Only `80 00` is a primitive `open`: X.228's `[0] IMPLICIT NULL`.
        return if contents.is_empty() {
            Ok(None)
        } else {
            Err(Error::WrongForm {
                pdu,
                field: "open",
                constructed: false,
            })
        };
    }
    if contents.is_empty() {
        return Ok(None);
    }
    let value = single_element(pdu, "open", &contents)?;
    if value.encoding == NO_USER_DATA_IMPLICIT_NULL || is_null(&value) {
        return Ok(None);
    }
    Ok(Some(Any::new(value.encoding)))
}

/// The one BER value that `contents` must consist of.
fn single_element(
    pdu: &'static str,
    field: &'static str,
    contents: &[u8],
) -> Result<Element, Error> {
    let mut elements = ber::elements(pdu, contents)?;
    let count = elements.len();
    match elements.pop() {
        Some(e) if count == 1 => Ok(e),
        _ => Err(Error::NotOneValue { pdu, field, count }),
    }
}

/// A NULL in any length form (`05 00`, or a long-form zero length such as `05 81 00`).
fn is_null(e: &Element) -> bool {
    e.tag == rasn::types::Tag::NULL && !e.constructed && e.contents().is_ok_and(|c| c.is_empty())
}

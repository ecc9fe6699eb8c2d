//! Macros that join a codec's own types to the shared BER pieces of this module, so that
//! each codec crate writes only what its protocol defines. Each expands in the codec crate:
//! `crate::` there names the codec's `Error`, `Result` and `Limits`, which every codec built
//! on [`Fields`](crate::ber::Fields) and [`Out`](crate::ber::Out) has.
//!
//! The contract a PDU or list item type meets: a private `decode_tlv(cx, &tlv)` that reads
//! it from one TLV (whose walk against the limits is done), `tlv_len()` that gives the octets
//! of its encoding, and `write(out)` that writes exactly those octets.

/// Implements, for a codec's `Error` (whose decoding variants name the PDU in the field
/// `$pdu`) and `Limits` (which have `max_len`, `max_depth` and `max_elements`),
/// [`FromFault`](crate::ber::FromFault), `From<`[`ShortBuffer`](crate::ber::ShortBuffer)`>`
/// and [`Bounds`](crate::ber::Bounds). `$whole` names the whole input in `TooLong`.
#[macro_export]
macro_rules! codec_glue {
    ($error:ident { $pdu:ident }, $limits:ident, $whole:literal) => {
        impl $crate::ber::FromFault for $error {
            fn from_fault($pdu: &'static str, fault: $crate::ber::Fault) -> Self {
                use $crate::ber::Fault as F;
                match fault {
                    F::Ber(e) => Self::Ber { $pdu, error: e },
                    F::InputTooLong { len, max } => Self::TooLong {
                        $pdu,
                        field: $whole,
                        len,
                        max,
                    },
                    F::TrailingData { len } => Self::TrailingData { $pdu, len },
                    F::UnexpectedTag {
                        field,
                        class,
                        number,
                    } => Self::UnexpectedTag {
                        $pdu,
                        field,
                        class,
                        number,
                    },
                    F::MissingField(field) => Self::MissingField { $pdu, field },
                    F::DuplicateField(field) => Self::DuplicateField { $pdu, field },
                    F::WrongForm(field) => Self::WrongForm { $pdu, field },
                    F::BadInteger(field) => Self::BadInteger { $pdu, field },
                    F::TooMany { field, max } => Self::TooMany { $pdu, field, max },
                    F::TooLong { field, len, max } => Self::TooLong {
                        $pdu,
                        field,
                        len,
                        max,
                    },
                }
            }
        }

        impl From<$crate::ber::ShortBuffer> for $error {
            fn from(e: $crate::ber::ShortBuffer) -> Self {
                Self::BufferTooSmall {
                    needed: e.needed,
                    available: e.available,
                }
            }
        }

        // The bounds of the one walk of an input, checked by osi-sansio's reader.
        impl $crate::ber::Bounds for $limits {
            fn max_len(&self) -> usize {
                self.max_len
            }
            fn max_depth(&self) -> usize {
                self.max_depth
            }
            fn max_elements(&self) -> usize {
                self.max_elements
            }
        }
    };
}

/// Gives the PDU type `$t` `decode`, `decode_with`, `encoded_len`, `encode` (and
/// `encode_to_vec` with the codec's `alloc` feature) over its private `decode_tlv`, `tlv_len`
/// and `write`. `$name` is the type's ASN.1 name, `$input` what the input is ("octets that
/// are"), `$kind` the kind of PDU ("APDU").
#[macro_export]
#[allow(
    clippy::crate_in_macro_def,
    reason = "`crate::` is meant to name the codec's own Error, Result and Limits"
)]
macro_rules! pdu_api {
    ($t:ident, $name:literal, $input:literal, $kind:literal) => {
        impl<'a> $t<'a> {
            #[doc = concat!("Decodes ", $input, " exactly one `", $name, "`")]
            /// with the default [`Limits`](crate::Limits).
            ///
            /// # Errors
            ///
            /// [`Error`](crate::Error) for anything else, or input beyond the limits.
            pub fn decode(data: &'a [u8]) -> crate::Result<Self> {
                Self::decode_with(data, &crate::Limits::DEFAULT)
            }

            /// Decodes within `limits`.
            ///
            /// # Errors
            ///
            #[doc = concat!("[`Error`](crate::Error) for anything but one valid ", $kind, " within `limits`.")]
            pub fn decode_with(data: &'a [u8], limits: &crate::Limits) -> crate::Result<Self> {
                let cx = $crate::ber::Fields::<crate::Limits, crate::Error>::new($name, limits);
                let tlv = cx.whole(data)?;
                Self::decode_tlv(cx, &tlv)
            }

            /// Octets of the encoding.
            #[must_use]
            pub fn encoded_len(&self) -> usize {
                self.tlv_len()
            }

            /// Writes the encoding (definite lengths, X.690 §10.1) at the start of `dst`;
            /// returns its length.
            ///
            /// # Errors
            ///
            /// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall) if `dst` is shorter
            /// than the encoding; nothing is written then.
            pub fn encode(&self, dst: &mut [u8]) -> crate::Result<usize> {
                $crate::ber::encode_into(dst, self.tlv_len(), |out| self.write(out))
            }

            /// The encoding in a new vector.
            #[cfg(feature = "alloc")]
            #[must_use]
            pub fn encode_to_vec(&self) -> alloc::vec::Vec<u8> {
                let mut out = alloc::vec![0u8; self.tlv_len()];
                // The buffer has exactly the encoding's length, so this cannot fail.
                let n = self.encode(&mut out).unwrap_or(0);
                out.truncate(n);
                out
            }
        }
    };
}

/// Implements [`Item`](crate::ber::Item) for `$t`, with the codec's `Limits` (and its
/// `CHECKED` limits for iterating a list already checked) and `Error`.
#[macro_export]
#[allow(
    clippy::crate_in_macro_def,
    reason = "`crate::` is meant to name the codec's own Error, Result and Limits"
)]
macro_rules! list_item {
    ($t:ident $(<$l:lifetime>)?) => {
        impl<'a> $crate::ber::Item<'a> for $t $(<$l>)? {
            type Limits = crate::Limits;
            type Error = crate::Error;
            const CHECKED: &'static crate::Limits = &crate::Limits::CHECKED;
            fn decode_item(
                tlv: &$crate::ber::Tlv<'a>,
                pdu: &'static str,
                limits: &crate::Limits,
            ) -> crate::Result<Self> {
                Self::decode_tlv($crate::ber::Fields::new(pdu, limits), tlv)
            }
            fn item_len(&self) -> usize {
                self.tlv_len()
            }
            fn encode_item(&self, dst: &mut [u8]) -> crate::Result<usize> {
                let len = self.tlv_len();
                $crate::ber::encode_into(dst, len, |out| self.write(out))
            }
        }
    };
}

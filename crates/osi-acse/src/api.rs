//! The public decode and encode methods every APDU type has, written once.

/// Gives `$t` `decode`, `decode_with`, `encoded_len`, `encode` (and `encode_to_vec` with
/// `alloc`) over its private `decode_tlv`, `tlv_len` and `write`.
macro_rules! apdu_api {
    ($t:ident, $name:literal) => {
        impl<'a> $t<'a> {
            /// Decodes octets that are exactly one
            #[doc = concat!("`", $name, "`")]
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
            /// [`Error`](crate::Error) for anything but one valid APDU within `limits`.
            pub fn decode_with(data: &'a [u8], limits: &crate::Limits) -> crate::Result<Self> {
                let cx = crate::wire::Cx::new($name, limits);
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
                crate::wire::encode_into(dst, self.tlv_len(), |out| self.write(out))
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
pub(crate) use apdu_api;

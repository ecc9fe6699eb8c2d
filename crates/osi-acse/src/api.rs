//! The public decode and encode methods every APDU type has: osi-sansio's, written once for
//! every codec.

/// Gives `$t` `decode`, `decode_with`, `encoded_len`, `encode` (and `encode_to_vec` with
/// `alloc`) over its private `decode_tlv`, `tlv_len` and `write`.
macro_rules! apdu_api {
    ($t:ident, $name:literal) => {
        osi_sansio::pdu_api!($t, $name, "octets that are", "APDU");
    };
}
pub(crate) use apdu_api;

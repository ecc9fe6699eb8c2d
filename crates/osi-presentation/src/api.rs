//! The public decode and encode methods every PPDU type has: osi-sansio's, written once for
//! every codec.

/// Gives `$t` `decode`, `decode_with`, `encoded_len`, `encode` (and `encode_to_vec` with
/// `alloc`) over its private `decode_tlv`, `tlv_len` and `write`.
macro_rules! ppdu_api {
    ($t:ident, $name:literal) => {
        osi_sansio::pdu_api!($t, $name, "SS-user data that is", "PPDU");
    };
}
pub(crate) use ppdu_api;

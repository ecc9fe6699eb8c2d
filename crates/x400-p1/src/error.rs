//! The error type of this crate.

/// What went wrong while decoding, validating or encoding a P1 PDU.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not a BER encoding of the expected PDU.
    #[error("{pdu} is not valid BER for its type: {source}")]
    Decode {
        /// The PDU type being decoded, as named in the ASN.1.
        pdu: &'static str,
        /// What the BER decoder found.
        #[source]
        source: rasn::error::DecodeError,
    },
    /// The BER encoder refused a value.
    #[error("{pdu} could not be encoded: {source}")]
    Encode {
        /// The PDU type being encoded.
        pdu: &'static str,
        /// What the BER encoder said.
        #[source]
        source: rasn::error::EncodeError,
    },
    /// Octets follow the end of the PDU: one RT-TRANSFER carries exactly one APDU.
    #[error("{len} octets follow the end of the {pdu}")]
    TrailingData {
        /// The PDU type that was decoded.
        pdu: &'static str,
        /// How many octets are left over.
        len: usize,
    },
    /// Constructed BER values are nested deeper than the configured maximum.
    #[error("BER values are nested more than {max} deep (DecodeConfig::max_depth)")]
    TooDeep {
        /// The configured maximum ([`crate::DecodeConfig::max_depth`]).
        max: usize,
    },
    /// The PDU holds more BER values than the configured maximum.
    #[error("the PDU holds more than {max} BER values (DecodeConfig::max_elements)")]
    TooManyElements {
        /// The configured maximum ([`crate::DecodeConfig::max_elements`]).
        max: usize,
    },
    /// A size or value is outside an X.411 upper bound.
    #[error("{what} is {actual}, outside {min}..={max} ({bound})")]
    OutOfBounds {
        /// The field, as named in the ASN.1.
        what: &'static str,
        /// The bound, as named in X.411 `MTSUpperBounds` (e.g. `ub-surname-length`).
        bound: &'static str,
        /// Smallest allowed size or value.
        min: usize,
        /// Largest allowed size or value.
        max: usize,
        /// The size or value found.
        actual: usize,
    },
    /// A rule of X.411 other than an upper bound is broken.
    #[error("{what}: {rule}")]
    Invalid {
        /// The field, as named in the ASN.1.
        what: &'static str,
        /// The rule that is broken.
        rule: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

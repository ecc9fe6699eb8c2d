//! Lossless code-point newtypes.

/// Declares a code point: a newtype over an integer in which every value is representable
/// (so an unknown value received survives to be re-encoded or reported), with named
/// constants for the values the standard defines.
///
/// Generated: the constants; `name()`, the standard's name for the value if it has one;
/// `Debug` as `Name(0x85 acknowledgement time)` (or `Name(0x7f)` without a name); `From`
/// both ways. With `undefined "words"`, also `Display` as `0x85 (acknowledgement time)`,
/// using the words for a value without a name; without it the crate writes its own
/// `Display`.
///
/// ```
/// osi_sansio::code_point! {
///     /// A reason code (example).
///     pub struct Reason(u8), undefined "not defined" {
///         /// Congestion.
///         CONGESTION = 0x81 => "congestion",
///     }
/// }
/// assert_eq!(Reason::CONGESTION.name(), Some("congestion"));
/// assert_eq!(format!("{:?}", Reason(0x81)), "Reason(0x81 congestion)");
/// assert_eq!(Reason(0x99).to_string(), "0x99 (not defined)");
/// assert_eq!(u8::from(Reason::from(0x99)), 0x99);
/// ```
#[macro_export]
macro_rules! code_point {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident($int:ty) $(, undefined $undefined:literal)? {
            $( $(#[$cm:meta])* $c:ident = $v:literal => $s:literal, )*
        }
    ) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(pub $int);

        impl $name {
            $( $(#[$cm])* pub const $c: Self = Self($v); )*

            /// The standard's name for this value, if it has one.
            #[must_use]
            pub const fn name(self) -> ::core::option::Option<&'static str> {
                match self.0 {
                    $( $v => ::core::option::Option::Some($s), )*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(n) => {
                        ::core::write!(f, "{}({:#04x} {})", ::core::stringify!($name), self.0, n)
                    }
                    ::core::option::Option::None => {
                        ::core::write!(f, "{}({:#04x})", ::core::stringify!($name), self.0)
                    }
                }
            }
        }

        $(
            /// The value in hex and what it means, e.g. `0x82 (connection negotiation failed)`.
            impl ::core::fmt::Display for $name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::write!(f, "{:#04x} ({})", self.0, self.name().unwrap_or($undefined))
                }
            }
        )?

        impl ::core::convert::From<$int> for $name {
            fn from(v: $int) -> Self {
                Self(v)
            }
        }

        impl ::core::convert::From<$name> for $int {
            fn from(v: $name) -> $int {
                v.0
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    crate::code_point! {
        /// Test values, as X.410 names an INTEGER.
        pub struct Mode(u32) {
            /// monologue.
            MONOLOGUE = 0 => "monologue",
            /// twa.
            TWO_WAY_ALTERNATE = 1 => "twa",
        }
    }

    crate::code_point! {
        /// Test values with words for the undefined ones.
        pub struct Code(u8), undefined "not defined by the test" {
            /// 0x82.
            NEGOTIATION = 0x82 => "connection negotiation failed",
        }
    }

    #[test]
    fn every_value_survives_and_known_ones_are_named() {
        assert_eq!(Mode::TWO_WAY_ALTERNATE.name(), Some("twa"));
        assert_eq!(Mode(7).name(), None);
        assert_eq!(format!("{:?}", Mode(1)), "Mode(0x01 twa)");
        assert_eq!(format!("{:?}", Mode(300)), "Mode(0x12c)");
        assert_eq!(u32::from(Mode::from(300)), 300);
        assert_eq!(
            Code::NEGOTIATION.to_string(),
            "0x82 (connection negotiation failed)"
        );
        assert_eq!(Code(0).to_string(), "0x00 (not defined by the test)");
    }
}

//! Routing patterns: the routing attributes of an O/R address, in the text form of
//! `x400_p1::or_address_text` (`C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales`).

use core::fmt;
use core::str::FromStr;

use x400_p1::mts_abstract_service::OrName;
use x400_p1::or_address_text::{self, ParseError};
use x400_p1::upper_bounds::UB_ORGANIZATIONAL_UNITS;

use super::compare::{admd_octets, country_octets, folded, prmd_octets, values_equal};

/// The text of the default route's pattern.
pub const DEFAULT_PATTERN: &str = "*";

/// Why a routing pattern was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The attribute is an O/R address attribute, but not one routing looks at.
    #[error(
        "attribute {} `{attribute}` (byte {offset}): not a routing attribute (a pattern has C, ADMD, PRMD, O and up to 4 OU)",
        .index + 1
    )]
    NotRouting {
        /// 0-based number of the `;`-separated attribute.
        index: usize,
        /// Byte offset of that attribute in the text.
        offset: usize,
        /// The attribute as written.
        attribute: String,
    },
    /// A numbered organizational unit (`OU2=...`) out of its place: units are compared in
    /// order, so `OU2` must follow `OU1`.
    #[error(
        "attribute {} `{attribute}` (byte {offset}): OU{given} where OU{expected} comes next",
        .index + 1
    )]
    UnitOutOfOrder {
        /// 0-based number of the `;`-separated attribute.
        index: usize,
        /// Byte offset of that attribute in the text.
        offset: usize,
        /// The attribute as written.
        attribute: String,
        /// The number written.
        given: usize,
        /// The number its place gives it.
        expected: usize,
    },
    /// The text is not a valid text O/R address (bad key, character, length, repeat, ...).
    #[error("{0}")]
    Syntax(#[from] ParseError),
}

/// The folded values of a pattern: what its equality and matching look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Folded {
    country: Option<Vec<u8>>,
    admd: Option<Vec<u8>>,
    prmd: Option<Vec<u8>>,
    organization: Option<Vec<u8>>,
    units: Vec<Vec<u8>>,
}

/// A routing pattern: some of C, ADMD, PRMD, O and OU1..OU4 of an O/R address.
///
/// An O/R name matches when it has every attribute of the pattern, equal under the rules of
/// [`crate::routing::compare`]; the organizational units of the pattern must be the first units of
/// the name, in order. The pattern without attributes (`*`, or the empty text) is the default
/// route: it matches every name.
///
/// Two patterns are equal when they have the same attributes with values equal under the same
/// rules: `C=gb;O= acme ` equals `C=GB;O=ACME`.
#[derive(Debug, Clone)]
pub struct OrPattern {
    text: String,
    folded: Folded,
}

impl PartialEq for OrPattern {
    fn eq(&self, other: &Self) -> bool {
        self.folded == other.folded
    }
}

impl Eq for OrPattern {}

impl core::hash::Hash for OrPattern {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.folded.hash(state);
    }
}

impl Default for OrPattern {
    fn default() -> Self {
        Self::default_route()
    }
}

impl OrPattern {
    /// The default route's pattern (`*`): matches every O/R name.
    #[must_use]
    pub fn default_route() -> Self {
        Self {
            text: DEFAULT_PATTERN.to_owned(),
            folded: Folded::default(),
        }
    }

    /// Parses a pattern: `*`, the empty text, or a text O/R address with only C, ADMD (`A`),
    /// PRMD (`P`), O and OU (`OU1`..`OU4`, in order).
    ///
    /// # Errors
    ///
    /// [`PatternError`] naming the attribute and what is wrong with it: not a routing
    /// attribute, a numbered unit out of order, or anything the text O/R address parser
    /// refuses (unknown key, bad character, length outside the X.411 bound, repeated).
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        if text.is_empty() || text.trim() == DEFAULT_PATTERN {
            return Ok(Self::default_route());
        }
        check_keys(text)?;
        let name = or_address_text::parse(text)?;
        let s = name.built_in_standard_attributes;
        Ok(Self {
            text: text.to_owned(),
            folded: Folded {
                country: s.country_name.as_ref().map(|c| folded(country_octets(c))),
                admd: s
                    .administration_domain_name
                    .as_ref()
                    .map(|a| folded(admd_octets(a))),
                prmd: s
                    .private_domain_name
                    .as_ref()
                    .map(|p| folded(prmd_octets(p))),
                organization: s.organization_name.as_ref().map(|o| folded(o.as_bytes())),
                units: s
                    .organizational_unit_names
                    .iter()
                    .flatten()
                    .map(|u| folded(u.as_bytes()))
                    .collect(),
            },
        })
    }

    /// The text it was parsed from (`*` for the default route).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it is the default route (no attributes).
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.attribute_count() == 0
    }

    /// How many attributes it has (0 for the default route, at most 8).
    #[must_use]
    pub fn attribute_count(&self) -> usize {
        let f = &self.folded;
        [&f.country, &f.admd, &f.prmd, &f.organization]
            .iter()
            .filter(|a| a.is_some())
            .count()
            + f.units.len()
    }

    /// How specific it is: more attributes are more specific; between patterns with as many
    /// attributes, the one with the attribute lowest in the hierarchy (C, ADMD, PRMD, O, OU1,
    /// ..., OU4) is. Two distinct patterns that both match one name never compare equal here.
    pub(crate) fn specificity(&self) -> (usize, u16) {
        let f = &self.folded;
        let mut mask = 0u16;
        for (bit, present) in [
            f.country.is_some(),
            f.admd.is_some(),
            f.prmd.is_some(),
            f.organization.is_some(),
        ]
        .into_iter()
        .enumerate()
        {
            if present {
                mask |= 1 << bit;
            }
        }
        for (i, _) in f.units.iter().enumerate().take(UB_ORGANIZATIONAL_UNITS) {
            mask |= 1 << (4 + i);
        }
        (self.attribute_count(), mask)
    }

    pub(crate) fn folded(&self) -> &Folded {
        &self.folded
    }

    /// Whether `name` has every attribute of the pattern, with an equal value.
    #[must_use]
    pub fn matches(&self, name: &OrName) -> bool {
        let f = &self.folded;
        let s = &name.built_in_standard_attributes;
        let same = |want: &Option<Vec<u8>>, have: Option<&[u8]>| match (want, have) {
            (None, _) => true,
            (Some(w), Some(h)) => values_equal(w, h),
            (Some(_), None) => false,
        };
        if !same(&f.country, s.country_name.as_ref().map(country_octets))
            || !same(
                &f.admd,
                s.administration_domain_name.as_ref().map(admd_octets),
            )
            || !same(&f.prmd, s.private_domain_name.as_ref().map(prmd_octets))
            || !same(
                &f.organization,
                s.organization_name.as_ref().map(|o| o.as_bytes()),
            )
        {
            return false;
        }
        let units = s.organizational_unit_names.as_deref().unwrap_or_default();
        f.units.len() <= units.len()
            && f.units
                .iter()
                .zip(units)
                .all(|(w, h)| values_equal(w, h.as_bytes()))
    }
}

impl FromStr for OrPattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for OrPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Refuses the attributes a pattern cannot have, before the O/R address parser sees the text
/// (which would accept them, or refuse them for another reason, such as `G` without `S`).
/// Items are split as the parser splits them, so the numbers and offsets agree with its own.
fn check_keys(text: &str) -> Result<(), PatternError> {
    let mut offset = 0;
    let mut units = 0;
    for (index, item) in text.split(';').enumerate() {
        let at = offset;
        offset += item.len() + 1;
        // No `=`: the parser says so.
        let Some((key, _)) = item.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_uppercase();
        match key.as_str() {
            "C" | "ADMD" | "A" | "PRMD" | "P" | "O" => {}
            "OU" => units += 1,
            "OU1" | "OU2" | "OU3" | "OU4" => {
                units += 1;
                let given = key
                    .strip_prefix("OU")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                if given != units {
                    return Err(PatternError::UnitOutOfOrder {
                        index,
                        offset: at,
                        attribute: item.to_owned(),
                        given,
                        expected: units,
                    });
                }
            }
            "X121" | "T-ID" | "UA-ID" | "S" | "G" | "I" | "GQ" | "DN" => {
                return Err(not_routing(index, at, item));
            }
            k if k.starts_with("DDA:") || k.starts_with("EXT:") => {
                return Err(not_routing(index, at, item));
            }
            // Unknown keys: the parser names them.
            _ => {}
        }
    }
    Ok(())
}

fn not_routing(index: usize, offset: usize, item: &str) -> PatternError {
    PatternError::NotRouting {
        index,
        offset,
        attribute: item.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x400_p1::or_address_text::{ParseErrorKind, parse};

    fn p(text: &str) -> OrPattern {
        OrPattern::parse(text).unwrap()
    }

    #[test]
    fn star_and_empty_are_the_default_route() {
        for t in ["*", "", " * "] {
            let d = p(t);
            assert!(d.is_default());
            assert_eq!(d, OrPattern::default_route());
            assert!(d.matches(&OrName::default()));
        }
        assert_eq!(OrPattern::default_route().to_string(), "*");
    }

    #[test]
    fn routing_attributes_parse_and_count() {
        let pat = p("C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;OU=North");
        assert_eq!(pat.attribute_count(), 6);
        assert_eq!(
            pat.as_str(),
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;OU=North"
        );
        assert_eq!(p("A=X;P=Y").attribute_count(), 2);
        assert_eq!(p("OU1=a;OU2=b").attribute_count(), 2);
    }

    #[test]
    fn non_routing_attributes_are_refused_by_name_and_place() {
        let e = OrPattern::parse("C=GB;O=ACME;S=Smith").unwrap_err();
        assert_eq!(
            e,
            PatternError::NotRouting {
                index: 2,
                offset: 12,
                attribute: "S=Smith".into()
            }
        );
        assert!(e.to_string().starts_with("attribute 3 `S=Smith` (byte 12)"));
        // G without S would otherwise be refused as a personal name without surname.
        assert!(matches!(
            OrPattern::parse("C=GB;G=John"),
            Err(PatternError::NotRouting { index: 1, .. })
        ));
        for t in [
            "X121=123",
            "T-ID=x",
            "UA-ID=1",
            "DDA:a=b",
            "EXT:1=#0500",
            "DN=#3000",
        ] {
            assert!(
                matches!(OrPattern::parse(t), Err(PatternError::NotRouting { .. })),
                "{t}"
            );
        }
    }

    #[test]
    fn syntax_errors_come_from_the_text_address_parser() {
        let e = OrPattern::parse("C=GBR").unwrap_err();
        let PatternError::Syntax(pe) = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(pe.kind, ParseErrorKind::OutOfBounds { .. }));
        assert!(e.to_string().contains("ub-country-name"));
        assert!(matches!(
            OrPattern::parse("C=GB;Q=1"),
            Err(PatternError::Syntax(ParseError {
                index: 1,
                kind: ParseErrorKind::UnknownKey,
                ..
            }))
        ));
        assert!(matches!(
            OrPattern::parse("C=GB;C=FR"),
            Err(PatternError::Syntax(ParseError {
                kind: ParseErrorKind::Repeated,
                ..
            }))
        ));
        assert!(matches!(
            OrPattern::parse("O=a@b"),
            Err(PatternError::Syntax(ParseError {
                kind: ParseErrorKind::BadCharacter('@'),
                ..
            }))
        ));
        assert!(matches!(
            OrPattern::parse("OU=a;OU=b;OU=c;OU=d;OU=e"),
            Err(PatternError::Syntax(ParseError {
                kind: ParseErrorKind::TooMany(_),
                ..
            }))
        ));
    }

    #[test]
    fn numbered_units_must_be_in_order() {
        let e = OrPattern::parse("O=X;OU2=b").unwrap_err();
        assert_eq!(
            e,
            PatternError::UnitOutOfOrder {
                index: 1,
                offset: 4,
                attribute: "OU2=b".into(),
                given: 2,
                expected: 1
            }
        );
        assert!(OrPattern::parse("OU=a;OU2=b").is_ok());
    }

    #[test]
    fn equality_folds_case_and_spaces() {
        assert_eq!(p("C=gb;O= acme  corp "), p("C=GB;O=ACME CORP"));
        assert_ne!(p("C=GB;O=ACME"), p("C=GB;PRMD=ACME"));
        assert_ne!(p("C=GB"), p("C=GB;ADMD= "));
    }

    #[test]
    fn matching_needs_every_attribute_and_unit_prefix() {
        let name = parse("C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;OU=North;S=Smith").unwrap();
        for yes in [
            "*",
            "C=GB",
            "c=gb;prmd=acme",
            "C=GB;ADMD= ",
            "C=GB;ADMD=   ",
            "O=ACME;OU=sales",
            "OU=Sales;OU=North",
        ] {
            assert!(p(yes).matches(&name), "{yes}");
        }
        for no in [
            "C=FR",
            "C=GB;ADMD=BT",
            "O=ACME;OU=North",
            "OU=Sales;OU=North;OU=East",
            "C=GB;PRMD=ACMEX",
        ] {
            assert!(!p(no).matches(&name), "{no}");
        }
        // The single-space ADMD is a value: it does not match a name without ADMD.
        let no_admd = parse("C=GB;PRMD=ACME").unwrap();
        assert!(!p("C=GB;ADMD= ").matches(&no_admd));
        assert!(p("C=GB").matches(&no_admd));
    }

    #[test]
    fn numeric_and_printable_domains_match_each_other() {
        let numeric = parse("C=234;ADMD=#0123;PRMD=#99").unwrap();
        assert!(p("C=234;ADMD=\"0123\";PRMD=\"99\"").matches(&numeric));
        let printable = parse("C=GB;ADMD=\"0123\";PRMD=\"99\"").unwrap();
        assert!(p("C=GB;ADMD=0123;PRMD=99").matches(&printable));
        assert!(!p("C=GB;PRMD=999").matches(&printable));
        // A 3-digit country is an X.121 DCC, not an ISO 3166 code: never equal to `GB`.
        assert!(!p("C=234").matches(&printable));
    }

    #[test]
    fn specificity_orders_by_count_then_depth() {
        assert!(p("C=GB;O=X").specificity() > p("C=GB;PRMD=X").specificity());
        assert!(p("C=GB;PRMD=X").specificity() > p("C=GB;ADMD=X").specificity());
        assert!(p("C=GB;ADMD=X;PRMD=Y").specificity() > p("C=GB;OU=X").specificity());
        assert!(p("C=GB").specificity() > p("*").specificity());
    }
}

//! Comparing O/R address attribute values, as routing and local delivery both do.
//!
//! Two values of an attribute are equal when they are equal after folding:
//!
//! * letters compare without regard to case (the string types of the O/R address attributes
//!   are ASCII subsets, so this is ASCII case folding);
//! * leading and trailing spaces are ignored, and a run of spaces counts as one space;
//! * the NumericString and PrintableString alternatives of country-name,
//!   administration-domain-name and private-domain-name compare by their characters: `PRMD`
//!   `1234` as a NumericString equals `"1234"` as a PrintableString (the X.411 §18.5 CHOICEs
//!   offer both forms of the same name).
//!
//! These are the rules X.400 MTAs apply when they compare O/R addresses (unconfirmed: the
//! clause of X.411 or X.402 that states them has not been checked against the standard's text).
//!
//! A blank value, such as the conventional single-space ADMD (`ADMD= `), folds to the empty
//! value: it is a value like any other, equal to every all-space (or empty) value of the same
//! attribute and to nothing else. In particular it is not a wildcard: it does not equal another
//! ADMD, and an attribute that is present never equals one that is absent.

use x400_p1::mts_abstract_service::{
    AdministrationDomainName, CountryName, OrName, PrivateDomainName,
};

/// The folded form of a value: upper case, no leading or trailing space, single spaces.
pub fn fold(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    raw.split(|b| *b == b' ')
        .filter(|word| !word.is_empty())
        .enumerate()
        .flat_map(|(i, word)| {
            (i > 0)
                .then_some(b' ')
                .into_iter()
                .chain(word.iter().map(u8::to_ascii_uppercase))
        })
}

/// The folded form of a value, collected.
#[must_use]
pub fn folded(raw: &[u8]) -> Vec<u8> {
    fold(raw).collect()
}

/// Whether two attribute values are equal under the rules of the module doc.
#[must_use]
pub fn values_equal(a: &[u8], b: &[u8]) -> bool {
    fold(a).eq(fold(b))
}

/// The characters of a country name, whichever alternative holds them.
#[must_use]
pub fn country_octets(c: &CountryName) -> &[u8] {
    match c {
        CountryName::X121DccCode(n) => n.as_bytes(),
        CountryName::Iso3166Alpha2Code(p) => p.as_bytes(),
    }
}

/// The characters of an administration domain name, whichever alternative holds them.
#[must_use]
pub fn admd_octets(a: &AdministrationDomainName) -> &[u8] {
    match a {
        AdministrationDomainName::Numeric(n) => n.as_bytes(),
        AdministrationDomainName::Printable(p) => p.as_bytes(),
    }
}

/// The characters of a private domain name, whichever alternative holds them.
#[must_use]
pub fn prmd_octets(p: &PrivateDomainName) -> &[u8] {
    match p {
        PrivateDomainName::Numeric(n) => n.as_bytes(),
        PrivateDomainName::Printable(p) => p.as_bytes(),
    }
}

/// Whether two O/R names are the same O/R address under the rules of the module doc.
///
/// Every attribute of the address counts (standard, domain-defined and extension
/// attributes); the directory name does not, since it names the user in the Directory, not
/// where the MTS delivers. Domain-defined attributes compare as a set keyed by their folded
/// type (their order carries no meaning); extension attributes compare by type and the
/// octets of their encoded value.
#[must_use]
pub fn addresses_equal(a: &OrName, b: &OrName) -> bool {
    AddressKey::of(a) == AddressKey::of(b)
}

/// Which attribute a folded value belongs to, in an [`AddressKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Attribute {
    Country,
    Admd,
    Prmd,
    NetworkAddress,
    TerminalId,
    Organization,
    Unit,
    NumericUserId,
    Surname,
    Given,
    Initials,
    Qualifier,
    DdaType,
    DdaValue,
    Extension(u32),
}

/// An O/R address reduced to what equality looks at: hashable, so that a table of addresses
/// answers a lookup in constant time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AddressKey(Vec<(Attribute, Vec<u8>)>);

impl AddressKey {
    /// The key of an O/R name's address.
    pub(crate) fn of(name: &OrName) -> Self {
        let s = &name.built_in_standard_attributes;
        let mut k = Vec::new();
        let mut put = |a: Attribute, v: &[u8]| k.push((a, folded(v)));
        if let Some(c) = &s.country_name {
            put(Attribute::Country, country_octets(c));
        }
        if let Some(a) = &s.administration_domain_name {
            put(Attribute::Admd, admd_octets(a));
        }
        if let Some(p) = &s.private_domain_name {
            put(Attribute::Prmd, prmd_octets(p));
        }
        if let Some(v) = &s.network_address {
            put(Attribute::NetworkAddress, v.as_bytes());
        }
        if let Some(v) = &s.terminal_identifier {
            put(Attribute::TerminalId, v.as_bytes());
        }
        if let Some(v) = &s.organization_name {
            put(Attribute::Organization, v.as_bytes());
        }
        // In order: OU1 is not OU2.
        for ou in s.organizational_unit_names.iter().flatten() {
            put(Attribute::Unit, ou.as_bytes());
        }
        if let Some(v) = &s.numeric_user_identifier {
            put(Attribute::NumericUserId, v.as_bytes());
        }
        if let Some(p) = &s.personal_name {
            put(Attribute::Surname, p.surname.as_bytes());
            for (a, v) in [
                (Attribute::Given, &p.given_name),
                (Attribute::Initials, &p.initials),
                (Attribute::Qualifier, &p.generation_qualifier),
            ] {
                if let Some(v) = v {
                    put(a, v.as_bytes());
                }
            }
        }
        let mut dda: Vec<(Vec<u8>, Vec<u8>)> = name
            .built_in_domain_defined_attributes
            .iter()
            .flatten()
            .map(|d| (folded(d.r#type.as_bytes()), folded(d.value.as_bytes())))
            .collect();
        dda.sort();
        for (t, v) in dda {
            k.push((Attribute::DdaType, t));
            k.push((Attribute::DdaValue, v));
        }
        let mut ext: Vec<(Attribute, Vec<u8>)> = name
            .extension_attributes
            .iter()
            .flatten()
            .map(|e| {
                (
                    Attribute::Extension(e.extension_attribute_type),
                    e.extension_attribute_value.as_bytes().to_vec(),
                )
            })
            .collect();
        ext.sort();
        k.extend(ext);
        Self(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x400_p1::or_address_text::parse;

    #[test]
    fn case_and_spaces_are_folded() {
        assert!(values_equal(b"ACME", b"acme"));
        assert!(values_equal(b"  Acme  Corp ", b"ACME CORP"));
        assert!(!values_equal(b"ACME CORP", b"ACMECORP"));
        assert!(!values_equal(b"ACME", b"ACME1"));
        assert_eq!(folded(b"  a  b "), b"A B");
    }

    #[test]
    fn a_blank_value_equals_only_blank_values() {
        assert!(values_equal(b" ", b" "));
        assert!(values_equal(b" ", b"   "));
        assert!(values_equal(b" ", b""));
        assert!(!values_equal(b" ", b"ACME"));
    }

    #[test]
    fn numeric_and_printable_forms_of_a_domain_are_one_address() {
        // `#` forces NumericString, `"..."` PrintableString (or_address_text).
        let a = parse("C=GB;ADMD= ;PRMD=#1234;O=ACME").unwrap();
        let b = parse("C=gb;ADMD=  ;PRMD=\"1234\";O=acme").unwrap();
        assert!(matches!(
            a.built_in_standard_attributes.private_domain_name,
            Some(PrivateDomainName::Numeric(_))
        ));
        assert!(matches!(
            b.built_in_standard_attributes.private_domain_name,
            Some(PrivateDomainName::Printable(_))
        ));
        assert!(addresses_equal(&a, &b));
    }

    #[test]
    fn every_attribute_of_the_address_counts() {
        let base = "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John";
        let a = parse(base).unwrap();
        assert!(addresses_equal(&a, &parse(&base.to_lowercase()).unwrap()));
        for other in [
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith",
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith;G=John",
            "C=GB;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John",
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;OU=X;S=Smith;G=John",
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John;DDA:RFC-822=a(a)b",
        ] {
            assert!(!addresses_equal(&a, &parse(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn units_compare_in_order_and_ddas_as_a_set() {
        let a = parse("C=GB;OU=A;OU=B").unwrap();
        assert!(!addresses_equal(&a, &parse("C=GB;OU=B;OU=A").unwrap()));
        let d = parse("C=GB;DDA:x=1;DDA:Y=2").unwrap();
        assert!(addresses_equal(&d, &parse("C=GB;DDA:y=2;DDA:X=1").unwrap()));
    }
}

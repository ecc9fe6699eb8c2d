//! O/R addresses as text: `C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John`.
//!
//! One attribute per `;`-separated item, `KEY=value`, keys case-insensitive:
//!
//! | key | attribute | | key | attribute |
//! |---|---|---|---|---|
//! | `C` | country-name | | `UA-ID` | numeric-user-identifier |
//! | `ADMD` (`A`) | administration-domain-name | | `S` | surname |
//! | `PRMD` (`P`) | private-domain-name | | `G` | given-name |
//! | `X121` | network-address | | `I` | initials |
//! | `T-ID` | terminal-identifier | | `GQ` | generation-qualifier |
//! | `O` | organization-name | | `DDA:type` | domain-defined attribute |
//! | `OU` (`OU1`..`OU4`) | organizational-unit-names, in order | | `EXT:n` | extension attribute, `#` + BER hex |
//! | `DN` | directory-name, `#` + BER hex | | | |
//!
//! Values are taken verbatim, spaces included (`ADMD= ` is the conventional single-space ADMD).
//! A DDA type is everything between `DDA:` and the first `=`, so a DDA type that contains `=`
//! has no text form (the renderer writes it, the parser then splits it differently).
//! `;` cannot occur in a value: it is not a PrintableString character. Country, ADMD and PRMD
//! are NumericString when the value has a digit and only digits and spaces, PrintableString
//! otherwise; `"..."` forces PrintableString and a leading `#` forces NumericString, so every
//! value renders to text that parses back to it. Rendering writes the keys in the order of the
//! table's first column, then the second.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::{self, Write};

use crate::mts_abstract_service::{
    AdministrationDomainName, BuiltInDomainDefinedAttribute, BuiltInStandardAttributes,
    CountryName, ExtensionAttribute, OrName, PersonalName, PrivateDomainName,
};
use crate::upper_bounds::*;
use crate::{Any, NumericString, PrintableString};

/// Why a text O/R address was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 0-based number of the `;`-separated attribute.
    pub index: usize,
    /// Byte offset of that attribute in the text.
    pub offset: usize,
    /// The attribute as written.
    pub attribute: String,
    /// What is wrong with it.
    pub kind: ParseErrorKind,
}

/// What is wrong with one attribute of a text O/R address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// No `=` between key and value.
    MissingEquals,
    /// The key is not one of the table's.
    UnknownKey,
    /// The attribute may appear once and appears again.
    Repeated,
    /// A character the attribute's string type does not allow.
    BadCharacter(char),
    /// The value's length is outside an X.411 upper bound.
    OutOfBounds {
        /// The bound, as named in X.411.
        bound: &'static str,
        /// Smallest length allowed.
        min: usize,
        /// Largest length allowed.
        max: usize,
        /// The length found.
        actual: usize,
    },
    /// More than `ub-domain-defined-attributes` DDAs, or more than `ub-organizational-units` OUs.
    TooMany(&'static str),
    /// `G`, `I` or `GQ` without `S`: a personal name needs a surname.
    MissingSurname,
    /// A `#` hex value that is not hex or not one BER value.
    BadHex,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "attribute {} `{}` (byte {}): ",
            self.index + 1,
            self.attribute,
            self.offset
        )?;
        match &self.kind {
            ParseErrorKind::MissingEquals => f.write_str("expected KEY=value"),
            ParseErrorKind::UnknownKey => f.write_str("unknown key"),
            ParseErrorKind::Repeated => f.write_str("given twice"),
            ParseErrorKind::BadCharacter(c) => write!(f, "character {c:?} is not allowed here"),
            ParseErrorKind::OutOfBounds {
                bound,
                min,
                max,
                actual,
            } => {
                write!(f, "length {actual} is outside {min}..={max} ({bound})")
            }
            ParseErrorKind::TooMany(bound) => write!(f, "one too many ({bound})"),
            ParseErrorKind::MissingSurname => f.write_str("a personal name needs S (surname)"),
            ParseErrorKind::BadHex => f.write_str("expected # and the hex of one BER value"),
        }
    }
}

impl core::error::Error for ParseError {}

/// Characters of PrintableString (X.680 §41.4).
fn printable_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// Numeric strings: digits and space.
fn numeric_char(c: char) -> bool {
    c.is_ascii_digit() || c == ' '
}

/// Reads as NumericString when unmarked: a digit, and nothing but digits and spaces.
fn looks_numeric(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit()) && s.chars().all(numeric_char)
}

/// A value that may be either string type (C, ADMD, PRMD).
enum Either {
    Numeric(NumericString),
    Printable(PrintableString),
}

impl Either {
    fn len(&self) -> usize {
        match self {
            Self::Numeric(s) => s.as_bytes().len(),
            Self::Printable(s) => s.as_bytes().len(),
        }
    }
}

/// Renders an O/R name as text. Never fails: every field has a text form.
#[must_use]
pub fn render(name: &OrName) -> String {
    let mut out = Vec::<String>::new();
    let s = &name.built_in_standard_attributes;
    let p = |v: &PrintableString| String::from_utf8_lossy(v.as_bytes()).into_owned();
    let n = |v: &NumericString| String::from_utf8_lossy(v.as_bytes()).into_owned();
    // Mark a value whose unmarked form would be read as the other string type.
    let either_num = |v: &NumericString| {
        if looks_numeric(&n(v)) {
            n(v)
        } else {
            format!("#{}", n(v))
        }
    };
    let either_pr = |v: &PrintableString| {
        if looks_numeric(&p(v)) {
            format!("\"{}\"", p(v))
        } else {
            p(v)
        }
    };
    match &s.country_name {
        Some(CountryName::X121DccCode(v)) => out.push(format!("C={}", either_num(v))),
        Some(CountryName::Iso3166Alpha2Code(v)) => out.push(format!("C={}", either_pr(v))),
        None => {}
    }
    match &s.administration_domain_name {
        Some(AdministrationDomainName::Numeric(v)) => out.push(format!("ADMD={}", either_num(v))),
        Some(AdministrationDomainName::Printable(v)) => out.push(format!("ADMD={}", either_pr(v))),
        None => {}
    }
    match &s.private_domain_name {
        Some(PrivateDomainName::Numeric(v)) => out.push(format!("PRMD={}", either_num(v))),
        Some(PrivateDomainName::Printable(v)) => out.push(format!("PRMD={}", either_pr(v))),
        None => {}
    }
    if let Some(v) = &s.network_address {
        out.push(format!("X121={}", n(v)));
    }
    if let Some(v) = &s.terminal_identifier {
        out.push(format!("T-ID={}", p(v)));
    }
    if let Some(v) = &s.organization_name {
        out.push(format!("O={}", p(v)));
    }
    for ou in s.organizational_unit_names.iter().flatten() {
        out.push(format!("OU={}", p(ou)));
    }
    if let Some(v) = &s.numeric_user_identifier {
        out.push(format!("UA-ID={}", n(v)));
    }
    if let Some(pn) = &s.personal_name {
        out.push(format!("S={}", p(&pn.surname)));
        for (k, v) in [
            ("G", &pn.given_name),
            ("I", &pn.initials),
            ("GQ", &pn.generation_qualifier),
        ] {
            if let Some(v) = v {
                out.push(format!("{k}={}", p(v)));
            }
        }
    }
    for d in name.built_in_domain_defined_attributes.iter().flatten() {
        out.push(format!("DDA:{}={}", p(&d.r#type), p(&d.value)));
    }
    for e in name.extension_attributes.iter().flatten() {
        out.push(format!(
            "EXT:{}=#{}",
            e.extension_attribute_type,
            hex(e.extension_attribute_value.as_bytes())
        ));
    }
    if let Some(dn) = &name.directory_name {
        out.push(format!("DN=#{}", hex(dn.as_bytes())));
    }
    out.join(";")
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Parses the text form of an O/R address into an O/R name.
///
/// # Errors
///
/// A [`ParseError`] naming the attribute (its number, byte offset and text) and what is wrong.
pub fn parse(text: &str) -> Result<OrName, ParseError> {
    // The empty O/R name (no attributes at all) renders as, and parses from, the empty text.
    if text.is_empty() {
        return Ok(OrName::default());
    }
    let mut b = Builder::default();
    let mut offset = 0;
    let mut index = 0;
    let mut seen_any = false;
    let items: Vec<&str> = text.split(';').collect();
    let last = items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        let at = offset;
        offset += item.len() + 1;
        // A trailing `;` (empty last item) is allowed; other empty items are not.
        if item.is_empty() && i == last && seen_any {
            break;
        }
        let err = |kind| ParseError {
            index,
            offset: at,
            attribute: (*item).to_string(),
            kind,
        };
        b.attribute(item).map_err(err)?;
        seen_any = true;
        index += 1;
    }
    b.finish().map_err(|kind| ParseError {
        index,
        offset: text.len(),
        attribute: String::new(),
        kind,
    })
}

#[derive(Default)]
struct Builder {
    std: BuiltInStandardAttributes,
    surname: Option<PrintableString>,
    given: Option<PrintableString>,
    initials: Option<PrintableString>,
    qualifier: Option<PrintableString>,
    dda: Vec<BuiltInDomainDefinedAttribute>,
    ext: Vec<ExtensionAttribute>,
    dn: Option<Any>,
}

type Step = Result<(), ParseErrorKind>;

fn bound(bound: &'static str, min: usize, max: usize, actual: usize) -> Step {
    if min <= actual && actual <= max {
        Ok(())
    } else {
        Err(ParseErrorKind::OutOfBounds {
            bound,
            min,
            max,
            actual,
        })
    }
}

fn printable(
    v: &str,
    name: &'static str,
    min: usize,
    max: usize,
) -> Result<PrintableString, ParseErrorKind> {
    if let Some(c) = v.chars().find(|c| !printable_char(*c)) {
        return Err(ParseErrorKind::BadCharacter(c));
    }
    bound(name, min, max, v.len())?;
    PrintableString::from_bytes(v.as_bytes()).map_err(|_| ParseErrorKind::BadCharacter('?'))
}

fn numeric(
    v: &str,
    name: &'static str,
    min: usize,
    max: usize,
) -> Result<NumericString, ParseErrorKind> {
    if let Some(c) = v.chars().find(|c| !numeric_char(*c)) {
        return Err(ParseErrorKind::BadCharacter(c));
    }
    bound(name, min, max, v.len())?;
    NumericString::from_bytes(v.as_bytes()).map_err(|_| ParseErrorKind::BadCharacter('?'))
}

/// C, ADMD or PRMD: NumericString or PrintableString by the marking rules of the module doc.
fn either(v: &str) -> Result<Either, ParseErrorKind> {
    if let Some(inner) = v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return printable(inner, "", 0, usize::MAX).map(Either::Printable);
    }
    if let Some(inner) = v.strip_prefix('#') {
        return numeric(inner, "", 0, usize::MAX).map(Either::Numeric);
    }
    if looks_numeric(v) {
        numeric(v, "", 0, usize::MAX).map(Either::Numeric)
    } else {
        printable(v, "", 0, usize::MAX).map(Either::Printable)
    }
}

fn unhex(v: &str) -> Result<Any, ParseErrorKind> {
    let h = v.strip_prefix('#').ok_or(ParseErrorKind::BadHex)?;
    if h.len() % 2 != 0 || h.is_empty() {
        return Err(ParseErrorKind::BadHex);
    }
    let bytes: Result<Vec<u8>, _> = (0..h.len())
        .step_by(2)
        .map(|i| {
            h.get(i..i + 2)
                .map_or(Err(()), |p| u8::from_str_radix(p, 16).map_err(|_| ()))
        })
        .collect();
    let bytes = bytes.map_err(|()| ParseErrorKind::BadHex)?;
    // Exactly one BER value, as an open type must be.
    match rasn::ber::decode_with_remainder::<Any>(&bytes) {
        Ok((_, [])) => Ok(Any::new(bytes)),
        _ => Err(ParseErrorKind::BadHex),
    }
}

fn once<T>(slot: &mut Option<T>, v: T) -> Step {
    if slot.is_some() {
        return Err(ParseErrorKind::Repeated);
    }
    *slot = Some(v);
    Ok(())
}

impl Builder {
    fn attribute(&mut self, item: &str) -> Step {
        let (key, value) = item.split_once('=').ok_or(ParseErrorKind::MissingEquals)?;
        let key = key.trim().to_ascii_uppercase();
        let s = &mut self.std;
        match key.as_str() {
            "C" => {
                let c = match either(value)? {
                    Either::Numeric(n) => {
                        bound("ub-country-name-numeric-length", 3, 3, n.as_bytes().len())?;
                        CountryName::X121DccCode(n)
                    }
                    Either::Printable(p) => {
                        bound("ub-country-name-alpha-length", 2, 2, p.as_bytes().len())?;
                        CountryName::Iso3166Alpha2Code(p)
                    }
                };
                once(&mut s.country_name, c)
            }
            "ADMD" | "A" => {
                let v = either(value)?;
                bound("ub-domain-name-length", 0, UB_DOMAIN_NAME_LENGTH, v.len())?;
                let a = match v {
                    Either::Numeric(n) => AdministrationDomainName::Numeric(n),
                    Either::Printable(p) => AdministrationDomainName::Printable(p),
                };
                once(&mut s.administration_domain_name, a)
            }
            "PRMD" | "P" => {
                let v = either(value)?;
                bound("ub-domain-name-length", 1, UB_DOMAIN_NAME_LENGTH, v.len())?;
                let p = match v {
                    Either::Numeric(n) => PrivateDomainName::Numeric(n),
                    Either::Printable(p) => PrivateDomainName::Printable(p),
                };
                once(&mut s.private_domain_name, p)
            }
            "X121" => once(
                &mut s.network_address,
                numeric(value, "ub-x121-address-length", 1, UB_X121_ADDRESS_LENGTH)?,
            ),
            "T-ID" => once(
                &mut s.terminal_identifier,
                printable(value, "ub-terminal-id-length", 1, UB_TERMINAL_ID_LENGTH)?,
            ),
            "O" => once(
                &mut s.organization_name,
                printable(
                    value,
                    "ub-organization-name-length",
                    1,
                    UB_ORGANIZATION_NAME_LENGTH,
                )?,
            ),
            "OU" | "OU1" | "OU2" | "OU3" | "OU4" => {
                let ou = printable(
                    value,
                    "ub-organizational-unit-name-length",
                    1,
                    UB_ORGANIZATIONAL_UNIT_NAME_LENGTH,
                )?;
                let units = s.organizational_unit_names.get_or_insert_with(Vec::new);
                if units.len() >= UB_ORGANIZATIONAL_UNITS {
                    return Err(ParseErrorKind::TooMany("ub-organizational-units"));
                }
                units.push(ou);
                Ok(())
            }
            "UA-ID" => once(
                &mut s.numeric_user_identifier,
                numeric(
                    value,
                    "ub-numeric-user-id-length",
                    1,
                    UB_NUMERIC_USER_ID_LENGTH,
                )?,
            ),
            "S" => once(
                &mut self.surname,
                printable(value, "ub-surname-length", 1, UB_SURNAME_LENGTH)?,
            ),
            "G" => once(
                &mut self.given,
                printable(value, "ub-given-name-length", 1, UB_GIVEN_NAME_LENGTH)?,
            ),
            "I" => once(
                &mut self.initials,
                printable(value, "ub-initials-length", 1, UB_INITIALS_LENGTH)?,
            ),
            "GQ" => once(
                &mut self.qualifier,
                printable(
                    value,
                    "ub-generation-qualifier-length",
                    1,
                    UB_GENERATION_QUALIFIER_LENGTH,
                )?,
            ),
            "DN" => once(&mut self.dn, unhex(value)?),
            k => {
                if let Some(t) = k.strip_prefix("DDA:") {
                    // The type keeps the case it was written in.
                    let t = item
                        .split_once('=')
                        .map_or("", |(k, _)| k.trim_start())
                        .get(4..)
                        .unwrap_or(t);
                    if self.dda.len() >= UB_DOMAIN_DEFINED_ATTRIBUTES {
                        return Err(ParseErrorKind::TooMany("ub-domain-defined-attributes"));
                    }
                    let r#type = printable(
                        t,
                        "ub-domain-defined-attribute-type-length",
                        1,
                        UB_DOMAIN_DEFINED_ATTRIBUTE_TYPE_LENGTH,
                    )?;
                    let value = printable(
                        value,
                        "ub-domain-defined-attribute-value-length",
                        1,
                        UB_DOMAIN_DEFINED_ATTRIBUTE_VALUE_LENGTH,
                    )?;
                    self.dda
                        .push(BuiltInDomainDefinedAttribute { r#type, value });
                    Ok(())
                } else if let Some(n) = k.strip_prefix("EXT:") {
                    let t: u32 = n.parse().map_err(|_| ParseErrorKind::UnknownKey)?;
                    bound(
                        "ub-extension-attributes",
                        0,
                        UB_EXTENSION_ATTRIBUTES,
                        usize::try_from(t).unwrap_or(usize::MAX),
                    )?;
                    if self.ext.len() >= UB_EXTENSION_ATTRIBUTES {
                        return Err(ParseErrorKind::TooMany("ub-extension-attributes"));
                    }
                    self.ext.push(ExtensionAttribute {
                        extension_attribute_type: t,
                        extension_attribute_value: unhex(value)?,
                    });
                    Ok(())
                } else {
                    Err(ParseErrorKind::UnknownKey)
                }
            }
        }
    }

    fn finish(mut self) -> Result<OrName, ParseErrorKind> {
        match self.surname {
            Some(surname) => {
                let pn = PersonalName {
                    surname,
                    given_name: self.given,
                    initials: self.initials,
                    generation_qualifier: self.qualifier,
                };
                self.std.personal_name = Some(pn);
            }
            None if self.given.is_some() || self.initials.is_some() || self.qualifier.is_some() => {
                return Err(ParseErrorKind::MissingSurname);
            }
            None => {}
        }
        Ok(OrName {
            built_in_standard_attributes: self.std,
            built_in_domain_defined_attributes: (!self.dda.is_empty()).then_some(self.dda),
            extension_attributes: (!self.ext.is_empty()).then_some(self.ext),
            directory_name: self.dn,
        })
    }
}

//! The interpersonal message `gateway submit` sends (X.420, P22): a heading with the IPM's
//! identifier, originator, primary recipients and subject, and one body part holding the file.
//! Only these fields of X.420 §7 are built; `mailbox` reads the subject back from them.

use rasn::prelude::*;
use x400::p1::mts_abstract_service::OrName;
use x400::p1::or_address_text;

/// X.420 `ub-subject-field`.
pub const UB_SUBJECT_FIELD: usize = 128;
/// X.420 `ub-local-ipm-identifier`.
pub const UB_LOCAL_IPM_IDENTIFIER: usize = 64;
/// Largest file `submit` puts into an IPM: the IPM is built in memory.
pub const MAX_BODY_LEN: u64 = 64 << 20;

/// `InformationObject ::= CHOICE { ipm [0] IPM, ipn [1] IPN }` (X.420 §7; the module has
/// implicit tags). Only the IPM.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum InformationObject {
    /// `ipm [0] IPM`.
    #[rasn(tag(context, 0))]
    Ipm(Ipm),
}

/// `IPM ::= SEQUENCE { heading Heading, body Body }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub struct Ipm {
    /// The heading.
    pub heading: Heading,
    /// `Body ::= SEQUENCE OF BodyPart`.
    pub body: Vec<BodyPart>,
}

/// `Heading ::= SET { ... }`, the fields built here.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct Heading {
    /// `this-IPM ThisIPMField`.
    pub this_ipm: IpmIdentifier,
    /// `originator [0] OriginatorField OPTIONAL`.
    #[rasn(tag(context, 0))]
    pub originator: Option<OrDescriptor>,
    /// `primary-recipients [2] PrimaryRecipientsField DEFAULT {}`.
    #[rasn(tag(context, 2))]
    pub primary_recipients: Option<Vec<RecipientSpecifier>>,
    /// `subject [8] EXPLICIT SubjectField OPTIONAL`.
    #[rasn(tag(explicit(context, 8)))]
    pub subject: Option<TeletexString>,
}

/// `IPMIdentifier ::= [APPLICATION 11] SET { user ORName OPTIONAL,
/// user-relative-identifier LocalIPMIdentifier }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(set, tag(application, 11))]
pub struct IpmIdentifier {
    /// `user ORName OPTIONAL`.
    pub user: Option<OrName>,
    /// `user-relative-identifier LocalIPMIdentifier` (PrintableString).
    pub user_relative_identifier: PrintableString,
}

/// `ORDescriptor ::= SET { formal-name ORName OPTIONAL, ... }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct OrDescriptor {
    /// `formal-name ORName OPTIONAL`.
    pub formal_name: Option<OrName>,
}

/// `RecipientSpecifier ::= SET { recipient [0] ORDescriptor, ... }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct RecipientSpecifier {
    /// `recipient [0] ORDescriptor`.
    #[rasn(tag(context, 0))]
    pub recipient: OrDescriptor,
}

/// `BodyPart`: the two basic parts built here.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum BodyPart {
    /// `ia5-text [0] IA5TextBodyPart`.
    #[rasn(tag(context, 0))]
    Ia5Text(Ia5TextBodyPart),
    /// `bilaterally-defined [14] BilaterallyDefinedBodyPart` (OCTET STRING): a file that is
    /// not IA5 text.
    #[rasn(tag(context, 14))]
    Bilateral(OctetString),
}

/// `IA5TextBodyPart ::= SEQUENCE { parameters IA5TextParameters, data IA5TextData }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub struct Ia5TextBodyPart {
    /// `IA5TextParameters ::= SET { repertoire [0] Repertoire DEFAULT ia5 }`: the default.
    pub parameters: Ia5TextParameters,
    /// `IA5TextData ::= IA5String`.
    pub data: Ia5String,
}

/// `IA5TextParameters ::= SET { repertoire [0] Repertoire DEFAULT ia5 }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(set)]
pub struct Ia5TextParameters {
    /// Absent: the default, IA5.
    #[rasn(tag(context, 0))]
    pub repertoire: Option<Repertoire>,
}

/// `Repertoire ::= ENUMERATED { ita2(2), ia5(5) }`.
#[derive(AsnType, Encode, Decode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(enumerated)]
pub enum Repertoire {
    /// ITA2 (5-bit).
    Ita2 = 2,
    /// IA5.
    Ia5 = 5,
}

/// Why no IPM could be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpmError {
    /// An address does not parse: the address and why.
    Address(String, String),
    /// The subject is too long or has characters Teletex lacks.
    Subject,
    /// Encoding failed.
    Encode(String),
}

impl core::fmt::Display for IpmError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Address(a, why) => write!(f, "address {a:?}: {why}"),
            Self::Subject => write!(
                f,
                "the subject must have at most {UB_SUBJECT_FIELD} ASCII characters (X.420 ub-subject-field)"
            ),
            Self::Encode(e) => write!(f, "the IPM cannot be encoded: {e}"),
        }
    }
}

impl std::error::Error for IpmError {}

fn descriptor(text: &str) -> Result<OrDescriptor, IpmError> {
    let name = or_address_text::parse(text)
        .map_err(|e| IpmError::Address(text.to_owned(), e.to_string()))?;
    Ok(OrDescriptor {
        formal_name: Some(name),
    })
}

/// The BER of an IPM from `from` to `to` with `subject`, whose body is `body` (an IA5 text
/// part if it is ASCII, a bilaterally defined part otherwise); `local_id` identifies it.
///
/// # Errors
///
/// [`IpmError`].
pub fn build(
    from: &str,
    to: &[String],
    subject: Option<&str>,
    body: Vec<u8>,
    local_id: &str,
) -> Result<Vec<u8>, IpmError> {
    let originator = descriptor(from)?;
    let recipients = to
        .iter()
        .map(|t| descriptor(t).map(|recipient| RecipientSpecifier { recipient }))
        .collect::<Result<Vec<_>, _>>()?;
    let subject = match subject {
        Some(s) if s.chars().count() <= UB_SUBJECT_FIELD && s.is_ascii() => {
            Some(TeletexString::from_bytes(s.as_bytes()).map_err(|_| IpmError::Subject)?)
        }
        Some(_) => return Err(IpmError::Subject),
        None => None,
    };
    let id: String = local_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(UB_LOCAL_IPM_IDENTIFIER)
        .collect();
    let part = match Ia5String::from_iso646_bytes(&body) {
        Ok(text) if body.is_ascii() => BodyPart::Ia5Text(Ia5TextBodyPart {
            parameters: Ia5TextParameters::default(),
            data: text,
        }),
        _ => BodyPart::Bilateral(body.into()),
    };
    let ipm = InformationObject::Ipm(Ipm {
        heading: Heading {
            this_ipm: IpmIdentifier {
                user: originator.formal_name.clone(),
                user_relative_identifier: PrintableString::from_bytes(id.as_bytes())
                    .map_err(|e| IpmError::Encode(e.to_string()))?,
            },
            originator: Some(originator),
            primary_recipients: Some(recipients),
            subject,
        },
        body: vec![part],
    });
    rasn::ber::encode(&ipm).map_err(|e| IpmError::Encode(e.to_string()))
}

/// The subject of an IPM this module built (or one close enough to decode), if it has one.
#[must_use]
pub fn subject(content: &[u8]) -> Option<String> {
    let InformationObject::Ipm(ipm) = rasn::ber::decode::<InformationObject>(content).ok()?;
    let s = ipm.heading.subject?;
    Some(String::from_utf8_lossy(&s.to_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "C=GB;ADMD= ;PRMD=A;S=Alice";
    const BOB: &str = "C=GB;ADMD= ;PRMD=B;S=Bob";

    #[test]
    fn an_ipm_round_trips_with_its_subject() {
        let ber = build(ALICE, &[BOB.into()], Some("Hello"), b"hi\n".to_vec(), "1").unwrap();
        // [0] IPM, constructed.
        assert_eq!(ber.first(), Some(&0xa0));
        assert_eq!(subject(&ber).as_deref(), Some("Hello"));
        let InformationObject::Ipm(ipm) = rasn::ber::decode(&ber).unwrap();
        assert!(matches!(ipm.body.first(), Some(BodyPart::Ia5Text(_))));
    }

    #[test]
    fn a_binary_file_is_a_bilateral_body_part() {
        let ber = build(ALICE, &[BOB.into()], None, vec![0xff, 0], "2").unwrap();
        let InformationObject::Ipm(ipm) = rasn::ber::decode(&ber).unwrap();
        assert!(matches!(ipm.body.first(), Some(BodyPart::Bilateral(_))));
        assert_eq!(subject(&ber), None);
    }

    #[test]
    fn bad_input_is_refused_in_words() {
        let long = "x".repeat(UB_SUBJECT_FIELD + 1);
        assert!(matches!(
            build(ALICE, &[BOB.into()], Some(&long), Vec::new(), "3"),
            Err(IpmError::Subject)
        ));
        assert!(matches!(
            build("C=GB;XX=1", &[BOB.into()], None, Vec::new(), "4"),
            Err(IpmError::Address(..))
        ));
    }
}

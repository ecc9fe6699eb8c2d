//! PPDUs sent by two independent implementations (PP, an MTA, and libiec61850), extracted
//! from live captures (see `data/vectors.txt`): every field is checked against tshark 4.0's
//! dissection of the same frame, and re-encoding gives the same octets where the sender
//! used definite lengths, the same value otherwise.

// The helpers outside the #[test] functions fail the test the same way.
#![allow(clippy::unwrap_used)]

mod common;

use common::vector;
use osi_presentation::{
    Accept, Carrier, Connect, ContextId, ContextItem, Mode, Oid, PdvValues, Ppdu, ResultCode,
    ResultItem, UserData,
};

fn oid(s: &str) -> String {
    s.to_owned()
}

/// The contexts of a definition list as (id, abstract syntax, transfer syntaxes).
fn contexts(items: impl Iterator<Item = ContextItem<'static>>) -> Vec<(u32, String, Vec<String>)> {
    items
        .map(|c| {
            (
                c.id.0,
                c.abstract_syntax.to_string(),
                c.transfer_syntaxes.iter().map(|t| t.to_string()).collect(),
            )
        })
        .collect()
}

/// The one PDV of fully encoded user data: its context and single-ASN1-type value.
fn single_pdv<'a>(data: &UserData<'a>) -> (u32, &'a [u8]) {
    let UserData::Full(pdvs) = data else {
        unreachable!("not fully encoded: {data:?}")
    };
    assert_eq!(pdvs.len(), 1, "tshark: fully-encoded-data: 1 item");
    let pdv = pdvs.iter().next().unwrap();
    assert_eq!(pdv.transfer_syntax, None);
    let PdvValues::Single(value) = pdv.values else {
        unreachable!("not single-ASN1-type: {pdv:?}")
    };
    (pdv.context.0, value)
}

/// Re-encodes `ppdu` and insists on the original octets.
fn same_octets(ppdu: &Ppdu<'_>, original: &[u8]) {
    let mut out = vec![0u8; ppdu.encoded_len()];
    assert_eq!(ppdu.encode(&mut out).unwrap(), original.len());
    assert_eq!(out, original);
}

fn leak(v: Vec<u8>) -> &'static [u8] {
    Vec::leak(v)
}

#[test]
fn pp_cp_proposes_acse_rtse_and_mts_transfer() {
    let data = leak(vector("pp-8-cp"));
    let ppdu = Ppdu::decode(Carrier::Connect, data).unwrap();
    let Ppdu::Cp(cp) = ppdu else { panic!() };
    assert_eq!(cp.mode, Mode::NORMAL);
    assert_eq!(cp.x410_mode_parameters, None);
    let p = cp.normal_mode_parameters.unwrap();
    assert_eq!(
        (p.protocol_version, p.calling_selector, p.called_selector),
        (None, None, None)
    );
    assert_eq!(
        contexts(p.context_definitions.unwrap().iter()),
        vec![
            (1, oid("2.2.1.0.1"), vec![oid("2.1.1")]),
            (3, oid("2.6.0.2.12"), vec![oid("2.1.1")]),
            (5, oid("2.6.0.2.7"), vec![oid("2.1.1")]),
        ]
    );
    assert_eq!(p.default_context, None);
    assert_eq!(p.session_requirements, None);
    let (context, aarq) = single_pdv(&p.user_data.unwrap());
    assert_eq!(context, 1);
    // tshark: ISO 8650-1 aarq, [APPLICATION 0].
    assert_eq!(aarq.first(), Some(&0x60));
    assert_eq!(aarq.len(), 0x36 + 2);
    same_octets(&ppdu, data);
}

#[test]
fn pp_cpa_accepts_every_context_in_ber() {
    let data = leak(vector("pp-9-cpa"));
    let ppdu = Ppdu::decode(Carrier::Accept, data).unwrap();
    let Ppdu::Cpa(cpa) = ppdu else { panic!() };
    assert_eq!(cpa.mode, Mode::NORMAL);
    let p = cpa.normal_mode_parameters.unwrap();
    assert_eq!(p.responding_selector, None);
    let results: Vec<ResultItem<'_>> = p.context_results.unwrap().iter().collect();
    assert_eq!(results, vec![ResultItem::accept(Oid::BER); 3]);
    assert_eq!(results[0].result, ResultCode::ACCEPTANCE);
    let (context, aare) = single_pdv(&p.user_data.unwrap());
    assert_eq!((context, aare.first()), (1, Some(&0x61)));
    same_octets(&ppdu, data);
}

#[test]
fn pp_td_with_indefinite_lengths_decodes_to_the_same_value() {
    let data = leak(vector("pp-12-td"));
    let ppdu = Ppdu::decode(Carrier::Data, data).unwrap();
    let Ppdu::Td(td) = ppdu else { panic!() };
    let (context, rttr) = single_pdv(&td);
    // tshark: presentation-context-identifier 3 (id-as-mta-rtse); RTTR is an OCTET STRING.
    assert_eq!((context, rttr.first()), (3, Some(&0x04)));
    // Re-encoded with definite lengths (the PDV value itself is kept as sent): other
    // octets, same value.
    let mut out = vec![0u8; ppdu.encoded_len()];
    let n = ppdu.encode(&mut out).unwrap();
    assert_eq!(n, out.len());
    assert_eq!(&out[..4], &[0x61, 0x82, 0x03, 0x18]);
    assert_ne!(out, data);
    assert_eq!(Ppdu::decode(Carrier::Data, &out).unwrap(), ppdu);
}

#[test]
fn pp_release_user_data_carries_acse_rlrq_and_rlre() {
    for (name, first) in [("pp-15-release", 0x62), ("pp-16-release", 0x63)] {
        let data = leak(vector(name));
        let ppdu = Ppdu::decode(Carrier::Service, data).unwrap();
        let Ppdu::Service(user_data) = ppdu else {
            panic!()
        };
        let (context, apdu) = single_pdv(&user_data);
        assert_eq!((context, apdu.first()), (1, Some(&first)), "{name}");
        same_octets(&ppdu, data);
    }
}

#[test]
fn libiec61850_cp_has_selectors_and_the_mms_context() {
    let data = leak(vector("iec-8-cp"));
    let cp = Connect::decode(data).unwrap();
    assert_eq!(cp.mode, Mode::NORMAL);
    let p = cp.normal_mode_parameters.unwrap();
    assert_eq!(p.calling_selector, Some(&[0, 0, 0, 1][..]));
    assert_eq!(p.called_selector, Some(&[0, 0, 0, 1][..]));
    assert_eq!(
        contexts(p.context_definitions.unwrap().iter()),
        vec![
            (1, oid("2.2.1.0.1"), vec![oid("2.1.1")]),
            (3, oid("1.0.9506.2.1"), vec![oid("2.1.1")]),
        ]
    );
    let (context, aarq) = single_pdv(&p.user_data.unwrap());
    assert_eq!((context, aarq.first()), (1, Some(&0x60)));
    same_octets(&Ppdu::Cp(cp), data);
}

#[test]
fn libiec61850_cpa_responds_with_its_selector() {
    let data = leak(vector("iec-9-cpa"));
    let cpa = Accept::decode(data).unwrap();
    let p = cpa.normal_mode_parameters.unwrap();
    assert_eq!(p.responding_selector, Some(&[0, 0, 0, 1][..]));
    let results: Vec<_> = p.context_results.unwrap().iter().collect();
    assert_eq!(results, vec![ResultItem::accept(Oid::BER); 2]);
    let (context, aare) = single_pdv(&p.user_data.unwrap());
    assert_eq!((context, aare.first()), (1, Some(&0x61)));
    same_octets(&Ppdu::Cpa(cpa), data);
}

#[test]
fn libiec61850_td_carries_mms_in_context_3() {
    let data = leak(vector("iec-10-td"));
    let ppdu = Ppdu::decode(Carrier::Data, data).unwrap();
    let Ppdu::Td(td) = ppdu else { panic!() };
    let (context, mms) = single_pdv(&td);
    // tshark: presentation-context-identifier 3 (mms-abstract-syntax-version1(1)),
    // confirmed-RequestPDU [0].
    assert_eq!((context, mms.first()), (3, Some(&0xa0)));
    same_octets(&ppdu, data);
}

#[test]
fn the_wrong_carrier_is_a_typed_error() {
    let cp = vector("pp-8-cp");
    // A CP is no TD: the SET is not User-data.
    assert!(matches!(
        Ppdu::decode(Carrier::Data, &cp),
        Err(osi_presentation::Error::UnexpectedTag { number: 17, .. })
    ));
    assert_eq!(ContextId(3).to_string(), "3");
}

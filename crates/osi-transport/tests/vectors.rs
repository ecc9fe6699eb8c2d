//! Byte vectors built from X.224 (clause 13, Annex D), published ones (gos7, MS-RDPBCGR,
//! lean-s7), ISODE 8.0 traffic captured on loopback, and the conformance kit's libiec61850 and
//! python-snap7 captures: decoded field by field, and re-encoded to the same octets.

// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use hex_literal::hex;
use osi_transport::{
    Ack, ClassOption, Connect, Data, DisconnectReason, Error, Format, Param, ParamCode, Params,
    Reject, RejectCause, Tpdu, TpduSize, checksum,
};

/// Decodes `tpdu`, checks it used every octet and re-encodes to the same octets.
fn round_trip(tpdu: &[u8]) -> Tpdu<'_> {
    let (t, used) = Tpdu::decode(tpdu).unwrap_or_else(|e| panic!("{tpdu:02x?}: {e}"));
    assert_eq!(used, tpdu.len(), "{} must use the whole NSDU", t.name());
    assert_eq!(t.encoded_len(), tpdu.len());
    let mut out = vec![0xa5; tpdu.len() + 2];
    assert_eq!(t.encode(&mut out), Ok(tpdu.len()));
    assert_eq!(
        &out[..tpdu.len()],
        tpdu,
        "{} re-encodes differently",
        t.name()
    );
    assert_eq!(
        &out[tpdu.len()..],
        [0xa5, 0xa5],
        "encoder wrote past its length"
    );
    t
}

/// The TPDU inside one whole TPKT.
fn unwrap_tpkt(segment: &[u8]) -> &[u8] {
    let (frame, used) = osi_tpkt::Frame::decode(segment).unwrap().unwrap();
    assert_eq!(used, segment.len());
    frame.payload()
}

fn connect(t: Tpdu<'_>) -> Connect<'_> {
    match t {
        Tpdu::Cr(c) | Tpdu::Cc(c) => c,
        other => panic!("not CR/CC: {other:?}"),
    }
}

/// The conformance kit's vectors: name and whole TCP payload.
fn kit_vectors(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut c = l.split('\t');
            let name = c.next().unwrap().to_string();
            let hex = c.next().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (name, bytes)
        })
        .collect()
}

fn kit(file: &str, name: &str) -> &'static [u8] {
    kit_vectors(file)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not in {file}"))
        .1
        .leak()
}

#[test]
fn every_kit_vector_round_trips() {
    let mut n = 0;
    for file in ["libiec61850.tsv", "python-snap7.tsv"] {
        for (name, seg) in kit_vectors(file) {
            let t = round_trip(unwrap_tpkt(&seg));
            if name.contains(".DT")
                || name.ends_with(".CN")
                || name.ends_with(".AC")
                || name.ends_with("FN")
                || name.ends_with("DN")
            {
                let Tpdu::Dt(d) = t else {
                    panic!("{name}: {t:?}")
                };
                assert_eq!(
                    (d.format, d.eot, d.nr, d.roa),
                    (Format::Short, true, 0, false),
                    "{name}"
                );
                assert_eq!(
                    d.data,
                    &seg[7..],
                    "{name}: payload is everything after 02 f0 80"
                );
            }
            n += 1;
        }
    }
    assert_eq!(n, 22);
}

#[test]
fn libiec61850_cr_and_cc() {
    let cr_seg = kit("libiec61850.tsv", "A.CR");
    let cr = connect(round_trip(unwrap_tpkt(cr_seg)));
    assert_eq!(
        (cr.cdt, cr.dst_ref, cr.src_ref, cr.class),
        (0, 0, 1, ClassOption::CLASS0)
    );
    // Parameter order C0, C2, C1 (conformance README): any order is accepted.
    let codes: Vec<_> = cr.params.iter().map(|p| p.unwrap().code()).collect();
    assert_eq!(
        codes,
        [
            ParamCode::TPDU_SIZE,
            ParamCode::CALLED_TSEL,
            ParamCode::CALLING_TSEL
        ]
    );
    assert_eq!(
        cr.params.find(ParamCode::TPDU_SIZE),
        Some(Ok(Param::TpduSize(TpduSize::S8192)))
    );
    assert_eq!(
        (cr.calling_tsel(), cr.called_tsel()),
        (Some(&[0, 1][..]), Some(&[0, 1][..]))
    );
    assert!(cr.data.is_empty());

    let cc_seg = kit("libiec61850.tsv", "A.CC");
    let Tpdu::Cc(cc) = round_trip(unwrap_tpkt(cc_seg)) else {
        panic!()
    };
    assert_eq!((cc.dst_ref, cc.src_ref, cc.class.class()), (1, 1, 0));
    assert_eq!(
        cc.params.find(ParamCode::TPDU_SIZE),
        Some(Ok(Param::TpduSize(TpduSize::S8192)))
    );
}

#[test]
fn snap7_cr_cc_dc() {
    let cr_seg = kit("python-snap7.tsv", "C.CR");
    let Tpdu::Cr(cr) = round_trip(unwrap_tpkt(cr_seg)) else {
        panic!()
    };
    // C1, C2, C0 order; TSAPs 0100 / 0101; TPDU size 1024.
    assert_eq!(
        (cr.calling_tsel(), cr.called_tsel()),
        (Some(&[1, 0][..]), Some(&[1, 1][..]))
    );
    assert_eq!(
        cr.params.find(ParamCode::TPDU_SIZE),
        Some(Ok(Param::TpduSize(TpduSize::S1024)))
    );
    let Tpdu::Cc(cc) = round_trip(unwrap_tpkt(kit("python-snap7.tsv", "C.CC"))) else {
        panic!()
    };
    assert_eq!((cc.dst_ref, cc.src_ref), (1, 1));
    let Tpdu::Dc(dc) = round_trip(unwrap_tpkt(kit("python-snap7.tsv", "C.DC"))) else {
        panic!()
    };
    assert_eq!((dc.dst_ref, dc.src_ref, dc.params.is_empty()), (1, 1, true));
}

/// python-snap7 3.3.0's DR: LI 6 and 7 octets after it. Decision: the layout makes the extra
/// octet DR user data, so the codec reports it as such and re-encodes it unchanged; class 0
/// forbids DR user data, and the TP0 machine ignores it (tests in tp0) rather than turn the
/// peer's goodbye into a protocol error.
#[test]
fn snap7_dr_stray_octet_is_user_data() {
    let seg = kit("python-snap7.tsv", "C.DR");
    let Tpdu::Dr(dr) = round_trip(unwrap_tpkt(seg)) else {
        panic!()
    };
    assert_eq!(
        (dr.dst_ref, dr.src_ref, dr.reason),
        (1, 1, DisconnectReason::NOT_SPECIFIED)
    );
    assert!(dr.params.is_empty());
    assert_eq!(dr.data, [0x00]);
}

#[test]
fn spec_6_1_public_vectors() {
    // #1 S7 ISO-on-TCP CR.
    let cr = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 16 11 E0 00 00 00 01 00 C0 01 0A C1 02 01 00 C2 02 01 02"
    ))));
    assert_eq!(
        (cr.src_ref, cr.calling_tsel(), cr.called_tsel()),
        (1, Some(&[1, 0][..]), Some(&[1, 2][..]))
    );
    // #2, #3 S7 DTs.
    for seg in [
        &hex!("03 00 00 19 02 F0 80 32 01 00 00 04 00 00 08 00 00 F0 00 00 01 00 01 01 E0")[..],
        &hex!("03 00 00 1B 02 F0 80 32 03 00 00 04 00 00 08 00 00 00 00 F0 00 00 01 00 01 00 F0"),
    ] {
        let Tpdu::Dt(d) = round_trip(unwrap_tpkt(seg)) else {
            panic!()
        };
        assert_eq!((d.format, d.eot, d.data[0]), (Format::Short, true, 0x32));
    }
    // #5, #6, #12 RDP CCs/CR whose variable parts happen to be well-formed TLVs with unknown
    // codes: kept verbatim.
    let cc = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 13 0E D0 00 00 12 34 00 02 00 08 00 00 00 00 00"
    ))));
    assert_eq!(
        cc.params.iter().next(),
        Some(Ok(Param::Unknown {
            code: ParamCode(0x02),
            value: &[]
        }))
    );
    let cc = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 0B 06 D0 00 00 12 34 00"
    ))));
    assert_eq!((cc.src_ref, cc.params.is_empty()), (0x1234, true));
    round_trip(unwrap_tpkt(&hex!(
        "03 00 00 13 0E E0 00 00 00 00 00 01 00 08 00 0B 00 00 00"
    )));
    // #7, #8 minimum DT (the reserved octet is TPKT's business).
    let Tpdu::Dt(d) = round_trip(unwrap_tpkt(&hex!("03 FF 00 07 02 F0 80"))) else {
        panic!()
    };
    assert!(d.eot && d.data.is_empty());
    // #10 DT segment and last segment.
    let Tpdu::Dt(d) = round_trip(&hex!("02 F0 00 32 01 00")) else {
        panic!()
    };
    assert!(!d.eot);
    // #13 ISODE CR/CC, #14 ISODE CR with called TSAP first.
    let cr = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 0E 09 E0 00 00 77 18 00 C0 01 0B"
    ))));
    assert_eq!((cr.src_ref, cr.calling_tsel()), (0x7718, None));
    let cc = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 0E 09 D0 77 18 77 19 00 C0 01 0B"
    ))));
    assert_eq!((cc.dst_ref, cc.src_ref), (0x7718, 0x7719));
    let cr = connect(round_trip(unwrap_tpkt(&hex!(
        "03 00 00 12 0D E0 00 00 7F 04 00 C2 02 02 01 C0 01 0B"
    ))));
    assert_eq!(cr.called_tsel(), Some(&[2, 1][..]));
    // #15 ISODE DR, reason normal.
    let Tpdu::Dr(dr) = round_trip(unwrap_tpkt(&hex!("03 00 00 0B 06 80 77 19 77 18 80"))) else {
        panic!()
    };
    assert_eq!((dr.reason, dr.data.len()), (DisconnectReason::NORMAL, 0));
}

#[test]
fn spec_6_1_rejects() {
    // #4 RDP CR: the variable part is a cookie, not parameters. Not an X.224 CR: refused.
    let rdp = hex!(
        "03 00 00 2C 27 E0 00 00 00 00 00 43 6F 6F 6B 69 65 3A 20 6D 73 74 73 68 61 73 68 3D 65 6C 74 6F 6E 73 0D 0A 01 00 08 00 00 00 00 00"
    );
    assert_eq!(
        Tpdu::decode(unwrap_tpkt(&rdp)),
        Err(Error::ParamOverrun { code: 0x43, at: 7 })
    );
    // #12 Windows CC with an RDP_NEG_RSP that does not parse as parameters.
    let cc = hex!("0E D0 00 00 12 34 00 02 1F 08 00 08 00 00 00");
    assert_eq!(
        Tpdu::decode(&cc),
        Err(Error::ParamOverrun { code: 0x02, at: 7 })
    );
    // #11: LI 3 on a DT (odd: extended, needs 7), a CR with LI 2.
    assert_eq!(
        Tpdu::decode(&hex!("03 F0 80 32")),
        Err(Error::LiTooSmall {
            tpdu: "DT",
            li: 3,
            min: 7
        })
    );
    assert_eq!(
        Tpdu::decode(&hex!("02 E0 80 32")),
        Err(Error::LiTooSmall {
            tpdu: "CR",
            li: 2,
            min: 6
        })
    );
    // #11: a non-zero class 0 TPDU-NR decodes (the class is not known here); the TP0 machine
    // judges it.
    let Tpdu::Dt(d) = round_trip(&hex!("02 F0 81 32")) else {
        panic!()
    };
    assert_eq!(d.nr, 1);
}

#[test]
fn spec_6_2_class0_control() {
    let Tpdu::Dr(dr) = round_trip(unwrap_tpkt(&hex!("03 00 00 0B 06 80 00 07 00 00 03"))) else {
        panic!()
    };
    assert_eq!(
        (dr.dst_ref, dr.src_ref, dr.reason),
        (7, 0, DisconnectReason::ADDRESS_UNKNOWN)
    );
    let er = hex!("03 00 00 15 10 70 00 07 03 C1 0A 09 E0 00 00 00 07 00 C0 01 05");
    let Tpdu::Er(e) = round_trip(unwrap_tpkt(&er)) else {
        panic!()
    };
    assert_eq!((e.dst_ref, e.cause), (7, RejectCause::INVALID_PARAM_VALUE));
    // In an ER, code 0xC1 is the invalid TPDU, not a calling TSAP.
    assert_eq!(
        e.invalid_tpdu(),
        Some(&hex!("09 E0 00 00 00 07 00 C0 01 05")[..])
    );
    assert_eq!(
        e.params.iter().next(),
        Some(Ok(Param::InvalidTpdu(&hex!(
            "09 E0 00 00 00 07 00 C0 01 05"
        ))))
    );
    // ISODE's ER has no C1 (its `TLose` in tsap/tp0ts.c sends the cause only).
    let Tpdu::Er(e) = round_trip(&hex!("04 70 00 07 00")) else {
        panic!()
    };
    assert_eq!(e.invalid_tpdu(), None);
}

#[test]
fn spec_6_3_class4_handshake() {
    let cr = hex!(
        "25 E4 00 00 00 01 40 C1 02 00 01 C2 02 00 02 C0 01 0A C4 01 01 C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 55 B6"
    );
    let Tpdu::Cr(c) = round_trip(&cr) else {
        panic!()
    };
    assert_eq!(
        (c.cdt, c.src_ref, c.class.class(), c.class.extended()),
        (4, 1, 4, false)
    );
    let want = [
        Param::CallingTsel(&[0, 1]),
        Param::CalledTsel(&[0, 2]),
        Param::TpduSize(TpduSize::S1024),
        Param::Version(1),
        Param::AdditionalOptions(osi_transport::AdditionalOptions(1)),
        Param::AckTime(5000),
        Param::InactivityTimer(180_000),
        Param::Checksum([0x55, 0xb6]),
    ];
    assert!(c.params.iter().eq(want.map(Ok)));
    assert!(checksum::verify(&cr));

    let cc = hex!(
        "22 D4 00 01 00 42 40 C1 02 00 01 C2 02 00 02 C0 01 0A C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 EF B3"
    );
    let Tpdu::Cc(c) = round_trip(&cc) else {
        panic!()
    };
    assert_eq!((c.cdt, c.dst_ref, c.src_ref), (4, 1, 0x42));

    let Tpdu::Ak(ak) = round_trip(&hex!("08 64 00 42 00 C3 02 66 25")) else {
        panic!()
    };
    assert_eq!(
        (ak.extended, ak.cdt, ak.dst_ref, ak.nr),
        (false, 4, 0x42, 0)
    );

    let Tpdu::Dt(dt) = round_trip(&hex!("08 F0 00 42 80 C3 02 E3 84 68 65 6C 6C 6F")) else {
        panic!()
    };
    assert_eq!(
        (dt.format, dt.dst_ref, dt.eot, dt.nr, dt.data),
        (Format::Normal, 0x42, true, 0, &b"hello"[..])
    );
    assert_eq!(
        dt.params.iter().next(),
        Some(Ok(Param::Checksum([0xe3, 0x84])))
    );

    let Tpdu::Dr(dr) = round_trip(&hex!("0A 80 00 42 00 01 80 C3 02 F0 FA")) else {
        panic!()
    };
    assert_eq!(
        (dr.dst_ref, dr.src_ref, dr.reason),
        (0x42, 1, DisconnectReason::NORMAL)
    );
    let Tpdu::Dc(dc) = round_trip(&hex!("09 C0 00 01 00 42 C3 02 4A E2")) else {
        panic!()
    };
    assert_eq!((dc.dst_ref, dc.src_ref), (1, 0x42));
}

#[test]
fn spec_5_2_normal_and_extended_ak() {
    let Tpdu::Ak(ak) = round_trip(&hex!("08 6A 12 34 01 C3 02 12 6E")) else {
        panic!()
    };
    assert_eq!(
        (ak.extended, ak.cdt, ak.dst_ref, ak.nr),
        (false, 10, 0x1234, 1)
    );
    let Tpdu::Ak(ak) = round_trip(&hex!("0D 60 12 34 00 00 00 01 00 0A C3 02 83 F7")) else {
        panic!()
    };
    assert_eq!(
        (ak.extended, ak.cdt, ak.dst_ref, ak.nr),
        (true, 10, 0x1234, 1)
    );
}

#[test]
fn handmade_tp4_over_tpkt() {
    let cr = connect(round_trip(unwrap_tpkt(kit(
        "handmade-x410.tsv",
        "H.TP4.CR",
    ))));
    assert_eq!(
        (cr.src_ref, cr.class, cr.calling_tsel(), cr.called_tsel()),
        (0x1111, ClassOption(0x40), Some(&b"A"[..]), Some(&b"B"[..]))
    );
    let Tpdu::Dt(dt) = round_trip(unwrap_tpkt(kit("handmade-x410.tsv", "H.TP4.DT"))) else {
        panic!()
    };
    assert_eq!(
        (dt.format, dt.dst_ref, dt.eot, dt.data),
        (Format::Normal, 0x2222, true, &[0x09, 0x00][..])
    );
    let Tpdu::Ak(ak) = round_trip(unwrap_tpkt(kit("handmade-x410.tsv", "H.TP4.AK"))) else {
        panic!()
    };
    assert_eq!((ak.cdt, ak.dst_ref, ak.nr), (15, 0x1111, 1));
}

#[test]
fn spec_4_3_segmented_tsdu_headers() {
    let mut seg = vec![0x02, 0xf0, 0x00];
    seg.extend_from_slice(&[0x5a; 2045]);
    let Tpdu::Dt(d) = round_trip(&seg) else {
        panic!()
    };
    assert_eq!((d.eot, d.data.len()), (false, 2045));
}

#[test]
fn li_rules() {
    assert_eq!(Tpdu::decode(&[]), Err(Error::Empty));
    assert_eq!(Tpdu::decode(&hex!("ff f0 80")), Err(Error::ReservedLi));
    assert_eq!(
        Tpdu::decode(&hex!("06 80 00 01 00")),
        Err(Error::LiBeyondData {
            li: 6,
            needed: 7,
            available: 5
        })
    );
    assert_eq!(
        Tpdu::decode(&hex!("00")),
        Err(Error::LiTooSmall {
            tpdu: "TPDU",
            li: 0,
            min: 1
        })
    );
    assert_eq!(
        Tpdu::decode(&hex!("05 80 00 01 00 01")),
        Err(Error::LiTooSmall {
            tpdu: "DR",
            li: 5,
            min: 6
        })
    );
    // LI exactly the input: a CR without data.
    assert!(Tpdu::decode(&hex!("06 e0 00 00 00 01 00")).is_ok());
    // A parameter running past the LI (a data octet may not complete it).
    assert_eq!(
        Tpdu::decode(&hex!("08 e0 00 00 00 01 00 c0 01 0a")),
        Err(Error::ParamOverrun { code: 0xc0, at: 7 })
    );
    // LI 254 is the largest.
    let mut big = vec![254, 0xe0, 0, 0, 0, 1, 0];
    for _ in 0..62 {
        big.extend_from_slice(&[0xc5, 2, 0, 0]);
    }
    big.extend_from_slice(&[0xc5, 0]);
    round_trip(&big);
}

#[test]
fn unknown_codes() {
    for code in [
        0x00u8, 0x30, 0x40, 0x90, 0xa0, 0xb0, 0xf2, 0xfe, 0x81, 0xc1, 0x11, 0x21, 0x71,
    ] {
        assert_eq!(
            Tpdu::decode(&[6, code, 0, 0, 0, 0, 0]),
            Err(Error::UnknownTpduCode(code)),
            "{code:#04x}"
        );
    }
}

#[test]
fn zero_bits_must_be_zero() {
    // Normal AK: bit 8 of YR-TU-NR.
    assert!(matches!(
        Tpdu::decode(&hex!("04 61 00 01 80")),
        Err(Error::InvalidField { at: 4, .. })
    ));
    // Extended AK: CDT nibble moved out of the code octet; bit 32 of the number.
    assert!(matches!(
        Tpdu::decode(&hex!("09 61 00 01 00 00 00 01 00 05")),
        Err(Error::InvalidField { at: 1, .. })
    ));
    assert!(matches!(
        Tpdu::decode(&hex!("09 60 00 01 80 00 00 01 00 05")),
        Err(Error::InvalidField { at: 4, .. })
    ));
    // RJ: no variable part, LI exactly 4 or 9.
    assert!(matches!(
        Tpdu::decode(&hex!("06 51 00 01 00 c5 00")),
        Err(Error::LiTooSmall { .. })
    ));
    let Tpdu::Rj(rj) = round_trip(&hex!("04 53 00 01 05")) else {
        panic!()
    };
    assert_eq!(
        rj,
        Reject {
            extended: false,
            dst_ref: 1,
            nr: 5,
            cdt: 3
        }
    );
    let Tpdu::Rj(rj) = round_trip(&hex!("09 50 00 01 00 00 01 00 01 00")) else {
        panic!()
    };
    assert_eq!(
        rj,
        Reject {
            extended: true,
            dst_ref: 1,
            nr: 256,
            cdt: 256
        }
    );
}

#[test]
fn concatenated_nsdu_decodes_one_at_a_time() {
    // X.224 6.4: AK, EA may precede one data-bearing TPDU in an NSDU.
    let nsdu = hex!("04 61 00 01 05  04 20 00 01 00  04 f0 00 01 80 41 42");
    let (t, n) = Tpdu::decode(&nsdu).unwrap();
    assert_eq!((t.name(), n), ("AK", 5));
    let (t, m) = Tpdu::decode(&nsdu[n..]).unwrap();
    assert_eq!((t.name(), m), ("EA", 5));
    let (t, k) = Tpdu::decode(&nsdu[n + m..]).unwrap();
    let Tpdu::Dt(d) = t else { panic!() };
    assert_eq!((k, d.data), (7, &b"AB"[..]));
}

#[test]
fn ed_formats() {
    // RFC 1006 class 0 ED: DT layout with code 0x10.
    let Tpdu::Ed(ed) = round_trip(&hex!("02 10 80 01 02 03")) else {
        panic!()
    };
    assert_eq!(
        (ed.format, ed.eot, ed.nr, ed.data),
        (Format::Short, true, 0, &[1, 2, 3][..])
    );
    let Tpdu::Ed(ed) = round_trip(&hex!("07 10 00 09 80 00 00 05 ff")) else {
        panic!()
    };
    assert_eq!((ed.format, ed.dst_ref, ed.nr), (Format::Extended, 9, 5));
    let Tpdu::Ea(ea) = round_trip(&hex!("07 20 00 09 00 00 00 05")) else {
        panic!()
    };
    assert_eq!((ea.extended, ea.nr), (true, 5));
}

#[test]
fn encoder_refuses_what_the_format_cannot_carry() {
    let mut out = [0xa5; 64];
    let dt = Data {
        format: Format::Normal,
        dst_ref: 1,
        roa: false,
        eot: true,
        nr: 128,
        params: Params::EMPTY,
        data: &[],
    };
    assert!(matches!(
        Tpdu::Dt(dt).encode(&mut out),
        Err(Error::InvalidField { .. })
    ));
    // Short format has no DST-REF.
    let dt = Data {
        format: Format::Short,
        dst_ref: 1,
        ..Data::class0(true, &[])
    };
    assert!(matches!(
        Tpdu::Dt(dt).encode(&mut out),
        Err(Error::InvalidField { .. })
    ));
    // A 1-octet variable part would make a normal DT's LI odd, i.e. extended.
    let odd = Params::new(&hex!("c5 01 00")).unwrap();
    let dt = Data {
        format: Format::Normal,
        dst_ref: 1,
        params: odd,
        ..Data::class0(true, &[])
    };
    assert!(matches!(
        Tpdu::Dt(dt).encode(&mut out),
        Err(Error::InvalidField { .. })
    ));
    let ak = Ack {
        extended: false,
        dst_ref: 1,
        nr: 0,
        cdt: 16,
        params: Params::EMPTY,
    };
    assert!(matches!(
        Tpdu::Ak(ak).encode(&mut out),
        Err(Error::InvalidField { .. })
    ));
    let cr = Connect {
        cdt: 16,
        dst_ref: 0,
        src_ref: 1,
        class: ClassOption::CLASS0,
        params: Params::EMPTY,
        data: &[],
    };
    assert!(matches!(
        Tpdu::Cr(cr).encode(&mut out),
        Err(Error::InvalidField { .. })
    ));
    // LI over 254.
    let raw = [0xc5u8; 250];
    let mut params = [0u8; 251];
    params[0] = 0xc5;
    params[1] = 249;
    params[2..].copy_from_slice(&raw[..249]);
    let cr = Connect {
        cdt: 0,
        dst_ref: 0,
        src_ref: 1,
        class: ClassOption::CLASS0,
        params: Params::new(&params).unwrap(),
        data: &[],
    };
    assert_eq!(
        Tpdu::Cr(cr).encode(&mut [0; 300]),
        Err(Error::HeaderTooLong(258))
    );
    // Short buffer: error, nothing written.
    let dt = Tpdu::Dt(Data::class0(true, b"abc"));
    let mut small = [0xa5; 5];
    assert_eq!(
        dt.encode(&mut small),
        Err(Error::BufferTooSmall {
            needed: 6,
            available: 5
        })
    );
    assert_eq!(small, [0xa5; 5]);
}

#[test]
fn encode_class0_dt() {
    let mut out = [0xa5; 8];
    assert_eq!(Tpdu::Dt(Data::class0(false, b"hi")).encode(&mut out), Ok(5));
    assert_eq!(out, hex!("02 f0 00 68 69 a5 a5 a5"));
}

#[cfg(feature = "alloc")]
#[test]
fn encode_to_vec_appends() {
    let mut v = vec![0xee];
    Tpdu::Dt(Data::class0(true, &[]))
        .encode_to_vec(&mut v)
        .unwrap();
    assert_eq!(v, hex!("ee 02 f0 80"));
    // On error the vector is left as it was.
    let bad = Data {
        nr: 200,
        ..Data::class0(true, &[])
    };
    assert!(Tpdu::Dt(bad).encode_to_vec(&mut v).is_err());
    assert_eq!(v, hex!("ee 02 f0 80"));
}

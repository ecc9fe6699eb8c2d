//! The presentation mode of CN, AC, RF and AB user data, frame by frame: normal-mode PPDUs are
//! named and left undecoded without an error, X.410-1984 mode PDUs are decoded as RTS.
//!
//! The octets are copied from captures (the frame is named next to each) or built by hand and
//! checked with tshark 4.0's pres dissector, so these tests need nothing outside the repository.

use super::*;

fn decode_hex(hex: &str) -> Vec<report::Frame> {
    let mut d = Decoder::default();
    d.octets(&input::parse_hex(hex).unwrap());
    d.frames
}

fn layers<'a>(f: &'a report::Frame, name: &str) -> Vec<&'a report::Layer> {
    f.layers.iter().filter(|l| l.layer == name).collect()
}

fn field<'a>(l: &'a report::Layer, name: &str) -> &'a serde_json::Value {
    &l.fields.iter().find(|f| f.name == name).unwrap().value
}

/// PP MTA CN, pp-mta-x40088-ipm.pcapng frame 8 (TCP payload: TPKT, DT, CN). Its user data is a
/// normal-mode CP-type: `31 7d a0 03 80 01 01 a2 76 ...`.
const PP_CN: &str = "030000b802f0800daf01170a041402766d0b0f170d3236313230353133343335375a050f1301\
    00150407f907f91601031a010014020249c17f317da003800101a276a433300f020101060452010001300406\
    025101300f02010306045600020c300406025101300f020105060456000207300406025101613f303d020101\
    a0386036a106060456000106be2c282a06025101020103a021b01f80013f820100a317a015b013a111800470\
    702d61a109040770702d612d7077";

/// PP MTA AC, pp-mta-x40088-ipm.pcapng frame 9 (TCP payload: TPKT, DT, AC). Its user data is a
/// normal-mode CPA-PPDU: `31 71 a0 03 80 01 01 a2 6a ...`.
const PP_AC: &str = "030000a802f0800e9f011709041402766d0b0f170d3236313230353133343335375a0509130100\
    1601021a0100140202493400c1733171a003800101a26aa51b3007800100810251013007800100810251013007\
    80010081025101614b3049020101a0446142a106060456000106a203020100a305a103020100be2c282a060251\
    01020103a021b11f800101810103a217a015b113a111800470702d62a109040770702d622d7077";

/// PP MTA CN, pp-mta-x40084-ipm.pcapng frame 8: X.410-1984 mode, PConnect with the MTA bind.
const PP_X410_CN: &str = "0300006202f0800d5901170a041402766d0b0f170d3236313230353133313335335a050f13\
    0100150407f907f91601031a010014020249c1293127a003800100a12080013f820100a315a013a111800470\
    702d61a109160770702d612d7077840101";

/// PP MTA AC, pp-mta-x40084-ipm.pcapng frame 9: X.410-1984 mode, PAccept with the bind result.
const PP_X410_AC: &str = "0300005902f0800e50011709041402766d0b0f170d3236313230353133313335335a0509130100\
    1601021a010014020249c1263124a003800100a11d800101810103a215a013a111800470702d62a109160770\
    702d622d7077";

#[test]
fn pp_mta_ac_is_a_normal_mode_cpa_ppdu_not_an_rts_error() {
    let f = decode_hex(PP_AC);
    assert_eq!(f.len(), 1);
    assert!(f[0].errors.is_empty(), "{:?}", f[0].errors);
    assert!(layers(&f[0], "rts").is_empty());
    let pres = layers(&f[0], "pres");
    assert_eq!(pres.len(), 1, "{:?}", f[0].layers);
    assert!(pres[0].summary.contains("CPA-PPDU"), "{}", pres[0].summary);
    assert!(
        pres[0].summary.contains("normal mode"),
        "{}",
        pres[0].summary
    );
    assert_eq!(field(pres[0], "mode-value"), 1);
}

#[test]
fn pp_mta_cn_and_its_ac_are_both_named() {
    // Both in one input, so the AC follows the CN on the same connection.
    let f = decode_hex(&format!("{PP_CN}{PP_AC}"));
    assert_eq!(f.len(), 2);
    for (frame, ppdu) in f.iter().zip(["CP-type", "CPA-PPDU"]) {
        assert!(frame.errors.is_empty(), "{:?}", frame.errors);
        let pres = layers(frame, "pres");
        assert_eq!(pres.len(), 1, "{ppdu}: {:?}", frame.layers);
        assert!(pres[0].summary.contains(ppdu), "{}", pres[0].summary);
        assert!(
            pres[0].summary.contains("normal mode"),
            "{}",
            pres[0].summary
        );
    }
}

#[test]
fn normal_mode_cpr_ppdu_in_rf_is_named() {
    // RF (transport disconnect 1; reason 2 + CPR-PPDU normal-mode-parameters with
    // provider-reason temporary-congestion(1)): hand-made, tshark shows "CPR-PPDU:
    // normal-mode-parameters, provider-reason: temporary-congestion (1)".
    let f = decode_hex("0300001402f0800c0b11010132060230038a0101");
    assert!(f[0].errors.is_empty(), "{:?}", f[0].errors);
    assert!(layers(&f[0], "rts").is_empty());
    let pres = layers(&f[0], "pres");
    assert_eq!(pres.len(), 1, "{:?}", f[0].layers);
    assert!(pres[0].summary.contains("CPR-PPDU"), "{}", pres[0].summary);
    assert!(
        pres[0].summary.contains("normal mode"),
        "{}",
        pres[0].summary
    );
}

#[test]
fn normal_mode_aru_and_arp_ppdus_in_ab_are_named() {
    // AB (transport disconnect 3, PGI 193): an ARU-PPDU normal-mode-parameters carrying an ACSE
    // ABRT, and an ARP-PPDU with provider-reason unrecognized-ppdu(1). Hand-made; tshark shows
    // "aru-ppdu: normal-mode-parameters" and "arp-ppdu, provider-reason: unrecognized-ppdu (1)".
    for (hex, ppdu) in [
        (
            "0300001e02f0801915110103c110a00e610c300a020101a0056403800100",
            "ARU-PPDU",
        ),
        ("0300001302f080190a110103c1053003800101", "ARP-PPDU"),
    ] {
        let f = decode_hex(hex);
        assert!(f[0].errors.is_empty(), "{ppdu}: {:?}", f[0].errors);
        assert!(layers(&f[0], "rts").is_empty(), "{ppdu}");
        let pres = layers(&f[0], "pres");
        assert_eq!(pres.len(), 1, "{ppdu}: {:?}", f[0].layers);
        assert!(pres[0].summary.contains(ppdu), "{}", pres[0].summary);
        assert!(
            pres[0].summary.contains("normal mode"),
            "{}",
            pres[0].summary
        );
    }
}

#[test]
fn bare_normal_mode_cp_type_is_named() {
    // The CN user data of PP_CN pasted alone: no carrier SPDU, so CP-type or CPA-PPDU.
    let f = decode_hex(
        "317da003800101a276a433300f020101060452010001300406025101300f02010306045600020c3004060251\
         01300f020105060456000207300406025101613f303d020101a0386036a106060456000106be2c282a060251\
         01020103a021b01f80013f820100a317a015b013a111800470702d61a109040770702d612d7077",
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].origin, "input, bare BER");
    assert!(f[0].errors.is_empty(), "{:?}", f[0].errors);
    assert!(layers(&f[0], "pres")[0].summary.contains("normal mode"));
}

#[test]
fn x410_mode_cn_and_ac_still_decode_as_rts_and_p1() {
    let f = decode_hex(&format!("{PP_X410_CN}{PP_X410_AC}"));
    assert_eq!(f.len(), 2);
    for (frame, pdu) in f.iter().zip(["PConnect", "PAccept"]) {
        assert!(frame.errors.is_empty(), "{:?}", frame.errors);
        assert!(layers(frame, "pres").is_empty(), "{:?}", frame.layers);
        let rts = layers(frame, "rts");
        assert_eq!(rts.len(), 1, "{:?}", frame.layers);
        assert!(rts[0].summary.starts_with(pdu), "{}", rts[0].summary);
        let p1 = layers(frame, "p1");
        assert!(p1[0].summary.starts_with("MTA bind"), "{}", p1[0].summary);
    }
}

#[test]
fn x410_mode_rf_and_ab_still_decode_as_rts() {
    // `31 03 80 01 01` is a PRefuse in an RF and an AbortInformation in an AB (hand-made; tshark
    // shows "CPR-PPDU: x400-mode-parameters" and "aru-ppdu: x400-mode-parameters").
    for (hex, pdu) in [
        (
            "0300001402f0800c0b1101013206023103800101",
            "PRefuse: cannotRecover(1)",
        ),
        (
            "0300001302f080190a110103c1053103800101",
            "AbortInformation: invalidParameter(1)",
        ),
    ] {
        let f = decode_hex(hex);
        assert!(f[0].errors.is_empty(), "{pdu}: {:?}", f[0].errors);
        assert!(layers(&f[0], "pres").is_empty(), "{pdu}: {:?}", f[0].layers);
        let rts = layers(&f[0], "rts");
        assert_eq!(rts.len(), 1, "{pdu}: {:?}", f[0].layers);
        assert!(rts[0].summary.starts_with(pdu), "{}", rts[0].summary);
    }
}

#[test]
fn x410_mode_pdu_that_does_not_decode_is_still_an_rts_error() {
    // A PAccept cut short: mode-selector 0 says X.410-1984 mode, so the RTS error stands.
    let f = decode_hex("0300001302f0800e0a c1 08 3106a003800100a1");
    assert_eq!(f[0].errors.len(), 1, "{:?}", f[0].errors);
    assert!(
        f[0].errors[0].starts_with("rts: PAccept"),
        "{:?}",
        f[0].errors
    );
}

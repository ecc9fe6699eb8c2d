//! What a bound MTA association puts on the wire, checked by oracles nobody here wrote: tshark
//! dissects every frame but the S-DATA ones (the kit documents that tshark cannot do X.410-mode
//! data transfer) without a malformed packet or an expert warning, and no expert item at all
//! on the CN and AC; the kit's X.410 decoder (asn1tools) decodes the PConnect with our MTA
//! bind, the PAccept with the responder's bind result, and the relayed P1 message. Both P1
//! generations; a refused bind too.

use x400_mta::Protocol;
use x400_mta::association::{Ended, Event};
use x400_test_kit::mta::{Pair, table_a, table_b};

use crate::common;

/// The kit's asn1tools-made P1 message (an MTS-APDU; the UserMPDU of 1984 has its shape).
fn message() -> Vec<u8> {
    common::vector("asn1tools-p1.tsv", "E.MTS-APDU.message")
}

#[test]
fn a_bound_association_relaying_a_message_passes_tshark_and_the_x410_decoder() {
    for (protocol, name) in [
        (Protocol::P1984, "mta-p1-1984"),
        (Protocol::P1988X410, "mta-p1-1988-x410"),
    ] {
        let mut p = Pair::new(table_a(protocol), table_b(protocol));
        p.log = Some(Vec::new());
        p.a.transfer(message());
        p.run();
        assert_eq!(p.received_b(), [&message()[..]]);
        assert!(p.events_a.contains(&Event::Transferred));
        p.a.close();
        p.run();
        assert_eq!(p.ended_a(), Some(&Ended::Released));
        let log = p.log.take().unwrap();
        assert!(
            common::by_tsdu(&log)
                .iter()
                .any(|(_, b)| common::is_data(b))
        );
        // PConnect with the bind, PAccept with the result, the message.
        common::x410_check(name, &log, (40000, 102), 3);
    }
}

#[test]
fn a_refused_bind_passes_tshark_and_the_x410_decoder() {
    let mut tb = x400_mta::PeerTable::new("MTA-B");
    tb.insert(x400_mta::Peer::new(
        "MTA-A",
        x400_mta::Secret::new("wrong"),
        x400_mta::Secret::new("b"),
        Protocol::P1984,
    ));
    let mut p = Pair::new(table_a(Protocol::P1984), tb);
    p.log = Some(Vec::new());
    p.run();
    assert!(matches!(p.ended_b(), Some(Ended::WeRefused(_))));
    let log = p.log.take().unwrap();
    // PConnect with the bind, PRefuse validationFailure.
    common::x410_check("mta-refused", &log, (40000, 102), 2);
}

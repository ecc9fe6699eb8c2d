//! Builds only if nothing in the dependency graph links `std`: `std` would bring a second
//! `panic_impl` lang item and fail with E0152. `alloc` is not linked either, so the crates'
//! allocation-free APIs are all that is used here.
#![no_std]

/// Uses each crate so it is really linked.
pub fn use_all(buf: &mut [u8]) -> usize {
    let mut n = 0;
    if let Ok(Some((frame, used))) = osi_tpkt::Frame::decode(b"\x03\x00\x00\x07\x02\xf0\x80") {
        n += used;
        n += frame.encode(buf).unwrap_or(0);
    }
    if let Ok((tpdu, used)) = osi_transport::Tpdu::decode(b"\x02\xf0\x80") {
        n += used;
        n += tpdu.encode(buf).unwrap_or(0);
    }
    // The TP0 machine with a fixed reassembly buffer: no allocation needed.
    let now = osi_transport::Instant::ZERO;
    if let Ok(mut m) =
        osi_transport::tp0::Tp0::responder(osi_transport::tp0::Config::default(), [0u8; 64], now)
    {
        n += m.handle_input(now, b"\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x01\x00");
        n += usize::from(m.poll_event().is_some());
    }
    if let Ok((tlv, _)) = osi_sansio::ber::read(b"\x31\x03\x80\x01\x05") {
        n += tlv.contents.len();
    }
    let ctx = osi_session::Context::new(osi_session::Si42::MajorSyncAck);
    if let Ok(tsdu) = osi_session::Tsdu::decode(b"\x01\x00\x01\x00data", ctx) {
        n += tsdu.len();
        n += tsdu.encode(false, buf).unwrap_or(0);
    }
    if let Ok(ppdu) = osi_presentation::Ppdu::decode(
        osi_presentation::Carrier::Service,
        b"\x61\x08\x30\x06\x02\x01\x01\xa0\x01\x00",
    ) {
        n += ppdu.encode(buf).unwrap_or(0);
    }
    if let Ok(apdu) = osi_acse::Apdu::decode(b"\x62\x03\x80\x01\x00") {
        n += apdu.encode(buf).unwrap_or(0);
    }
    n
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

//! Scenarios (a) and (b) of the oracle: one machine under test fed arbitrary TSDUs and user
//! requests, next to a well-behaved peer it can also talk to.

use super::*;

/// (a) and (b): one machine under test (`role`) fed arbitrary TSDUs and user requests,
/// with a well-behaved peer it can also talk to.
pub(super) fn single(role: Role, inp: &mut Input<'_>) {
    let cfg = inp.byte();
    let flags = inp.byte();
    let ckpt = [0, 1, 4, 2][usize::from(cfg & 3)];
    let window = u32::from((cfg >> 2) & 3) + 1;
    let max_dt = [256, 1024, 4096, 100][usize::from((cfg >> 4) & 3)];
    let max_apdu = if cfg & 0x40 != 0 { 3000 } else { MAX_APDU };
    let mut t = Rts::new(role, config(ckpt, window, max_dt, max_apdu));
    let mut h = Rts::new(
        match role {
            Role::Initiator => Role::Responder,
            Role::Responder => Role::Initiator,
        },
        config(4 - ckpt.min(4), 3, 1024, MAX_APDU),
    );
    let mut given = Given::default();
    // The state the well-behaved peer recovers with, and the APDU it sends then or after.
    let mut kept = None;
    let mut h_sending: Option<Source> = None;
    let mut now = Instant::ZERO;
    let (mut to_t, mut to_h) = (VecDeque::new(), VecDeque::new());
    let (initiator, peer) = match role {
        Role::Initiator => (&mut t, &mut h),
        Role::Responder => (&mut h, &mut t),
    };
    if flags & 1 == 0 {
        let _ = initiator.open(&OpenRequest::new(&id(0), Some(&[0x05, 0x00])));
    } else {
        let (state, sending) = made_up_state(inp);
        if role == Role::Initiator {
            kept = Some(complement(&state));
        }
        if initiator
            .recover(&OpenRequest::new(&id(1), None), state)
            .is_ok()
            && role == Role::Initiator
        {
            given.sending.extend(sending);
        }
    }
    // The opening CN reaches the responder unless the input says otherwise.
    if flags & 2 == 0 {
        flush(initiator, &mut to_h);
        while let Some(tsdu) = to_h.pop_front() {
            let _ = peer.handle_tsdu(now, &tsdu);
        }
    }
    let mut tag = 0x100;
    let mut ops = 0;
    while !inp.done() && ops < MAX_OPS {
        ops += 1;
        let op = inp.byte();
        match op {
            0x00..=0x3f => {
                let len = usize::from(op) << 8 | usize::from(inp.byte());
                let tsdu = inp.bytes(len);
                if t.handle_tsdu(now, tsdu).is_err() {
                    flush(&mut t, &mut to_h);
                    to_h.clear();
                    let _ = t.handle_tsdu(now, tsdu);
                }
            }
            0x40..=0x5f => {
                let a = inp.byte();
                match op & 0x1f {
                    0 => {
                        let data: &[u8] = match a % 3 {
                            0 => &[0x05, 0x00],
                            1 => &[0x30, 0x80],
                            _ => &[],
                        };
                        let _ = t.accept((a % 4 != 3).then_some(data));
                    }
                    1 => {
                        let (state, sending) = made_up_state(inp);
                        if t.accept_recovery(state).is_ok() {
                            given.sending.extend(sending);
                        }
                    }
                    2 => {
                        let _ = t.refuse(now, RefuseReason::from(u32::from(a % 5)));
                    }
                    3 => {
                        let _ = t.secured();
                    }
                    4 => {
                        let x = (tag, apdu_len(inp.u16()));
                        tag += 1;
                        if t.start_transfer().is_ok() {
                            given.sending.push(x);
                        }
                    }
                    5 => {
                        let _ = t.turn_please(u32::from(a));
                    }
                    6 => {
                        let _ = t.turn_give();
                    }
                    7 => {
                        let _ = t.close();
                    }
                    8 => {
                        let _ = t.abort(now, AbortReason::from(u32::from(a % 9)));
                    }
                    9 => {
                        let _ = t.discard_transfer();
                    }
                    10 => t.handle_disconnect(now),
                    11 => {
                        let _ = t.open(&OpenRequest::new(&id(u32::from(a)), None));
                    }
                    12 => {
                        let (state, sending) = made_up_state(inp);
                        if t.recover(&OpenRequest::new(&id(2), None), state).is_ok() {
                            given.sending.extend(sending);
                        }
                    }
                    13 => t.handle_timeout(now),
                    14 => {
                        let x = (0x300, apdu_len(inp.u16()));
                        if h.start_transfer().is_ok() {
                            h_sending = Some(x);
                        }
                    }
                    15 => {
                        let _ = h.turn_please(0);
                    }
                    16 => {
                        // Confirms the last checkpoint indicated (or a made-up one).
                        let serial = given.checkpoint.take().unwrap_or(u64::from(a));
                        let _ = t.confirm_checkpoint(serial);
                    }
                    _ => {}
                }
            }
            0x60..=0x7f => {
                // The well-behaved peer talks: both directions, `op & 0x1f` rounds.
                for _ in 0..=(op & 0x1f) {
                    flush(&mut t, &mut to_h);
                    given.check(&events(&mut t));
                    while deliver(&mut to_h, &mut h, &mut to_t, now) {
                        serve(&mut h, &mut kept, &mut h_sending);
                    }
                    flush(&mut h, &mut to_t);
                    serve(&mut h, &mut kept, &mut h_sending);
                    while deliver(&mut to_t, &mut t, &mut to_h, now) {
                        given.check(&events(&mut t));
                    }
                }
            }
            0x80..=0xbf => {
                // What the machine sends goes nowhere.
                flush(&mut t, &mut to_h);
                to_h.clear();
            }
            _ => {
                now += Duration::from_secs(31);
                for m in [&mut t, &mut h] {
                    if m.poll_timeout().is_some_and(|d| d <= now) {
                        m.handle_timeout(now);
                    }
                }
            }
        }
        given.check(&events(&mut t));
        if let Some(&x) = given.sending.first() {
            feed(&mut t, x, false);
        }
        serve(&mut h, &mut kept, &mut h_sending);
    }
}

/// The well-behaved peer of [`single()`]: accepts, recovers with the state it `kept` (or
/// refuses), confirms and secures, gives the turn when asked, writes the APDU it sends.
fn serve(h: &mut Rts, kept: &mut Option<(Recovery, Option<Source>)>, sending: &mut Option<Source>) {
    for ev in events(h) {
        match ev {
            Event::RecoverIndication { lost, .. } => match kept.take() {
                Some((state, source)) if state.names(&lost) => {
                    if h.accept_recovery(state).is_ok() && source.is_some() {
                        *sending = source;
                    }
                }
                _ => {
                    let _ = h.refuse(Instant::ZERO, RefuseReason::CANNOT_RECOVER);
                }
            },
            Event::OpenIndication(_) => {
                let _ = h.accept(Some(&[0x05, 0x00]));
            }
            Event::TransferCheckpoint { serial, .. } => {
                let _ = h.confirm_checkpoint(serial);
            }
            Event::TransferEnd { .. } => {
                let _ = h.secured();
            }
            Event::TurnPlease { .. } => {
                let _ = h.turn_give();
            }
            Event::Transferred | Event::TransferFailed { .. } | Event::ConnectionLost(_) => {
                *sending = None;
            }
            _ => {}
        }
    }
    if let Some(x) = *sending {
        feed(h, x, false);
    }
}

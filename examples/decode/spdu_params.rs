//! The parameters of one SPDU, each in plain words: the typed SPDU is first laid out flat
//! ([`Shown`]), one slot per parameter code, and printed in increasing code order.

use x400::session::{
    ActivityEndSyncType, ConnectAccept, ConnectionId, Enclosure, Kind, Linking, MajorSyncType,
    PrepareType, Reason, Requirements, SerialNumber, Spdu, SyncType, TokenItem, TokenPosition,
    TokenSetting, TransportDisconnect, Unknown, Version,
};
use x400::session::{DataOverflow, ResyncType, TsduMaxSize};

use crate::report::{Layer, hex};
use crate::spdu_groups::{connect_accept, connection_id, linking};

/// Every parameter an SPDU can carry, by code (`None`: absent), and the user information of
/// DT, TD and EX: what the printers below walk.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shown<'a> {
    connection_id: Option<ConnectionId<'a>>,
    connect_accept: Option<ConnectAccept<'a>>,
    sync_type: Option<SyncType>,
    token_item: Option<TokenItem>,
    transport_disconnect: Option<TransportDisconnect>,
    requirements: Option<Requirements>,
    tsdu_max_size: Option<TsduMaxSize>,
    version: Option<Version>,
    prepare_type: Option<PrepareType>,
    enclosure: Option<Enclosure>,
    token_setting: Option<TokenSetting>,
    resync_type: Option<ResyncType>,
    linking: Option<Linking<'a>>,
    activity_id: Option<&'a [u8]>,
    serial: Option<SerialNumber>,
    reflect: Option<&'a [u8]>,
    pub reason: Option<Reason<'a>>,
    calling_ssel: Option<&'a [u8]>,
    called_ssel: Option<&'a [u8]>,
    second_resync_type: Option<ResyncType>,
    second_serial: Option<SerialNumber>,
    data_overflow: Option<DataOverflow>,
    pub user_data: Option<&'a [u8]>,
    pub extended_user_data: Option<&'a [u8]>,
    unknown: Unknown<'a>,
    pub user_info: Option<&'a [u8]>,
}

/// A struct field as an optional slot: optional fields as they are, mandatory ones wrapped,
/// and the one-octet reasons of ED, AI and AD as a [`Reason`] without data.
trait Slot<T> {
    fn slot(self) -> Option<T>;
}

impl<T> Slot<T> for Option<T> {
    fn slot(self) -> Option<T> {
        self
    }
}

macro_rules! plain_slots {
    ($($t:ty),*) => {$(
        impl<'a> Slot<$t> for $t {
            fn slot(self) -> Option<$t> {
                Some(self)
            }
        }
    )*};
}

plain_slots!(
    SerialNumber,
    &'a [u8],
    Version,
    Enclosure,
    TransportDisconnect,
    PrepareType,
    Linking<'a>
);

impl Slot<SyncType> for MajorSyncType {
    fn slot(self) -> Option<SyncType> {
        Some(self.get())
    }
}

impl Slot<SyncType> for Option<ActivityEndSyncType> {
    fn slot(self) -> Option<SyncType> {
        self.map(ActivityEndSyncType::get)
    }
}

impl<'a> Slot<Reason<'a>> for u8 {
    fn slot(self) -> Option<Reason<'a>> {
        Some(Reason {
            code: self,
            data: &[],
        })
    }
}

impl<'a> Slot<Reason<'a>> for Option<u8> {
    fn slot(self) -> Option<Reason<'a>> {
        self.and_then(Slot::slot)
    }
}

/// The named fields of a typed SPDU into their slots.
macro_rules! shown {
    ($s:expr $(; $f:ident)* $(, info $info:ident)?) => {{
        let s = $s;
        Shown {
            $($f: Slot::slot(s.$f),)*
            $($info: Some(s.$info),)?
            unknown: s.unknown,
            ..Shown::default()
        }
    }};
}

impl<'a> Shown<'a> {
    /// The parameters of `s`, laid out flat.
    pub fn of(s: &Spdu<'a>) -> Self {
        match *s {
            Spdu::Connect(c) => shown!(c; connection_id; connect_accept; requirements;
                calling_ssel; called_ssel; data_overflow; user_data; extended_user_data),
            Spdu::OverflowAccept(c) => shown!(c; tsdu_max_size; version),
            Spdu::ConnectDataOverflow(c) => shown!(c; enclosure; user_data),
            Spdu::Accept(c) => shown!(c; connection_id; connect_accept; token_item; requirements;
                enclosure; calling_ssel; called_ssel; user_data),
            Spdu::Refuse(c) => shown!(c; connection_id; transport_disconnect; requirements;
                version; enclosure; reason),
            Spdu::Finish(c) => shown!(c; transport_disconnect; enclosure; user_data),
            Spdu::Disconnect(c) => shown!(c; enclosure; user_data),
            Spdu::NotFinished(c) => shown!(c; enclosure; user_data),
            Spdu::Abort(c) => shown!(c; transport_disconnect; enclosure; reflect; user_data),
            Spdu::AbortAccept(c) => shown!(c),
            Spdu::DataTransfer(c) => shown!(c; enclosure, info user_info),
            Spdu::Expedited(c) => shown!(c, info user_info),
            Spdu::TypedData(c) => shown!(c; enclosure, info user_info),
            Spdu::CapabilityData(c) => shown!(c; enclosure; user_data),
            Spdu::CapabilityDataAck(c) => shown!(c; enclosure; user_data),
            Spdu::GiveTokens(c) => shown!(c; token_item; enclosure; user_data),
            Spdu::PleaseTokens(c) => shown!(c; token_item; enclosure; user_data),
            Spdu::GiveTokensConfirm(c) => shown!(c; enclosure; user_data),
            Spdu::GiveTokensAck(c) => shown!(c),
            Spdu::MinorSyncPoint(c) => shown!(c; sync_type; enclosure; serial; user_data),
            Spdu::MinorSyncAck(c) => shown!(c; enclosure; serial; user_data),
            Spdu::MajorSyncPoint(c) => shown!(c; sync_type; enclosure; serial; user_data),
            Spdu::MajorSyncAck(c) => shown!(c; enclosure; serial; second_serial; user_data),
            Spdu::Resynchronize(c) => shown!(c; enclosure; token_setting; resync_type; serial;
                second_resync_type; second_serial; user_data),
            Spdu::ResynchronizeAck(c) => shown!(c; enclosure; token_setting; resync_type;
                serial; second_resync_type; second_serial; user_data),
            Spdu::Prepare(c) => shown!(c; prepare_type; resync_type; second_resync_type),
            Spdu::ExceptionReport(c) => shown!(c; reflect),
            Spdu::ExceptionData(c) => shown!(c; enclosure; reason; user_data),
            Spdu::ActivityStart(c) => shown!(c; enclosure; activity_id; user_data),
            Spdu::ActivityResume(c) => shown!(c; enclosure; linking; activity_id; user_data),
            Spdu::ActivityInterrupt(c) => shown!(c; enclosure; reason; user_data),
            Spdu::ActivityInterruptAck(c) => shown!(c; enclosure; user_data),
            Spdu::ActivityDiscard(c) => shown!(c; enclosure; reason; user_data),
            Spdu::ActivityDiscardAck(c) => shown!(c; enclosure; user_data),
            Spdu::ActivityEnd(c) => shown!(c; sync_type; enclosure; serial; user_data),
            Spdu::ActivityEndAck(c) => shown!(c; enclosure; serial; second_serial; user_data),
            // A type this program does not know yet: its parameters are not shown.
            _ => Shown::default(),
        }
    }
}

pub fn opt_hex(b: &[u8]) -> String {
    if b.is_empty() {
        "(empty)".to_string()
    } else {
        hex(b)
    }
}

pub fn params(l: &mut Layer, k: Kind, p: &Shown<'_>) {
    if *p
        == (Shown {
            user_info: p.user_info,
            ..Shown::default()
        })
    {
        l.field(
            "parameters",
            "none",
            "no parameters: every parameter takes its default (X.225 §8.2.5)",
        );
    }
    if let Some(c) = &p.connection_id {
        connection_id(l, c);
    }
    if let Some(c) = &p.connect_accept {
        connect_accept(l, k, c);
    } else if matches!(k, Kind::Connect | Kind::Accept) {
        l.field(
            "connect_accept",
            "absent",
            "PGI 5 absent: defaults apply (version 1, no extended concatenation, tokens at the initiator)",
        );
    }
    if let Some(t) = p.sync_type {
        sync_type(l, k, t);
    }
    if let Some(t) = p.token_item {
        token_item(l, k, t);
    }
    if let Some(t) = p.transport_disconnect {
        transport_disconnect(l, k, t);
    } else if matches!(k, Kind::Finish | Kind::Refuse) {
        l.field(
            "transport_disconnect",
            "absent",
            "PI 17 absent: the transport connection is released",
        );
    }
    match p.requirements {
        Some(r) => requirements(l, r, "PI 20"),
        None if matches!(k, Kind::Connect | Kind::Accept) => {
            requirements(l, Requirements::DEFAULT, "PI 20 absent, default")
        }
        None => {}
    }
    if let Some(t) = p.tsdu_max_size {
        l.field(
            "tsdu_max_size",
            format!("{}/{}", t.initiator_to_responder, t.responder_to_initiator),
            "PI 21: largest TSDU initiator->responder / responder->initiator; 0 = unlimited",
        );
    }
    if let Some(v) = p.version {
        version(l, "version", v);
    }
    if let Some(t) = p.prepare_type {
        l.field(
            "prepare_type",
            t as u8,
            format!(
                "PI 24: prepare for {:?} (the SPDU that follows on the normal flow)",
                t
            ),
        );
    }
    if let Some(e) = p.enclosure {
        enclosure(l, e);
    }
    if let Some(t) = p.token_setting {
        token_setting(
            l,
            "token_setting",
            t,
            "PI 26 (RS/RA): requestor",
            "acceptor",
            "accepting SS-user's choice",
        );
    }
    if let Some(t) = p.resync_type {
        l.field(
            "resync_type",
            t as u8,
            format!("PI 27: resynchronize {}", format!("{t:?}").to_lowercase()),
        );
    }
    if let Some(g) = &p.linking {
        linking(l, g);
    }
    if let Some(a) = p.activity_id {
        l.field(
            "activity_id",
            hex(a),
            "PI 41: activity identifier, opaque to the session (X.410 RTS via ISODE puts a BER INTEGER here)",
        );
    }
    if let Some(sn) = p.serial {
        serial(l, "serial_number", "PI 42", sn);
    }
    if let Some(r) = p.reflect {
        l.field(
            "reflect",
            opt_hex(r),
            "PI 49: the octets of the faulty SPDU up to the error (reflect parameter values)",
        );
    }
    if let Some(r) = p.reason {
        reason(l, k, r);
    }
    if let Some(s) = p.calling_ssel {
        l.field(
            "calling_ssel",
            opt_hex(s),
            "PI 51: calling session selector, an opaque octet string (00 01 differs from 01)",
        );
    }
    if let Some(s) = p.called_ssel {
        let which = if k == Kind::Accept {
            "responding"
        } else {
            "called"
        };
        l.field(
            "called_ssel",
            opt_hex(s),
            format!("PI 52: {which} session selector, an opaque octet string"),
        );
    }
    if let Some(t) = p.second_resync_type {
        l.field(
            "second_resync_type",
            t as u8,
            "PI 53: resync type for the second (symmetric) numbering",
        );
    }
    if let Some(sn) = p.second_serial {
        serial(
            l,
            "second_serial_number",
            "PI 54 (symmetric synchronize)",
            sn,
        );
    }
    if let Some(d) = p.data_overflow {
        l.field(
            "data_overflow",
            format!("{:#04x}", d.0),
            "PI 60: more than 10 240 octets of connect data follow in CDO SPDUs (version 2)",
        );
    }
    if let Some(u) = p.user_data {
        let code = if k == Kind::MinorSyncAck {
            "PI 46 (MIA user data)"
        } else {
            "PGI 193"
        };
        let limit = match k {
            Kind::Connect => "; at most 512 octets in CN",
            Kind::Abort => "; at most 9 octets under version 1",
            _ => "",
        };
        l.field(
            "user_data",
            hex(u),
            format!("{code}: {} octets of SS-user data{limit}", u.len()),
        );
    }
    if let Some(u) = p.extended_user_data {
        l.field(
            "extended_user_data",
            hex(u),
            format!(
                "PGI 194: {} octets of connect data (513 to 10 240, version 2 only)",
                u.len()
            ),
        );
    }
    unknown(l, "unknown", &p.unknown);
}

pub fn unknown(l: &mut Layer, name: &str, u: &Unknown<'_>) {
    for unit in u.iter() {
        l.field(
            format!("{name}.{}", unit.code.0),
            opt_hex(unit.value),
            "a code X.225 does not define: valid and ignored (X.225 §8.2.6), kept and re-sent verbatim",
        );
    }
}

pub fn serial(l: &mut Layer, name: &str, what: &str, s: SerialNumber) {
    l.field(
        name,
        s.value(),
        format!("{what}: \"{s}\" in ASCII digits ({} digit(s))", s.digits()),
    );
}

fn requirements(l: &mut Layer, r: Requirements, what: &str) {
    let names: Vec<&str> = r.names().collect();
    let mut note = format!(
        "{what}: session user requirements: {}",
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    );
    if r.reserved_bits() != 0 {
        note.push_str(&format!(
            "; reserved bits {:#06x} ignored",
            r.reserved_bits()
        ));
    }
    if r == Requirements::X410 {
        note.push_str(" (exactly what X.410 RTS needs)");
    }
    l.field("requirements", format!("{:#06x}", r.0), note);
}

pub fn version(l: &mut Layer, name: &str, v: Version) {
    let names: Vec<&str> = v.names().collect();
    let list = if names.is_empty() {
        "no version".to_string()
    } else {
        names.join(" and ")
    };
    l.field(
        name,
        format!("{:#04x}", v.0),
        format!("PI 22: protocol {list}"),
    );
}

fn enclosure(l: &mut Layer, e: Enclosure) {
    let what = match (e.contains(Enclosure::BEGIN), e.contains(Enclosure::END)) {
        (true, true) => "a complete SSDU",
        (true, false) => "the first segment of an SSDU",
        (false, false) => "a middle segment of an SSDU",
        (false, true) => "the last segment of an SSDU",
    };
    l.field(
        "enclosure",
        format!("{:#04x}", e.0),
        format!("PI 25: {what}"),
    );
}

fn sync_type(l: &mut Layer, k: Kind, t: SyncType) {
    let bit1 = t.contains(SyncType::NO_CONFIRM_OR_NOT_END);
    let mut note = match (k, bit1) {
        (Kind::MajorSyncPoint, _) => "PI 15: not the end of an activity (bit 1)".to_string(),
        (Kind::ActivityEnd, _) => {
            "PI 15 with bit 1 clear: this SI 41 SPDU is ACTIVITY END".to_string()
        }
        (_, true) => "PI 15: explicit confirmation not required".to_string(),
        (_, false) => "PI 15: explicit confirmation required".to_string(),
    };
    if t.contains(SyncType::DATA_SEPARATION) {
        note.push_str("; data separation required");
    }
    l.field("sync_type", format!("{:#04x}", t.0), note);
}

fn token_item(l: &mut Layer, k: Kind, t: TokenItem) {
    let names: Vec<&str> = t.names().collect();
    let verb = match k {
        Kind::GiveTokens => "gives",
        Kind::PleaseTokens => "asks for",
        _ => "asks for (AC with PI 16 acts as AC then PT)",
    };
    l.field(
        "token_item",
        format!("{:#04x}", t.0),
        format!(
            "PI 16: {verb} {}",
            if names.is_empty() {
                "no token".into()
            } else {
                names.join(", ")
            }
        ),
    );
}

pub fn token_setting(
    l: &mut Layer,
    name: &str,
    t: TokenSetting,
    side0: &str,
    side1: &str,
    choice: &str,
) {
    let (what, side0) = side0.split_once(": ").unwrap_or(("PI 26", side0));
    let pos = |p: TokenPosition| match p {
        TokenPosition::Initiator => side0,
        TokenPosition::Responder => side1,
        TokenPosition::UsersChoice => choice,
        TokenPosition::Reserved => "reserved",
    };
    l.field(
        name,
        format!("{:#04x}", t.0),
        format!(
            "{what}: data token {}, minor sync token {}, major/activity token {}, release token {}",
            pos(t.data()),
            pos(t.minor_sync()),
            pos(t.major_activity()),
            pos(t.release())
        ),
    );
}

fn transport_disconnect(l: &mut Layer, k: Kind, t: TransportDisconnect) {
    let mut parts = vec![if t.contains(TransportDisconnect::RELEASE) {
        "release the transport connection"
    } else {
        "keep the transport connection for reuse"
    }];
    if k == Kind::Abort {
        for (bit, text) in TransportDisconnect::BITS.iter().skip(1) {
            if t.contains(*bit) {
                parts.push(text);
            }
        }
        parts.push(if t.contains(TransportDisconnect::USER_ABORT) {
            "reported as S-U-ABORT"
        } else {
            "reported as S-P-ABORT"
        });
    }
    l.field(
        "transport_disconnect",
        format!("{:#04x}", t.0),
        format!("PI 17: {}", parts.join(", ")),
    );
}

fn reason(l: &mut Layer, k: Kind, r: Reason<'_>) {
    let text = if k == Kind::Refuse {
        Reason::refuse_text(r.code)
    } else {
        Reason::exception_text(r.code)
    };
    let mut note = format!("PI 50: {text}");
    if k != Kind::Refuse && r.code == Reason::PROCEDURAL_ERROR {
        note.push_str(" (ISODE rejects reason 6)");
    }
    l.field("reason", r.code, note);
    if !r.data.is_empty() {
        l.field(
            "reason.user_data",
            hex(r.data),
            format!(
                "{} octets of SS-user data after the reason octet",
                r.data.len()
            ),
        );
    }
}

//! Trace information: the element this MTA's domain adds to every message it relays, loop
//! detection from the trace, and the UTCTimes both carry.
//!
//! X.411 §12.3.1 (trace-information; §12.2.1.1.1.3 for the message-transfer argument): each
//! management domain (MD) a message, probe or report passes through appends one
//! `TraceInformationElement` when the object enters it: its global domain identifier, the
//! arrival time and the routing action. An MD that reroutes after a failed attempt appends a
//! further element with `rerouted` and the `attempted-domain`. The trace is per domain, not
//! per MTA: an MTA that receives a message from another MTA of its own domain adds nothing
//! (the MTAs of one domain trace among themselves with internal-trace-information,
//! §12.2.1.1.1.4, which this module does not handle).
//!
//! The trace is bounded by ub-transfers (512): [`add_trace`] refuses to go past it, and the
//! message is then non-delivered with [`Outcome::too_many_transfers`]: reason
//! transfer-failure, diagnostic loop-detected. X.411 has no diagnostic of its own for a trace
//! that is full; a message that has crossed 512 domains is looping. (The diagnostic
//! transfer-attempts-limit-reached(49) counts an MTA's attempts to transfer one message, not
//! the domains it crossed.)
//!
//! [`Outcome::too_many_transfers`]: crate::report::Outcome::too_many_transfers

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use x400_p1::mta_abstract_service::{
    DomainSuppliedInformation, RoutingAction, TraceInformation, TraceInformationElement,
};
use x400_p1::mts_abstract_service::{
    AdministrationDomainName, CountryName, GlobalDomainIdentifier, PrivateDomainIdentifier, Time,
};
use x400_p1::upper_bounds::UB_TRANSFERS;
use x400_p1::{BitString, NumericString, PrintableString};

/// The first year a UTCTime carries through encoding and decoding unchanged: two-digit years
/// 70-99 are read as 19xx, 00-69 as 20xx.
pub const FIRST_UTC_TIME_YEAR: i32 = 1970;
/// The last year a UTCTime carries unchanged (see [`FIRST_UTC_TIME_YEAR`]).
pub const LAST_UTC_TIME_YEAR: i32 = 2069;

/// Bit `redirected(0)` of `other-actions` (X.411 §12.3.1): the domain redirected the message
/// to an alternate recipient.
const OTHER_ACTION_REDIRECTED: usize = 0;
/// Bit `dl-operation(1)` of `other-actions`: the domain expanded a distribution list.
const OTHER_ACTION_DL_OPERATION: usize = 1;

/// Why a trace element could not be added, or a time not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The trace already holds ub-transfers elements. Non-deliver the message with
    /// [`Outcome::too_many_transfers`](crate::report::Outcome::too_many_transfers).
    #[error(
        "trace-information already holds {len} elements and ub-transfers ({UB_TRANSFERS}) \
         allows no more: the message is looping"
    )]
    TooManyTransfers {
        /// Elements in the trace.
        len: usize,
    },
    /// The time lies outside the years a UTCTime carries unchanged
    /// ([`FIRST_UTC_TIME_YEAR`]..=[`LAST_UTC_TIME_YEAR`]).
    #[error(
        "{time} cannot be sent as a UTCTime: only the years {FIRST_UTC_TIME_YEAR} to \
         {LAST_UTC_TIME_YEAR} survive its two-digit year"
    )]
    TimeOutOfRange {
        /// The time given.
        time: DateTime<Utc>,
    },
}

/// A [`Time`] (UTCTime) for `t`: a [`std::time::SystemTime`] or a `chrono` UTC time, cut to
/// whole seconds, since UTCTime carries no fraction (a value with one would not decode back
/// equal).
///
/// # Errors
///
/// [`TraceError::TimeOutOfRange`] outside the years 1970 to 2069.
pub fn time_from(t: impl Into<DateTime<Utc>>) -> Result<Time, TraceError> {
    let time: DateTime<Utc> = t.into();
    if (FIRST_UTC_TIME_YEAR..=LAST_UTC_TIME_YEAR).contains(&time.year()) {
        Ok(time.trunc_subsecs(0))
    } else {
        Err(TraceError::TimeOutOfRange { time })
    }
}

/// Appends our domain's trace element to `trace` with `action` and the time the message
/// entered our domain (X.411 §12.3.1).
///
/// Nothing is added when the last element is already our domain's: the message comes from
/// another MTA of our domain, which traced its arrival in the domain. Use
/// [`add_rerouted_trace`] to record a reroute with the domain that could not be reached.
///
/// # Errors
///
/// [`TraceError::TooManyTransfers`] when the trace already holds ub-transfers elements: the
/// message is then non-delivered (see the module documentation), not relayed.
pub fn add_trace(
    trace: &mut TraceInformation,
    ours: &GlobalDomainIdentifier,
    arrival: Time,
    action: RoutingAction,
) -> Result<(), TraceError> {
    if trace
        .0
        .last()
        .is_some_and(|e| same_domain(&e.global_domain_identifier, ours))
    {
        return Ok(());
    }
    push(trace, element(ours, arrival, action, None))
}

/// Appends an element recording that our domain rerouted the message after failing to
/// transfer it to `attempted` (X.411 §12.3.1: `routing-action` rerouted, `attempted-domain`).
///
/// Always appended, also after an element of ours: an MD records each reroute.
///
/// # Errors
///
/// [`TraceError::TooManyTransfers`], as for [`add_trace`].
pub fn add_rerouted_trace(
    trace: &mut TraceInformation,
    ours: &GlobalDomainIdentifier,
    arrival: Time,
    attempted: &GlobalDomainIdentifier,
) -> Result<(), TraceError> {
    push(
        trace,
        element(
            ours,
            arrival,
            RoutingAction::Rerouted,
            Some(attempted.clone()),
        ),
    )
}

/// Whether the message already passed through our domain: a loop (non-deliver it with
/// [`Outcome::loop_detected`](crate::report::Outcome::loop_detected)).
///
/// The rule, from the meaning X.411 §12.3.1 gives the trace:
/// * our domain must appear with routing-action `relayed`: each domain records its entry so.
///   An element in which our domain is only the `attempted-domain` does not count (the
///   message never reached us), nor does one of ours with `rerouted` (it records a failed
///   attempt, and comes after our `relayed` one).
/// * the trailing run of our own elements is the present visit (the message came from
///   another MTA of our domain), not a return.
/// * only the trace after the last element whose `other-actions` say `redirected` or
///   `dl-operation` counts: after a redirection or a distribution list expansion the message
///   has new recipients and may legitimately cross a domain again.
///
/// Call it before or after [`add_trace`]: the answer is the same.
#[must_use]
pub fn is_loop(trace: &TraceInformation, ours: &GlobalDomainIdentifier) -> bool {
    is_loop_among(trace, core::slice::from_ref(ours))
}

/// [`is_loop`] for a domain known under several global domain identifiers: e.g. its country
/// both as an X.121 DCC and as an ISO 3166 code, which [`is_loop`] cannot equate without a
/// table of country codes.
#[must_use]
pub fn is_loop_among(trace: &TraceInformation, ours: &[GlobalDomainIdentifier]) -> bool {
    let is_ours = |e: &TraceInformationElement| {
        ours.iter()
            .any(|o| same_domain(&e.global_domain_identifier, o))
    };
    let elements = trace.0.as_slice();
    let start = elements
        .iter()
        .rposition(restarts_trace)
        .map_or(0, |i| i + 1);
    let window = elements.get(start..).unwrap_or_default();
    let end = window
        .iter()
        .rposition(|e| !is_ours(e))
        .map_or(0, |i| i + 1);
    window.get(..end).unwrap_or_default().iter().any(|e| {
        is_ours(e) && e.domain_supplied_information.routing_action == RoutingAction::Relayed
    })
}

/// The time the message entered our domain on its present visit: the arrival time of the
/// `relayed` element of ours in the trailing run of our elements, if there is one.
#[must_use]
pub fn arrival_time(trace: &TraceInformation, ours: &GlobalDomainIdentifier) -> Option<Time> {
    trace
        .0
        .iter()
        .rev()
        .take_while(|e| same_domain(&e.global_domain_identifier, ours))
        .filter(|e| e.domain_supplied_information.routing_action == RoutingAction::Relayed)
        .last()
        .map(|e| e.domain_supplied_information.arrival_time)
}

/// Whether two global domain identifiers name the same domain (X.411 §8.5.2), comparing each
/// attribute as X.402 compares O/R address attributes: letter case, leading and trailing
/// spaces and runs of spaces do not matter, and an ADMD or PRMD name is the same whether it
/// was sent as a NumericString or a PrintableString. A country given as an X.121 DCC is only
/// equal to one given the same way (see [`is_loop_among`]).
pub(crate) fn same_domain(a: &GlobalDomainIdentifier, b: &GlobalDomainIdentifier) -> bool {
    same_country(&a.country_name, &b.country_name)
        && same_attribute(
            admd_text(&a.administration_domain_name),
            admd_text(&b.administration_domain_name),
        )
        && match (&a.private_domain_identifier, &b.private_domain_identifier) {
            (None, None) => true,
            (Some(x), Some(y)) => same_attribute(prmd_text(x), prmd_text(y)),
            _ => false,
        }
}

fn same_country(a: &CountryName, b: &CountryName) -> bool {
    match (a, b) {
        (CountryName::X121DccCode(x), CountryName::X121DccCode(y)) => {
            same_attribute(x.as_bytes(), y.as_bytes())
        }
        (CountryName::Iso3166Alpha2Code(x), CountryName::Iso3166Alpha2Code(y)) => {
            same_attribute(x.as_bytes(), y.as_bytes())
        }
        _ => false,
    }
}

fn admd_text(a: &AdministrationDomainName) -> &[u8] {
    match a {
        AdministrationDomainName::Numeric(s) => numeric(s),
        AdministrationDomainName::Printable(s) => printable(s),
    }
}

fn prmd_text(p: &PrivateDomainIdentifier) -> &[u8] {
    match p {
        PrivateDomainIdentifier::Numeric(s) => numeric(s),
        PrivateDomainIdentifier::Printable(s) => printable(s),
    }
}

fn numeric(s: &NumericString) -> &[u8] {
    s.as_bytes()
}

fn printable(s: &PrintableString) -> &[u8] {
    s.as_bytes()
}

/// One O/R attribute value compared with another: word by word, without regard to case, so
/// that leading, trailing and repeated spaces do not count.
fn same_attribute(a: &[u8], b: &[u8]) -> bool {
    let (mut x, mut y) = (words(a), words(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
            _ => return false,
        }
    }
}

/// The space-separated words of an attribute value.
fn words(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    s.split(|c| *c == b' ').filter(|w| !w.is_empty())
}

/// Whether an element starts a new leg of the trace: its domain redirected the message or
/// expanded a distribution list.
fn restarts_trace(e: &TraceInformationElement) -> bool {
    e.domain_supplied_information
        .other_actions
        .as_ref()
        .is_some_and(|bits| {
            bit(bits, OTHER_ACTION_REDIRECTED) || bit(bits, OTHER_ACTION_DL_OPERATION)
        })
}

fn bit(bits: &BitString, n: usize) -> bool {
    bits.get(n).is_some_and(|b| *b)
}

fn element(
    ours: &GlobalDomainIdentifier,
    arrival: Time,
    action: RoutingAction,
    attempted: Option<GlobalDomainIdentifier>,
) -> TraceInformationElement {
    TraceInformationElement {
        global_domain_identifier: ours.clone(),
        domain_supplied_information: DomainSuppliedInformation {
            arrival_time: arrival,
            routing_action: action,
            attempted_domain: attempted,
            deferred_time: None,
            converted_encoded_information_types: None,
            other_actions: None,
        },
    }
}

fn push(trace: &mut TraceInformation, e: TraceInformationElement) -> Result<(), TraceError> {
    let len = trace.0.len();
    if len >= UB_TRANSFERS {
        return Err(TraceError::TooManyTransfers { len });
    }
    trace.0.push(e);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn printable(s: &str) -> PrintableString {
        PrintableString::from_bytes(s.as_bytes()).unwrap()
    }

    fn numeric(s: &str) -> NumericString {
        NumericString::from_bytes(s.as_bytes()).unwrap()
    }

    /// C=`c`;ADMD=`admd`;PRMD=`prmd`, all printable.
    fn gdi(c: &str, admd: &str, prmd: Option<&str>) -> GlobalDomainIdentifier {
        GlobalDomainIdentifier {
            country_name: CountryName::Iso3166Alpha2Code(printable(c)),
            administration_domain_name: AdministrationDomainName::Printable(printable(admd)),
            private_domain_identifier: prmd
                .map(|p| PrivateDomainIdentifier::Printable(printable(p))),
        }
    }

    fn t(secs: i64) -> Time {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    fn us() -> GlobalDomainIdentifier {
        gdi("GB", " ", Some("ACME"))
    }

    fn other(p: &str) -> GlobalDomainIdentifier {
        gdi("FR", "ATLAS", Some(p))
    }

    /// A trace of these domains, each `relayed`, one second apart.
    fn trace_of(domains: &[GlobalDomainIdentifier]) -> TraceInformation {
        let mut tr = TraceInformation::default();
        for (i, d) in domains.iter().enumerate() {
            tr.0.push(element(d, t(i as i64), RoutingAction::Relayed, None));
        }
        tr
    }

    fn with_other_actions(
        mut e: TraceInformationElement,
        bits: &[usize],
    ) -> TraceInformationElement {
        let mut b = BitString::new();
        for &n in bits {
            if b.len() <= n {
                b.resize(n + 1, false);
            }
            b.set(n, true);
        }
        e.domain_supplied_information.other_actions = Some(b);
        e
    }

    #[test]
    fn add_trace_appends_our_element() {
        let mut tr = trace_of(&[other("A")]);
        add_trace(&mut tr, &us(), t(10), RoutingAction::Relayed).unwrap();
        assert_eq!(tr.0.len(), 2);
        let e = &tr.0[1];
        assert_eq!(e.global_domain_identifier, us());
        assert_eq!(e.domain_supplied_information.arrival_time, t(10));
        assert_eq!(
            e.domain_supplied_information.routing_action,
            RoutingAction::Relayed
        );
        assert_eq!(e.domain_supplied_information.attempted_domain, None);
        // The element encodes within the message: the trace validates.
        x400_p1::Validate::validate(&tr).unwrap();
    }

    #[test]
    fn add_trace_adds_nothing_after_our_own_element() {
        // From another MTA of our domain: the domain's arrival is already traced.
        let mut tr = trace_of(&[other("A"), us()]);
        add_trace(
            &mut tr,
            &gdi("gb", "  ", Some("acme")),
            t(10),
            RoutingAction::Relayed,
        )
        .unwrap();
        assert_eq!(tr.0.len(), 2);
        assert_eq!(tr.0[1].domain_supplied_information.arrival_time, t(1));
    }

    #[test]
    fn add_rerouted_trace_names_the_attempted_domain() {
        let mut tr = trace_of(&[other("A"), us()]);
        add_rerouted_trace(&mut tr, &us(), t(20), &other("B")).unwrap();
        assert_eq!(tr.0.len(), 3);
        let d = &tr.0[2].domain_supplied_information;
        assert_eq!(d.routing_action, RoutingAction::Rerouted);
        assert_eq!(d.attempted_domain, Some(other("B")));
        // Rerouting is not a loop.
        assert!(!is_loop(&tr, &us()));
    }

    #[test]
    fn the_trace_stops_at_ub_transfers() {
        let mut tr = TraceInformation::default();
        for i in 0..UB_TRANSFERS {
            let d = if i % 2 == 0 { other("A") } else { other("B") };
            tr.0.push(element(&d, t(0), RoutingAction::Relayed, None));
        }
        assert_eq!(
            add_trace(&mut tr, &us(), t(1), RoutingAction::Relayed),
            Err(TraceError::TooManyTransfers { len: 512 })
        );
        assert_eq!(
            add_rerouted_trace(&mut tr, &us(), t(1), &other("C")),
            Err(TraceError::TooManyTransfers { len: 512 })
        );
        assert_eq!(tr.0.len(), 512);
        // One fewer: the last element fits, and the trace still validates.
        tr.0.pop();
        add_trace(&mut tr, &us(), t(1), RoutingAction::Relayed).unwrap();
        x400_p1::Validate::validate(&tr).unwrap();
    }

    #[test]
    fn a_return_to_our_domain_is_a_loop() {
        let tr = trace_of(&[other("A"), us(), other("B")]);
        assert!(is_loop(&tr, &us()));
        // Also once our element for this visit is added.
        let mut tr2 = tr.clone();
        add_trace(&mut tr2, &us(), t(9), RoutingAction::Relayed).unwrap();
        assert!(is_loop(&tr2, &us()));
        // A message we originated that comes back.
        assert!(is_loop(&trace_of(&[us(), other("B")]), &us()));
    }

    #[test]
    fn a_first_visit_is_not_a_loop() {
        assert!(!is_loop(&TraceInformation::default(), &us()));
        assert!(!is_loop(&trace_of(&[other("A"), other("B")]), &us()));
        // From another MTA of our domain: the trailing run of ours is this visit.
        assert!(!is_loop(&trace_of(&[other("A"), us(), us()]), &us()));
        // Another PRMD under the same ADMD is another domain.
        assert!(!is_loop(
            &trace_of(&[gdi("GB", " ", Some("OTHER")), other("B")]),
            &us()
        ));
        assert!(!is_loop(
            &trace_of(&[gdi("GB", " ", None), other("B")]),
            &us()
        ));
    }

    #[test]
    fn being_only_the_attempted_domain_is_not_a_loop() {
        // A tried to reach us, failed, and rerouted through B.
        let mut tr = trace_of(&[other("A")]);
        add_rerouted_trace(&mut tr, &other("A"), t(1), &us()).unwrap();
        tr.0.push(element(&other("B"), t(2), RoutingAction::Relayed, None));
        assert!(!is_loop(&tr, &us()));
    }

    #[test]
    fn only_a_relayed_element_of_ours_counts() {
        // An element of ours that only records a reroute is not an entry into our domain.
        let mut tr = trace_of(&[other("A")]);
        tr.0.push(element(
            &us(),
            t(1),
            RoutingAction::Rerouted,
            Some(other("C")),
        ));
        tr.0.push(element(&other("B"), t(2), RoutingAction::Relayed, None));
        assert!(!is_loop(&tr, &us()));
        // Relayed, rerouted, then back: a loop.
        let mut tr = trace_of(&[other("A"), us()]);
        tr.0.push(element(
            &us(),
            t(2),
            RoutingAction::Rerouted,
            Some(other("C")),
        ));
        tr.0.push(element(&other("B"), t(3), RoutingAction::Relayed, None));
        assert!(is_loop(&tr, &us()));
    }

    #[test]
    fn redirection_and_dl_expansion_start_a_new_leg() {
        for bit in [OTHER_ACTION_REDIRECTED, OTHER_ACTION_DL_OPERATION] {
            let mut tr = trace_of(&[us(), other("A")]);
            let last = tr.0.pop().unwrap();
            tr.0.push(with_other_actions(last, &[bit]));
            tr.0.push(element(&other("B"), t(5), RoutingAction::Relayed, None));
            assert!(!is_loop(&tr, &us()), "other-actions bit {bit}");
            // A return after the redirection is a loop again.
            tr.0.push(element(&us(), t(6), RoutingAction::Relayed, None));
            tr.0.push(element(&other("C"), t(7), RoutingAction::Relayed, None));
            assert!(is_loop(&tr, &us()), "other-actions bit {bit}");
        }
        // Other bits of other-actions do not restart the trace.
        let mut tr = trace_of(&[us(), other("A")]);
        let last = tr.0.pop().unwrap();
        tr.0.push(with_other_actions(last, &[5]));
        assert!(is_loop(&tr, &us()));
    }

    #[test]
    fn domains_compare_without_case_and_extra_spaces() {
        let a = gdi("GB", "BT", Some("Acme Corp"));
        assert!(same_domain(&a, &gdi("gb", "bt", Some("ACME CORP"))));
        assert!(same_domain(&a, &gdi(" GB", "BT ", Some("  Acme   Corp "))));
        assert!(!same_domain(&a, &gdi("GB", "BT", Some("AcmeCorp"))));
        assert!(!same_domain(&a, &gdi("GB", "BT", None)));
        assert!(!same_domain(&a, &gdi("GB", "MCI", Some("Acme Corp"))));
        assert!(!same_domain(&a, &gdi("FR", "BT", Some("Acme Corp"))));
        // The single-space ADMD and the empty one are both "no ADMD name".
        assert!(same_domain(&gdi("GB", " ", None), &gdi("GB", "", None)));
    }

    #[test]
    fn numeric_and_printable_domain_names_compare_equal() {
        let mut a = gdi("GB", "0", Some("123"));
        let mut b = a.clone();
        b.administration_domain_name = AdministrationDomainName::Numeric(numeric("0"));
        b.private_domain_identifier = Some(PrivateDomainIdentifier::Numeric(numeric("123")));
        assert!(same_domain(&a, &b));
        // X.121 and ISO 3166 countries need a table: not equal, but is_loop_among takes both.
        a.country_name = CountryName::X121DccCode(numeric("234"));
        assert!(!same_domain(&a, &b));
        let tr = trace_of(&[a.clone(), other("B")]);
        assert!(!is_loop(&tr, &b));
        assert!(is_loop_among(&tr, &[b, a]));
    }

    #[test]
    fn arrival_time_is_that_of_our_present_visit() {
        let mut tr = trace_of(&[us(), other("A"), us()]);
        tr.0.push(element(
            &us(),
            t(7),
            RoutingAction::Rerouted,
            Some(other("C")),
        ));
        assert_eq!(arrival_time(&tr, &us()), Some(t(2)));
        assert_eq!(arrival_time(&trace_of(&[us(), other("A")]), &us()), None);
    }

    #[test]
    fn times_are_whole_seconds_within_utc_time_years() {
        let exact = Utc.timestamp_opt(1_700_000_000, 999_999_999).unwrap();
        assert_eq!(
            time_from(exact),
            Ok(Utc.timestamp_opt(1_700_000_000, 0).unwrap())
        );
        let st = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_250);
        assert_eq!(
            time_from(st),
            Ok(Utc.timestamp_opt(1_700_000_000, 0).unwrap())
        );
        assert!(time_from(Utc.with_ymd_and_hms(2069, 12, 31, 23, 59, 59).unwrap()).is_ok());
        let late = Utc.with_ymd_and_hms(2070, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            time_from(late),
            Err(TraceError::TimeOutOfRange { time: late })
        );
        assert!(time_from(Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()).is_err());
    }
}

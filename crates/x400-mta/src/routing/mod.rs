//! Routing: where each recipient of a message goes (local delivery or a next-hop MTA), how one
//! message's recipients split across next hops, and the responsibility flags of each copy.
//!
//! X.402 §19 leaves routing to bilateral agreements and local rules; this table is such a local
//! rule. A route is a pattern of the routing attributes of an O/R address (C, ADMD, PRMD, O,
//! OU1..OU4) and a target. The most specific pattern that matches a recipient wins; with no
//! match and no default route (`*`) the recipient is unroutable, and the caller reports it
//! (X.411 non-delivery, `unable-to-transfer`).
//!
//! ```
//! use x400_mta::routing::{OrPattern, Route, RouteTable, Target};
//! use x400_p1::or_address_text::parse;
//!
//! let table = RouteTable::new(vec![
//!     Route::new("C=GB;ADMD= ;PRMD=ACME".parse()?, Target::Local),
//!     Route::new("C=GB".parse()?, Target::Peer("MTA-UK".into())),
//!     Route::new(OrPattern::default_route(), Target::Peer("MTA-HUB".into())),
//! ])?;
//! let smith = parse("C=GB;ADMD= ;PRMD=acme;O=ACME;S=Smith")?;
//! let jones = parse("C=GB;ADMD=BT;PRMD=Other;S=Jones")?;
//! assert_eq!(table.route(&smith), Some(&Target::Local));
//! assert_eq!(table.route(&jones), Some(&Target::Peer("MTA-UK".into())));
//!
//! let plan = table.plan(&[jones, smith.clone(), smith]);
//! assert_eq!(plan.groups[0].recipients, [0]);
//! assert_eq!(plan.groups[1].recipients, [1, 2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod compare;
#[cfg(test)]
pub(crate) mod fixtures;
mod pattern;
mod responsibility;

use std::collections::HashMap;

use x400_p1::mta_abstract_service::PerRecipientMessageTransferFields;
use x400_p1::mts_abstract_service::OrName;

pub(crate) use self::compare::AddressKey;
pub use self::compare::{
    addresses_equal, admd_octets, country_octets, fold, folded, prmd_octets, values_equal,
};
pub use self::pattern::{DEFAULT_PATTERN, OrPattern, PatternError};
pub use self::responsibility::{
    NoSuchRecipient, RESPONSIBILITY_BIT, is_responsible, responsible_recipients,
    set_recipient_responsibility, set_responsibility,
};
use crate::peers::MAX_MTA_NAME_LEN;

/// Where a recipient goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// Delivered here, to a local mailbox.
    Local,
    /// Transferred to this peer MTA, by its name in the peer table (compared without regard to
    /// case, as the peer table compares names).
    Peer(String),
}

impl Target {
    /// The key that groups recipients by target: peer names without regard to case.
    fn group_key(&self) -> Option<String> {
        match self {
            Target::Local => None,
            Target::Peer(name) => Some(name.to_ascii_uppercase()),
        }
    }
}

impl core::fmt::Display for Target {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Target::Local => f.write_str("local delivery"),
            Target::Peer(name) => write!(f, "MTA {name:?}"),
        }
    }
}

/// One route: recipients that match the pattern go to the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The routing attributes a recipient must have.
    pub pattern: OrPattern,
    /// Where such recipients go.
    pub target: Target,
}

impl Route {
    /// A route from a pattern to a target.
    #[must_use]
    pub fn new(pattern: OrPattern, target: Target) -> Self {
        Self { pattern, target }
    }
}

/// Why a route table was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// Two routes have the same pattern (equal under the comparison rules), so which one wins
    /// would depend on their order.
    #[error("routes {} and {} have the same pattern `{pattern}`", .first + 1, .second + 1)]
    DuplicatePattern {
        /// 0-based position of the first route with it.
        first: usize,
        /// 0-based position of the second.
        second: usize,
        /// The second route's pattern, as written.
        pattern: String,
    },
    /// A peer name that no peer can have (empty, or longer than X.411 `ub-mta-name-length`).
    #[error("route {} targets MTA {name:?}: an MTA name has 1 to {MAX_MTA_NAME_LEN} characters", .index + 1)]
    BadPeerName {
        /// 0-based position of the route.
        index: usize,
        /// The name.
        name: String,
    },
}

/// The route table: routes, tried from the most specific.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    /// Most specific first; patterns are distinct.
    routes: Vec<Route>,
}

impl RouteTable {
    /// A table of these routes.
    ///
    /// # Errors
    ///
    /// [`RouteError::DuplicatePattern`] if two routes have equal patterns;
    /// [`RouteError::BadPeerName`] if a peer name is empty or too long.
    pub fn new(routes: Vec<Route>) -> Result<Self, RouteError> {
        let mut seen = HashMap::with_capacity(routes.len());
        for (index, route) in routes.iter().enumerate() {
            if let Target::Peer(name) = &route.target
                && (name.is_empty() || name.len() > MAX_MTA_NAME_LEN)
            {
                return Err(RouteError::BadPeerName {
                    index,
                    name: name.clone(),
                });
            }
            if let Some(first) = seen.insert(route.pattern.folded(), index) {
                return Err(RouteError::DuplicatePattern {
                    first,
                    second: index,
                    pattern: route.pattern.to_string(),
                });
            }
        }
        drop(seen);
        let mut routes = routes;
        // Stable, but no two patterns that can match one name compare equal here (see
        // `OrPattern::specificity`), so the order given never decides.
        routes.sort_by_key(|r| core::cmp::Reverse(r.pattern.specificity()));
        Ok(Self { routes })
    }

    /// The routes, in the order they are tried (most specific first).
    #[must_use]
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The most specific route whose pattern matches `name`.
    #[must_use]
    pub fn matching_route(&self, name: &OrName) -> Option<&Route> {
        self.routes.iter().find(|r| r.pattern.matches(name))
    }

    /// Where `name` goes: the target of the most specific matching route; `None` when no
    /// route matches (unroutable).
    #[must_use]
    pub fn route(&self, name: &OrName) -> Option<&Target> {
        self.matching_route(name).map(|r| &r.target)
    }

    /// Routes every recipient and groups them by target.
    #[must_use]
    pub fn plan(&self, recipients: &[OrName]) -> Plan {
        self.plan_some(recipients.iter().enumerate())
    }

    /// Routes the recipients of an envelope's per-recipient fields that this MTA is
    /// responsible for (X.411 12.2.1.1.1.6); the others are neither routed nor unroutable.
    /// Indices are positions in the per-recipient fields, as [`set_responsibility`] takes
    /// them.
    #[must_use]
    pub fn plan_responsible(&self, fields: &[PerRecipientMessageTransferFields]) -> Plan {
        self.plan_some(
            fields
                .iter()
                .enumerate()
                .filter(|(_, f)| is_responsible(f))
                .map(|(i, f)| (i, &f.recipient_name)),
        )
    }

    fn plan_some<'a>(&self, recipients: impl Iterator<Item = (usize, &'a OrName)>) -> Plan {
        let mut plan = Plan::default();
        let mut group_of: HashMap<Option<String>, usize> = HashMap::new();
        for (index, name) in recipients {
            let Some(target) = self.route(name) else {
                plan.unroutable.push(index);
                continue;
            };
            let next = plan.groups.len();
            let g = *group_of.entry(target.group_key()).or_insert(next);
            if g == next {
                plan.groups.push(Group {
                    target: target.clone(),
                    recipients: Vec::new(),
                });
            }
            if let Some(group) = plan.groups.get_mut(g) {
                group.recipients.push(index);
            }
        }
        plan
    }
}

/// The recipients of one target in a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Where they go (as the first of them was routed, for a peer named in different cases).
    pub target: Target,
    /// Their indices, in order.
    pub recipients: Vec<usize>,
}

/// Where each recipient of a message goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The targets, in the order their first recipient appears, each with its recipients.
    pub groups: Vec<Group>,
    /// The recipients no route matches, in order.
    pub unroutable: Vec<usize>,
}

impl Plan {
    /// The local recipients, if any.
    #[must_use]
    pub fn local(&self) -> Option<&[usize]> {
        self.groups
            .iter()
            .find(|g| g.target == Target::Local)
            .map(|g| g.recipients.as_slice())
    }

    /// The groups that go to peer MTAs: one copy of the message each.
    pub fn peers(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.groups.iter().filter_map(|g| match &g.target {
            Target::Peer(name) => Some((name.as_str(), g.recipients.as_slice())),
            Target::Local => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{envelope, indicators};
    use super::*;
    use x400_p1::or_address_text::parse;

    fn route(pattern: &str, target: Target) -> Route {
        Route::new(pattern.parse().unwrap(), target)
    }

    fn peer(name: &str) -> Target {
        Target::Peer(name.into())
    }

    fn table() -> RouteTable {
        RouteTable::new(vec![
            route("*", peer("HUB")),
            route("C=GB", peer("UK")),
            route("C=GB;ADMD= ", peer("UK-BLANK")),
            route("C=GB;ADMD= ;PRMD=ACME", Target::Local),
            route("C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales", peer("SALES")),
            route("C=FR;PRMD=X", peer("FR-X")),
            route("C=FR;ADMD=ATLAS", peer("FR-ATLAS")),
        ])
        .unwrap()
    }

    fn to(t: &RouteTable, address: &str) -> Option<Target> {
        t.route(&parse(address).unwrap()).cloned()
    }

    #[test]
    fn the_most_specific_route_wins() {
        let t = table();
        assert_eq!(
            to(&t, "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith"),
            Some(Target::Local)
        );
        assert_eq!(
            to(&t, "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;OU=North;S=Smith"),
            Some(peer("SALES"))
        );
        assert_eq!(
            to(&t, "C=GB;ADMD= ;PRMD=Other;S=Smith"),
            Some(peer("UK-BLANK"))
        );
        assert_eq!(to(&t, "C=GB;ADMD=BT;PRMD=ACME;S=Smith"), Some(peer("UK")));
        // Same count: PRMD is deeper than ADMD.
        assert_eq!(
            to(&t, "C=FR;ADMD=ATLAS;PRMD=X;S=Dupont"),
            Some(peer("FR-X"))
        );
        // The order of the routes given does not matter.
        let mut reversed: Vec<Route> = table().routes().to_vec();
        reversed.reverse();
        let r = RouteTable::new(reversed).unwrap();
        assert_eq!(
            to(&r, "C=FR;ADMD=ATLAS;PRMD=X;S=Dupont"),
            Some(peer("FR-X"))
        );
        assert_eq!(to(&r, "C=GB;ADMD= ;PRMD=ACME;S=Smith"), Some(Target::Local));
    }

    #[test]
    fn the_default_route_takes_the_rest_and_without_it_they_are_unroutable() {
        let t = table();
        assert_eq!(to(&t, "C=US;ADMD=ATT;S=Doe"), Some(peer("HUB")));
        assert_eq!(to(&t, ""), Some(peer("HUB")));
        let no_default = RouteTable::new(vec![route("C=GB", peer("UK"))]).unwrap();
        assert_eq!(to(&no_default, "C=US;ADMD=ATT;S=Doe"), None);
        assert_eq!(to(&no_default, "S=Doe"), None);
        assert_eq!(RouteTable::default().route(&OrName::default()), None);
    }

    #[test]
    fn case_spaces_and_string_types_do_not_change_the_route() {
        let t = table();
        assert_eq!(
            to(&t, "c=gb;admd=   ;prmd= acme ;o=acme;s=smith"),
            Some(Target::Local)
        );
        let n = RouteTable::new(vec![
            route("C=234;ADMD=#0;PRMD=#42", Target::Local),
            route("*", peer("HUB")),
        ])
        .unwrap();
        assert_eq!(to(&n, "C=234;ADMD=\"0\";PRMD=\"42\""), Some(Target::Local));
        assert_eq!(to(&n, "C=234;ADMD=0;PRMD=42 "), Some(Target::Local));
        assert_eq!(to(&n, "C=234;ADMD=0;PRMD=420"), Some(peer("HUB")));
    }

    #[test]
    fn duplicate_patterns_are_refused() {
        let e = RouteTable::new(vec![
            route("C=GB;PRMD=ACME", Target::Local),
            route("C=GB", peer("UK")),
            route("c=gb; prmd = acme", peer("OTHER")),
        ])
        .unwrap_err();
        assert!(matches!(
            e,
            RouteError::DuplicatePattern {
                first: 0,
                second: 2,
                ..
            }
        ));
        assert!(e.to_string().contains("routes 1 and 3"));
        assert!(matches!(
            RouteTable::new(vec![route("*", Target::Local), route("", peer("X"))]),
            Err(RouteError::DuplicatePattern { .. })
        ));
        // Same attributes, different values: not duplicates.
        assert!(RouteTable::new(vec![route("C=GB", peer("A")), route("C=FR", peer("A"))]).is_ok());
    }

    #[test]
    fn bad_peer_names_are_refused() {
        for name in ["", &"M".repeat(MAX_MTA_NAME_LEN + 1)] {
            assert!(matches!(
                RouteTable::new(vec![route("C=GB", peer(name))]),
                Err(RouteError::BadPeerName { index: 0, .. })
            ));
        }
        assert!(RouteTable::new(vec![route("C=GB", peer(&"M".repeat(MAX_MTA_NAME_LEN)))]).is_ok());
    }

    #[test]
    fn plan_groups_by_target_in_first_appearance_order() {
        let t = table();
        let names: Vec<OrName> = [
            "C=US;ADMD=ATT;S=A",                         // 0 HUB
            "C=GB;ADMD= ;PRMD=ACME;S=B",                 // 1 local
            "C=GB;ADMD=BT;S=C",                          // 2 UK
            "C=US;ADMD=ATT;S=D",                         // 3 HUB
            "C=GB;ADMD= ;PRMD=ACME;S=E",                 // 4 local
            "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=F", // 5 SALES
        ]
        .iter()
        .map(|a| parse(a).unwrap())
        .collect();
        let plan = t.plan(&names);
        assert_eq!(
            plan.groups,
            [
                Group {
                    target: peer("HUB"),
                    recipients: vec![0, 3]
                },
                Group {
                    target: Target::Local,
                    recipients: vec![1, 4]
                },
                Group {
                    target: peer("UK"),
                    recipients: vec![2]
                },
                Group {
                    target: peer("SALES"),
                    recipients: vec![5]
                },
            ]
        );
        assert!(plan.unroutable.is_empty());
        assert_eq!(plan.local(), Some(&[1, 4][..]));
        assert_eq!(
            plan.peers().collect::<Vec<_>>(),
            [("HUB", &[0, 3][..]), ("UK", &[2][..]), ("SALES", &[5][..])]
        );

        let no_default = RouteTable::new(vec![route("C=GB", peer("UK"))]).unwrap();
        let plan = no_default.plan(&names);
        assert_eq!(plan.unroutable, [0, 3]);
        assert_eq!(plan.groups.len(), 1);
        assert_eq!(plan.groups[0].recipients, [1, 2, 4, 5]);
    }

    #[test]
    fn one_peer_named_in_two_cases_is_one_group() {
        let t = RouteTable::new(vec![
            route("C=GB", peer("MTA-A")),
            route("C=FR", peer("mta-a")),
        ])
        .unwrap();
        let plan = t.plan(&[parse("C=FR").unwrap(), parse("C=GB").unwrap()]);
        assert_eq!(
            plan.groups,
            [Group {
                target: peer("mta-a"),
                recipients: vec![0, 1]
            }]
        );
    }

    #[test]
    fn plan_then_responsibility_per_copy() {
        let t = table();
        let r = |a: &str, bits| (parse(a).unwrap(), indicators(bits, 8));
        let mut e = envelope(vec![
            r("C=GB;ADMD= ;PRMD=ACME;S=A", 0xA8),
            r("C=GB;ADMD=BT;S=B", 0xA8),
            // Listed, but another MTA is responsible for it: not planned.
            r("C=GB;ADMD=BT;S=C", 0x28),
            r("C=GB;ADMD=BT;S=D", 0xA8),
        ]);
        let plan = t.plan_responsible(&e.per_recipient_fields);
        assert_eq!(plan.local(), Some(&[0][..]));
        assert_eq!(plan.peers().collect::<Vec<_>>(), [("UK", &[1, 3][..])]);
        assert_eq!(set_responsibility(&mut e, &[1, 3]), Ok(2));
        let bits: Vec<bool> = e.per_recipient_fields.iter().map(is_responsible).collect();
        assert_eq!(bits, [false, true, false, true]);
    }
}

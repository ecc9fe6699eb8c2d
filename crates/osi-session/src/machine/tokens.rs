//! The four tokens: which exist and which this SPM holds (X.225 §5.7, A.5.2).

use crate::{Requirements, TokenItem, TokenPosition, TokenSetting};

/// Every token bit of a Token Item, in the order data, minor, major/activity, release.
pub(crate) const ALL: [u8; 4] = [
    TokenItem::DATA,
    TokenItem::MINOR_SYNC,
    TokenItem::MAJOR_ACTIVITY,
    TokenItem::RELEASE,
];

/// Available and owned tokens, as Token Item bit masks.
///
/// INVARIANT: `owned & !available == 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tokens {
    available: u8,
    owned: u8,
}

impl Tokens {
    /// The tokens that exist with the selected functional units (X.225 §5.7, Annex A):
    /// AV(dk) = HD, AV(mi) = SY, AV(ma) = MA ∨ ACT, AV(tr) = NR.
    pub(crate) fn for_units(fu: Requirements) -> Self {
        let mut available = 0;
        if fu.contains(Requirements::HALF_DUPLEX) {
            available |= TokenItem::DATA;
        }
        if fu.contains(Requirements::MINOR_SYNC) {
            available |= TokenItem::MINOR_SYNC;
        }
        if fu.contains(Requirements::MAJOR_SYNC) || fu.contains(Requirements::ACTIVITY) {
            available |= TokenItem::MAJOR_ACTIVITY;
        }
        if fu.contains(Requirements::NEGOTIATED_RELEASE) {
            available |= TokenItem::RELEASE;
        }
        Self {
            available,
            owned: 0,
        }
    }

    pub(crate) fn available(self) -> u8 {
        self.available
    }

    pub(crate) fn owned(self) -> u8 {
        self.owned
    }

    /// I(t): an absent token does not block; a present one must be ours.
    pub(crate) fn i(self, t: u8) -> bool {
        self.available & t == 0 || self.owned & t == t
    }

    /// A(t): the token is absent or the peer's.
    pub(crate) fn a(self, t: u8) -> bool {
        self.available & t == 0 || self.owned & t == 0
    }

    /// II(t): available and ours.
    pub(crate) fn ii(self, t: u8) -> bool {
        self.available & t == t && self.owned & t == t
    }

    /// AA(t): available and the peer's.
    pub(crate) fn aa(self, t: u8) -> bool {
        self.available & t == t && self.owned & t == 0
    }

    /// Each token of `set` satisfies `f` (X.225 ALL(f, set)); an empty set never does.
    pub(crate) fn all(self, set: u8, f: fn(Self, u8) -> bool) -> bool {
        set != 0 && ALL.iter().filter(|&&t| set & t != 0).all(|&t| f(self, t))
    }

    pub(crate) fn take(&mut self, set: u8) {
        self.owned |= set & self.available;
    }

    pub(crate) fn give(&mut self, set: u8) {
        self.owned &= !set;
    }

    pub(crate) fn take_all(&mut self) {
        self.owned = self.available;
    }

    pub(crate) fn give_all(&mut self) {
        self.owned = 0;
    }

    /// Places the tokens as `setting` says; `near` is the position that means "this SPM"
    /// (Initiator for the session initiator or the resync requestor).
    /// Returns false if a position of an available token is not a side.
    pub(crate) fn place(&mut self, setting: TokenSetting, near: TokenPosition) -> bool {
        let positions = [
            setting.data(),
            setting.minor_sync(),
            setting.major_activity(),
            setting.release(),
        ];
        let mut owned = 0;
        for (t, p) in ALL.iter().zip(positions) {
            if self.available & t == 0 {
                continue;
            }
            match p {
                TokenPosition::Initiator | TokenPosition::Responder => {
                    if p == near {
                        owned |= t;
                    }
                }
                _ => return false,
            }
        }
        self.owned = owned;
        true
    }
}

/// Replaces "user's choice" (`10`) positions of `proposed` with those of `choice`.
pub(crate) fn resolve(proposed: TokenSetting, choice: TokenSetting) -> TokenSetting {
    let mut out = 0u8;
    for shift in [0u8, 2, 4, 6] {
        let p = (proposed.0 >> shift) & 3;
        let v = if p == 2 { (choice.0 >> shift) & 3 } else { p };
        out |= v << shift;
    }
    TokenSetting(out)
}

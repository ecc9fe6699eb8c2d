//! Synchronization variables and the X.225 Table A.4 actions on them.
//!
//! One numbering (symmetric synchronize is not offered): V(M) is the next serial number,
//! the same on both sides; V(A) the lowest one still awaiting confirmation; V(R) the lowest
//! one a resynchronize-restart may return to (X.225 §5.9).

/// Largest serial number: 10^6 − 1, as no Upper Limit Serial Number (PI 56) is
/// negotiated (X.225 §8.3.1.13).
pub const MAX_SERIAL: u64 = 999_999;

/// V(M), V(A), V(R), Vsc, Vact, Vnextact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SyncVars {
    pub(crate) vm: u64,
    pub(crate) va: u64,
    pub(crate) vr: u64,
    pub(crate) vsc: bool,
    pub(crate) vact: bool,
    pub(crate) vnextact: bool,
}

impl SyncVars {
    /// \[5\] at connection: V(A) = V(M) = ISN, V(R) = 0, Vsc = Vact = false.
    pub(crate) fn connected(isn: u64) -> Self {
        Self {
            vm: isn,
            va: isn,
            vr: 0,
            ..Self::default()
        }
    }

    /// \[23\] MIP received: if ¬Vsc then V(A) := V(M); Vsc := true; V(M)++.
    pub(crate) fn mip_received(&mut self) {
        if !self.vsc {
            self.va = self.vm;
        }
        self.vsc = true;
        self.vm += 1;
    }

    /// \[24\] MIP, MAP or AE sent: if Vsc then V(A) := V(M); Vsc := false; V(M)++.
    pub(crate) fn point_sent(&mut self) {
        if self.vsc {
            self.va = self.vm;
        }
        self.vsc = false;
        self.vm += 1;
    }

    /// \[31\] MAP or AE received: if ¬Vsc then V(A) := V(M); V(M)++.
    pub(crate) fn major_received(&mut self) {
        if !self.vsc {
            self.va = self.vm;
        }
        self.vm += 1;
    }

    /// p21: V(A) ≤ sn < V(M), and with a MAP or AE outstanding (`major_pending`) not
    /// V(M) − 1, which is that point's own number.
    pub(crate) fn minor_ack_ok(&self, sn: u64, major_pending: bool) -> bool {
        self.va <= sn && sn < self.vm && !(major_pending && sn + 1 == self.vm)
    }

    /// \[25\] MIA sent or received: V(A) := sn + 1.
    pub(crate) fn minor_acked(&mut self, sn: u64) {
        self.va = sn + 1;
    }

    /// \[14\]\[22\] MAA or AEA sent or received: Vact := Vnextact; V(R) := V(A) := V(M).
    pub(crate) fn major_acked(&mut self, activity: bool) {
        if activity {
            self.vact = self.vnextact;
        }
        self.va = self.vm;
        self.vr = self.vm;
    }

    /// \[26\] AS: Vact; V(A) = V(M) = V(R) = 1 (X.225 Table A.4).
    pub(crate) fn activity_started(&mut self) {
        self.vact = true;
        self.va = 1;
        self.vm = 1;
        self.vr = 1;
    }

    /// \[27\] AR with serial number n: Vact; V(A) = V(M) = n + 1; V(R) = 1.
    pub(crate) fn activity_resumed(&mut self, n: u64) {
        self.vact = true;
        self.va = n + 1;
        self.vm = n + 1;
        self.vr = 1;
    }

    /// \[29\]/\[30\] AIA or ADA: the activity is over.
    pub(crate) fn activity_cleared(&mut self) {
        self.vact = false;
        self.vnextact = false;
    }

    /// \[28\] resynchronized to `sn`: V(A) = V(M) = sn; V(R) := 0 unless restart.
    pub(crate) fn resynchronized(&mut self, sn: u64, restart: bool) {
        self.va = sn;
        self.vm = sn;
        if !restart {
            self.vr = 0;
        }
        self.vsc = false;
    }
}

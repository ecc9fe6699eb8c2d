//! The peer table: the MTAs this MTA exchanges messages with, what each must prove in its
//! bind, what we prove to it, where it is, and its limits.
//!
//! A peer is identified by what it proves in the MTA bind (X.411 §12.1.1: the initiator's
//! name and credentials), not by its address: behind NAT and proxies the address says
//! little. Source networks can be required per peer, but are off by default. A bind is
//! refused with the reason the standard names (in X.410 mode a PRefuse: X.218 §9.1.1.4 maps
//! the bind error `authentication-error` to `validationFailure`), never by dropping the
//! connection, and the reason is logged in words on our side.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use subtle::ConstantTimeEq;
use x400_p1::mta_abstract_service::{
    AuthenticatedArgument, AuthenticatedResult, Credentials, MtaBindArgument, MtaBindResult,
    Password,
};
use x400_rts::{ApplicationProtocol, RefuseReason};

use crate::accounting::Refusal;

/// The longest MTA name (X.411 `ub-mta-name-length`).
pub const MAX_MTA_NAME_LEN: usize = 32;
/// The longest password (X.411 `ub-password-length`).
pub const MAX_PASSWORD_LEN: usize = 62;

/// Which P1 an association speaks, in X.410 mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// P1 (1984): MPDUs, `applicationProtocol` 1.
    P1984,
    /// P1 (1988) in X.410 (1984) mode: MTS-APDUs, `applicationProtocol` 12.
    P1988X410,
}

impl Protocol {
    /// The RTS `applicationProtocol` value that names it in the PConnect (X.410).
    #[must_use]
    pub fn application_protocol(self) -> ApplicationProtocol {
        match self {
            Protocol::P1984 => ApplicationProtocol::P1_1984,
            Protocol::P1988X410 => ApplicationProtocol(12),
        }
    }

    /// The protocol an `applicationProtocol` value names, if it is one of these.
    #[must_use]
    pub fn from_application_protocol(p: ApplicationProtocol) -> Option<Self> {
        match p.0 {
            1 => Some(Protocol::P1984),
            12 => Some(Protocol::P1988X410),
            _ => None,
        }
    }
}

impl core::fmt::Display for Protocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Protocol::P1984 => "P1 (1984)",
            Protocol::P1988X410 => "P1 (1988) in X.410 mode",
        })
    }
}

/// A password: compared in constant time, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret of these octets.
    #[must_use]
    pub fn new(octets: impl Into<Vec<u8>>) -> Self {
        Self(octets.into())
    }

    /// Whether `other` is this secret, in time that depends only on the lengths.
    #[must_use]
    pub fn matches(&self, other: &[u8]) -> bool {
        self.0.ct_eq(other).into()
    }

    /// The octets, to put in our own bind.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Default limit on live associations with one peer, per direction.
pub const DEFAULT_PEER_ASSOCIATIONS: usize = 8;

/// One peer MTA.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Peer {
    /// Its MTA name, as it presents it in its bind (compared without regard to case, as
    /// PP does).
    pub name: String,
    /// The password it must present.
    pub password: Secret,
    /// The name we present to it. Default: the MTA's own name.
    pub our_name: Option<String>,
    /// The password we present to it.
    pub our_password: Secret,
    /// Where we connect to it (tried in order), directly: never through a proxy.
    pub addresses: Vec<SocketAddr>,
    /// The networks it may connect from; `None` (the default) accepts any address, since
    /// the bind identifies the MTA.
    pub source_networks: Option<Vec<IpNet>>,
    /// The P1 it speaks.
    pub protocol: Protocol,
    /// Live associations it may open to us. Default: [`DEFAULT_PEER_ASSOCIATIONS`].
    pub max_inbound: usize,
    /// Live associations we open to it. Default: [`DEFAULT_PEER_ASSOCIATIONS`].
    pub max_outbound: usize,
    /// Where our connections to it come from (a host with several addresses, where the peer
    /// admits only one of them); `None`: the shell's
    /// [`local_address`](crate::shell::ShellConfig::local_address).
    pub local_address: Option<SocketAddr>,
}

impl Peer {
    /// A peer named `name` that must present `password` and to which we present
    /// `our_password`, speaking `protocol`, with no address and the default limits.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        password: Secret,
        our_password: Secret,
        protocol: Protocol,
    ) -> Self {
        Self {
            name: name.into(),
            password,
            our_name: None,
            our_password,
            addresses: Vec::new(),
            source_networks: None,
            protocol,
            max_inbound: DEFAULT_PEER_ASSOCIATIONS,
            max_outbound: DEFAULT_PEER_ASSOCIATIONS,
            local_address: None,
        }
    }

    /// Whether it may connect from `ip`.
    #[must_use]
    pub fn allows_source(&self, ip: IpAddr) -> bool {
        self.source_networks
            .as_ref()
            .is_none_or(|nets| nets.iter().any(|n| n.contains(&ip)))
    }
}

/// Why a bind was refused, with what the log line names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BindRefusal {
    /// No peer has this name.
    #[error("MTA name {0:?} is not a configured peer")]
    UnknownPeer(String),
    /// The password is not the configured one (which is never logged).
    #[error("MTA {0:?} presented a wrong password")]
    WrongPassword(String),
    /// The bind is `unauthenticated`, or its credentials are not a simple password.
    #[error("the bind does not authenticate the MTA: {0}")]
    Unauthenticated(&'static str),
    /// The peer connected from outside its networks.
    #[error("MTA {name:?} may not connect from {address}")]
    SourceNotAllowed {
        /// The peer's configured name.
        name: String,
        /// Where it came from.
        address: IpAddr,
    },
    /// The peer asked for another P1 than configured.
    #[error("MTA {name:?} asked for {asked}, but it is configured for {configured}")]
    WrongProtocol {
        /// The peer's configured name.
        name: String,
        /// What the PConnect asked for.
        asked: String,
        /// What the peer table says.
        configured: Protocol,
    },
    /// The bind argument could not be decoded.
    #[error("the bind argument could not be decoded: {0}")]
    Undecodable(String),
}

impl BindRefusal {
    /// The PRefuse reason that answers it (X.218 §9.1.1.4: the bind errors map to the RTS
    /// refuse reasons; everything about the peer's identity is `validationFailure`).
    #[must_use]
    pub fn reason(&self) -> RefuseReason {
        RefuseReason::VALIDATION_FAILURE
    }

    /// The accounting's reason.
    #[must_use]
    pub fn refusal(&self) -> Refusal {
        match self {
            BindRefusal::UnknownPeer(_) => Refusal::UnknownPeer,
            BindRefusal::WrongPassword(_) => Refusal::WrongPassword,
            BindRefusal::Unauthenticated(_) => Refusal::Unauthenticated,
            BindRefusal::SourceNotAllowed { .. } => Refusal::SourceNotAllowed,
            BindRefusal::WrongProtocol { .. } => Refusal::WrongProtocol,
            BindRefusal::Undecodable(_) => Refusal::BadConnect,
        }
    }
}

/// The octets of a simple password, or why there is none.
fn simple_password(c: &Credentials) -> Result<&[u8], BindRefusal> {
    match c {
        Credentials::Simple(Password::Ia5String(s)) => Ok(s.as_iso646_bytes()),
        Credentials::Simple(Password::OctetString(o)) => Ok(o),
        _ => Err(BindRefusal::Unauthenticated(
            "strong or protected credentials are not supported",
        )),
    }
}

/// The MTA's own name and its peers.
#[derive(Debug, Clone)]
pub struct PeerTable {
    /// Our MTA name, presented in our binds unless a peer overrides it.
    pub local_name: String,
    by_name: HashMap<String, Peer>,
}

impl PeerTable {
    /// An empty table for the MTA named `local_name`.
    #[must_use]
    pub fn new(local_name: impl Into<String>) -> Self {
        Self {
            local_name: local_name.into(),
            by_name: HashMap::new(),
        }
    }

    /// Adds `peer`, replacing one of the same name (without regard to case).
    pub fn insert(&mut self, peer: Peer) {
        self.by_name.insert(peer.name.to_ascii_lowercase(), peer);
    }

    /// The peer named `name` (without regard to case).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Peer> {
        self.by_name.get(&name.to_ascii_lowercase())
    }

    /// The peers.
    pub fn iter(&self) -> impl Iterator<Item = &Peer> {
        self.by_name.values()
    }

    /// Checks a bind argument received from `source` in a PConnect asking for
    /// `application_protocol`, and returns the peer it proves.
    ///
    /// # Errors
    ///
    /// The [`BindRefusal`] to answer and log.
    pub fn validate(
        &self,
        bind: &MtaBindArgument,
        source: Option<IpAddr>,
        application_protocol: ApplicationProtocol,
    ) -> Result<&Peer, BindRefusal> {
        let MtaBindArgument::Authenticated(arg) = bind else {
            return Err(BindRefusal::Unauthenticated(
                "the bind is unauthenticated (no MTA name)",
            ));
        };
        let name = arg.initiator_name.to_string();
        let peer = self
            .get(&name)
            .ok_or_else(|| BindRefusal::UnknownPeer(name.clone()))?;
        let password = simple_password(&arg.initiator_credentials)?;
        // The password is checked before anything that tells a prober more.
        if !peer.password.matches(password) {
            return Err(BindRefusal::WrongPassword(peer.name.clone()));
        }
        if let Some(ip) = source
            && !peer.allows_source(ip)
        {
            return Err(BindRefusal::SourceNotAllowed {
                name: peer.name.clone(),
                address: ip,
            });
        }
        if Protocol::from_application_protocol(application_protocol) != Some(peer.protocol) {
            return Err(BindRefusal::WrongProtocol {
                name: peer.name.clone(),
                asked: application_protocol.to_string(),
                configured: peer.protocol,
            });
        }
        Ok(peer)
    }

    /// Our bind argument to `peer` (initiator).
    #[must_use]
    pub fn our_argument(&self, peer: &Peer) -> MtaBindArgument {
        MtaBindArgument::Authenticated(AuthenticatedArgument {
            initiator_name: ia5(self.our_name(peer)),
            initiator_credentials: password(peer.our_password.expose()),
            security_context: None,
        })
    }

    /// Our bind result to `peer` (responder).
    #[must_use]
    pub fn our_result(&self, peer: &Peer) -> MtaBindResult {
        MtaBindResult::Authenticated(AuthenticatedResult {
            responder_name: ia5(self.our_name(peer)),
            responder_credentials: password(peer.our_password.expose()),
        })
    }

    /// Checks the bind result of `peer` in its PAccept (initiator): it must name the peer
    /// and present its password, as PP's initiator checks.
    ///
    /// # Errors
    ///
    /// The [`BindRefusal`] that ends the association.
    pub fn validate_result(&self, peer: &Peer, result: &MtaBindResult) -> Result<(), BindRefusal> {
        let MtaBindResult::Authenticated(r) = result else {
            return Err(BindRefusal::Unauthenticated(
                "the bind result is unauthenticated (no MTA name)",
            ));
        };
        let name = r.responder_name.to_string();
        if !name.eq_ignore_ascii_case(&peer.name) {
            return Err(BindRefusal::UnknownPeer(name));
        }
        if !peer
            .password
            .matches(simple_password(&r.responder_credentials)?)
        {
            return Err(BindRefusal::WrongPassword(peer.name.clone()));
        }
        Ok(())
    }

    fn our_name<'a>(&'a self, peer: &'a Peer) -> &'a str {
        peer.our_name.as_deref().unwrap_or(&self.local_name)
    }
}

/// An IA5String of `s`, keeping only the characters IA5 has (a name from the
/// configuration is checked there; this never fails).
fn ia5(s: &str) -> rasn::types::Ia5String {
    let clean: Vec<u8> = s.bytes().filter(u8::is_ascii).collect();
    rasn::types::Ia5String::from_iso646_bytes(&clean).unwrap_or_default()
}

/// Simple credentials: an IA5String if the octets are IA5 (what PP sends), else an OCTET
/// STRING.
fn password(octets: &[u8]) -> Credentials {
    let ia5 = rasn::types::Ia5String::from_iso646_bytes(octets).ok();
    Credentials::Simple(match ia5 {
        Some(s) => Password::Ia5String(s),
        None => Password::OctetString(octets.to_vec().into()),
    })
}

//! The user's side of one association run by the shell.

use std::net::SocketAddr;

use tokio::sync::mpsc;

use crate::accounting::Direction;
use crate::association::{Apdu, Event};

/// A request to an association's task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// [`crate::association::Association::transfer`].
    Transfer(Apdu),
    /// [`crate::association::Association::confirm_checkpoint`].
    ConfirmCheckpoint(u64),
    /// [`crate::association::Association::secured`].
    Secured,
    /// [`crate::association::Association::close`].
    Close,
    /// [`crate::association::Association::abort`], with the words for the log.
    Abort(String),
}

/// The association's task is gone (it ended and its last event was taken, or it
/// crashed); the command was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the association has ended")]
pub struct Gone(pub Command);

/// One association: its events in order, and its requests.
#[derive(Debug)]
pub struct Handle {
    remote: SocketAddr,
    direction: Direction,
    events: mpsc::Receiver<Event>,
    commands: mpsc::Sender<Command>,
}

impl Handle {
    pub(super) fn new(
        remote: SocketAddr,
        direction: Direction,
        events: mpsc::Receiver<Event>,
        commands: mpsc::Sender<Command>,
    ) -> Self {
        Self {
            remote,
            direction,
            events,
            commands,
        }
    }

    /// The peer's transport address.
    #[must_use]
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// Who opened the association.
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The next event; `None` after [`Event::Ended`] (or if the task crashed).
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    async fn send(&self, c: Command) -> Result<(), Gone> {
        self.commands.send(c).await.map_err(|e| Gone(e.0))
    }

    /// Queues an APDU; [`Event::Transferred`] or [`Event::TransferFailed`] answers.
    ///
    /// # Errors
    ///
    /// [`Gone`] (holding the APDU) if the association's task has ended.
    pub async fn transfer(&self, apdu: impl Into<Apdu>) -> Result<(), Gone> {
        self.send(Command::Transfer(apdu.into())).await
    }

    /// The APDU arriving is stored up to the checkpoint `serial` of an
    /// [`Event::ApduCheckpoint`].
    ///
    /// # Errors
    ///
    /// [`Gone`] if the association's task has ended.
    pub async fn confirm_checkpoint(&self, serial: u64) -> Result<(), Gone> {
        self.send(Command::ConfirmCheckpoint(serial)).await
    }

    /// The APDU of the last [`Event::ApduEnd`] is stored.
    ///
    /// # Errors
    ///
    /// [`Gone`] if the association's task has ended.
    pub async fn secured(&self) -> Result<(), Gone> {
        self.send(Command::Secured).await
    }

    /// Release once everything queued is transferred.
    ///
    /// # Errors
    ///
    /// [`Gone`] if the association's task has ended.
    pub async fn close(&self) -> Result<(), Gone> {
        self.send(Command::Close).await
    }

    /// Abort now.
    ///
    /// # Errors
    ///
    /// [`Gone`] if the association's task has ended.
    pub async fn abort(&self, why: impl Into<String>) -> Result<(), Gone> {
        self.send(Command::Abort(why.into())).await
    }
}

//! What a sender keeps on disk so that a restarted `rtf send` resumes instead of starting
//! over: the connection to name in `recover`, the activity and the last checkpoint the
//! receiver confirmed. The file itself is the APDU, read again from that checkpoint.

use std::fs;
use std::io;
use std::path::Path;

use x400_rts::SessionConnectionIdentifier;
use x400_rts::machine::{Part, Recovery};

/// The recovery point of one file transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where the file goes (`HOST:PORT`) and as what name: a state for another transfer
    /// is never used.
    pub destination: String,
    /// The name it is stored under.
    pub name: String,
    /// The file's size when the transfer started.
    pub size: u64,
    /// The agreed checkpoint size and window.
    pub checkpoint_size: u32,
    /// The agreed window.
    pub window_size: u32,
    /// The connection a `recover` names.
    pub connection: SessionConnectionIdentifier,
    /// The activity being sent.
    pub activity_id: Vec<u8>,
    /// The last confirmed checkpoint.
    pub confirmed: u64,
}

impl Saved {
    /// The machine's recovery state: nothing held, so the resumed activity continues with
    /// what the sender writes from the confirmed checkpoint's offset on.
    pub fn into_recovery(self) -> Recovery {
        let offset = self
            .confirmed
            .saturating_mul(u64::from(self.checkpoint_size))
            .saturating_mul(1024);
        Recovery {
            connection: self.connection,
            previous: None,
            checkpoint_size: self.checkpoint_size,
            window_size: self.window_size,
            part: Part::Sending {
                activity_id: self.activity_id,
                confirmed: self.confirmed,
                offset,
                tail: Vec::new(),
                finished: false,
            },
        }
    }

    /// Writes the state atomically (a crash leaves the old or the new file, never half).
    ///
    /// # Errors
    ///
    /// File system errors, or a connection identifier that does not encode.
    pub fn store(&self, path: &Path) -> io::Result<()> {
        let id = rasn::ber::encode(&self.connection).map_err(io::Error::other)?;
        let text = format!(
            "destination={}\nname={}\nsize={}\ncheckpoint={}\nwindow={}\nconnection={}\nactivity={}\nconfirmed={}\n",
            self.destination,
            self.name,
            self.size,
            self.checkpoint_size,
            self.window_size,
            hex(&id),
            hex(&self.activity_id),
            self.confirmed
        );
        let tmp = path.with_extension("rtf-tmp");
        fs::write(&tmp, text)?;
        fs::rename(&tmp, path)
    }

    /// Reads a state written by [`Saved::store`]; `None` if there is none or it is not
    /// readable (a transfer then starts over, which is always safe).
    pub fn load(path: &Path) -> Option<Self> {
        let text = fs::read_to_string(path).ok()?;
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
                .map(str::to_owned)
        };
        let id = unhex(&field("connection")?)?;
        Some(Self {
            destination: field("destination")?,
            name: field("name")?,
            size: field("size")?.parse().ok()?,
            checkpoint_size: field("checkpoint")?.parse().ok()?,
            window_size: field("window")?.parse().ok()?,
            connection: rasn::ber::decode(&id).ok()?,
            activity_id: unhex(&field("activity")?)?,
            confirmed: field("confirmed")?.parse().ok()?,
        })
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use x400_rts::{CallingSsUserReference, T61String, UtcTimeOctets};

    #[test]
    fn a_stored_state_loads_back_equal() {
        let s = Saved {
            destination: "127.0.0.1:7000".into(),
            name: "a.bin".into(),
            size: 123,
            checkpoint_size: 4,
            window_size: 3,
            connection: SessionConnectionIdentifier {
                calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("rtf")),
                common_reference: UtcTimeOctets::from("261203120000Z"),
                additional_reference_information: Some(T61String::new([0, 0, 0, 7])),
            },
            activity_id: vec![2, 1, 1],
            confirmed: 17,
        };
        let dir = std::env::temp_dir().join(format!("rtf-state-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.bin.rtf-state");
        s.store(&path).unwrap();
        assert_eq!(Saved::load(&path), Some(s));
        fs::write(&path, "garbage").unwrap();
        assert_eq!(Saved::load(&path), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}

//! TSDU segmentation into class 0 DTs (X.224 6.3), without allocation.

use osi_tpkt::HEADER_LEN;

use crate::{Data, Error, Result, Tpdu};

/// Header of a class 0 DT: LI, code, EOT+NR.
pub(crate) const DT_HEADER_LEN: usize = 3;

/// The DT TPKTs that carry one TSDU, written one at a time into the caller's buffer.
///
/// Every DT but the last is full (TPDU size − 3 octets of data); the last has EOT set. An
/// empty TSDU is one empty DT with EOT (legal, X.224 6.3.3).
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    rest: &'a [u8],
    max_data: usize,
    done: bool,
}

impl<'a> Segments<'a> {
    /// Segments `tsdu` for a negotiated TPDU size of `tpdu_size` octets (at least 128).
    pub(crate) fn new(tsdu: &'a [u8], tpdu_size: usize) -> Self {
        Self {
            rest: tsdu,
            max_data: tpdu_size.saturating_sub(DT_HEADER_LEN).max(1),
            done: false,
        }
    }

    /// Largest TPKT [`Segments::write_next`] writes: size buffers with it.
    pub fn max_tpkt_len(&self) -> usize {
        HEADER_LEN + DT_HEADER_LEN + self.max_data
    }

    /// Octets of the TSDU not yet written.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every DT has been written.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Writes the next DT, TPKT header included, to the start of `dst`; `Ok(None)` when
    /// the TSDU is complete.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`] if `dst` cannot hold this TPKT; nothing is consumed then.
    pub fn write_next(&mut self, dst: &mut [u8]) -> Result<Option<usize>> {
        if self.done {
            return Ok(None);
        }
        let n = self.rest.len().min(self.max_data);
        let (chunk, after) = self.rest.split_at(n);
        let eot = after.is_empty();
        let dt = Tpdu::Dt(Data::class0(eot, chunk));
        let needed = HEADER_LEN + dt.encoded_len();
        let available = dst.len();
        let out = dst
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let (head, body) = out.split_at_mut(HEADER_LEN);
        osi_tpkt::Header::for_payload(body.len())?.encode(head)?;
        dt.encode(body)?;
        self.rest = after;
        self.done = eot;
        Ok(Some(needed))
    }
}

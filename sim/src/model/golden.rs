//! The golden memory of a coherence testbench that sees the device only at its pins.
//!
//! Every write to a byte is recorded with the window of cycles in which it took effect
//! (a host store that hits: one cycle; a DMA descriptor: from its doorbell until its
//! completion was seen; an uncached host write: from its request until its response).
//! A read that ran during `[from, to]` may return the value of the last write finished
//! before `from`, or of any write whose window overlaps the read's; anything else is a
//! coherence violation: a stale copy, a lost write, or data from the future. Writes to
//! one byte must not overlap in time (the testbench gives every byte one writer at a
//! time), so the writes of a byte are in order.

use std::collections::HashMap;

/// A write's window: `to` is `None` while it is in flight.
#[derive(Clone, Copy, Debug)]
struct Write {
    from: u64,
    to: Option<u64>,
    value: u8,
}

/// An in-flight write, to finish with [`Golden::finish`].
#[derive(Debug)]
pub struct Pending {
    addr: u64,
    len: usize,
}

#[derive(Default)]
pub struct Golden {
    /// Writes per byte address, in order; bytes never written read as zero.
    bytes: HashMap<u64, Vec<Write>>,
    /// Reads checked.
    pub reads: u64,
    /// Bytes a read found in a write still in flight or finished during the read.
    pub racing: u64,
}

impl Golden {
    /// Starts writing `data` at `addr` in cycle `now`.
    pub fn start(&mut self, addr: u64, data: &[u8], now: u64) -> Pending {
        for (i, &value) in data.iter().enumerate() {
            let writes = self.bytes.entry(addr + i as u64).or_default();
            assert!(
                writes.last().is_none_or(|w| w.to.is_some()),
                "testbench bug: two writes in flight to byte {:#x}",
                addr + i as u64
            );
            writes.push(Write {
                from: now,
                to: None,
                value,
            });
        }
        Pending {
            addr,
            len: data.len(),
        }
    }

    /// The write has taken effect by cycle `now`.
    pub fn finish(&mut self, p: Pending, now: u64) {
        for i in 0..p.len as u64 {
            let w = self.bytes.get_mut(&(p.addr + i)).and_then(|v| v.last_mut());
            w.expect("a started write").to = Some(now);
        }
    }

    /// A write that took effect in cycle `now`.
    pub fn write(&mut self, addr: u64, data: &[u8], now: u64) {
        let p = self.start(addr, data, now);
        self.finish(p, now);
    }

    /// Checks bytes read from `addr` by a read that ran during `[from, to]`; the error
    /// names the first byte no write can explain.
    pub fn check(&mut self, addr: u64, got: &[u8], from: u64, to: u64) -> Result<(), String> {
        self.reads += 1;
        for (i, &b) in got.iter().enumerate() {
            let a = addr + i as u64;
            let writes = self.bytes.get(&a).map_or(&[][..], |v| &v[..]);
            let mut allowed = Vec::new();
            let mut settled = false;
            for w in writes.iter().rev() {
                if w.from > to {
                    continue;
                }
                allowed.push(w.value);
                if w.to.is_some_and(|t| t < from) {
                    settled = true;
                    break;
                }
            }
            if !settled {
                // Every write may still be racing the read: the initial zero too.
                allowed.push(0);
            }
            if !allowed.contains(&b) {
                return Err(format!(
                    "byte {a:#x} read {b:#04x} during cycles {from}..={to}; the writes allow {allowed:02x?}"
                ));
            }
            if allowed.len() > 1 {
                self.racing += 1;
            }
        }
        Ok(())
    }

    /// Forgets writes that no read starting at `oldest` or later can return.
    pub fn prune(&mut self, oldest: u64) {
        for writes in self.bytes.values_mut() {
            let keep = writes
                .iter()
                .rposition(|w| w.to.is_some_and(|t| t < oldest))
                .unwrap_or(0);
            writes.drain(..keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_sees_the_settled_value_or_a_racing_write() {
        let mut g = Golden::default();
        g.write(0x10, &[1], 5);
        let p = g.start(0x10, &[2], 10);
        assert!(g.check(0x10, &[1], 8, 9).is_ok());
        assert!(
            g.check(0x10, &[2], 8, 9).is_err(),
            "a write not yet started"
        );
        assert!(g.check(0x10, &[1], 12, 12).is_ok(), "in flight: old");
        assert!(g.check(0x10, &[2], 12, 12).is_ok(), "in flight: new");
        g.finish(p, 20);
        assert!(
            g.check(0x10, &[1], 21, 22).is_err(),
            "stale after the write"
        );
        assert!(g.check(0x10, &[2], 21, 22).is_ok());
        assert!(g.check(0x11, &[0], 21, 22).is_ok(), "never written");
        assert!(g.check(0x11, &[3], 21, 22).is_err());
        g.prune(21);
        assert!(g.check(0x10, &[2], 21, 22).is_ok());
        assert!(g.check(0x10, &[1], 21, 22).is_err());
    }
}

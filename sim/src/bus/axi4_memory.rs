//! AXI4 slave memory model: sparse storage behind a pipelined, configurable AXI4 slave.
//!
//! Reads are pipelined: every accepted AR burst starts returning data `read_latency`
//! cycles after its handshake, so several bursts in flight hide the latency exactly as
//! a real memory controller does. Ready signals drop at random, R and B beats come with
//! random gaps, the number of outstanding bursts is bounded, and responses can be made to
//! fail by address range, by transaction number or at random. Bursts are answered in
//! order; write data is accepted once its AW is known (legal slave behaviour).

use std::collections::{HashMap, VecDeque};

use crate::bus::axi4_link::{lanes, read_request, Axi4Ports, Request};
use crate::design::dut::{Dut, NoSuchPort};
use crate::rng::Rng;

const PAGE: u64 = 4096;
/// The widest data bus the model serves: 512 bits.
const MAX_BEAT_BYTES: usize = 64;

/// Byte-addressed sparse memory; unwritten bytes read as zero.
#[derive(Clone, Debug, Default)]
pub struct SparseMemory {
    pages: HashMap<u64, Box<[u8; PAGE as usize]>>,
}

/// The pieces of `len` bytes from `addr` that fall in one page each: (address, offset
/// into the bytes, length). Addresses wrap at 2^64.
fn page_pieces(addr: u64, len: usize) -> impl Iterator<Item = (u64, usize, usize)> {
    let mut done = 0;
    std::iter::from_fn(move || {
        (done < len).then(|| {
            let a = addr.wrapping_add(done as u64);
            let n = ((PAGE - a % PAGE) as usize).min(len - done);
            let piece = (a, done, n);
            done += n;
            piece
        })
    })
}

impl SparseMemory {
    pub fn read(&self, addr: u64, out: &mut [u8]) {
        for (a, at, n) in page_pieces(addr, out.len()) {
            let dst = &mut out[at..at + n];
            match self.pages.get(&(a / PAGE)) {
                Some(p) => dst.copy_from_slice(&p[(a % PAGE) as usize..][..n]),
                None => dst.fill(0),
            }
        }
    }

    pub fn write(&mut self, addr: u64, data: &[u8]) {
        for (a, at, n) in page_pieces(addr, data.len()) {
            let page = self.page_mut(a);
            page[(a % PAGE) as usize..][..n].copy_from_slice(&data[at..at + n]);
        }
    }

    /// Writes the bytes of `data` whose bit is set in `strobes`; `addr` is aligned to
    /// `data.len()`, a power of two up to a page, as a bus beat is.
    pub fn write_strobed(&mut self, addr: u64, data: &[u8], strobes: u128) {
        let page = self.page_mut(addr);
        let base = (addr % PAGE) as usize;
        for (i, &b) in data.iter().enumerate() {
            if strobes >> i & 1 != 0 {
                page[base + i] = b;
            }
        }
    }

    fn page_mut(&mut self, addr: u64) -> &mut [u8; PAGE as usize] {
        self.pages
            .entry(addr / PAGE)
            .or_insert_with(|| Box::new([0; PAGE as usize]))
    }

    pub fn read_vec(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.read(addr, &mut v);
        v
    }

    /// The first address in `lo..hi` where `self` and `other` differ, compared a page
    /// at a time (a scoreboard can check megabytes after every event).
    pub fn first_difference(&self, other: &SparseMemory, lo: u64, hi: u64) -> Option<u64> {
        const ZERO: [u8; PAGE as usize] = [0; PAGE as usize];
        let mut at = lo;
        while at < hi {
            let page = at / PAGE;
            // The page's end, or `hi` in the last page of the address space.
            let end = (page * PAGE).checked_add(PAGE).map_or(hi, |e| e.min(hi));
            let span = (at % PAGE) as usize..(end - page * PAGE) as usize;
            let mine = self.pages.get(&page).map_or(&ZERO, |p| p);
            let theirs = other.pages.get(&page).map_or(&ZERO, |p| p);
            if mine[span.clone()] != theirs[span.clone()] {
                let i = span
                    .clone()
                    .find(|&i| mine[i] != theirs[i])
                    .expect("a difference");
                return Some(page * PAGE + i as u64);
            }
            at = end;
        }
        None
    }
}

/// Which transactions a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Read,
    Write,
    Both,
}

/// When a fault fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A burst touching any byte in `first..=last`.
    Range { first: u64, last: u64 },
    /// The n-th burst of its direction (0-based).
    Nth(u64),
    /// Each burst with this chance in percent.
    Random(u32),
    /// The beat that carries byte `addr`: a read answers the error on that beat only
    /// (AXI responds per read beat), a write on its burst's response.
    Beat { addr: u64 },
}

/// An injected error response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub direction: Direction,
    pub trigger: Trigger,
    /// `BRESP`/`RRESP` to answer with: 2 (SLVERR) or 3 (DECERR).
    pub resp: u64,
}

/// Timing and capacity of the model.
#[derive(Clone, Copy, Debug)]
pub struct MemoryTiming {
    /// Cycles from an AR handshake to its first R beat.
    pub read_latency: u64,
    /// Cycles from the last W beat of a burst to its B response.
    pub write_latency: u64,
    /// Read bursts accepted and not yet answered.
    pub max_reads: usize,
    /// Write bursts accepted and not yet answered.
    pub max_writes: usize,
    /// Chance in percent that ARREADY, AWREADY or WREADY is low in a cycle.
    pub ready_stall_percent: u32,
    /// Chance in percent of a cycle without an R or B beat that could have had one.
    pub valid_gap_percent: u32,
}

impl MemoryTiming {
    /// An ideal pipelined memory: no stalls, `latency` cycles to data.
    pub fn ideal(latency: u64) -> MemoryTiming {
        MemoryTiming {
            read_latency: latency,
            write_latency: 1,
            max_reads: 64,
            max_writes: 64,
            ready_stall_percent: 0,
            valid_gap_percent: 0,
        }
    }

    /// Random latency-free back-pressure on every channel on top of `latency`.
    pub fn random(latency: u64) -> MemoryTiming {
        MemoryTiming {
            read_latency: latency,
            write_latency: 3,
            max_reads: 8,
            max_writes: 8,
            ready_stall_percent: 25,
            valid_gap_percent: 25,
        }
    }
}

struct ReadBurst {
    req: Request,
    start: u64,
    beat: u64,
    resp: u64,
    /// The one beat `resp` applies to, or every beat.
    resp_beat: Option<u64>,
}

impl ReadBurst {
    /// The response of the beat being presented.
    fn beat_resp(&self) -> u64 {
        match self.resp_beat {
            Some(b) if b != self.beat => 0,
            _ => self.resp,
        }
    }
}

struct WriteBurst {
    req: Request,
    beat: u64,
    resp: u64,
    /// The cycle of its AW handshake.
    aw_cycle: u64,
}

struct Response {
    id: u64,
    resp: u64,
    at: u64,
    addr: u64,
    aw_cycle: u64,
}

/// A write burst whose response the master took, for benchmarks that time completions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteDone {
    /// The burst's first address.
    pub addr: u64,
    /// The cycle of its AW handshake.
    pub aw_cycle: u64,
    /// The cycle of its B handshake.
    pub cycle: u64,
}

/// Counts of what the model has served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    pub read_bursts: u64,
    pub write_bursts: u64,
    pub read_beats: u64,
    pub write_beats: u64,
    pub read_errors: u64,
    pub write_errors: u64,
}

/// The slave model. Call [`Axi4Memory::tick`] once per cycle before `Dut::step`.
pub struct Axi4Memory {
    ports: Axi4Ports,
    pub timing: MemoryTiming,
    pub faults: Vec<Fault>,
    pub mem: SparseMemory,
    pub stats: MemoryStats,
    /// Every write response taken, when set (`None` by default: a soak would grow it
    /// without end).
    pub write_log: Option<Vec<WriteDone>>,
    rng: Rng,
    reads: VecDeque<ReadBurst>,
    writes: VecDeque<WriteBurst>,
    responses: VecDeque<Response>,
    r_presenting: bool,
    b_presenting: bool,
    /// Ready signals driven this cycle (AR, AW, W).
    ready: [bool; 3],
}

impl Axi4Memory {
    /// Attaches to the AXI4 master port `<prefix>awaddr` and so on.
    pub fn new(
        dut: &dyn Dut,
        prefix: &str,
        timing: MemoryTiming,
        rng: Rng,
    ) -> Result<Self, NoSuchPort> {
        let ports = Axi4Ports::new(dut, prefix)?;
        assert!(
            ports.data_bytes <= MAX_BEAT_BYTES,
            "{prefix}: a {}-byte data bus is wider than the model's {MAX_BEAT_BYTES}",
            ports.data_bytes
        );
        Ok(Axi4Memory {
            ports,
            timing,
            faults: Vec::new(),
            mem: SparseMemory::default(),
            stats: MemoryStats::default(),
            write_log: None,
            rng,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            responses: VecDeque::new(),
            r_presenting: false,
            b_presenting: false,
            ready: [false; 3],
        })
    }

    /// True when no burst is in flight.
    pub fn idle(&self) -> bool {
        self.reads.is_empty() && self.writes.is_empty() && self.responses.is_empty()
    }

    /// The response a new burst gets, and the one beat it applies to (`None`: all).
    fn fault(&mut self, req: &Request, write: bool) -> (u64, Option<u64>) {
        let n = if write {
            self.stats.write_bursts
        } else {
            self.stats.read_bursts
        };
        for i in 0..self.faults.len() {
            let f = self.faults[i];
            let applies = match f.direction {
                Direction::Read => !write,
                Direction::Write => write,
                Direction::Both => true,
            };
            if !applies {
                continue;
            }
            let beat = match f.trigger {
                Trigger::Range { first, last } => {
                    (req.addr <= last && req.last_byte() >= first).then_some(None)
                }
                Trigger::Nth(k) => (n == k).then_some(None),
                Trigger::Random(percent) => self.rng.chance(percent).then_some(None),
                Trigger::Beat { addr } => (0..req.beats())
                    .find(|&b| req.beat_covers(b, addr))
                    .map(Some),
            };
            if let Some(beat) = beat {
                return (f.resp, if write { None } else { beat });
            }
        }
        (0, None)
    }

    fn stall(&mut self) -> bool {
        self.rng.chance(self.timing.ready_stall_percent)
    }

    /// Drives this cycle's slave outputs, then takes the handshakes of the coming edge.
    pub fn tick(&mut self, dut: &mut dyn Dut) {
        self.drive(dut);
        self.sample(dut);
    }

    /// Drives this cycle's slave outputs.
    pub fn drive(&mut self, dut: &mut dyn Dut) {
        let now = dut.cycle();
        let p = self.ports.clone();
        let words = p.data_words();

        // Ready signals.
        let writes_open = self.writes.len() + self.responses.len() < self.timing.max_writes;
        let arready = self.reads.len() < self.timing.max_reads && !self.stall();
        let awready = writes_open && !self.stall();
        let wready = self.writes.iter().any(|w| w.beat < w.req.beats()) && !self.stall();
        dut.set(p.arready, arready as u64);
        dut.set(p.awready, awready as u64);
        dut.set(p.wready, wready as u64);

        // R: hold a presented beat until taken, otherwise present the next one if due.
        if !self.r_presenting {
            if let Some(r) = self.reads.front() {
                if now >= r.start && !self.rng.chance(self.timing.valid_gap_percent) {
                    self.r_presenting = true;
                }
            }
        }
        if self.r_presenting {
            let r = self.reads.front().expect("presenting a read");
            let resp = r.beat_resp();
            let mut data = [0u8; MAX_BEAT_BYTES];
            if resp == 0 {
                let lanes = lanes(&r.req, r.beat, p.data_bytes);
                let base = r.req.beat_addr(r.beat) & !(p.data_bytes as u64 - 1);
                self.mem.read(base, &mut data[..p.data_bytes]);
                for (i, byte) in data.iter_mut().enumerate() {
                    if lanes >> i & 1 == 0 {
                        *byte = 0;
                    }
                }
            }
            let mut beat = [0u64; MAX_BEAT_BYTES / 8];
            for (w, bytes) in beat.iter_mut().zip(data.chunks(8)) {
                *w = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
            }
            dut.set_words(p.rdata, &beat[..words]);
            dut.set(p.rid, r.req.id);
            dut.set(p.rresp, resp);
            dut.set(p.rlast, (r.beat == r.req.len) as u64);
        }
        dut.set(p.rvalid, self.r_presenting as u64);

        // B: likewise.
        if !self.b_presenting {
            if let Some(b) = self.responses.front() {
                if now >= b.at && !self.rng.chance(self.timing.valid_gap_percent) {
                    self.b_presenting = true;
                }
            }
        }
        if self.b_presenting {
            let b = self.responses.front().expect("presenting a response");
            dut.set(p.bid, b.id);
            dut.set(p.bresp, b.resp);
        }
        dut.set(p.bvalid, self.b_presenting as u64);
        self.ready = [arready, awready, wready];
    }

    /// Takes the handshakes of the coming edge (after every model has driven).
    pub fn sample(&mut self, dut: &mut dyn Dut) {
        let now = dut.cycle();
        let p = self.ports.clone();
        let words = p.data_words();
        let [arready, awready, wready] = self.ready;
        if arready && dut.get(p.arvalid) != 0 {
            let req = read_request(dut, p.ar());
            let (resp, resp_beat) = self.fault(&req, false);
            self.stats.read_bursts += 1;
            self.stats.read_errors += (resp != 0) as u64;
            self.reads.push_back(ReadBurst {
                req,
                start: now + self.timing.read_latency.max(1),
                beat: 0,
                resp,
                resp_beat,
            });
        }
        if awready && dut.get(p.awvalid) != 0 {
            let req = read_request(dut, p.aw());
            let (resp, _) = self.fault(&req, true);
            self.stats.write_bursts += 1;
            self.stats.write_errors += (resp != 0) as u64;
            self.writes.push_back(WriteBurst {
                req,
                beat: 0,
                resp,
                aw_cycle: now,
            });
        }
        if wready && dut.get(p.wvalid) != 0 {
            let mut beat = [0u64; MAX_BEAT_BYTES / 8];
            dut.get_words(p.wdata, &mut beat[..words]);
            let strb = dut.get(p.wstrb) as u128;
            let mut bytes = [0u8; MAX_BEAT_BYTES];
            for (b, w) in bytes.chunks_mut(8).zip(&beat) {
                b.copy_from_slice(&w.to_le_bytes());
            }
            let w = self
                .writes
                .iter_mut()
                .find(|w| w.beat < w.req.beats())
                .expect("WREADY only with an open burst");
            if w.resp == 0 {
                let base = w.req.beat_addr(w.beat) & !(p.data_bytes as u64 - 1);
                self.mem.write_strobed(base, &bytes[..p.data_bytes], strb);
            }
            w.beat += 1;
            self.stats.write_beats += 1;
        }
        if self.r_presenting && dut.get(p.rready) != 0 {
            self.r_presenting = false;
            self.stats.read_beats += 1;
            let r = self.reads.front_mut().expect("presented read");
            r.beat += 1;
            if r.beat == r.req.beats() {
                self.reads.pop_front();
            }
        }
        if self.b_presenting && dut.get(p.bready) != 0 {
            self.b_presenting = false;
            let b = self.responses.pop_front().expect("presented response");
            if let Some(log) = &mut self.write_log {
                log.push(WriteDone {
                    addr: b.addr,
                    aw_cycle: b.aw_cycle,
                    cycle: now,
                });
            }
        }
        // Completed write bursts (in order) turn into responses.
        while self.writes.front().is_some_and(|w| w.beat == w.req.beats()) {
            let w = self.writes.pop_front().expect("checked");
            self.responses.push_back(Response {
                id: w.req.id,
                resp: w.resp,
                at: now + self.timing.write_latency.max(1),
                addr: w.req.addr,
                aw_cycle: w.aw_cycle,
            });
        }
    }
}

/// Little-endian bytes to 64-bit words.
pub fn to_words(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|c| c.iter().rev().fold(0u64, |acc, &b| (acc << 8) | b as u64))
        .collect()
}

/// 64-bit words to little-endian bytes.
pub fn from_words(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::SparseMemory;

    /// The page walk overflowed in the last page of the address space, as
    /// `Request::last_byte` did (the axi4_split testbench had to avoid it).
    #[test]
    fn differences_in_the_last_page_of_the_address_space() {
        let mut a = SparseMemory::default();
        let b = SparseMemory::default();
        a.write(u64::MAX - 1, &[1]);
        let lo = u64::MAX - 4095;
        assert_eq!(a.first_difference(&b, lo, u64::MAX), Some(u64::MAX - 1));
        assert_eq!(b.first_difference(&b, lo, u64::MAX), None);
    }
}

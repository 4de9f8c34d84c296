//! The host side of the coherent port: a set-associative MESI cache of device-memory
//! lines that turns loads and stores into requests and answers snoops, following
//! `docs/COHERENCE.md`.
//!
//! Loads and stores either complete at once (hit) or start a request and report
//! [`Access::Wait`]; the caller retries after the response has arrived. Evictions are
//! explicit: a modified victim is written back (and answered from the write-back buffer
//! if a snoop crosses it), a clean one is dropped with CleanEvict.

use std::collections::{HashMap, VecDeque};

use super::protocol::{LineData, Req, ReqOp, Rsp, Snp, SnpOp, SnpRsp, State, LINE};

#[derive(Clone, Debug)]
struct Way {
    line: u64,
    state: State,
    data: Box<LineData>,
    used: u64,
}

/// The result of a load or store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Completed; a load's bytes.
    Done(Vec<u8>),
    /// A request is on its way; try again after its response.
    Wait,
}

/// Counts of what the cache did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub writebacks: u64,
    pub clean_evicts: u64,
    pub snoops: u64,
    pub snoops_dirty: u64,
    /// Snoops that found the line in the write-back buffer (a crossing).
    pub snoops_crossed: u64,
}

pub struct HostCache {
    sets_log2: u32,
    ways: usize,
    sets: HashMap<u64, Vec<Way>>,
    /// Lines written back and not yet acknowledged: line -> data.
    writebacks: HashMap<u64, Box<LineData>>,
    /// Requests sent and not answered: tag -> (op, line).
    pending: HashMap<u8, (ReqOp, u64)>,
    /// Requests to send, in order.
    pub out: VecDeque<Req>,
    next_tag: u8,
    clock: u64,
    pub stats: CacheStats,
}

impl HostCache {
    /// A cache of `2^sets_log2` sets of `ways` lines.
    pub fn new(sets_log2: u32, ways: usize) -> HostCache {
        HostCache {
            sets_log2,
            ways,
            sets: HashMap::new(),
            writebacks: HashMap::new(),
            pending: HashMap::new(),
            out: VecDeque::new(),
            next_tag: 0,
            clock: 0,
            stats: CacheStats::default(),
        }
    }

    fn set_of(&self, line: u64) -> u64 {
        line & ((1 << self.sets_log2) - 1)
    }

    fn find(&mut self, line: u64) -> Option<&mut Way> {
        let set = self.set_of(line);
        self.sets
            .get_mut(&set)
            .and_then(|ways| ways.iter_mut().find(|w| w.line == line))
    }

    /// The state of `line` in the cache.
    pub fn state(&self, line: u64) -> State {
        self.sets
            .get(&self.set_of(line))
            .and_then(|ways| ways.iter().find(|w| w.line == line))
            .map_or(State::I, |w| w.state)
    }

    /// Every cached line and its state.
    pub fn lines(&self) -> impl Iterator<Item = (u64, State)> + '_ {
        self.sets.values().flatten().map(|w| (w.line, w.state))
    }

    /// True when a request for `line` is outstanding or queued.
    pub fn busy(&self, line: u64) -> bool {
        self.pending.values().any(|&(_, l)| l == line)
            || self.out.iter().any(|r| r.line == line)
            || self.writebacks.contains_key(&line)
    }

    /// Requests sent and not answered yet.
    pub fn outstanding(&self) -> usize {
        self.pending.len() + self.out.len()
    }

    fn send(&mut self, op: ReqOp, line: u64, data: Option<(Box<LineData>, u64)>) {
        let tag = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1);
        assert!(
            !self.pending.contains_key(&tag),
            "more than 256 requests outstanding"
        );
        self.pending.insert(tag, (op, line));
        self.out.push_back(Req {
            op,
            line,
            tag,
            data,
        });
    }

    /// Loads `len` bytes at `offset` of `line`.
    pub fn load(&mut self, line: u64, offset: usize, len: usize) -> Access {
        self.clock += 1;
        let now = self.clock;
        if let Some(w) = self.find(line) {
            w.used = now;
            let bytes = w.data[offset..offset + len].to_vec();
            self.stats.hits += 1;
            return Access::Done(bytes);
        }
        if !self.busy(line) {
            self.stats.misses += 1;
            self.send(ReqOp::RdShared, line, None);
        }
        Access::Wait
    }

    /// Stores `bytes` at `offset` of `line`; needs the line exclusive.
    pub fn store(&mut self, line: u64, offset: usize, bytes: &[u8]) -> Access {
        self.clock += 1;
        let now = self.clock;
        if let Some(w) = self.find(line) {
            if matches!(w.state, State::E | State::M) {
                w.used = now;
                w.state = State::M;
                w.data[offset..offset + bytes.len()].copy_from_slice(bytes);
                self.stats.hits += 1;
                return Access::Done(Vec::new());
            }
        }
        if !self.busy(line) {
            self.stats.misses += 1;
            self.send(ReqOp::RdOwn, line, None);
        }
        Access::Wait
    }

    /// Evicts `line` if cached and no request for it is outstanding (a grant on its way
    /// would otherwise land after the eviction): a write-back if modified, else a clean
    /// evict.
    pub fn evict(&mut self, line: u64) {
        if self.pending.values().any(|&(_, l)| l == line) {
            return;
        }
        let set = self.set_of(line);
        let Some(ways) = self.sets.get_mut(&set) else {
            return;
        };
        let Some(i) = ways.iter().position(|w| w.line == line) else {
            return;
        };
        let w = ways.remove(i);
        if w.state == State::M {
            self.stats.writebacks += 1;
            self.writebacks.insert(line, w.data.clone());
            self.send(ReqOp::WrBack, line, Some((w.data, u64::MAX)));
        } else {
            self.stats.clean_evicts += 1;
            self.send(ReqOp::CleanEvict, line, None);
        }
    }

    /// Makes room in `line`'s set for one more line: evicts the least recently used
    /// line with no request outstanding. (If every line of the set awaits an upgrade,
    /// the set holds one line more until one is evicted: a model simplification.)
    fn make_room(&mut self, line: u64) {
        let set = self.set_of(line);
        let full = self.sets.get(&set).is_some_and(|w| w.len() >= self.ways);
        if full {
            let victim = self.sets[&set]
                .iter()
                .filter(|w| !self.pending.values().any(|&(_, l)| l == w.line))
                .min_by_key(|w| w.used)
                .map(|w| w.line);
            if let Some(v) = victim {
                self.evict(v);
            }
        }
    }

    /// Takes a response; returns the request it answers and, for reads, the line.
    pub fn on_rsp(&mut self, rsp: Rsp) -> (ReqOp, u64) {
        let (op, line) = self
            .pending
            .remove(&rsp.tag)
            .unwrap_or_else(|| panic!("response to no request: {rsp:?}"));
        match op {
            ReqOp::RdShared | ReqOp::RdOwn => {
                let want = if op == ReqOp::RdShared {
                    State::S
                } else {
                    State::E
                };
                assert_eq!(rsp.state, want, "{op:?} of line {line:#x} granted {rsp:?}");
                let data = rsp.data.expect("reads return data");
                self.clock += 1;
                let used = self.clock;
                if let Some(w) = self.find(line) {
                    // An upgrade from S: the line comes back exclusive with fresh data.
                    w.state = want;
                    w.data = data;
                    w.used = used;
                } else {
                    self.make_room(line);
                    let set = self.set_of(line);
                    self.sets.entry(set).or_default().push(Way {
                        line,
                        state: want,
                        data,
                        used,
                    });
                }
            }
            ReqOp::WrBack => {
                self.writebacks.remove(&line);
            }
            ReqOp::RdCurrent | ReqOp::WrPartial | ReqOp::CleanEvict => {}
        }
        (op, line)
    }

    /// Answers a snoop from the current state, at once.
    pub fn on_snp(&mut self, snp: Snp) -> SnpRsp {
        self.stats.snoops += 1;
        let set = self.set_of(snp.line);
        if let Some(ways) = self.sets.get_mut(&set) {
            if let Some(i) = ways.iter().position(|w| w.line == snp.line) {
                let dirty = (ways[i].state == State::M).then(|| ways[i].data.clone());
                self.stats.snoops_dirty += dirty.is_some() as u64;
                let state = match snp.op {
                    SnpOp::Inv => {
                        ways.remove(i);
                        State::I
                    }
                    SnpOp::Data => {
                        ways[i].state = State::S;
                        State::S
                    }
                };
                return SnpRsp {
                    line: snp.line,
                    state,
                    dirty,
                };
            }
        }
        // Crossing a write-back: the buffered data is the latest.
        if let Some(data) = self.writebacks.get(&snp.line) {
            self.stats.snoops_crossed += 1;
            self.stats.snoops_dirty += 1;
            return SnpRsp {
                line: snp.line,
                state: State::I,
                dirty: Some(data.clone()),
            };
        }
        SnpRsp {
            line: snp.line,
            state: State::I,
            dirty: None,
        }
    }

    /// An uncached read of `line` (RdCurrent); the data comes with the response.
    pub fn read_current(&mut self, line: u64) {
        self.send(ReqOp::RdCurrent, line, None);
    }

    /// An uncached partial write (WrPartial) of the bytes of `data` selected by `mask`.
    pub fn write_partial(&mut self, line: u64, data: &LineData, mask: u64) {
        self.send(ReqOp::WrPartial, line, Some((Box::new(*data), mask)));
    }
}

/// Bytes of a line a mask selects, applied onto `base`.
pub fn merge(base: &mut LineData, data: &LineData, mask: u64) {
    for i in 0..LINE {
        if mask >> i & 1 == 1 {
            base[i] = data[i];
        }
    }
}

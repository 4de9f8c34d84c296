//! Reference home agent: the behaviour `docs/COHERENCE.md` specifies, one transaction at
//! a time, in plain Rust. It is the executable form of the protocol (the random test in
//! `tests/coherence_protocol.rs` runs it against the host cache model with the coherence
//! checks) and the reference the hardware home agent is compared with.

use std::collections::{HashMap, VecDeque};

use crate::coherent::host_cache::merge;
use crate::coherent::protocol::{LineData, Req, ReqOp, Rsp, Snp, SnpOp, SnpRsp, State, LINE};

/// A DMA access to one line: a read, or a write of the masked bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DmaOp {
    Read {
        line: u64,
    },
    Write {
        line: u64,
        data: Box<LineData>,
        mask: u64,
    },
}

/// A message from the home agent to the host, in `s2m` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S2m {
    Rsp(Rsp),
    Snp(Snp),
}

/// Counts of what the home agent did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HomeStats {
    pub requests: [u64; 6],
    pub snoops_inv: u64,
    pub snoops_data: u64,
    pub evictions: u64,
    pub stale_writebacks: u64,
    pub dma_reads: u64,
    pub dma_writes: u64,
    pub dma_snooped: u64,
}

/// The snoop filter: first free way, else a round-robin victim (as the hardware).
struct Filter {
    sets_log2: u32,
    ways: usize,
    sets: HashMap<u64, Vec<Option<(u64, bool)>>>,
    rr: usize,
}

impl Filter {
    fn set(&mut self, line: u64) -> &mut Vec<Option<(u64, bool)>> {
        let ways = self.ways;
        self.sets
            .entry(line & ((1 << self.sets_log2) - 1))
            .or_insert_with(|| vec![None; ways])
    }

    /// `Some(any)` when the host may hold `line`.
    fn get(&mut self, line: u64) -> Option<bool> {
        self.set(line)
            .iter()
            .flatten()
            .find(|e| e.0 == line)
            .map(|e| e.1)
    }

    fn remove(&mut self, line: u64) {
        for e in self.set(line).iter_mut() {
            if e.is_some_and(|e| e.0 == line) {
                *e = None;
            }
        }
    }

    fn update(&mut self, line: u64, any: bool) {
        for e in self.set(line).iter_mut().flatten() {
            if e.0 == line {
                e.1 = any;
            }
        }
    }

    /// The way `line` goes to, and the victim to back-invalidate first, if any.
    fn place(&mut self, line: u64) -> (usize, Option<(u64, bool)>) {
        if let Some(w) = self.set(line).iter().position(|e| e.is_none()) {
            return (w, None);
        }
        let w = self.rr;
        self.rr = (self.rr + 1) % self.ways;
        let victim = self.set(line)[w];
        (w, victim)
    }

    fn contains(&self, line: u64) -> Option<bool> {
        self.sets
            .get(&(line & ((1 << self.sets_log2) - 1)))?
            .iter()
            .flatten()
            .find(|e| e.0 == line)
            .map(|e| e.1)
    }
}

enum Work {
    Host(Req),
    Dma(DmaOp),
}

pub struct HomeModel {
    filter: Filter,
    pub memory: HashMap<u64, Box<LineData>>,
    /// Requests from the host, in arrival order.
    pub req: VecDeque<Req>,
    /// DMA accesses, in order.
    pub dma: VecDeque<DmaOp>,
    /// Messages to the host, in order.
    pub s2m: VecDeque<S2m>,
    /// The transaction in progress and the snoop answer it waits for.
    current: Option<(Work, u64)>,
    snp_rsp: Option<SnpRsp>,
    /// Results of DMA reads, in order.
    pub dma_read_data: VecDeque<(u64, Box<LineData>)>,
    turn: bool,
    /// With `scripted`, the order to serve in (true: the next host request; false: the
    /// next DMA access), as a device under test took them; otherwise they alternate.
    pub order: VecDeque<bool>,
    pub scripted: bool,
    pub stats: HomeStats,
}

impl HomeModel {
    /// A home agent with a snoop filter of `2^sets_log2` sets of `ways` ways.
    pub fn new(sets_log2: u32, ways: usize) -> HomeModel {
        HomeModel {
            filter: Filter {
                sets_log2,
                ways,
                sets: HashMap::new(),
                rr: 0,
            },
            memory: HashMap::new(),
            req: VecDeque::new(),
            dma: VecDeque::new(),
            s2m: VecDeque::new(),
            current: None,
            snp_rsp: None,
            dma_read_data: VecDeque::new(),
            turn: false,
            order: VecDeque::new(),
            scripted: false,
            stats: HomeStats::default(),
        }
    }

    /// Whether the snoop filter lists `line`, and with which state (`true`: any).
    pub fn filter_state(&self, line: u64) -> Option<bool> {
        self.filter.contains(line)
    }

    pub fn line(&self, line: u64) -> LineData {
        self.memory.get(&line).map_or([0; LINE], |d| **d)
    }

    fn write(&mut self, line: u64, data: &LineData, mask: u64) {
        let mut l = self.line(line);
        merge(&mut l, data, mask);
        self.memory.insert(line, Box::new(l));
    }

    /// Takes the host's answer to the outstanding snoop.
    pub fn on_snp_rsp(&mut self, rsp: SnpRsp) {
        let waiting = self.current.as_ref().map(|c| c.1);
        assert_eq!(
            Some(rsp.line),
            waiting,
            "answer to a snoop never sent: {rsp:?}"
        );
        assert!(self.snp_rsp.is_none(), "two answers to one snoop");
        self.snp_rsp = Some(rsp);
    }

    /// Whether a transaction waits for a snoop answer.
    pub fn waiting(&self) -> bool {
        self.current.is_some()
    }

    /// Sends a snoop and parks the transaction until its answer.
    fn snoop(&mut self, work: Work, op: SnpOp, line: u64) {
        match op {
            SnpOp::Inv => self.stats.snoops_inv += 1,
            SnpOp::Data => self.stats.snoops_data += 1,
        }
        self.s2m.push_back(S2m::Snp(Snp { op, line }));
        self.current = Some((work, line));
    }

    /// Runs until the next transaction has finished or waits on a snoop.
    pub fn step(&mut self) {
        let work = match self.current.take() {
            Some((work, line)) => match self.snp_rsp.take() {
                Some(rsp) => {
                    // The snoop is answered: its dirty data is the latest.
                    if let Some(d) = &rsp.dirty {
                        self.write(line, d, u64::MAX);
                    }
                    match rsp.state {
                        State::I => self.filter.remove(line),
                        _ => self.filter.update(line, false),
                    }
                    work
                }
                None => {
                    self.current = Some((work, line));
                    return;
                }
            },
            None => {
                self.turn = !self.turn;
                let host_first = if self.scripted {
                    match self.order.pop_front() {
                        Some(h) => h,
                        None => return,
                    }
                } else {
                    self.turn
                };
                let next = if host_first {
                    self.req
                        .pop_front()
                        .map(Work::Host)
                        .or_else(|| self.dma.pop_front().map(Work::Dma))
                } else {
                    self.dma
                        .pop_front()
                        .map(Work::Dma)
                        .or_else(|| self.req.pop_front().map(Work::Host))
                };
                match next {
                    Some(w) => w,
                    None => return,
                }
            }
        };
        match work {
            Work::Host(req) => self.host(req),
            Work::Dma(op) => self.dma_op(op),
        }
    }

    fn respond(&mut self, tag: u8, state: State, line: Option<u64>) {
        let data = line.map(|l| Box::new(self.line(l)));
        self.s2m.push_back(S2m::Rsp(Rsp { tag, state, data }));
    }

    fn host(&mut self, req: Req) {
        let line = req.line;
        match req.op {
            ReqOp::RdShared | ReqOp::RdOwn => {
                let own = req.op == ReqOp::RdOwn;
                if self.filter.get(line).is_none() {
                    let (way, victim) = self.filter.place(line);
                    if let Some((v, _)) = victim {
                        self.stats.evictions += 1;
                        self.snoop(Work::Host(req), SnpOp::Inv, v);
                        return;
                    }
                    self.filter.set(line)[way] = Some((line, own));
                } else if own {
                    self.filter.update(line, true);
                }
                self.stats.requests[req.op as usize] += 1;
                let state = if own { State::E } else { State::S };
                self.respond(req.tag, state, Some(line));
            }
            ReqOp::RdCurrent => {
                self.stats.requests[req.op as usize] += 1;
                self.respond(req.tag, State::I, Some(line));
            }
            ReqOp::WrBack => {
                self.stats.requests[req.op as usize] += 1;
                if self.filter.get(line).is_some() {
                    let (data, mask) = req.data.expect("write-backs carry data");
                    self.write(line, &data, mask);
                    self.filter.remove(line);
                } else {
                    // Crossed a snoop that already took the data: stale.
                    self.stats.stale_writebacks += 1;
                }
                self.respond(req.tag, State::I, None);
            }
            ReqOp::WrPartial => {
                if self.filter.get(line).is_some() {
                    self.snoop(Work::Host(req), SnpOp::Inv, line);
                    return;
                }
                self.stats.requests[req.op as usize] += 1;
                let (data, mask) = req.data.as_ref().expect("writes carry data");
                let (data, mask) = (**data, *mask);
                self.write(line, &data, mask);
                self.respond(req.tag, State::I, None);
            }
            ReqOp::CleanEvict => {
                self.stats.requests[req.op as usize] += 1;
                self.filter.remove(line);
                self.respond(req.tag, State::I, None);
            }
        }
    }

    fn dma_op(&mut self, op: DmaOp) {
        match op {
            DmaOp::Read { line } => {
                if self.filter.get(line) == Some(true) {
                    self.stats.dma_snooped += 1;
                    self.snoop(Work::Dma(op), SnpOp::Data, line);
                    return;
                }
                self.stats.dma_reads += 1;
                let data = Box::new(self.line(line));
                self.dma_read_data.push_back((line, data));
            }
            DmaOp::Write {
                line,
                ref data,
                mask,
            } => {
                if self.filter.get(line).is_some() {
                    self.stats.dma_snooped += 1;
                    self.snoop(Work::Dma(op), SnpOp::Inv, line);
                    return;
                }
                self.stats.dma_writes += 1;
                let data = **data;
                self.write(line, &data, mask);
            }
        }
    }
}

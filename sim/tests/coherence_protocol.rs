//! The protocol of `docs/COHERENCE.md`, executed: the host cache model and the reference
//! home agent exchange messages over channels with random delays, while host loads and
//! stores, evictions, uncached accesses and DMA reads and writes hit a small set of lines
//! through a snoop filter smaller than the cache (so it back-invalidates). Every cycle:
//! inclusion (each cached line is in the filter, E/M only where it says "any"); every
//! load, read response and DMA read equals the golden memory at its point in the global
//! order; and when stimulus stops, everything drains (no deadlock, nothing lost).

use std::collections::{HashMap, VecDeque};

use cdm_sim::coherent::host_cache::{merge, Access, HostCache};
use cdm_sim::coherent::protocol::{LineData, Req, ReqOp, SnpRsp, State, LINE};
use cdm_sim::model::home_agent::{DmaOp, HomeModel, S2m};
use cdm_sim::Rng;

/// A FIFO channel whose messages each take a random time.
struct Channel<T> {
    queue: VecDeque<(u64, T)>,
}

impl<T> Channel<T> {
    fn new() -> Self {
        Channel {
            queue: VecDeque::new(),
        }
    }

    /// Sends at `now` with a delay of up to `max` cycles; order is kept.
    fn send(&mut self, now: u64, rng: &mut Rng, max: u64, msg: T) {
        let at = (now + rng.below(max + 1)).max(self.queue.back().map_or(0, |m| m.0));
        self.queue.push_back((at, msg));
    }

    fn take(&mut self, now: u64) -> Option<T> {
        if self.queue.front().is_some_and(|m| m.0 <= now) {
            self.queue.pop_front().map(|m| m.1)
        } else {
            None
        }
    }
}

struct World {
    rng: Rng,
    host: HostCache,
    home: HomeModel,
    golden: HashMap<u64, LineData>,
    req: Channel<Req>,
    s2m: Channel<S2m>,
    snp_rsp: Channel<SnpRsp>,
    /// Requests on their way or in service: tag -> (op, line).
    sent: HashMap<u8, (ReqOp, u64)>,
    /// Uncached writes and DMA accesses in the order the home agent serves them.
    partials: VecDeque<(u64, LineData, u64)>,
    dma: VecDeque<DmaOp>,
    now: u64,
    loads_checked: u64,
}

impl World {
    fn golden(&self, line: u64) -> LineData {
        self.golden.get(&line).copied().unwrap_or([0; LINE])
    }

    /// One cycle: deliver due messages, serve one home-agent step, check invariants.
    fn cycle(&mut self) {
        self.now += 1;
        let now = self.now;
        while let Some(r) = self.host.out.pop_front() {
            self.sent.insert(r.tag, (r.op, r.line));
            self.req.send(now, &mut self.rng, 6, r);
        }
        if let Some(r) = self.req.take(now) {
            self.home.req.push_back(r);
        }
        if let Some(m) = self.s2m.take(now) {
            match m {
                S2m::Rsp(rsp) => {
                    self.sent.remove(&rsp.tag);
                    self.host.on_rsp(rsp);
                }
                S2m::Snp(snp) => {
                    let answer = self.host.on_snp(snp);
                    self.snp_rsp.send(now, &mut self.rng, 6, answer);
                }
            }
        }
        if let Some(a) = self.snp_rsp.take(now) {
            self.home.on_snp_rsp(a);
        }
        let before = self.home.stats;
        let queued = self.home.s2m.len();
        self.home.step();
        let after = self.home.stats;
        // Uncached writes and DMA accesses take effect when the home agent serves them.
        let partial = ReqOp::WrPartial as usize;
        if after.requests[partial] > before.requests[partial] {
            let (line, data, mask) = self.partials.pop_front().expect("a partial write");
            let mut g = self.golden(line);
            merge(&mut g, &data, mask);
            self.golden.insert(line, g);
        }
        if after.dma_writes > before.dma_writes || after.dma_reads > before.dma_reads {
            match self.dma.pop_front().expect("a DMA access") {
                DmaOp::Write { line, data, mask } => {
                    let mut g = self.golden(line);
                    merge(&mut g, &data, mask);
                    self.golden.insert(line, g);
                }
                DmaOp::Read { line } => {
                    let (l, data) = self.home.dma_read_data.pop_front().expect("read data");
                    assert_eq!(l, line);
                    assert_eq!(*data, self.golden(line), "DMA read of line {line:#x}");
                }
            }
        }
        // Read responses carry the latest data when the home agent sends them.
        let new: Vec<S2m> = self.home.s2m.drain(queued..).collect();
        for m in new {
            if let S2m::Rsp(r) = &m {
                if let Some(d) = &r.data {
                    let (op, line) = self.sent[&r.tag];
                    assert_eq!(**d, self.golden(line), "{op:?} of line {line:#x}");
                }
            }
            self.s2m.send(now, &mut self.rng, 6, m);
        }
        self.home.s2m.clear();
        self.check_inclusion();
    }

    fn check_inclusion(&self) {
        for (line, state) in self.host.lines() {
            match self.home.filter_state(line) {
                None => panic!(
                    "cycle {}: line {line:#x} cached ({state:?}) but not in the filter",
                    self.now
                ),
                Some(false) if matches!(state, State::E | State::M) => {
                    panic!(
                        "cycle {}: line {line:#x} is {state:?} but the filter says shared",
                        self.now
                    )
                }
                _ => {}
            }
        }
    }

    fn random_op(&mut self, lines: u64) {
        let line = self.rng.below(lines);
        let off = self.rng.below(LINE as u64 - 8) as usize;
        match self.rng.below(10) {
            0..=2 => {
                if let Access::Done(b) = self.host.load(line, off, 8) {
                    assert_eq!(b, self.golden(line)[off..off + 8], "load of line {line:#x}");
                    self.loads_checked += 1;
                }
            }
            3..=4 => {
                let bytes = self.rng.next_u64().to_le_bytes();
                if self.host.store(line, off, &bytes) == Access::Done(Vec::new()) {
                    let mut g = self.golden(line);
                    g[off..off + 8].copy_from_slice(&bytes);
                    self.golden.insert(line, g);
                }
            }
            5 => self.host.evict(line),
            6 => {
                if self.host.state(line) == State::I && !self.host.busy(line) {
                    if self.rng.chance(50) {
                        self.host.read_current(line);
                    } else {
                        let data = self.random_line();
                        let mask = self.rng.next_u64();
                        self.host.write_partial(line, &data, mask);
                        self.partials.push_back((line, data, mask));
                    }
                }
            }
            7 => self.dma_op(DmaOp::Read { line }),
            _ => {
                let data = Box::new(self.random_line());
                let mask = if self.rng.chance(50) {
                    u64::MAX
                } else {
                    self.rng.next_u64()
                };
                // Sometimes cross a host eviction with the DMA's snoop.
                if self.rng.chance(30) {
                    self.host.evict(line);
                }
                self.dma_op(DmaOp::Write { line, data, mask });
            }
        }
    }

    fn dma_op(&mut self, op: DmaOp) {
        self.dma.push_back(op.clone());
        self.home.dma.push_back(op);
    }

    fn random_line(&mut self) -> LineData {
        let mut d = [0u8; LINE];
        d.iter_mut().for_each(|b| *b = self.rng.next_u32() as u8);
        d
    }
}

#[test]
fn random_traffic_keeps_coherence_and_drains() {
    let ops = cdm_sim::rng::soak_length("CDM_COHERENCE_OPS", 100_000);
    let mut w = World {
        rng: Rng::from_env("coherence protocol"),
        // 16 lines of host cache over an 8-line snoop filter, on 24 lines.
        host: HostCache::new(2, 4),
        home: HomeModel::new(1, 4),
        golden: HashMap::new(),
        req: Channel::new(),
        s2m: Channel::new(),
        snp_rsp: Channel::new(),
        sent: HashMap::new(),
        partials: VecDeque::new(),
        dma: VecDeque::new(),
        now: 0,
        loads_checked: 0,
    };
    let mut issued = 0;
    while issued < ops {
        if w.home.dma.len() < 4 && w.host.outstanding() < 16 {
            w.random_op(24);
            issued += 1;
        }
        w.cycle();
    }
    // Drain: no new stimulus; everything must finish.
    let start = w.now;
    while w.host.outstanding() > 0
        || !w.home.dma.is_empty()
        || !w.home.req.is_empty()
        || w.home.waiting()
        || !w.req.queue.is_empty()
        || !w.s2m.queue.is_empty()
        || !w.snp_rsp.queue.is_empty()
    {
        w.cycle();
        assert!(
            w.now - start < 10_000,
            "the protocol did not drain: deadlock"
        );
    }
    let (h, c) = (w.home.stats, w.host.stats);
    println!("home agent: {h:?}");
    println!("host cache: {c:?}");
    assert!(
        h.evictions > 100 && h.stale_writebacks > 10 && c.snoops_crossed > 10,
        "weak stimulus"
    );
    assert!(
        h.snoops_data > 100 && h.snoops_inv > 100 && c.snoops_dirty > 100,
        "weak stimulus"
    );
    assert!(
        w.loads_checked > ops / 20,
        "few loads completed: {}",
        w.loads_checked
    );
}

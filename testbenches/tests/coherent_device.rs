//! The whole device, coherent: the host CPU's cache model on the coherent port loads,
//! stores, evicts and makes uncached accesses to device memory while the DMA engine,
//! driven through the real driver, copies into it, fills it and copies out of it, with
//! random latency and back-pressure on every channel. The lines crowd the first 64 snoop
//! filter sets and overflow a small host cache, so the controller back-invalidates
//! victims and the host writes lines back all the time.
//!
//! The checker sees only the pins and the memories. Each byte has one writer at a time:
//! pages come in three kinds, host lines (the host writes them, the DMA reads them), DMA
//! lines (the DMA writes them, the host reads them) and shared lines (host bytes 0..31,
//! DMA bytes 32..63, so DMA writes merge under the host's dirty data). Every host load,
//! uncached read and DMA read is checked against the golden memory at its place in time
//! ([`Golden`]): a stale host copy after a DMA write, a lost dirty line, a DMA read
//! missing the host's store or a partial write merged wrongly all fail it. Every host
//! request and descriptor must finish within a bound (a watchdog); at the end the
//! controller's counters must equal what the host saw, and its error flag must be clear.
//!
//! `CDM_COHERENT_OPS` sets the number of operations (default 100,000 on Verilator, split
//! over its shards, 2,000 natively); `CDM_SEED` reproduces a run or a shard.

use std::collections::{HashMap, VecDeque};

use cdm_driver::regs::coherent;
use cdm_hdl::coherent::snoop_filter::SETS_LOG2;
use cdm_hdl::device::DeviceTop;
use cdm_regmap::descriptor::Descriptor;
use cdm_sim::bus::axi4_memory::MemoryTiming;
use cdm_sim::coherent::host_cache::{Access, HostCache};
use cdm_sim::coherent::host_port::Arrived;
use cdm_sim::coherent::protocol::{State, LINE};
use cdm_sim::host::device::DmaDevice;
use cdm_sim::model::golden::{Golden, Pending};
use cdm_sim::Rng;
use cdm_testbenches::{
    dma, on_each_backend, open_checked, soak_length, soak_on_each_backend, Backend, Shard,
};

/// Device memory in the DMA engine's address space.
const DEVMEM: u64 = 0x2_0000_0000;
/// Pages in use, 64 KiB apart: their lines share the first 64 snoop filter sets.
const PAGES: u64 = 24;
const PAGE_STRIDE: u64 = 0x1_0000;
const LINES_PER_PAGE: u64 = 64;
/// Fresh host buffers for DMA copies out of device memory.
const HOST_DST: u64 = 0x5000_0000;
/// Host source buffers of DMA copies into device memory (fresh ones, so a copy in
/// flight never sees its source change).
const HOST_SRC: u64 = 0x3000_0000;
/// Descriptors in flight per channel, and channels used.
const IN_FLIGHT: usize = 12;
const CHANNELS: usize = 2;
/// A host request or descriptor taking longer than this is a hang.
const WATCHDOG: u64 = 50_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Host,
    Dma,
    Shared,
}

fn kind(page: u64) -> Kind {
    match page % 3 {
        0 => Kind::Host,
        1 => Kind::Dma,
        _ => Kind::Shared,
    }
}

/// Device memory offset of byte `off` of line `i` of page `page`.
fn offset(page: u64, line: u64, off: u64) -> u64 {
    page * PAGE_STRIDE + line * LINE as u64 + off
}

/// The host cache's line number of a device memory offset.
fn line_of(offset: u64) -> u64 {
    offset / LINE as u64
}

/// What a descriptor in flight does, for the checker.
enum Work {
    /// Writes device memory: its golden write finishes with the descriptor.
    Write(Pending),
    /// Copies device memory at `src` to the host buffer at `dst`.
    Read { src: u64, dst: u64, len: usize },
}

struct Submitted {
    index: u16,
    at: u64,
    /// Device memory bytes it writes, to keep writers apart.
    range: Option<(u64, u64)>,
    work: Work,
}

/// A host load or store waiting for its line.
struct HostAccess {
    line: u64,
    off: usize,
    store: Option<[u8; 8]>,
    at: u64,
}

struct Bench {
    dev: DmaDevice,
    rng: Rng,
    golden: Golden,
    accesses: Vec<HostAccess>,
    /// Uncached reads by tag: line and issue cycle; uncached writes by tag.
    read_current: HashMap<u8, (u64, u64)>,
    partials: HashMap<u8, (Pending, u64)>,
    inflight: Vec<VecDeque<Submitted>>,
    host_buffers: u64,
    /// Operations by kind, for the coverage report.
    counts: HashMap<&'static str, u64>,
}

impl Bench {
    fn new(backend: Backend, mut rng: Rng) -> Bench {
        let dev = dma::device(backend, MemoryTiming::random(20), &mut rng);
        Bench::on(dev, rng)
    }

    fn on(mut dev: DmaDevice, rng: Rng) -> Bench {
        dev.devmem_window(DEVMEM, 64 << 20);
        dev.regs
            .write_with::<coherent::Ctrl>(|v| v.with_enable(true))
            .unwrap();
        // 128 lines of host cache over 1,536 lines in use: capacity evictions and
        // write-backs all the time, some crossing the controller's snoops.
        dev.cpu().cache = HostCache::new(5, 4);
        Bench {
            dev,
            rng,
            golden: Golden::default(),
            accesses: Vec::new(),
            read_current: HashMap::new(),
            partials: HashMap::new(),
            inflight: (0..CHANNELS).map(|_| VecDeque::new()).collect(),
            host_buffers: 0,
            counts: HashMap::new(),
        }
    }

    fn now(&mut self) -> u64 {
        self.dev.cycle()
    }

    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    fn random_page(&mut self, kinds: &[Kind]) -> u64 {
        loop {
            let p = self.rng.below(PAGES);
            if kinds.contains(&kind(p)) {
                return p;
            }
        }
    }

    /// One random host operation.
    fn host_op(&mut self) {
        let now = self.now();
        let any = self.random_page(&[Kind::Host, Kind::Dma, Kind::Shared]);
        let line = line_of(offset(any, self.rng.below(LINES_PER_PAGE), 0));
        match self.rng.below(10) {
            0..=3 => {
                let off = self.rng.below(LINE as u64 - 8) as usize;
                self.accesses.push(HostAccess {
                    line,
                    off,
                    store: None,
                    at: now,
                });
                self.count("host loads");
            }
            4..=6 => {
                // Host bytes: the whole of a host line, the first half of a shared one.
                let page = self.random_page(&[Kind::Host, Kind::Shared]);
                let line = line_of(offset(page, self.rng.below(LINES_PER_PAGE), 0));
                let span = if kind(page) == Kind::Host { 56 } else { 24 };
                let off = self.rng.below(span + 1) as usize;
                self.accesses.push(HostAccess {
                    line,
                    off,
                    store: Some(self.rng.next_u64().to_le_bytes()),
                    at: now,
                });
                self.count("host stores");
            }
            7 => {
                self.dev.cpu().cache.evict(line);
                self.count("host evictions");
            }
            _ => {
                let cache = &mut self.dev.cpu().cache;
                if cache.state(line) != State::I || cache.busy(line) {
                    return;
                }
                if self.rng.chance(50) {
                    cache.read_current(line);
                    let tag = cache.out.back().expect("queued").tag;
                    self.read_current.insert(tag, (line, now));
                    self.count("uncached reads");
                } else if kind(line * LINE as u64 / PAGE_STRIDE) != Kind::Dma {
                    // Host bytes only: a run inside the first 32 (or 64) bytes.
                    let host_bytes = if kind(line * LINE as u64 / PAGE_STRIDE) == Kind::Host {
                        64
                    } else {
                        32
                    };
                    let start = self.rng.below(host_bytes) as usize;
                    let len = 1 + self.rng.below((host_bytes - start as u64).min(16)) as usize;
                    let mut data = [0u8; LINE];
                    data.iter_mut().for_each(|b| *b = self.rng.next_u32() as u8);
                    let mask = ((1u64 << len) - 1) << start;
                    let cache = &mut self.dev.cpu().cache;
                    cache.write_partial(line, &data, mask);
                    let tag = cache.out.back().expect("queued").tag;
                    let addr = DEVMEM + line * LINE as u64 + start as u64;
                    let pending = self.golden.start(addr, &data[start..start + len], now);
                    self.partials.insert(tag, (pending, now));
                    self.count("uncached writes");
                }
            }
        }
    }

    /// True if `[first, last]` overlaps a device memory range a descriptor in flight
    /// writes.
    fn busy_range(&self, first: u64, last: u64) -> bool {
        self.inflight
            .iter()
            .flatten()
            .filter_map(|s| s.range)
            .any(|(a, b)| a <= last && first <= b)
    }

    /// One random descriptor on channel `ch`.
    fn dma_op(&mut self, ch: usize) {
        let now = self.now();
        let (desc, range, work) = match self.rng.below(4) {
            0 | 1 => {
                // Into DMA bytes: anywhere in a DMA page, or the second half of a
                // shared line.
                let page = self.random_page(&[Kind::Dma, Kind::Shared]);
                let (off, len) = if kind(page) == Kind::Dma {
                    let off = self.rng.below(4096);
                    let most = if self.rng.chance(20) { 4096 } else { 256 };
                    let len = 1 + self.rng.below((4096 - off).min(most));
                    (off, len)
                } else {
                    let off = self.rng.below(32);
                    (
                        offset(0, self.rng.below(LINES_PER_PAGE), 32 + off),
                        1 + self.rng.below(32 - off),
                    )
                };
                let dst = DEVMEM + page * PAGE_STRIDE + off;
                if self.busy_range(dst, dst + len - 1) {
                    return;
                }
                let (desc, bytes) = if self.rng.chance(30) {
                    let pattern = self.rng.next_u64();
                    let p = pattern.to_le_bytes();
                    self.count("DMA fills");
                    (
                        Descriptor::fill(pattern, dst, len as u32),
                        (0..len).map(|i| p[((dst + i) % 8) as usize]).collect(),
                    )
                } else {
                    // A fresh source buffer, at any alignment.
                    let src = HOST_SRC + (self.host_buffers % 4096) * 8192 + self.rng.below(4096);
                    self.host_buffers += 1;
                    let bytes: Vec<u8> = (0..len).map(|_| self.rng.next_u32() as u8).collect();
                    self.dev.mem().write(src, &bytes);
                    self.count("DMA copies into device memory");
                    (Descriptor::copy(src, dst, len as u32), bytes)
                };
                let pending = self.golden.start(dst, &bytes, now);
                (desc, Some((dst, dst + len - 1)), Work::Write(pending))
            }
            _ => {
                let page = self.rng.below(PAGES);
                let off = self.rng.below(4096);
                let len = 1 + self.rng.below((4096 - off).min(512));
                let src = DEVMEM + page * PAGE_STRIDE + off;
                let dst = HOST_DST + (self.host_buffers % 4096) * 1024 + self.rng.below(512);
                self.host_buffers += 1;
                self.count("DMA copies out of device memory");
                (
                    Descriptor::copy(src, dst, len as u32),
                    None,
                    Work::Read {
                        src,
                        dst,
                        len: len as usize,
                    },
                )
            }
        };
        let index = self.dev.push(ch, desc);
        self.dev.doorbell(ch);
        self.inflight[ch].push_back(Submitted {
            index,
            at: now,
            range,
            work,
        });
    }

    /// Retries host accesses, runs a cycle, then takes arrived responses and finished
    /// descriptors (so the next operation sees them), checking each against the golden
    /// memory.
    fn step(&mut self) {
        let now = self.now();
        let mut still = Vec::new();
        for a in std::mem::take(&mut self.accesses) {
            let cache = &mut self.dev.cpu().cache;
            let done = match a.store {
                Some(bytes) => cache.store(a.line, a.off, &bytes),
                None => cache.load(a.line, a.off, 8),
            };
            let addr = DEVMEM + a.line * LINE as u64 + a.off as u64;
            match done {
                Access::Done(got) => match a.store {
                    Some(bytes) => self.golden.write(addr, &bytes, now),
                    None => {
                        if let Err(e) = self.golden.check(addr, &got, a.at, now) {
                            panic!("host load of line {:#x}: {e}", a.line);
                        }
                    }
                },
                Access::Wait => {
                    assert!(
                        now - a.at < WATCHDOG,
                        "host access to line {:#x} waiting since cycle {}",
                        a.line,
                        a.at
                    );
                    still.push(a);
                }
            }
        }
        self.accesses = still;
        self.dev.regs.io_mut().idle(1);
        let now = self.now();
        let arrived: Vec<Arrived> = self.dev.cpu().arrived.drain(..).collect();
        for m in arrived {
            let Arrived::Rsp(rsp) = m else { continue };
            if let Some((line, at)) = self.read_current.remove(&rsp.tag) {
                let data = rsp.data.expect("an uncached read returns data");
                let addr = DEVMEM + line * LINE as u64;
                if let Err(e) = self.golden.check(addr, &data[..], at, now) {
                    panic!("uncached read of line {line:#x}: {e}");
                }
            } else if let Some((pending, _)) = self.partials.remove(&rsp.tag) {
                self.golden.finish(pending, now);
            }
        }
        let uncached = self.read_current.values().map(|&(_, at)| at);
        if let Some(at) = uncached.chain(self.partials.values().map(|p| p.1)).min() {
            assert!(
                now - at < WATCHDOG,
                "uncached access unanswered since cycle {at}"
            );
        }
        for ch in 0..CHANNELS {
            while let Some(front) = self.inflight[ch].front() {
                let w = self.dev.written(ch, front.index);
                if !w.done {
                    assert!(
                        now - front.at < WATCHDOG,
                        "descriptor {} of channel {ch} unfinished since cycle {}",
                        front.index,
                        front.at
                    );
                    break;
                }
                assert_eq!(
                    w.error, 0,
                    "descriptor {} of channel {ch} failed",
                    front.index
                );
                let s = self.inflight[ch].pop_front().expect("front");
                match s.work {
                    Work::Write(pending) => self.golden.finish(pending, now),
                    Work::Read { src, dst, len } => {
                        let got = self.dev.mem().read_vec(dst, len);
                        if let Err(e) = self.golden.check(src, &got, s.at, now) {
                            panic!("DMA copy out of device memory at {src:#x}: {e}");
                        }
                    }
                }
            }
        }
    }

    /// The oldest cycle a check still to come may start at.
    fn oldest_open(&self, now: u64) -> u64 {
        let host = self.accesses.iter().map(|a| a.at);
        let uncached = self.read_current.values().map(|&(_, at)| at);
        let dma = self.inflight.iter().flatten().map(|s| s.at);
        host.chain(uncached).chain(dma).min().unwrap_or(now)
    }

    fn quiet(&mut self) -> bool {
        self.accesses.is_empty()
            && self.read_current.is_empty()
            && self.partials.is_empty()
            && self.inflight.iter().all(|q| q.is_empty())
            && self.dev.cpu().quiet()
            && self.dev.cpu().cache.outstanding() == 0
    }
}

fn random_coherent_traffic(backend: Backend, shard: Shard) {
    let default = if backend == Backend::Verilator {
        100_000
    } else {
        2_000
    };
    let ops = shard.share(soak_length("CDM_COHERENT_OPS", default));
    let b = Bench::new(backend, shard.rng("coherent device"));
    let seen = traffic(b, ops);
    // Filter victims are the rarest event: about 1% of operations, 0.9% with some seeds
    // of the 2,000-operation run, so the bound leaves a factor of 4.
    assert!(
        seen.evictions > ops / 400 && seen.dma_snooped > ops / 200 && seen.snoops_dirty > ops / 500,
        "weak stimulus"
    );
    assert!(
        seen.dma_uncached > 0 && seen.snoops_crossed > 0,
        "weak stimulus: no fast-path burst or no crossing"
    );
}

/// The exported Verilog settles in Icarus under coherent traffic. Every FIFO's head
/// output was once assigned twice in its kernel; the home agent reads its ring FIFO's
/// head and drives the FIFO back, so in Icarus the two always blocks re-triggered each
/// other without end (the soak's replay hung near cycle 1,081). A short run, replayed
/// into Icarus and Verilator whatever `CDM_EQUIV` says.
#[test]
fn coherent_traffic_replays_in_icarus() {
    let mut rng = Rng::from_env("coherent replay");
    let dev = dma::device_on(
        open_checked::<DeviceTop>(),
        MemoryTiming::random(20),
        &mut rng,
    );
    // Dropping the bench replays the run.
    traffic(Bench::on(dev, rng), 300);
}

/// Counts of the rare events a run met, for its stimulus checks.
struct Seen {
    evictions: u64,
    dma_snooped: u64,
    dma_uncached: u64,
    snoops_dirty: u64,
    snoops_crossed: u64,
}

/// Runs `ops` random operations on `b`, drains the device and checks its counters
/// against what the host saw.
fn traffic(mut b: Bench, ops: u64) -> Seen {
    let start = b.now();
    let mut issued = 0;
    let mut next_prune = 1024;
    while issued < ops {
        if b.accesses.len() < 8 && b.dev.cpu().cache.outstanding() < 16 && b.rng.chance(60) {
            b.host_op();
            issued += 1;
        }
        let ch = b.rng.below(CHANNELS as u64) as usize;
        if b.inflight[ch].len() < IN_FLIGHT && b.rng.chance(2) {
            b.dma_op(ch);
            issued += 1;
        }
        b.step();
        // Once per 1,024 operations, not in every cycle the count stays there.
        if issued >= next_prune {
            next_prune = issued + 1024;
            let now = b.now();
            let oldest = b.oldest_open(now);
            b.golden.prune(oldest);
        }
    }
    let drain = b.now();
    while !b.quiet() {
        b.step();
        assert!(b.now() - drain < 2 * WATCHDOG, "the device did not drain");
    }
    // The controller's counters against what the host saw.
    let r = &mut b.dev.regs;
    let status = r.read::<coherent::Status>().unwrap();
    assert!(!status.error(), "the home agent flagged an error");
    let host_reads = r.read::<coherent::HostReads>().unwrap().value() as u64;
    let host_writes = r.read::<coherent::HostWrites>().unwrap().value() as u64;
    let snoops_inv = r.read::<coherent::SnoopsInv>().unwrap().value() as u64;
    let snoops_data = r.read::<coherent::SnoopsData>().unwrap().value() as u64;
    let evictions = r.read::<coherent::Evictions>().unwrap().value() as u64;
    let conflicts = r.read::<coherent::Conflicts>().unwrap().value() as u64;
    let dma_snooped = r.read::<coherent::DmaSnooped>().unwrap().value() as u64;
    let dma_uncached = r.read::<coherent::DmaUncached>().unwrap().value() as u64;
    let c = b.dev.cpu().cache.stats;
    let n = |k| b.counts.get(k).copied().unwrap_or(0);
    assert_eq!(
        host_reads,
        c.misses + n("uncached reads"),
        "COHERENT.HOST_READS"
    );
    assert_eq!(
        host_writes,
        c.writebacks + n("uncached writes"),
        "COHERENT.HOST_WRITES"
    );
    assert_eq!(
        snoops_inv + snoops_data,
        c.snoops,
        "COHERENT.SNOOPS_INV + SNOOPS_DATA"
    );
    assert_eq!(conflicts, c.snoops_crossed, "COHERENT.CONFLICTS");
    let cycles = b.now() - start;
    let mut counts: Vec<_> = b.counts.iter().collect();
    counts.sort();
    println!("coherent device: {issued} operations in {cycles} cycles: {counts:?}");
    println!(
        "checked {} reads ({} bytes raced a write); controller: {host_reads} host reads, \
         {host_writes} host writes, {snoops_inv} SnpInv, {snoops_data} SnpData, \
         {evictions} evictions, {conflicts} crossed write-backs, {dma_snooped} DMA lines \
         snooped, {dma_uncached} DMA bursts on the fast path; host cache {c:?}",
        b.golden.reads, b.golden.racing
    );
    Seen {
        evictions,
        dma_snooped,
        dma_uncached,
        snoops_dirty: c.snoops_dirty,
        snoops_crossed: c.snoops_crossed,
    }
}

/// COHERENT.STATUS.READY rises when the snoop filter has swept itself empty after reset,
/// and the host's first request is served only then.
fn ready_after_the_filter_sweep(backend: Backend) {
    let mut rng = Rng::from_env("coherent ready");
    let mut dev = dma::device(backend, MemoryTiming::ideal(4), &mut rng);
    dev.regs
        .write_with::<coherent::Ctrl>(|v| v.with_enable(true))
        .unwrap();
    assert!(!dev.regs.read::<coherent::Status>().unwrap().ready());
    assert_eq!(dev.cpu().cache.load(0x40, 0, 8), Access::Wait);
    while !dev.regs.read::<coherent::Status>().unwrap().ready() {
        assert_ne!(
            dev.cpu().cache.outstanding(),
            0,
            "served before the sweep ended"
        );
        assert!(dev.cycle() < 2_000, "the sweep never ends");
    }
    // The device left reset in cycle 2.
    let at = dev.cycle();
    assert!(at > 2 + (1 << SETS_LOG2), "ready in cycle {at}");
    dev.regs.io_mut().idle(100);
    assert_eq!(
        dev.cpu().cache.outstanding(),
        0,
        "the first request is unanswered"
    );
    assert_eq!(dev.cpu().cache.load(0x40, 0, 8), Access::Done(vec![0; 8]));
}

on_each_backend!(ready_after_the_filter_sweep);
soak_on_each_backend!(random_coherent_traffic);

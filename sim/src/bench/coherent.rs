//! Coherent memory controller benchmarks (`cdm bench coherence`), in simulated cycles
//! against ideal pipelined memory:
//!
//! - DMA streaming through the controller: 4 KiB copies through the whole device (DMA
//!   engine, address split, home agent) into, out of and within device memory, with no
//!   line of the device pages in the host cache or every one of them held shared or
//!   modified, against the same copies between two host memory buffers, which bypass
//!   the controller (its cost is the difference);
//! - the home agent alone: host request latency (snoop filter hit, miss, miss with a
//!   clean or dirty victim to back-invalidate, uncached read), the latency of a one-line
//!   DMA write or read by what the host holds, and the snoop filter's eviction rate
//!   under a host working set twice its capacity.

use serde::Serialize;

use cdm_driver::regs::coherent;
use cdm_hdl::coherent::home_agent::HomeAgent;
use cdm_hdl::coherent::snoop_filter::{SETS_LOG2, WAYS};
use cdm_hdl::device::DeviceTop;
use cdm_regmap::descriptor::{self, Descriptor};

use super::utilization;
use crate::bus::axi4_master::Burst;
use crate::bus::axi4_memory::MemoryTiming;
use crate::bus::axil::Timing;
use crate::coherent::home_bench::HomeBench;
use crate::coherent::host_cache::Access;
use crate::coherent::protocol::{State, LINE};
use crate::design::backend::Backend;
use crate::design::dut::Dut;
use crate::design::verilator::Unavailable;
use crate::host::device::DmaDevice;
use crate::rng::Rng;

/// Where device memory appears in the DMA engine's address space.
pub const DEVMEM: u64 = 0x2_0000_0000;
/// Size of the device memory window.
const DEVMEM_SIZE: u64 = 512 << 20;
/// Lines the snoop filter tracks.
pub const FILTER_LINES: u64 = (WAYS as u64) << SETS_LOG2;
const PAGE: u64 = 4096;
/// Descriptor ring of the streaming runs, log2 entries.
const RING_LOG2: u32 = 12;
/// Most copies a streaming run queues: the ring's capacity, one doorbell.
pub const MAX_COPIES: u64 = (1 << RING_LOG2) - 1;

/// Which memories a copy reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Host memory to host memory: the controller is not on the path (the baseline).
    HostToHost,
    HostToDevice,
    DeviceToHost,
    DeviceToDevice,
}

impl Direction {
    pub const ALL: [Direction; 4] = [
        Direction::HostToHost,
        Direction::HostToDevice,
        Direction::DeviceToHost,
        Direction::DeviceToDevice,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Direction::HostToHost => "host->host",
            Direction::HostToDevice => "host->dev",
            Direction::DeviceToHost => "dev->host",
            Direction::DeviceToDevice => "dev->dev",
        }
    }

    /// Source and destination of copy `i`.
    fn addresses(self, i: u64) -> (u64, u64) {
        let host_src = 0x1000_0000 + i * PAGE;
        let host_dst = 0x4000_0000 + i * PAGE;
        let dev_src = DEVMEM + i * PAGE;
        let dev_dst = DEVMEM + 0x100_0000 + i * PAGE;
        match self {
            Direction::HostToHost => (host_src, host_dst),
            Direction::HostToDevice => (host_src, dev_dst),
            Direction::DeviceToHost => (dev_src, host_dst),
            Direction::DeviceToDevice => (dev_src, dev_dst),
        }
    }
}

/// What the host cache holds of the device pages a run touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Held {
    Nothing,
    /// Every line, shared (clean).
    Shared,
    /// Every line, modified (dirty).
    Modified,
}

impl Held {
    pub fn name(self) -> &'static str {
        match self {
            Held::Nothing => "0%",
            Held::Shared => "100% S",
            Held::Modified => "100% M",
        }
    }
}

/// One streaming measurement.
#[derive(Clone, Debug, Serialize)]
pub struct StreamRow {
    pub direction: Direction,
    pub held: Held,
    pub latency_cycles: u64,
    pub copies: u64,
    pub bytes: u64,
    /// From the doorbell's commit to the last status write-back.
    pub cycles: u64,
    /// Bytes per cycle over 16.
    pub utilization: f64,
    /// DMA lines that needed a snoop, and bursts admitted on the page fast path.
    pub dma_snooped: u32,
    pub dma_uncached: u32,
}

/// Copies `copies` 4 KiB pages in `direction` through the device, after the host has
/// loaded (`Shared`) or stored to (`Modified`) every line of the device pages involved.
/// At most [`FILTER_LINES`] lines can be held: 64 pages. `copies` is 1 to
/// [`MAX_COPIES`].
pub fn stream(
    backend: Backend,
    direction: Direction,
    held: Held,
    latency: u64,
    copies: u64,
) -> Result<StreamRow, Unavailable> {
    assert!(
        (1..=MAX_COPIES).contains(&copies),
        "{copies} copies: 1 to {MAX_COPIES}"
    );
    let mut dut = backend.open::<DeviceTop>()?;
    dut.reset();
    let mut rng = Rng::new(1);
    let mut dev = DmaDevice::new(
        dut,
        MemoryTiming::ideal(latency),
        Timing::EAGER,
        RING_LOG2,
        &mut rng,
    );
    dev.devmem_window(DEVMEM, DEVMEM_SIZE);
    dev.regs
        .write_with::<coherent::Ctrl>(|v| v.with_enable(true))
        .unwrap();
    dev.cpu().stall_percent = 0;
    // The snoop filter sweeps itself empty after reset; DMA to device memory waits for
    // it, which is not what this measures.
    while !dev.regs.read::<coherent::Status>().unwrap().ready() {
        dev.regs.io_mut().idle(16);
    }
    let device_pages: Vec<u64> = (0..copies)
        .flat_map(|i| {
            let (src, dst) = direction.addresses(i);
            [src, dst]
        })
        .filter(|a| (DEVMEM..DEVMEM + DEVMEM_SIZE).contains(a))
        .collect();
    if held != Held::Nothing {
        let lines: Vec<u64> = device_pages
            .iter()
            .flat_map(|&a| {
                let first = (a - DEVMEM) / LINE as u64;
                first..first + PAGE / LINE as u64
            })
            .collect();
        assert!(
            lines.len() as u64 <= FILTER_LINES,
            "the host can hold at most {FILTER_LINES} lines"
        );
        hold(&mut dev, &lines, held);
    }
    let before = counters(&mut dev);
    let mut last = 0;
    for i in 0..copies {
        let (src, dst) = direction.addresses(i);
        last = dev.push(0, Descriptor::copy(src, dst, PAGE as u32));
    }
    let status = dev.slot(0, last) + descriptor::offset::STATUS;
    let start = dev.post_doorbell(0);
    let bridge = dev.regs.io_mut();
    loop {
        bridge.tick();
        while bridge.master().pop().is_some() {}
        let word = bridge.peripheral().host.memory.mem.read_vec(status, 4);
        if u32::from_le_bytes(word.try_into().unwrap()) & descriptor::status::DONE != 0 {
            break;
        }
        let now = bridge.dut().cycle();
        assert!(
            now - start < 100_000 + copies * 20_000,
            "coherence stream benchmark stalled"
        );
    }
    let cycles = dev.cycle() - start;
    let after = counters(&mut dev);
    Ok(StreamRow {
        direction,
        held,
        latency_cycles: latency,
        copies,
        bytes: copies * PAGE,
        cycles,
        utilization: utilization(copies * PAGE, cycles),
        dma_snooped: after.0 - before.0,
        dma_uncached: after.1 - before.1,
    })
}

/// COHERENT.DMA_SNOOPED and DMA_UNCACHED.
fn counters(dev: &mut DmaDevice) -> (u32, u32) {
    let r = &mut dev.regs;
    (
        r.read::<coherent::DmaSnooped>().unwrap().value(),
        r.read::<coherent::DmaUncached>().unwrap().value(),
    )
}

/// Brings every line of `lines` into the host cache, shared or modified.
fn hold(dev: &mut DmaDevice, lines: &[u64], held: Held) {
    let mut pending = lines.iter();
    let mut waited = 0;
    loop {
        let cpu = dev.cpu();
        while cpu.cache.outstanding() < 128 {
            let Some(&line) = pending.next() else { break };
            match held {
                Held::Shared => cpu.cache.load(line, 0, 8),
                _ => cpu.cache.store(line, 0, &[0xa5]),
            };
        }
        if cpu.cache.outstanding() == 0 && pending.len() == 0 {
            break;
        }
        dev.regs.io_mut().idle(1);
        waited += 1;
        assert!(
            waited < 1000 * lines.len() + 10_000,
            "host never got its lines"
        );
    }
    let cpu = dev.cpu();
    for &line in lines {
        // RdOwn granted E; the store now makes the line M.
        if held == Held::Modified {
            assert_eq!(cpu.cache.store(line, 0, &[0x5a]), Access::Done(Vec::new()));
        }
        let want = if held == Held::Shared {
            State::S
        } else {
            State::M
        };
        assert_eq!(cpu.cache.state(line), want, "line {line:#x}");
    }
}

/// The home agent alone on `backend`, memory latency `latency`.
fn agent(backend: Backend, latency: u64) -> Result<HomeBench, Unavailable> {
    Ok(HomeBench::new(
        backend.open::<HomeAgent>()?,
        DEVMEM,
        latency,
        12,
    ))
}

/// Cycles a one-line DMA write or read takes to its response.
fn dma_line(a: &mut HomeBench, line: u64, write: bool) -> u64 {
    let req = a.line_request(line);
    let burst = if write {
        Burst::Write {
            req,
            data: vec![0x3c; LINE],
            strb: vec![0xffff; 4],
        }
    } else {
        Burst::Read(req)
    };
    let (done, cycles) = a.dma_burst(burst);
    assert_eq!(done.resp, 0);
    cycles
}

/// A latency measurement.
#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    pub case: &'static str,
    pub latency_cycles: u64,
    pub cycles: u64,
}

/// Host request latencies at memory latency `latency`: from the request entering the
/// host port's queue to its last response beat.
pub fn host_latencies(backend: Backend, latency: u64) -> Result<Vec<Latency>, Unavailable> {
    let mut a = agent(backend, latency)?;
    let sets = 1u64 << SETS_LOG2;
    let mut rows = Vec::new();
    let mut row = |case, cycles| {
        rows.push(Latency {
            case,
            latency_cycles: latency,
            cycles,
        })
    };
    row(
        "RdShared, filter miss",
        a.host_request(|c| {
            c.load(0x10, 0, 8);
        }),
    );
    row(
        "RdOwn from S, filter hit",
        a.host_request(|c| {
            c.store(0x10, 0, &[1]);
        }),
    );
    row(
        "RdCurrent (uncached)",
        a.host_request(|c| c.read_current(0x11)),
    );
    // Fill one filter set with shared lines, then another with modified ones; a fifth
    // line in each set back-invalidates a victim first.
    for way in 0..WAYS as u64 {
        a.host_request(|c| {
            c.load(0x20 + way * sets, 0, 8);
        });
        a.host_request(|c| {
            c.store(0x21 + way * sets, 0, &[1]);
        });
        assert_eq!(
            a.host.cache.store(0x21 + way * sets, 0, &[2]),
            Access::Done(Vec::new())
        );
    }
    row(
        "RdShared, clean victim",
        a.host_request(|c| {
            c.load(0x20 + WAYS as u64 * sets, 0, 8);
        }),
    );
    row(
        "RdShared, dirty victim",
        a.host_request(|c| {
            c.load(0x21 + WAYS as u64 * sets, 0, 8);
        }),
    );
    Ok(rows)
}

/// One-line DMA writes and reads at memory latency `latency`, by what the host holds.
pub fn dma_line_latencies(backend: Backend, latency: u64) -> Result<Vec<Latency>, Unavailable> {
    let mut a = agent(backend, latency)?;
    let mut rows = Vec::new();
    let shared = 0x100;
    let modified = 0x200;
    a.host_request(|c| {
        c.load(shared, 0, 8);
    });
    a.host_request(|c| {
        c.load(shared + 1, 0, 8);
    });
    for line in [modified, modified + 1] {
        a.host_request(|c| {
            c.store(line, 0, &[1]);
        });
        assert_eq!(a.host.cache.store(line, 0, &[2]), Access::Done(Vec::new()));
    }
    for (case, line, write) in [
        ("DMA write, line not held", 0x300, true),
        ("DMA write, host holds S", shared, true),
        ("DMA write, host holds M", modified, true),
        ("DMA read, line not held", 0x301, false),
        ("DMA read, host holds S", shared + 1, false),
        ("DMA read, host holds M", modified + 1, false),
    ] {
        rows.push(Latency {
            case,
            latency_cycles: latency,
            cycles: dma_line(&mut a, line, write),
        });
    }
    Ok(rows)
}

/// Host read bandwidth: `lines` loads of distinct lines (filter misses with free ways),
/// up to 64 outstanding, at memory latency `latency`.
#[derive(Clone, Debug, Serialize)]
pub struct HostStream {
    pub latency_cycles: u64,
    pub lines: u64,
    pub cycles: u64,
    /// Bytes per cycle over 16.
    pub utilization: f64,
}

pub fn host_read_stream(
    backend: Backend,
    latency: u64,
    lines: u64,
) -> Result<HostStream, Unavailable> {
    let mut a = agent(backend, latency)?;
    let start = a.dut.cycle();
    for line in 0..lines {
        while a.host.cache.outstanding() >= 64 {
            a.tick();
        }
        let _ = a.host.cache.load(line, 0, 8);
    }
    a.run_until(|a| a.host.cache.outstanding() == 0, 100_000);
    let cycles = a.dut.cycle() - start;
    Ok(HostStream {
        latency_cycles: latency,
        lines,
        cycles,
        utilization: utilization(lines * LINE as u64, cycles),
    })
}

/// The snoop filter under a host working set twice its capacity.
#[derive(Clone, Debug, Serialize)]
pub struct EvictionRow {
    pub working_set_lines: u64,
    pub filter_lines: u64,
    pub host_reads: u64,
    pub evictions: u64,
    /// Back-invalidations per host read.
    pub eviction_rate: f64,
    /// Loads that hit in the host cache (which is larger than the filter).
    pub host_hit_rate: f64,
}

/// `loads` random loads over a working set of twice the filter's lines, after one pass
/// over it to warm up.
pub fn eviction_rate(backend: Backend, loads: u64) -> Result<EvictionRow, Unavailable> {
    let mut a = agent(backend, 20)?;
    let lines = 2 * FILTER_LINES;
    let mut rng = Rng::new(7);
    let mut run = |a: &mut HomeBench, n: u64, random: bool| {
        for i in 0..n {
            let line = if random { rng.below(lines) } else { i };
            while a.host.cache.outstanding() >= 16 {
                a.tick();
            }
            let _ = a.host.cache.load(line, 0, 8);
        }
        a.run_until(|a| a.host.cache.outstanding() == 0, 100_000);
    };
    run(&mut a, lines, false);
    let (reads, evictions) = (a.output("host_reads"), a.output("evictions"));
    let stats = a.host.cache.stats;
    run(&mut a, loads, true);
    let host_reads = a.output("host_reads") - reads;
    let evicted = a.output("evictions") - evictions;
    let s = a.host.cache.stats;
    let (hits, misses) = (s.hits - stats.hits, s.misses - stats.misses);
    Ok(EvictionRow {
        working_set_lines: lines,
        filter_lines: FILTER_LINES,
        host_reads,
        evictions: evicted,
        eviction_rate: evicted as f64 / host_reads.max(1) as f64,
        host_hit_rate: hits as f64 / (hits + misses).max(1) as f64,
    })
}

//! DMA throughput benchmark against an ideal pipelined memory, reported as bus
//! utilization (bytes moved per cycle over the 16-byte bus width) and simulated time at
//! 100 MHz: the whole engine (descriptors in a ring, fetched, checked, executed and
//! written back) and, for comparison, the bare data mover fed commands directly.

use std::fmt::Write;

use serde::Serialize;

use cdm_hdl::device::DeviceTop;
use cdm_hdl::dma::mover::DmaMover;
use cdm_regmap::descriptor::{self, Descriptor};

use super::{utilization, BUS_BYTES};
use crate::bus::axi4_memory::{Axi4Memory, MemoryTiming};
use crate::bus::axil::Timing;
use crate::design::backend::Backend;
use crate::design::dut::{Dut, PortId};
use crate::design::verilator::Unavailable;
use crate::host::device::DmaDevice;
use crate::rng::Rng;

/// Ring size of the engine benchmark: 4096 descriptors.
const BENCH_RING_LOG2: u32 = 12;
/// Most descriptors one engine measurement submits (one ring's worth).
pub const MAX_DESCRIPTORS: u64 = (1 << BENCH_RING_LOG2) - 1;

/// The memory a benchmark runs against: ideal and pipelined, read data `read` cycles
/// after AR, a write's response `write` cycles after its last W beat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Latency {
    pub read: u64,
    pub write: u64,
}

impl Latency {
    /// Writes answered in half the read latency: the default (a memory controller
    /// answers a write once it has taken the data, before it reaches the DRAM array).
    pub fn typical(read: u64) -> Latency {
        Latency {
            read,
            write: read / 2,
        }
    }

    fn timing(self) -> MemoryTiming {
        MemoryTiming {
            write_latency: self.write,
            ..MemoryTiming::ideal(self.read)
        }
    }

    /// The cycles the model takes at least (it answers no sooner than the next cycle).
    fn cycles(self) -> (u64, u64) {
        (self.read.max(1), self.write.max(1))
    }
}

/// How a row's copies were timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// From the doorbell of all of them to the last status in memory.
    Cold,
    /// Once the queue runs: from the first quarter's data in memory (its last data
    /// write's response) to the third quarter's, so that both ends have the queue full
    /// ahead of them. Status write-backs do not count: what software sees of them is
    /// the completion latency.
    Steady,
}

/// One measurement.
#[derive(Clone, Debug, Serialize)]
pub struct DmaRow {
    pub size_bytes: u64,
    pub aligned: bool,
    pub latency: Latency,
    pub start: Start,
    pub copies: u64,
    pub cycles: u64,
    /// Bytes per cycle over 16: 1.0 is the bus.
    pub utilization: f64,
    /// The most the same copies can use under the same conditions (see [`limit`]).
    pub limit: f64,
    /// `utilization / limit`.
    pub of_limit: f64,
    /// Cycles from a descriptor's last data write response to its status write's
    /// response, median and 99th percentile (the engine's rows).
    pub completion_p50: Option<u64>,
    pub completion_p99: Option<u64>,
}

/// The data mover's command and completion ports.
pub struct MoverPorts {
    pub reset: PortId,
    pub valid: PortId,
    pub ready: PortId,
    pub src: PortId,
    pub dst: PortId,
    pub len: PortId,
    pub done_valid: PortId,
    pub done_ready: PortId,
}

impl MoverPorts {
    pub fn new(dut: &dyn Dut) -> MoverPorts {
        let p = |n: &str| dut.port(n).expect("mover port");
        MoverPorts {
            reset: p("reset"),
            valid: p("cmd_valid"),
            ready: p("cmd_ready"),
            src: p("cmd_src"),
            dst: p("cmd_dst"),
            len: p("cmd_len"),
            done_valid: p("done_valid"),
            done_ready: p("done_ready"),
        }
    }

    /// Resets the mover for two cycles, then takes every completion as it comes.
    pub fn reset(&self, dut: &mut dyn Dut) {
        dut.set(self.reset, 1);
        dut.run(2);
        dut.set(self.reset, 0);
        dut.set(self.done_ready, 1);
    }
}

/// Offsets of source and destination within their first beat.
fn offsets(aligned: bool) -> (u64, u64) {
    if aligned {
        (0, 0)
    } else {
        (3, 9)
    }
}

/// Runs `copies` back-to-back copies of `size` bytes through the mover and returns the
/// cycles from the first command to the last completion.
pub fn mover_stream(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: Latency,
    copies: u64,
) -> Result<DmaRow, Unavailable> {
    let mut dut = backend.open::<DmaMover>()?;
    let mut memory =
        Axi4Memory::new(&*dut, "m$", latency.timing(), Rng::new(1)).expect("mover port");
    let ports = MoverPorts::new(&*dut);
    ports.reset(&mut *dut);
    let MoverPorts {
        valid,
        ready,
        src,
        dst,
        len,
        done_valid,
        ..
    } = ports;
    let (src_off, dst_off) = offsets(aligned);
    let stride = size.next_multiple_of(4096) + 4096;
    let (mut issued, mut done) = (0, 0);
    let start = dut.cycle();
    while done < copies {
        dut.set(valid, (issued < copies) as u64);
        dut.set(src, 0x1000_0000 + issued * stride + src_off);
        dut.set(dst, 0x8000_0000 + issued * stride + dst_off);
        dut.set(len, size);
        memory.tick(&mut *dut);
        if issued < copies && dut.get(ready) == 1 {
            issued += 1;
        }
        if dut.get(done_valid) == 1 {
            done += 1;
        }
        dut.step();
    }
    let cycles = dut.cycle() - start;
    let utilization = utilization(size * copies, cycles);
    // The mover moves only data (no descriptor, no status): its busier channel's beats,
    // after one read latency and before one write response.
    let busiest = beats(src_off, size).max(beats(dst_off, size));
    let (read, write) = latency.cycles();
    let limit = self::utilization(size * copies, copies * busiest + read + write);
    Ok(DmaRow {
        size_bytes: size,
        aligned,
        latency,
        start: Start::Cold,
        copies,
        cycles,
        utilization,
        limit,
        of_limit: utilization / limit,
        completion_p50: None,
        completion_p99: None,
    })
}

/// One run of the whole engine: `count` copies of `size` bytes on channel 0, submitted
/// at once with one doorbell. Cycles count from the doorbell's commit cycle.
#[derive(Clone, Debug)]
pub struct EngineRun {
    /// To the last status write-back's response.
    pub cycles: u64,
    /// To the handshake of the first read burst after the first one (for a single copy:
    /// its first data read, after its fetch).
    pub first_read: u64,
    /// Per descriptor: to its last data write's response.
    pub landed: Vec<u64>,
    /// Per descriptor: to its status write's response.
    pub completed: Vec<u64>,
    /// Per descriptor: from its last data write's response to its status write's.
    pub completion_latency: Vec<u64>,
}

/// 16-byte beats a write of `len` bytes at `addr` spans.
fn beats(addr: u64, len: u64) -> u64 {
    ((addr + len - 1) >> 4) - (addr >> 4) + 1
}

/// Utilization of `size` bytes moved in `beats` cycles.
fn utilization_of(size: u64, beats: u64) -> f64 {
    size as f64 / (beats * BUS_BYTES) as f64
}

/// Beats each copy needs on the host port: reading its descriptor and its source,
/// writing its destination, and writing its status.
fn engine_beats(size: u64, aligned: bool) -> (u64, u64, u64) {
    let (src_off, dst_off) = offsets(aligned);
    let read = descriptor::SIZE / BUS_BYTES + beats(src_off, size);
    (
        read,
        beats(dst_off, size),
        beats(descriptor::offset::STATUS, 8),
    )
}

/// Cycles `copies` copies from a cold doorbell take at least, the longest of three
/// chains: every read (descriptors and sources) from the first descriptor's read latency
/// on, then a write response for the last data and one for its status; every write
/// (destinations and statuses) from the first data's arrival (two read latencies) on,
/// then the last one's response; every data write from that arrival on, its response,
/// then the last status and its response.
fn cold_cycles(size: u64, aligned: bool, latency: Latency, copies: u64) -> u64 {
    let (read_beats, data_beats, status_beats) = engine_beats(size, aligned);
    let (read, write) = latency.cycles();
    let reads = read + copies * read_beats + 2 * write;
    let writes = 2 * read + copies * (data_beats + status_beats) + write;
    let last_status = 2 * read + copies * data_beats + 2 * write + status_beats;
    reads.max(writes).max(last_status)
}

/// The physical limit of `copies` copies through the engine: in steady state the
/// busier channel's beats per copy; from a cold doorbell [`cold_cycles`].
pub fn limit(size: u64, aligned: bool, latency: Latency, start: Start, copies: u64) -> f64 {
    match start {
        Start::Steady => {
            let (read, data, status) = engine_beats(size, aligned);
            utilization_of(size, read.max(data + status))
        }
        Start::Cold => utilization(size * copies, cold_cycles(size, aligned, latency, copies)),
    }
}

/// Cycles a single copy of `size` bytes takes at least, from the doorbell to its status
/// in memory.
pub fn single_copy_limit(size: u64, aligned: bool, latency: Latency) -> u64 {
    cold_cycles(size, aligned, latency, 1)
}

/// Runs `count` copies of `size` bytes through the engine.
pub fn engine_run(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: Latency,
    count: u64,
) -> Result<EngineRun, Unavailable> {
    assert!((1..=MAX_DESCRIPTORS).contains(&count));
    let mut dut = backend.open::<DeviceTop>()?;
    dut.reset();
    let mut rng = Rng::new(1);
    let mut dev = DmaDevice::new(
        dut,
        latency.timing(),
        Timing::EAGER,
        BENCH_RING_LOG2,
        &mut rng,
    );
    let (src_off, dst_off) = offsets(aligned);
    let stride = (size + 64).next_multiple_of(64);
    const DST: u64 = 0x4000_0000;
    let mut write_beats = dev.port().memory.stats.write_beats;
    for i in 0..count {
        let dst = DST + i * stride + dst_off;
        dev.push(
            0,
            Descriptor::copy(0x1000_0000 + i * stride + src_off, dst, size as u32),
        );
        write_beats += beats(dst, size) + 1;
    }
    let ring = dev.slot(0, 0);
    dev.port().memory.write_log = Some(Vec::new());
    let before = dev.port().memory.stats.read_bursts + 1;
    let start = dev.post_doorbell(0);
    let bridge = dev.regs.io_mut();
    let mut first_read = None;
    let cycles = loop {
        bridge.tick();
        while bridge.master().pop().is_some() {}
        let now = bridge.dut().cycle();
        let memory = &bridge.peripheral().host.memory;
        if first_read.is_none() && memory.stats.read_bursts > before {
            first_read = Some(now - 1 - start);
        }
        if memory.stats.write_beats == write_beats && memory.idle() {
            break now - start;
        }
        assert!(
            now - start
                < 1000 * (latency.read + latency.write) + 64 * count * (size / BUS_BYTES + 64),
            "engine benchmark stalled"
        );
    };
    // Each write response is a descriptor's status (in the ring) or a burst of its data.
    let n = count as usize;
    let (mut completed, mut data_done) = (vec![None; n], vec![0; n]);
    let log = dev.port().memory.write_log.take().unwrap_or_default();
    for w in log {
        let at = w.cycle - start;
        if (ring..ring + count * descriptor::SIZE).contains(&w.addr) {
            completed[((w.addr - ring) / descriptor::SIZE) as usize] = Some(at);
        } else {
            let i = ((w.addr - DST) / stride) as usize;
            assert!(
                w.addr >= DST && i < n,
                "a write outside the copies: {:#x}",
                w.addr
            );
            data_done[i] = data_done[i].max(at);
        }
    }
    let completed: Vec<u64> = completed
        .into_iter()
        .map(|c| c.expect("every descriptor's status written"))
        .collect();
    let completion_latency = completed
        .iter()
        .zip(&data_done)
        .map(|(c, d)| c - d)
        .collect();
    Ok(EngineRun {
        cycles,
        first_read: first_read.expect("copies read"),
        landed: data_done,
        completed,
        completion_latency,
    })
}

/// The `q` quantile (0 to 1) of `values`.
fn quantile(values: &[u64], q: f64) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Copies from one doorbell through the whole engine, as a benchmark row: timed `start`
/// ([`Start::Steady`] needs at least 8 copies).
pub fn engine_stream(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: Latency,
    start: Start,
    copies: u64,
) -> Result<DmaRow, Unavailable> {
    let run = engine_run(backend, size, aligned, latency, copies)?;
    let (moved, cycles) = match start {
        Start::Cold => (copies, run.cycles),
        Start::Steady => {
            assert!(copies >= 8, "steady state needs at least 8 copies");
            let (first, last) = (copies as usize / 4, copies as usize * 3 / 4);
            let moved = (last - first) as u64;
            (moved, run.landed[last - 1] - run.landed[first - 1])
        }
    };
    let utilization = utilization(size * moved, cycles);
    let limit = limit(size, aligned, latency, start, copies);
    Ok(DmaRow {
        size_bytes: size,
        aligned,
        latency,
        start,
        copies,
        cycles,
        utilization,
        limit,
        of_limit: utilization / limit,
        completion_p50: Some(quantile(&run.completion_latency, 0.5)),
        completion_p99: Some(quantile(&run.completion_latency, 0.99)),
    })
}

/// A line of the plot: its legend, colour, alignment (unaligned is dashed) and points
/// (size, utilization).
type Series<'a> = (String, &'a str, bool, Vec<(u64, f64)>);

/// Steady-state utilization against transfer size, one line per latency (dashed:
/// unaligned), and the limit of each alignment in grey.
pub fn svg(rows: &[DmaRow], title: &str) -> String {
    let rows: Vec<&DmaRow> = rows.iter().filter(|r| r.start == Start::Steady).collect();
    let (w, h, left, bottom, top, right) = (780.0, 420.0, 60.0, 50.0, 40.0, 260.0);
    let mut sizes: Vec<u64> = rows.iter().map(|r| r.size_bytes).collect();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() {
        sizes.push(BUS_BYTES);
    }
    let lg = |s: u64| (s as f64).log2();
    let (x0, x1) = (
        lg(sizes[0]),
        lg(*sizes.last().unwrap_or(&sizes[0])).max(lg(sizes[0]) + 1.0),
    );
    let x = |s: u64| left + (lg(s) - x0) / (x1 - x0) * (w - left - right);
    let y = |u: f64| top + (1.0 - u) * (h - top - bottom);
    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(o, "<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>");
    let _ = writeln!(
        o,
        "<text x=\"{left}\" y=\"22\" font-size=\"14\">{title}</text>"
    );
    for pct in (0..=100).step_by(20) {
        let yy = y(pct as f64 / 100.0);
        let _ = writeln!(
            o,
            "<line x1=\"{left}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{pct}%</text>",
            w - right,
            left - 6.0,
            yy + 4.0
        );
    }
    for &s in &sizes {
        let label = match s {
            s if s >= 1 << 20 => format!("{} MiB", s >> 20),
            s if s >= 1 << 10 => format!("{} KiB", s >> 10),
            s => format!("{s} B"),
        };
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            x(s),
            h - bottom + 18.0
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">transfer size</text>",
        (left + w - right) / 2.0,
        h - 12.0
    );
    let colors = [
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
    ];
    let mut latencies: Vec<Latency> = Vec::new();
    for r in &rows {
        if !latencies.contains(&r.latency) {
            latencies.push(r.latency);
        }
    }
    // One series per latency and alignment, then the limits (the same at every latency).
    let mut series: Vec<Series> = Vec::new();
    for (li, lat) in latencies.iter().enumerate() {
        for aligned in [true, false] {
            let points = rows
                .iter()
                .filter(|r| r.latency == *lat && r.aligned == aligned)
                .map(|r| (r.size_bytes, r.utilization))
                .collect();
            let label = format!("read {}, write {}", lat.read, lat.write);
            series.push((label, colors[li % colors.len()], aligned, points));
        }
    }
    for aligned in [true, false] {
        let points = sizes
            .iter()
            .map(|&s| (s, limit(s, aligned, Latency::typical(0), Start::Steady, 1)))
            .collect();
        series.push(("limit".to_string(), "#999", aligned, points));
    }
    let mut legend = 0;
    for (label, color, aligned, points) in series {
        if points.is_empty() {
            continue;
        }
        let points: Vec<String> = points
            .iter()
            .map(|&(s, u)| format!("{:.1},{:.1}", x(s), y(u)))
            .collect();
        let dash = if aligned {
            ""
        } else {
            " stroke-dasharray=\"5,4\""
        };
        let _ = writeln!(
            o,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
            points.join(" ")
        );
        let ly = top + 16.0 * legend as f64;
        let _ = writeln!(
            o,
            "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{}\" y=\"{}\">{label}{}</text>",
            w - right + 10.0,
            w - right + 34.0,
            w - right + 40.0,
            ly + 4.0,
            if aligned { "" } else { ", unaligned" }
        );
        legend += 1;
    }
    out.push_str("</svg>\n");
    out
}

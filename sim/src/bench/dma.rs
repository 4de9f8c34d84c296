//! DMA throughput benchmark against an ideal pipelined memory, reported as bus
//! utilization (bytes moved per cycle over the 16-byte bus width) and simulated time at
//! 100 MHz: the whole engine (descriptors in a ring, fetched, checked, executed and
//! written back) and, for comparison, the bare data mover fed commands directly.

use std::fmt::Write;

use serde::Serialize;

use cdm_hdl::device::DeviceTop;
use cdm_hdl::dma::mover::DmaMover;
use cdm_regmap::descriptor::Descriptor;

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

/// One measurement.
#[derive(Clone, Debug, Serialize)]
pub struct DmaRow {
    pub size_bytes: u64,
    pub aligned: bool,
    pub latency_cycles: u64,
    pub copies: u64,
    pub cycles: u64,
    /// Bytes per cycle over 16: 1.0 is the bus limit.
    pub utilization: f64,
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

/// Runs `copies` back-to-back copies of `size` bytes through the mover and returns the
/// cycles from the first command to the last completion.
pub fn mover_stream(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: u64,
    copies: u64,
) -> Result<DmaRow, Unavailable> {
    let mut dut = backend.open::<DmaMover>()?;
    let mut memory = Axi4Memory::new(&*dut, "m$", MemoryTiming::ideal(latency), Rng::new(1))
        .expect("mover port");
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
    let (src_off, dst_off) = if aligned { (0, 0) } else { (3, 9) };
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
    Ok(DmaRow {
        size_bytes: size,
        aligned,
        latency_cycles: latency,
        copies,
        cycles,
        utilization: utilization(size * copies, cycles),
    })
}

/// One run of the whole engine: `count` copies of `size` bytes on channel 0, submitted
/// at once with one doorbell.
#[derive(Clone, Copy, Debug)]
pub struct EngineRun {
    /// From the doorbell's commit cycle to the last status write-back's response.
    pub cycles: u64,
    /// From the doorbell's commit cycle to the handshake of the first read burst after
    /// the first one (for a single copy: its first data read, after its fetch).
    pub first_read: u64,
}

/// 16-byte beats a write of `len` bytes at `addr` spans.
fn beats(addr: u64, len: u64) -> u64 {
    ((addr + len - 1) >> 4) - (addr >> 4) + 1
}

/// Runs `count` copies of `size` bytes through the engine.
pub fn engine_run(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: u64,
    count: u64,
) -> Result<EngineRun, Unavailable> {
    assert!((1..=MAX_DESCRIPTORS).contains(&count));
    let mut dut = backend.open::<DeviceTop>()?;
    dut.reset();
    let mut rng = Rng::new(1);
    let timing = MemoryTiming::ideal(latency);
    let mut dev = DmaDevice::new(dut, timing, Timing::EAGER, BENCH_RING_LOG2, &mut rng);
    let (src_off, dst_off) = if aligned { (0, 0) } else { (3, 9) };
    let stride = (size + 64).next_multiple_of(64);
    let mut write_beats = dev.port().memory.stats.write_beats;
    for i in 0..count {
        let dst = 0x4000_0000 + i * stride + dst_off;
        dev.push(
            0,
            Descriptor::copy(0x1000_0000 + i * stride + src_off, dst, size as u32),
        );
        write_beats += beats(dst, size) + 1;
    }
    let before = dev.port().memory.stats.read_bursts + 1;
    let start = dev.post_doorbell(0);
    let bridge = dev.regs.io_mut();
    let mut first_read = None;
    loop {
        bridge.tick();
        while bridge.master().pop().is_some() {}
        let now = bridge.dut().cycle();
        let memory = &bridge.peripheral().host.memory;
        if first_read.is_none() && memory.stats.read_bursts > before {
            first_read = Some(now - 1 - start);
        }
        if memory.stats.write_beats == write_beats && memory.idle() {
            return Ok(EngineRun {
                cycles: now - start,
                first_read: first_read.expect("copies read"),
            });
        }
        assert!(
            now - start < 1000 * latency + 64 * count * (size / BUS_BYTES + 64),
            "engine benchmark stalled"
        );
    }
}

/// A stream of copies through the whole engine, as a benchmark row.
pub fn engine_stream(
    backend: Backend,
    size: u64,
    aligned: bool,
    latency: u64,
    copies: u64,
) -> Result<DmaRow, Unavailable> {
    let run = engine_run(backend, size, aligned, latency, copies)?;
    Ok(DmaRow {
        size_bytes: size,
        aligned,
        latency_cycles: latency,
        copies,
        cycles: run.cycles,
        utilization: utilization(size * copies, run.cycles),
    })
}

/// Utilization against transfer size, one line per latency (dashed: unaligned).
pub fn svg(rows: &[DmaRow], title: &str) -> String {
    let (w, h, left, bottom, top, right) = (720.0, 420.0, 60.0, 50.0, 40.0, 170.0);
    let mut sizes: Vec<u64> = rows.iter().map(|r| r.size_bytes).collect();
    sizes.sort_unstable();
    sizes.dedup();
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
    let mut latencies: Vec<u64> = rows.iter().map(|r| r.latency_cycles).collect();
    latencies.sort_unstable();
    latencies.dedup();
    let mut legend = 0;
    for (li, &lat) in latencies.iter().enumerate() {
        for aligned in [true, false] {
            let points: Vec<String> = rows
                .iter()
                .filter(|r| r.latency_cycles == lat && r.aligned == aligned)
                .map(|r| format!("{:.1},{:.1}", x(r.size_bytes), y(r.utilization)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let color = colors[li % colors.len()];
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
                "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/><text x=\"{}\" y=\"{}\">latency {lat}{}</text>",
                w - right + 10.0,
                w - right + 34.0,
                w - right + 40.0,
                ly + 4.0,
                if aligned { "" } else { ", unaligned" }
            );
            legend += 1;
        }
    }
    out.push_str("</svg>\n");
    out
}

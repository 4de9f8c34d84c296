//! DMA throughput benchmark: streams of copies through the data mover against an ideal
//! pipelined memory, reported as bus utilization (bytes moved per cycle over the 16-byte
//! bus width) and simulated time at 100 MHz.

use serde::Serialize;

use cdm_hdl::dma::mover::DmaMover;

use crate::axi4_memory::{Axi4Memory, MemoryTiming};
use crate::backend::Backend;
use crate::dut::{Dut, PortId};
use crate::rng::Rng;
use crate::verilator::Unavailable;

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
        utilization: (size * copies) as f64 / (cycles as f64 * 16.0),
    })
}

//! Simulation-speed benchmark: the same random AXI4-Lite workload on each backend.
//!
//! Figures are cycles per second of wall-clock time, with the simulated time they
//! cover at the device's 100 MHz clock.

use std::time::Instant;

use cdm_hdl::csr::CsrBlock;
use cdm_hdl::dma::mover::DmaMover;
use cdm_hdl::export::ports::{Port, PortMap};
use rust_hdl::prelude::*;
use serde::Serialize;

use crate::bench::dma::MoverPorts;
use crate::bus::axi4_memory::{Axi4Memory, MemoryTiming};
use crate::bus::axil::{AxiLiteMaster, Op, Timing};
use crate::design::backend::Backend;
use crate::design::dut::{Dut, PortId, PortInfo};
use crate::design::verilator::Unavailable;
use crate::rng::Rng;

/// One measured run.
#[derive(Clone, Debug, Serialize)]
pub struct SimSpeed {
    pub top: String,
    pub backend: String,
    pub cycles: u64,
    pub accesses: u64,
    pub seconds: f64,
    pub cycles_per_second: f64,
    /// Simulated time the run covers at 100 MHz, in microseconds.
    pub simulated_us: f64,
}

/// Random register traffic on a top's `axil` port, with random delays and back-pressure
/// on every channel: 70% of accesses to mapped registers, the rest anywhere in the
/// 4 KiB window. Returns the number of completed accesses.
pub fn axil_workload(dut: &mut dyn Dut, cycles: u64, seed: u64) -> u64 {
    let mut rng = Rng::new(seed);
    let addresses: Vec<u64> = cdm_regmap::device_map()
        .instances()
        .iter()
        .map(|i| i.address as u64)
        .collect();
    let reset = dut.port("reset").expect("reset port");
    dut.set(reset, 1);
    dut.step();
    dut.set(reset, 0);
    let mut master = AxiLiteMaster::new(dut, "axil$", Timing::RANDOM, Rng::new(rng.next_u64()))
        .expect("AXI4-Lite port");
    let mut accesses = 0;
    for _ in 1..cycles {
        if master.idle() {
            let addr = if rng.chance(70) {
                addresses[rng.below(addresses.len() as u64) as usize]
            } else {
                rng.below(0x1000) & !3
            };
            master.push(if rng.chance(50) {
                Op::Read { addr }
            } else {
                Op::Write {
                    addr,
                    data: rng.next_u32(),
                    strb: 0xf,
                }
            });
        }
        master.tick(dut);
        while master.pop().is_some() {
            accesses += 1;
        }
        dut.step();
    }
    accesses
}

fn measure(top: &str, backend: &str, cycles: u64, run: impl FnOnce() -> u64) -> SimSpeed {
    let start = Instant::now();
    let accesses = run();
    let seconds = start.elapsed().as_secs_f64();
    SimSpeed {
        top: top.to_string(),
        backend: backend.to_string(),
        cycles,
        accesses,
        seconds,
        cycles_per_second: cycles as f64 / seconds,
        simulated_us: super::micros(cycles),
    }
}

/// The workload on top `T` on `backend`.
pub fn backend_run<T: PortMap + 'static>(
    backend: Backend,
    cycles: u64,
    seed: u64,
) -> Result<SimSpeed, Unavailable> {
    let mut dut = backend.open::<T>()?;
    Ok(measure(T::NAME, backend.name(), cycles, || {
        axil_workload(&mut *dut, cycles, seed)
    }))
}

/// Random copies (16 B .. 4 KiB, any alignment) streamed through the data mover against
/// the AXI4 memory model with random latency and back-pressure: a 128-bit data path.
/// Returns the number of completed copies.
pub fn mover_workload(dut: &mut dyn Dut, cycles: u64, seed: u64) -> u64 {
    let mut rng = Rng::new(seed);
    let ports = MoverPorts::new(dut);
    let MoverPorts {
        valid,
        ready,
        src,
        dst,
        len,
        done_valid,
        ..
    } = ports;
    let mut memory = Axi4Memory::new(
        dut,
        "m$",
        MemoryTiming::random(40),
        Rng::new(rng.next_u64()),
    )
    .expect("mover port");
    ports.reset(dut);
    dut.set(valid, 1);
    let mut copies = 0;
    let next = |dut: &mut dyn Dut, rng: &mut Rng| {
        dut.set(src, 0x1000_0000 + rng.below(1 << 20));
        dut.set(dst, 0x8000_0000 + rng.below(1 << 20));
        dut.set(len, 16 + rng.below(4080));
    };
    next(dut, &mut rng);
    for _ in 1..cycles {
        memory.tick(dut);
        if dut.get(ready) == 1 {
            next(dut, &mut rng);
        }
        copies += dut.get(done_valid);
        dut.step();
    }
    copies
}

/// The mover workload on `backend`.
pub fn mover_run(backend: Backend, cycles: u64, seed: u64) -> Result<SimSpeed, Unavailable> {
    let mut dut = backend.open::<DmaMover>()?;
    Ok(measure(DmaMover::NAME, backend.name(), cycles, || {
        mover_workload(&mut *dut, cycles, seed)
    }))
}

/// A [`Dut`] over rust-hdl's threaded `Simulation`, so the identical workload runs there.
struct SimulationDut<'a, T: PortMap> {
    sim: &'a mut Sim<T>,
    top: Option<Box<T>>,
    ports: Vec<Port<T>>,
    info: Vec<PortInfo>,
    clock_high: fn(&T) -> bool,
    cycle: u64,
}

impl<T: PortMap + Send + 'static> Dut for SimulationDut<'_, T> {
    fn ports(&self) -> &[PortInfo] {
        &self.info
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        (self.ports[port].set)(self.top.as_mut().expect("design"), value)
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        (self.ports[port].get)(self.top.as_ref().expect("design"), value)
    }
    fn step(&mut self) {
        let high = self.clock_high;
        let x = self.top.take().expect("design");
        let x = self.sim.watch(high, x).expect("rising edge");
        let x = self.sim.watch(move |x| !high(x), x).expect("falling edge");
        self.top = Some(x);
        self.cycle += 1;
    }
    fn cycle(&self) -> u64 {
        self.cycle
    }
}

/// The workload on rust-hdl's own `Simulation` (one thread per clock and testbench).
pub fn rust_hdl_simulation_csr(cycles: u64, seed: u64) -> SimSpeed {
    measure(CsrBlock::NAME, "rust-hdl Simulation", cycles, || {
        let mut sim = Simulation::<CsrBlock>::new();
        sim.add_clock(5, |x: &mut Box<CsrBlock>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut ep: Sim<CsrBlock>| {
            let x = ep.init()?;
            let ports = CsrBlock::ports();
            let info = PortInfo::of(&ports);
            let mut dut = SimulationDut {
                sim: &mut ep,
                top: Some(x),
                ports,
                info,
                clock_high: |x: &CsrBlock| x.clock.val().clk,
                cycle: 0,
            };
            let accesses = axil_workload(&mut dut, cycles, seed);
            let _ = tx.send(accesses);
            let x = dut.top.take().expect("design");
            ep.done(x)
        });
        let mut uut = CsrBlock::default();
        uut.connect_all();
        sim.run(Box::new(uut), cycles * 10 + 100)
            .expect("rust-hdl simulation runs to completion");
        rx.recv().expect("workload finished")
    })
}

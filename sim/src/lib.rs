//! Simulation kit of the coherent device memory controller.
//!
//! - [`dut`]: the port-level interface every testbench and model uses, with two
//!   backends behind it: [`native`] (rust-hdl, the reference) and [`verilator`];
//!   [`backend`] picks one.
//! - [`axil`]: AXI4-Lite master model; [`bridge`]: the driver's register trait over it.
//! - [`axi4_memory`]: AXI4 slave memory (latency, back-pressure, error injection);
//!   [`axi4_master`]: AXI4 burst master; [`axi4_checker`]: protocol checker.
//! - [`memory_port`]: an AXI4 master port served by the memory model under the checker;
//!   [`dma_device`]: the device top with DMA rings, through the driver.
//! - [`coherence`]: the host coherent port's messages, the host MESI cache model and the
//!   reference home agent.
//! - [`host`]: the host mm around the device (page tables, faults, migration with the
//!   real driver, pins, eviction); [`migrate_job`] is `cdm migrate`, the main job, and
//!   [`migrate_bench`] `cdm bench migrate`.
//! - [`regmodel`]: reference model of the CSR block, derived from the register map.
//! - [`trace`] and [`replay`]: record a run and replay it into the exported Verilog;
//!   [`equivalence`] checks a run against Icarus and Verilator cycle by cycle.
//! - [`vcd`]: streamed waveforms with a signal filter; [`wires`]: a design-less `Dut`
//!   for testing bus models against each other.
//! - [`bench`], [`dma_bench`] and [`coherence_bench`]: simulation-speed, DMA-throughput
//!   and coherent-controller benchmarks; [`synth`]: FPGA resources from yosys;
//!   [`timing`]: post-route Fmax from the open ECP5 flow.
//! - [`tools`]: external tools, skipped loudly when missing; [`rng`]: seeded stimulus.

pub mod axi4;
pub mod axi4_checker;
pub mod axi4_master;
pub mod axi4_memory;
pub mod axil;
pub mod backend;
pub mod bench;
pub mod bridge;
pub mod coherence;
pub mod coherence_bench;
pub mod dma_bench;
pub mod dma_device;
pub mod dut;
pub mod equivalence;
pub mod host;
pub mod memory_port;
pub mod mig_model;
pub mod migrate_bench;
pub mod migrate_job;
pub mod native;
pub mod regmodel;
pub mod replay;
pub mod rng;
pub mod synth;
pub mod timing;
pub mod tools;
pub mod trace;
pub mod vcd;
pub mod verilator;
pub mod wires;

pub use backend::Backend;
pub use dut::{Dut, PortDir, PortId, PortInfo};
pub use native::Native;
pub use rng::Rng;

//! Simulation kit of the coherent device memory controller.
//!
//! - [`dut`]: the port-level interface every testbench and model uses, and
//!   [`native`], the rust-hdl backend behind it.
//! - [`axil`]: AXI4-Lite master model; [`bridge`]: the driver's register trait over it.
//! - [`regmodel`]: reference model of the CSR block, derived from the register map.
//! - [`trace`] and [`replay`]: record a run and replay it into the exported Verilog.
//! - [`vcd`]: streamed waveforms with a signal filter.
//! - [`tools`]: external tools, skipped loudly when missing.

pub mod axil;
pub mod bench;
pub mod bridge;
pub mod dut;
pub mod native;
pub mod regmodel;
pub mod replay;
pub mod rng;
pub mod tools;
pub mod trace;
pub mod vcd;

pub use dut::{Dut, PortDir, PortId, PortInfo};
pub use native::Native;
pub use rng::Rng;

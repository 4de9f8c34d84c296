//! Simulation kit of the coherent device memory controller, by layer:
//!
//! - [`design`]: the port-level [`Dut`] interface and its backends (rust-hdl and
//!   Verilator), waveforms.
//! - [`bus`]: AXI4, AXI4-Lite and MIG bus models and the AXI4 protocol checker.
//! - [`coherent`]: the host side of the coherent port (messages, host cache model).
//! - [`model`]: reference models (CSR block, home agent, golden memory).
//! - [`host`]: the host mm around the device, running the real driver, and the main job.
//! - [`equivalence`]: record a run and replay it into the exported Verilog, cycle by
//!   cycle.
//! - [`bench`]: the `cdm bench` benchmarks; [`fpga`]: the `cdm synth` and `cdm timing`
//!   flows.
//! - [`tools`]: external tools, skipped loudly when missing; [`rng`]: seeded stimulus.

pub mod bench;
pub mod bus;
pub mod coherent;
pub mod design;
pub mod equivalence;
pub mod fpga;
pub mod host;
pub mod model;
pub mod rng;
pub mod tools;

pub use design::backend::Backend;
pub use design::dut::{Dut, PortDir, PortId, PortInfo};
pub use design::native::Native;
pub use rng::Rng;

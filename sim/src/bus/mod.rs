//! Bus models and checkers, each on the ports of a [`Dut`](crate::Dut).
//!
//! - [`axil`]: AXI4-Lite master; [`bridge`]: the driver's register trait over it.
//! - [`axi4_memory`]: AXI4 slave memory (latency, back-pressure, error injection);
//!   [`axi4_master`]: AXI4 burst master; [`axi4_checker`]: protocol checker;
//!   [`axi4_link`]: the port set of one AXI4 link and burst maths.
//! - [`memory_port`]: an AXI4 master port served by the memory model under the checker.
//! - [`mig_model`]: the Xilinx MIG user interface, for the board's DDR3 bridge.

pub mod axi4_checker;
pub mod axi4_link;
pub mod axi4_master;
pub mod axi4_memory;
pub mod axil;
pub mod bridge;
pub mod memory_port;
pub mod mig_model;

//! Hardware of the coherent device memory controller, described with rust-hdl.
//!
//! - [`axi_lite`] and [`axi4`]: signal bundles every block uses; [`axi4_split`]: one
//!   AXI4 master to a host and a device memory port by address; [`axi4_slice`]: a
//!   register slice; [`skid`]: the skid buffer it and the DMA engine are built from.
//! - [`coherent`]: the coherent memory controller (in progress: the snoop filter).
//! - [`csr`]: the CSR block, generated from the register map (`cdm-regmap`).
//! - [`dma`]: the DMA copy engine (channels, descriptor fetch, checks, data mover);
//!   [`fifo`]: FIFO with reset; [`registered_fifo`]: one whose head is a register.
//! - [`top`]: the device top that `cdm export` writes as Verilog; [`mig_bridge`]: its
//!   memory port on a Xilinx MIG's user interface; [`bram_memory`]: block RAM behind
//!   AXI4, the board's stand-in for host memory; [`wire_csr`]: register access from
//!   FrontPanel wires (all three for the XEM7010 board top).
//! - [`ports`]: top-level ports as plain values for backend-neutral testbenches;
//!   [`tops`]: the list of every top; [`wrapper`]: the device's standard-port wrapper.

pub mod axi4;
pub mod axi4_slice;
pub mod axi4_split;
pub mod axi_lite;
pub mod bram_memory;
pub mod coherent;
pub mod csr;
pub mod dma;
pub mod fifo;
pub mod mig_bridge;
pub mod ports;
pub mod registered_fifo;
pub mod skid;
pub mod top;
pub mod tops;
pub mod wire_csr;
pub mod wrapper;

pub use rust_hdl;

use rust_hdl::prelude::{generate_verilog, Block};

/// Verilog of a design (module `top` and its submodules), after rust-hdl's
/// connectivity, logic-loop and input-write checks.
pub fn verilog<T: Block + Default>() -> String {
    let mut top = T::default();
    top.connect_all();
    generate_verilog(&top)
}

//! Hardware of the coherent device memory controller, described with rust-hdl.
//!
//! - [`device`]: the device top that `cdm export` writes as Verilog.
//! - [`csr`]: the CSR block, generated from the register map (`cdm-regmap`).
//! - [`dma`]: the DMA copy engine (channels, descriptor fetch, checks, data mover).
//! - [`coherent`]: the coherent memory controller (home agent, snoop filter).
//! - [`bus`]: AXI bundles and the address split (a register slice as well).
//! - [`queue`]: FIFOs and the skid buffer.
//! - [`board`]: pieces of the XEM7010 board top.
//! - [`export`]: port maps, the list of tops and the standard-port wrapper.
//! - [`param`]: constants of blocks that set themselves.

pub mod board;
pub mod bus;
pub mod coherent;
pub mod csr;
pub mod device;
pub mod dma;
pub mod export;
pub mod param;
pub mod queue;

pub use rust_hdl;

use rust_hdl::prelude::{generate_verilog, Block};

/// Verilog of a design (module `top` and its submodules), after rust-hdl's
/// connectivity, logic-loop and input-write checks.
pub fn verilog<T: Block + Default>() -> String {
    let mut top = T::default();
    top.connect_all();
    generate_verilog(&top)
}

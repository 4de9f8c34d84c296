//! Pieces of the XEM7010 board top (`bitstreams/`): [`mig_bridge`], the device memory
//! port on a Xilinx MIG's user interface; [`bram_memory`], block RAM behind AXI4, the
//! board's stand-in for host memory; [`wire_csr`], register access from FrontPanel
//! wires.

pub mod bram_memory;
pub mod mig_bridge;
pub mod wire_csr;

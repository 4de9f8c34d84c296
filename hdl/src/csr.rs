//! The CSR block, generated from the register map by `cdm_regmap::gen::csr_hdl` into
//! `generated/csr_block.rs` (committed; `cdm_regmap::gen::committed` says how to regenerate).
//!
//! Every field of the map gets a hardware port named `<block>[<index>]_<register>_<field>`
//! in lower case: an output for stored fields (RW, WO, W1C, W1S) and pulses (W1P), an
//! input for hardware-driven RO fields, plus `<name>_set` inputs for W1C fields and
//! `<name>_clr` inputs for W1S fields with a hardware clear. Timing of writes and reads,
//! which testbenches rely on, is documented in `cdm_regmap::gen::csr_hdl`.

use crate::bus::axi_lite::AxiLiteSlave;
use rust_hdl::prelude::*;

include!("generated/csr_block.rs");

//! The FPGA flows behind `cdm synth` ([`synth`]: resources and logic depth from yosys
//! for the 7 series) and `cdm timing` ([`timing`]: post-route Fmax from the open ECP5
//! flow).

pub mod synth;
pub mod timing;

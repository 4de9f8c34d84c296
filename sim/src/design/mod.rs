//! Design access: the port-level [`dut::Dut`] interface every testbench and model uses,
//! its two backends ([`native`], the rust-hdl reference, and [`verilator`]; [`backend`]
//! picks one), a design-less [`wires::Wires`] for testing bus models against each
//! other, and [`vcd`] waveforms of any of them.

pub mod backend;
pub mod dut;
pub mod native;
pub mod vcd;
pub mod verilator;
pub mod wires;

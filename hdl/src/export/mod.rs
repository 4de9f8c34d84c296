//! What leaves the crate as Verilog: [`ports`], top-level ports as plain values for
//! backend-neutral testbenches; [`tops`], the list of every top; [`wrapper`], the
//! device's standard-port wrapper and its interface document.

pub mod ports;
pub mod tops;
pub mod wrapper;

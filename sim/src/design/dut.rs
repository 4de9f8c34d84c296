//! The port-level view of a design that every testbench, bus model and tool uses.
//!
//! A [`Dut`] is driven only through its top-level ports (plain values, any width, as
//! little-endian 64-bit words) and advanced one clock cycle at a time, so the same
//! testbench runs on the rust-hdl model and on any other backend.

use std::fmt;

pub use cdm_hdl::export::ports::PortDir;

/// Index of a port in [`Dut::ports`].
pub type PortId = usize;

/// Name, width and direction of a top-level port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortInfo {
    pub name: String,
    pub width: usize,
    pub dir: PortDir,
}

impl PortInfo {
    /// The port descriptions of a rust-hdl top's port map.
    pub fn of<T>(ports: &[cdm_hdl::export::ports::Port<T>]) -> Vec<PortInfo> {
        ports
            .iter()
            .map(|p| PortInfo {
                name: p.name.clone(),
                width: p.width,
                dir: p.dir,
            })
            .collect()
    }

    /// Panics unless `value` fits the port: every backend rejects the same values, so a
    /// testbench bug shows up the same way on each instead of being truncated differently.
    pub fn check_fits(&self, value: &[u64]) {
        let ok = value.len() >= self.words()
            && value.iter().enumerate().all(|(i, w)| {
                let lo = i * 64;
                self.width >= lo + 64 || (self.width > lo && w >> (self.width - lo) == 0) || *w == 0
            });
        assert!(
            ok,
            "value {value:x?} does not fit the {}-bit port `{}`",
            self.width, self.name
        );
    }

    /// Number of 64-bit words a value of this port takes.
    pub fn words(&self) -> usize {
        self.width.div_ceil(64)
    }
}

/// A port name that the design does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoSuchPort(pub String);

impl fmt::Display for NoSuchPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the design has no port `{}`", self.0)
    }
}

impl std::error::Error for NoSuchPort {}

/// A clocked design seen through its top-level ports.
///
/// Cycle protocol: set the inputs of a cycle, read outputs (which then reflect the state
/// and those inputs), then [`step`](Dut::step) through the rising clock edge. Inputs keep
/// their values until set again.
pub trait Dut {
    /// Every top-level port except the clock.
    fn ports(&self) -> &[PortInfo];
    /// Sets an input port from little-endian 64-bit words.
    fn set_words(&mut self, port: PortId, value: &[u64]);
    /// Reads a port into little-endian 64-bit words.
    fn get_words(&mut self, port: PortId, value: &mut [u64]);
    /// Advances through one rising clock edge.
    fn step(&mut self);
    /// Number of clock edges so far.
    fn cycle(&self) -> u64;

    /// Looks a port up by its Verilog name.
    fn port(&self, name: &str) -> Result<PortId, NoSuchPort> {
        self.ports()
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| NoSuchPort(name.to_string()))
    }

    /// Sets an input port of at most 64 bits.
    fn set(&mut self, port: PortId, value: u64) {
        self.set_words(port, &[value]);
    }

    /// Reads a port of at most 64 bits.
    fn get(&mut self, port: PortId) -> u64 {
        let mut w = [0u64; 1];
        self.get_words(port, &mut w);
        w[0]
    }

    /// Runs `n` clock cycles with the inputs unchanged.
    fn run(&mut self, n: u64) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Holds the synchronous `reset` input high for two cycles (every top has one).
    fn reset(&mut self) {
        let reset = self.port("reset").expect("every top has a reset");
        self.set(reset, 1);
        self.run(2);
        self.set(reset, 0);
    }
}

impl<D: Dut + ?Sized> Dut for Box<D> {
    fn ports(&self) -> &[PortInfo] {
        (**self).ports()
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        (**self).set_words(port, value)
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        (**self).get_words(port, value)
    }
    fn step(&mut self) {
        (**self).step()
    }
    fn cycle(&self) -> u64 {
        (**self).cycle()
    }
}

impl<D: Dut + ?Sized> Dut for &mut D {
    fn ports(&self) -> &[PortInfo] {
        (**self).ports()
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        (**self).set_words(port, value)
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        (**self).get_words(port, value)
    }
    fn step(&mut self) {
        (**self).step()
    }
    fn cycle(&self) -> u64 {
        (**self).cycle()
    }
}

//! The reference backend: a rust-hdl design stepped directly in this thread.
//!
//! rust-hdl's own `Simulation` runs every testbench in its own thread and hands the
//! whole design around through channels; stepping the design directly is an order of
//! magnitude faster (see `cdm bench sim`).

use cdm_hdl::export::ports::{Port, PortMap};
use rust_hdl::prelude::*;

use crate::design::dut::{Dut, PortId, PortInfo};

/// Evaluation passes allowed for the design to settle after a change.
const SETTLE_PASSES: usize = 1000;

/// A rust-hdl design driven through its [`PortMap`].
pub struct Native<T: PortMap> {
    top: T,
    ports: Vec<Port<T>>,
    info: Vec<PortInfo>,
    dirty: bool,
    cycle: u64,
}

impl<T: PortMap> Native<T> {
    pub fn new() -> Self {
        let mut top = T::default();
        top.connect_all();
        let ports = T::ports();
        let info = PortInfo::of(&ports);
        let mut native = Native {
            top,
            ports,
            info,
            dirty: true,
            cycle: 0,
        };
        native.settle();
        native
    }

    /// The design itself, for probes that look inside (native backend only).
    pub fn top(&self) -> &T {
        &self.top
    }

    fn settle(&mut self) {
        assert!(
            simulate(&mut self.top, SETTLE_PASSES),
            "the design did not settle within {SETTLE_PASSES} passes at cycle {}: combinational loop?",
            self.cycle
        );
        self.dirty = false;
    }
}

impl<T: PortMap> Default for Native<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: PortMap> Dut for Native<T> {
    fn ports(&self) -> &[PortInfo] {
        &self.info
    }

    fn set_words(&mut self, port: PortId, value: &[u64]) {
        self.info[port].check_fits(value);
        (self.ports[port].set)(&mut self.top, value);
        self.dirty = true;
    }

    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        if self.dirty {
            self.settle();
        }
        (self.ports[port].get)(&self.top, value);
    }

    fn step(&mut self) {
        // Inputs set since the last settle must reach every flip-flop before the edge.
        if self.dirty {
            self.settle();
        }
        self.top.clock().next = Clock::from(true);
        self.settle();
        self.top.clock().next = Clock::from(false);
        self.settle();
        self.cycle += 1;
    }

    fn cycle(&self) -> u64 {
        self.cycle
    }
}

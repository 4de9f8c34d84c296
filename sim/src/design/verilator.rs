//! The fast backend: a Verilator model of the exported Verilog (see `cdm-verilator`).
//!
//! Same ports, same cycle protocol as [`crate::Native`]; the cycle-equivalence tests
//! show both give the same outputs in every cycle.

use cdm_verilator::Model;
pub use cdm_verilator::Unavailable;

use crate::design::dut::{Dut, PortDir, PortId, PortInfo};

/// A verilated top driven through its ports.
pub struct Verilated {
    model: Model,
    info: Vec<PortInfo>,
    /// The value last set on each input (empty: never set).
    inputs: Vec<Vec<u64>>,
    dirty: bool,
    cycle: u64,
}

impl Verilated {
    /// An instance of the top named `name` (`PortMap::NAME`).
    pub fn new(name: &str) -> Result<Verilated, Unavailable> {
        let model = Model::new(name)?;
        let info: Vec<PortInfo> = model
            .ports()
            .iter()
            .map(|p| PortInfo {
                name: p.name.to_string(),
                width: p.width,
                dir: if p.input {
                    PortDir::Input
                } else {
                    PortDir::Output
                },
            })
            .collect();
        Ok(Verilated {
            model,
            inputs: vec![Vec::new(); info.len()],
            info,
            dirty: false,
            cycle: 0,
        })
    }
}

impl Dut for Verilated {
    fn ports(&self) -> &[PortInfo] {
        &self.info
    }

    fn set_words(&mut self, port: PortId, value: &[u64]) {
        self.info[port].check_fits(value);
        // Bus models drive every input every cycle, mostly with the value it already
        // has: only a change needs the model evaluated again before the next read.
        let held = &mut self.inputs[port];
        if held.as_slice() == value {
            return;
        }
        held.clear();
        held.extend_from_slice(value);
        self.model.set(port, value);
        self.dirty = true;
    }

    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        if self.dirty {
            self.model.eval();
            self.dirty = false;
        }
        self.model.get(port, value);
    }

    fn step(&mut self) {
        if self.dirty {
            self.model.eval();
        }
        self.model.clock(true);
        self.model.eval();
        // Nothing in an exported design acts on the falling edge: evaluate it lazily,
        // together with the next cycle's inputs.
        self.model.clock(false);
        self.dirty = true;
        self.cycle += 1;
    }

    fn cycle(&self) -> u64 {
        self.cycle
    }
}

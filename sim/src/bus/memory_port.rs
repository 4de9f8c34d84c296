//! An AXI4 master port of the device served by the memory model, with the protocol
//! checker watching it: the [`Peripheral`] the DMA testbenches hang on the CSR bridge.

use crate::bus::axi4_checker::Axi4Checker;
use crate::bus::axi4_memory::{Axi4Memory, MemoryTiming};
use crate::bus::bridge::Peripheral;
use crate::design::dut::{Dut, NoSuchPort};
use crate::rng::Rng;

pub struct MemoryPort {
    pub memory: Axi4Memory,
    pub checker: Axi4Checker,
}

impl MemoryPort {
    /// Serves the AXI4 master port `<prefix>awaddr` and so on of `dut`.
    pub fn new(
        dut: &dyn Dut,
        prefix: &str,
        timing: MemoryTiming,
        rng: Rng,
    ) -> Result<MemoryPort, NoSuchPort> {
        Ok(MemoryPort {
            memory: Axi4Memory::new(dut, prefix, timing, rng)?,
            checker: Axi4Checker::new(dut, prefix, prefix.trim_end_matches('$'))?,
        })
    }
}

impl Peripheral for MemoryPort {
    fn drive(&mut self, dut: &mut dyn Dut) {
        self.memory.drive(dut);
    }

    fn sample(&mut self, dut: &mut dyn Dut) {
        self.checker.check(dut);
        self.memory.sample(dut);
    }
}

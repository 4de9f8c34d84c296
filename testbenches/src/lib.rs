//! Shared set-up of the integration testbenches in `tests/`.

use cdm_driver::Regs;
use cdm_hdl::csr::CsrBlock;
use cdm_sim::axil::Timing;
use cdm_sim::bridge::CsrBridge;
use cdm_sim::{Dut, Native, Rng};

/// The CSR block on the reference backend, out of reset.
pub fn csr_block() -> Native<CsrBlock> {
    let mut dut = Native::<CsrBlock>::new();
    reset(&mut dut);
    dut
}

/// Holds `reset` high for two cycles.
pub fn reset(dut: &mut dyn Dut) {
    let reset = dut.port("reset").expect("every top has a reset");
    dut.set(reset, 1);
    dut.run(2);
    dut.set(reset, 0);
}

/// The real driver's register interface over the simulated CSR block.
pub fn csr_driver(timing: Timing, rng: Rng) -> Regs<CsrBridge<Native<CsrBlock>>> {
    Regs::new(
        CsrBridge::new(csr_block(), "axil$", timing, rng).expect("CSR block has an AXI4-Lite port"),
    )
}

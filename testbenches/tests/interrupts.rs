//! The device top's interrupt line through the real driver: test bits set INTR.STATUS,
//! INTR.ENABLE gates the line, writing 1 clears it. The DMA channels' own events are
//! covered by the DMA engine testbench (`dma_engine.rs`).

use cdm_driver::regs::intr;
use cdm_driver::Register;
use cdm_hdl::device::DeviceTop;
use cdm_sim::bus::axil::Timing;
use cdm_sim::Rng;
use cdm_testbenches::{on_each_backend, Backend, SimRegs};

fn device(backend: Backend) -> SimRegs {
    cdm_testbenches::driver::<DeviceTop>(backend, Timing::RANDOM, Rng::from_env("interrupts"))
}

fn irq(regs: &mut SimRegs) -> u64 {
    let dut = regs.io_mut().dut();
    let p = dut.port("irq").unwrap();
    dut.get(p)
}

fn events_raise_the_line_only_when_enabled(backend: Backend) {
    let mut regs = device(backend);
    regs.write_with::<intr::Test>(|v| v.with_dma(0b0100))
        .unwrap();
    assert_eq!(regs.read::<intr::Status>().unwrap().dma(), 0b0100);
    assert_eq!(irq(&mut regs), 0, "disabled source must not interrupt");
    regs.write_with::<intr::Enable>(|v| v.with_dma(0b0100))
        .unwrap();
    assert_eq!(irq(&mut regs), 1);
    regs.write_with::<intr::Status>(|v| v.with_dma(0b0100))
        .unwrap();
    assert_eq!(irq(&mut regs), 0);
}

fn test_register_raises_an_interrupt_once(backend: Backend) {
    let mut regs = device(backend);
    regs.write_with::<intr::Enable>(|v| v.with_coherent(true))
        .unwrap();
    regs.write_with::<intr::Test>(|v| v.with_coherent(true))
        .unwrap();
    assert_eq!(irq(&mut regs), 1);
    // The test bit is a pulse: write-only in the driver, 0 on the bus.
    let test = regs.io_mut().read_any(intr::Test::ADDR).unwrap();
    assert_eq!(test, 0);
    regs.write_with::<intr::Status>(|v| v.with_coherent(true))
        .unwrap();
    assert_eq!(irq(&mut regs), 0);
    assert!(!regs.read::<intr::Status>().unwrap().coherent());
}

on_each_backend!(
    events_raise_the_line_only_when_enabled,
    test_register_raises_an_interrupt_once
);

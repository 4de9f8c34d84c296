//! The device top's interrupt line through the real driver: events and test bits set
//! INTR.STATUS, INTR.ENABLE gates the line, writing 1 clears it.

use cdm_driver::regs::intr;
use cdm_driver::Regs;
use cdm_hdl::top::DeviceTop;
use cdm_sim::axil::Timing;
use cdm_sim::bridge::CsrBridge;
use cdm_sim::{Dut, Native, Rng};

fn device() -> Regs<CsrBridge<Native<DeviceTop>>> {
    let mut dut = Native::<DeviceTop>::new();
    cdm_testbenches::reset(&mut dut);
    Regs::new(CsrBridge::new(dut, "axil$", Timing::RANDOM, Rng::from_env("interrupts")).unwrap())
}

fn irq(regs: &mut Regs<CsrBridge<Native<DeviceTop>>>) -> u64 {
    let dut = regs.io_mut().dut();
    let p = dut.port("irq").unwrap();
    dut.get(p)
}

#[test]
fn events_raise_the_line_only_when_enabled() {
    let mut regs = device();
    let events = regs.io_mut().dut().port("dma_events").unwrap();
    regs.io_mut().dut().set(events, 0b0100);
    regs.io_mut().idle(1);
    regs.io_mut().dut().set(events, 0);
    assert_eq!(regs.read::<intr::Status>().unwrap().dma(), 0b0100);
    assert_eq!(irq(&mut regs), 0, "disabled source must not interrupt");
    regs.write::<intr::Enable>(intr::EnableValue::ZERO.with_dma(0b0100))
        .unwrap();
    assert_eq!(irq(&mut regs), 1);
    regs.write::<intr::Status>(intr::StatusValue::ZERO.with_dma(0b0100))
        .unwrap();
    assert_eq!(irq(&mut regs), 0);
}

#[test]
fn test_register_raises_an_interrupt_once() {
    let mut regs = device();
    regs.write::<intr::Enable>(intr::EnableValue::ZERO.with_coherent(true))
        .unwrap();
    regs.write::<intr::Test>(intr::TestValue::ZERO.with_coherent(true))
        .unwrap();
    assert_eq!(irq(&mut regs), 1);
    // The test bit clears itself once it has set STATUS.
    assert!(!regs.read::<intr::Test>().unwrap().coherent());
    regs.write::<intr::Status>(intr::StatusValue::ZERO.with_coherent(true))
        .unwrap();
    assert_eq!(irq(&mut regs), 0);
    assert!(!regs.read::<intr::Status>().unwrap().coherent());
}

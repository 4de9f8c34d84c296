//! The DMA engine's testbench set-up: the device top (checked against the Verilog under
//! `CDM_EQUIV=1`) with rings of 256 descriptors and randomly timed register accesses.

use cdm_hdl::device::DeviceTop;
use cdm_sim::bus::axi4_memory::MemoryTiming;
use cdm_sim::bus::axil::Timing;
use cdm_sim::host::device::DmaDevice;
use cdm_sim::{Dut, Rng};

use crate::{open, Backend};

/// Ring size of every channel in the testbenches: 256 descriptors.
pub const RING_LOG2: u32 = 8;

/// The device top on `backend`, its memories answering with `timing`, and the driver.
pub fn device(backend: Backend, timing: MemoryTiming, rng: &mut Rng) -> DmaDevice {
    device_on(open::<DeviceTop>(backend), timing, rng)
}

/// The device top in `dut` (out of reset), with its memories and driver as [`device`]
/// sets them up.
pub fn device_on(dut: Box<dyn Dut>, timing: MemoryTiming, rng: &mut Rng) -> DmaDevice {
    DmaDevice::new(dut, timing, Timing::RANDOM, RING_LOG2, rng)
}

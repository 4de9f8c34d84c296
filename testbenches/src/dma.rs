//! The DMA engine's testbench set-up: the device top (checked against the Verilog under
//! `CDM_EQUIV=1`) with rings of 256 descriptors and randomly timed register accesses.

use cdm_hdl::device::DeviceTop;
use cdm_sim::bus::axi4_memory::MemoryTiming;
use cdm_sim::bus::axil::Timing;
use cdm_sim::host::device::DmaDevice;
use cdm_sim::Rng;

use crate::{open, Backend};

/// Ring size of every channel in the testbenches: 256 descriptors.
pub const RING_LOG2: u32 = 8;

pub fn device(backend: Backend, timing: MemoryTiming, rng: &mut Rng) -> DmaDevice {
    DmaDevice::new(
        open::<DeviceTop>(backend),
        timing,
        Timing::RANDOM,
        RING_LOG2,
        rng,
    )
}

//! The HMM scenarios' set-up: the host mm around the device top, with randomly timed
//! memories and register accesses.

use cdm_hdl::device::DeviceTop;
use cdm_sim::bus::axi4_memory::MemoryTiming;
use cdm_sim::bus::axil::Timing;
use cdm_sim::host::Host;
use cdm_sim::Rng;

use crate::{open, Backend};

/// The host with the device top on `backend`, memories of latency 20 with random
/// back-pressure, seeded by `rng`.
pub fn host(backend: Backend, rng: &mut Rng) -> Host {
    Host::new(
        open::<DeviceTop>(backend),
        MemoryTiming::random(20),
        Timing::RANDOM,
        rng,
    )
}

/// `len` bytes of a pattern drawn from `rng`.
pub fn pattern(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

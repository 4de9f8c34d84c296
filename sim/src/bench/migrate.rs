//! `cdm bench migrate`: the kernel's `benchmark_thp_migration` on the simulated device.
//! Time and GB/s (at 100 MHz) to migrate a range system -> device and device -> system,
//! with and without 2 MiB pages, by size. Time runs from the driver's first register
//! access of the call to its last: collect and finalize are host bookkeeping and take
//! no simulated time.

use cdm_driver::cdm::{HUGE, PAGE};
use cdm_hdl::device::DeviceTop;
use serde::Serialize;

use super::{gbps, utilization};
use crate::bus::axi4_memory::MemoryTiming;
use crate::bus::axil::Timing;
use crate::design::backend::Backend;
use crate::design::verilator::Unavailable;
use crate::host::mm::Prot;
use crate::host::Host;
use crate::rng::Rng;

/// One measurement.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// `to_device` or `to_system`.
    pub direction: &'static str,
    pub huge_pages: bool,
    pub size_bytes: u64,
    pub cycles: u64,
    pub gbps: f64,
    /// Fraction of the 16-byte bus.
    pub utilization: f64,
    /// Pages migrated (4 KiB).
    pub pages: usize,
    /// Descriptors the driver submitted.
    pub descriptors: usize,
}

/// The largest size the benchmark runs, in huge pages: the kernel benchmark's largest,
/// and all of the device memory its device instance owns.
pub const MAX_HUGE: u64 = 128;

/// Sizes of the kernel benchmark, in quarter huge pages: 1/4 .. `max_huge` huge pages,
/// or an error naming a `max_huge` that is not a power of two up to [`MAX_HUGE`].
pub fn sizes(max_huge: u64) -> Result<Vec<u64>, String> {
    if !max_huge.is_power_of_two() || max_huge > MAX_HUGE {
        return Err(format!(
            "max-huge {max_huge}: not a power of two from 1 to {MAX_HUGE}"
        ));
    }
    let mut v = vec![HUGE / 4, HUGE / 2];
    v.extend((0..=max_huge.ilog2()).map(|k| (1 << k) * HUGE));
    Ok(v)
}

/// Migrates a freshly written range of each of `sizes` (from [`sizes`]) to the device
/// and back, with and without huge pages, on a device whose memories have `latency`
/// cycles of read latency; `progress` hears of each row.
pub fn run(
    backend: Backend,
    latency: u64,
    sizes: &[u64],
    seed: u64,
    mut progress: impl FnMut(&Row),
) -> Result<Vec<Row>, Unavailable> {
    let mut dut = backend.open::<DeviceTop>()?;
    dut.reset();
    let mut rng = Rng::new(seed);
    let mut host = Host::new(dut, MemoryTiming::ideal(latency), Timing::EAGER, &mut rng);
    let mut rows = Vec::new();
    for huge in [false, true] {
        for &size in sizes {
            let va = host.mmap(size, Prot::ReadWrite, huge);
            let data: Vec<u8> = (0..size).map(|i| (i * 7 + 3) as u8).collect();
            host.cpu_write(va, &data)
                .expect("a fresh range is writable");
            let to = host
                .migrate_to_device(0, va, size)
                .expect("migration to the device");
            let back = host.migrate_to_system(0, va, size).expect("migration back");
            assert_eq!(
                host.cpu_read(va, size as usize).expect("readable"),
                data,
                "data survives the round trip"
            );
            host.munmap(va, size).expect("unmap");
            for (direction, m) in [("to_device", to), ("to_system", back)] {
                // What moved, not what was asked for.
                let moved = m.copy.migrated as u64 * PAGE;
                let row = Row {
                    direction,
                    huge_pages: huge,
                    size_bytes: size,
                    cycles: m.cycles,
                    gbps: gbps(moved, m.cycles),
                    utilization: utilization(moved, m.cycles),
                    pages: m.copy.migrated,
                    descriptors: m.copy.descriptors,
                };
                progress(&row);
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

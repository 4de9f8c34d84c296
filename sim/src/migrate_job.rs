//! `cdm migrate`, the main job: a process's anonymous memory migrates to device memory,
//! the CPU reads and writes part of it in place through its cache and the coherent
//! port, the memory migrates back, and every byte is checked against what the CPU
//! wrote.

use cdm_driver::cdm::{HUGE, PAGE};
use cdm_driver::regs::{coherent, dma};
use serde::Serialize;

use crate::axi4_memory::MemoryTiming;
use crate::axil::Timing;
use crate::dut::Dut;
use crate::host::mm::Prot;
use crate::host::Host;
use crate::migrate_bench::{BUS_BYTES, GBPS_PER_BYTE_PER_CYCLE};
use crate::rng::Rng;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// Bytes of anonymous memory (rounded up to pages).
    pub size: u64,
    /// Transparent huge pages for the range.
    pub huge: bool,
    /// Read latency of host and device memory, in cycles.
    pub latency: u64,
    pub seed: u64,
    /// One page in `touch_every` gets a CPU load and store while on the device.
    pub touch_every: u64,
}

/// The phases, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    ToDevice,
    InPlace,
    ToSystem,
    Verify,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::ToDevice => "to device",
            Phase::InPlace => "CPU in place",
            Phase::ToSystem => "to system",
            Phase::Verify => "verify",
        }
    }
}

/// One direction of the migration.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Leg {
    /// 4 KiB pages moved.
    pub pages: usize,
    pub cycles: u64,
    pub descriptors: usize,
    /// Pages whose copy failed (left in place).
    pub copy_failed: usize,
}

impl Leg {
    /// GB/s at 100 MHz for `bytes`.
    pub fn gbps(&self, bytes: u64) -> f64 {
        bytes as f64 / self.cycles.max(1) as f64 * GBPS_PER_BYTE_PER_CYCLE
    }

    /// Fraction of the 16-byte bus.
    pub fn utilization(&self, bytes: u64) -> f64 {
        bytes as f64 / self.cycles.max(1) as f64 / BUS_BYTES
    }
}

/// The outcome.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub size_bytes: u64,
    pub to_device: Leg,
    pub to_system: Leg,
    /// CPU loads and stores of device-resident lines, and the cycles they took.
    pub cpu_loads: u64,
    pub cpu_stores: u64,
    pub cpu_cycles: u64,
    /// Back-invalidations the coherent controller sent: invalidate, and downgrade
    /// with data.
    pub snoops_inv: u32,
    pub snoops_data: u32,
    /// Cycles of the whole run.
    pub cycles: u64,
    pub bytes_checked: u64,
    /// Bytes that differ from what the CPU wrote (0 on success).
    pub mismatches: u64,
    /// The controller's sticky error flag and the DMA channels halted at the end.
    pub controller_error: bool,
    pub channels_halted: u32,
}

impl Summary {
    /// True when every byte arrived and the device reports no error.
    pub fn ok(&self) -> bool {
        self.mismatches == 0
            && !self.controller_error
            && self.channels_halted == 0
            && self.to_device.copy_failed == 0
            && self.to_system.copy_failed == 0
    }
}

/// Runs `job` on `dut` (a device top out of reset); `progress(phase, done, total)`
/// hears of each step.
///
/// # Errors
///
/// The driver's error when a migration call fails as a whole.
pub fn run(
    dut: Box<dyn Dut>,
    job: Job,
    mut progress: impl FnMut(Phase, u64, u64),
) -> Result<Summary, cdm_driver::cdm::CdmError> {
    let mut rng = Rng::new(job.seed);
    let mut host = Host::new(
        dut,
        MemoryTiming::ideal(job.latency),
        Timing::EAGER,
        &mut rng,
    );
    let size = job.size.div_ceil(PAGE) * PAGE;
    let va = host.mmap(size, Prot::ReadWrite, job.huge);
    let mut data: Vec<u8> = (0..size).map(|_| rng.next_u64() as u8).collect();
    host.cpu_write(va, &data)?;
    let start = host.cycle();
    let mut s = Summary {
        size_bytes: size,
        ..Summary::default()
    };
    // In 2 MiB steps, for the progress report; each step keeps the engine streaming.
    let steps: Vec<(u64, u64)> = (0..size.div_ceil(HUGE))
        .map(|i| (va + i * HUGE, HUGE.min(size - i * HUGE)))
        .collect();
    for (i, &(at, len)) in steps.iter().enumerate() {
        let m = host.migrate_to_device(0, at, len)?;
        add(&mut s.to_device, &m);
        progress(Phase::ToDevice, i as u64 + 1, steps.len() as u64);
    }
    let cpu_start = host.cycle();
    let pages = size / PAGE;
    let touched: Vec<u64> = (0..pages).filter(|p| p % job.touch_every == 0).collect();
    for (i, &page) in touched.iter().enumerate() {
        let at = page * PAGE + rng.below(PAGE / 64) * 64;
        let got = host.cpu_read(va + at, 64)?;
        s.mismatches += mismatches(&got, &data[at as usize..][..64]);
        let bytes: Vec<u8> = (0..64).map(|_| rng.next_u64() as u8).collect();
        host.cpu_write(va + at, &bytes)?;
        data[at as usize..][..64].copy_from_slice(&bytes);
        s.cpu_loads += 1;
        s.cpu_stores += 1;
        progress(Phase::InPlace, i as u64 + 1, touched.len() as u64);
    }
    s.cpu_cycles = host.cycle() - cpu_start;
    for (i, &(at, len)) in steps.iter().enumerate() {
        let m = host.migrate_to_system(0, at, len)?;
        add(&mut s.to_system, &m);
        progress(Phase::ToSystem, i as u64 + 1, steps.len() as u64);
    }
    s.cycles = host.cycle() - start;
    let got = host.cpu_read(va, size as usize)?;
    s.mismatches += mismatches(&got, &data);
    s.bytes_checked = size + touched.len() as u64 * 64;
    progress(Phase::Verify, 1, 1);
    let (inv, snp_data) = host.snoops();
    s.snoops_inv = inv;
    s.snoops_data = snp_data;
    let regs = &mut host.dev.regs;
    s.controller_error = regs.read::<coherent::Status>()?.error();
    for ch in 0..dma::COUNT {
        s.channels_halted += u32::from(regs.read_at::<dma::Status>(ch)?.halted());
    }
    Ok(s)
}

fn add(leg: &mut Leg, m: &crate::host::Migrated) {
    leg.pages += m.copy.migrated;
    leg.cycles += m.cycles;
    leg.descriptors += m.copy.descriptors;
    leg.copy_failed += m.copy.copy_failed;
}

fn mismatches(got: &[u8], want: &[u8]) -> u64 {
    got.iter().zip(want).filter(|(a, b)| a != b).count() as u64
}

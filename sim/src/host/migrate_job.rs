//! `cdm migrate`, the main job: a process's anonymous memory migrates to device memory,
//! the CPU reads and writes part of it in place through its cache and the coherent
//! port, the memory migrates back, and every byte is checked against what the CPU
//! wrote.

use std::fmt;

use cdm_driver::cdm::{CdmError, HUGE, PAGE};
use cdm_driver::io::BusError;
use cdm_driver::regs::{coherent, dma};
use cdm_regmap::{DEVMEM_BYTES, DMA_WATCHDOG_RESET};
use serde::Serialize;

use crate::bench::{gbps, utilization};
use crate::bus::axi4_memory::MemoryTiming;
use crate::bus::axil::Timing;
use crate::design::dut::Dut;
use crate::host::mm::Prot;
use crate::host::Host;
use crate::rng::Rng;

/// The largest job: the half of device memory its device instance owns.
pub const MAX_SIZE: u64 = DEVMEM_BYTES / 2;
/// The slowest memory a job accepts, in cycles of read latency (100 us at 100 MHz, far
/// beyond any DRAM). Well inside the DMA watchdog (`DMA_WATCHDOG_RESET` cycles without
/// bus progress) and the host model's CPU watchdog, so a slow memory is never taken for
/// a hung one.
pub const MAX_LATENCY: u64 = 10_000;
const _: () = assert!(4 * MAX_LATENCY < DMA_WATCHDOG_RESET as u64);

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    /// Bytes of anonymous memory: a multiple of 4 KiB, at most [`MAX_SIZE`].
    pub size: u64,
    /// Transparent huge pages for the range.
    pub huge: bool,
    /// Read latency of host and device memory, in cycles (at most [`MAX_LATENCY`]).
    pub latency: u64,
    pub seed: u64,
    /// One page in `touch_every` gets a CPU load and store while on the device.
    pub touch_every: u64,
}

impl Job {
    /// The job's values are ones it can run, or an error naming the one that is not.
    pub fn check(&self) -> Result<(), String> {
        if self.size == 0 || !self.size.is_multiple_of(PAGE) {
            return Err(format!(
                "size {} bytes: not a positive multiple of the 4 KiB page",
                self.size
            ));
        }
        if self.size > MAX_SIZE {
            return Err(format!(
                "size {} bytes: more than the {} MiB of device memory the job's device owns",
                self.size,
                MAX_SIZE >> 20
            ));
        }
        if self.latency > MAX_LATENCY {
            return Err(format!(
                "latency {} cycles: more than {MAX_LATENCY}, where the DMA watchdog \
                 ({DMA_WATCHDOG_RESET} cycles without bus progress) would start failing copies",
                self.latency
            ));
        }
        if self.touch_every == 0 {
            return Err("touch-every 0: the CPU touches one page in every N, N >= 1".into());
        }
        Ok(())
    }
}

/// Why a job did not run to its end.
#[derive(Debug)]
pub enum JobError {
    /// A value [`Job::check`] refuses.
    Invalid(String),
    /// A migration call failed as a whole.
    Driver(CdmError<BusError>),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Invalid(why) => f.write_str(why),
            JobError::Driver(e) => write!(f, "the driver failed: {e}"),
        }
    }
}

impl std::error::Error for JobError {}

impl From<CdmError<BusError>> for JobError {
    fn from(e: CdmError<BusError>) -> JobError {
        JobError::Driver(e)
    }
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
    /// Bytes the leg moved: its migrated pages, not what was asked for.
    pub fn bytes(&self) -> u64 {
        self.pages as u64 * PAGE
    }

    /// GB/s at the device's clock.
    pub fn gbps(&self) -> f64 {
        gbps(self.bytes(), self.cycles)
    }

    /// Fraction of the data bus.
    pub fn utilization(&self) -> f64 {
        utilization(self.bytes(), self.cycles)
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
/// A job [`Job::check`] refuses, or the driver's error when a migration call fails as
/// a whole.
pub fn run(
    dut: Box<dyn Dut>,
    job: Job,
    mut progress: impl FnMut(Phase, u64, u64),
) -> Result<Summary, JobError> {
    job.check().map_err(JobError::Invalid)?;
    let mut rng = Rng::new(job.seed);
    let mut host = Host::new(
        dut,
        MemoryTiming::ideal(job.latency),
        Timing::EAGER,
        &mut rng,
    );
    let size = job.size;
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
    s.controller_error = regs
        .read::<coherent::Status>()
        .map_err(CdmError::from)?
        .error();
    for ch in 0..dma::COUNT {
        let status = regs.read_at::<dma::Status>(ch).map_err(CdmError::from)?;
        s.channels_halted += u32::from(status.halted());
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

//! The host: a small but faithful mm around the simulated device, running the real
//! driver.
//!
//! - [`mm`]: virtual ranges with protections and the page table (system pages, device
//!   pages, the zero page, holes, 2 MiB mappings, migration entries).
//! - [`Host`]: page faults, CPU loads and stores (device pages through the host cache
//!   and the device's coherent port, never around it), the device's own reads and
//!   writes of process memory (the kernel test driver's `dmirror` read and write),
//!   `migrate_vma` collect and finalize around the driver's
//!   [`alloc_and_copy`], eviction, short and long-term pins, and the per-page snapshot.
//! - [`cpu`]: a CPU thread that keeps loading and storing device memory while the
//!   driver waits on the device.
//! - [`device`]: the device top as the host sees it: its registers through the driver,
//!   host and device memory on the memory models, DMA rings.
//! - [`migrate_job`]: `cdm migrate`, the main job.
//!
//! Two devices side by side are two driver instances, each owning half of the device
//! memory and one DMA channel of the one simulated device, the way the kernel's test
//! driver runs its device files over separate memory ranges. Single-threaded: a CPU
//! access to a page under migration cannot happen during a migration call; the model
//! answers one with [`CdmError::Busy`] instead of sleeping.

pub mod cpu;
pub mod device;
pub mod migrate_job;
pub mod mm;

use cdm_driver::cdm::{
    self, alloc_and_copy, CdmError, CopyStats, MigratePfn, PageAllocator, Region, HUGE, PAGE,
    PAGES_PER_HUGE,
};
use cdm_driver::dma::{Channel, Flags, Transfer};
use cdm_driver::io::BusError;
use cdm_driver::regs::coherent;

use crate::bus::axi4_memory::MemoryTiming;
use crate::bus::axil::Timing;
use crate::coherent::host_cache::Access;
use crate::coherent::protocol::LINE;
use crate::design::dut::Dut;
use crate::host::device::{DmaDevice, RINGS};
use crate::rng::Rng;
use mm::{Kind, Mm, Prot, Pte};

/// System RAM: 1 GiB at 4 GiB.
pub const SYSTEM: Region = Region {
    base: 0x1_0000_0000,
    size: 1 << 30,
};
/// Buffers of the devices' own reads and writes of process memory.
pub const BOUNCE: Region = Region {
    base: 0x4000_0000,
    size: 64 << 20,
};
/// Where device memory is plugged into the physical address space.
pub const DEVMEM_BASE: u64 = 0x80_0000_0000;
/// Descriptors per ring.
const RING_LOG2: u32 = 10;
/// Bound of every wait on the device, in polls (each a few register reads).
const POLLS: u32 = 1 << 22;
/// Cycles a CPU access may wait for its line.
const CPU_WATCHDOG: u64 = 100_000;

/// One CDM device instance: its memory, allocator and DMA channel.
pub struct CdmDevice {
    pub pages: PageAllocator<Vec<u16>>,
    pub chan: Channel,
}

/// Which pages a collect selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Select {
    /// System pages, the zero page and holes: migration to device `n`.
    System,
    /// Pages of device `n`: migration back to system memory.
    Device(usize),
}

/// A page's state as the device sees it without faulting (`HMM_DMIRROR_SNAPSHOT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Present {
    /// Not mapped (or protected against any access).
    None,
    /// The zero page.
    Zero,
    /// A system page.
    System,
    /// A page of the asking device.
    Local,
    /// A page of the other device.
    Remote,
}

/// Snapshot of one page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageState {
    pub present: Present,
    pub write: bool,
    pub huge: bool,
}

/// What a migration call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Pages of the range on the target after the call (`cpages` of the kernel test).
    pub cpages: usize,
    /// What the driver's copy step did.
    pub copy: CopyStats,
    /// Simulated cycles the call took.
    pub cycles: u64,
}

/// The host machine: the device, the process's mm and the system page allocator.
pub struct Host {
    pub dev: DmaDevice,
    pub mm: Mm,
    pub system: PageAllocator<Vec<u16>>,
    pub devices: Vec<CdmDevice>,
    /// The whole device memory region.
    pub devmem: Region,
    zero_page: u64,
    huge_zero_page: u64,
}

fn storage(size: u64) -> (Vec<u16>, Vec<u16>) {
    let (p, b) = PageAllocator::<Vec<u16>>::storage(size);
    (vec![0; p], vec![0; b])
}

impl Host {
    /// Brings up the device top `dut` (out of reset) with memories of `timing` through
    /// the driver: probes the device memory, opens one channel per device instance.
    pub fn new(dut: Box<dyn Dut>, timing: MemoryTiming, csr: Timing, rng: &mut Rng) -> Host {
        let mut dev = DmaDevice::new(dut, timing, csr, RING_LOG2, rng);
        let bus = dev.regs.io_mut();
        let devmem = cdm::probe(bus, DEVMEM_BASE, POLLS).expect("device probes");
        cdm::allow_dma(bus, 1, SYSTEM).expect("window 1");
        cdm::allow_dma(bus, 2, BOUNCE).expect("window 2");
        let half = devmem.size / 2;
        let devices = (0..2)
            .map(|n| {
                let region = Region {
                    base: devmem.base + n as u64 * half,
                    size: half,
                };
                let (p, b) = storage(half);
                let ring = RINGS + n as u64 * 0x10_0000;
                CdmDevice {
                    pages: PageAllocator::new(region, p, b).expect("aligned region"),
                    chan: Channel::open(bus, n, ring, RING_LOG2).expect("channel opens"),
                }
            })
            .collect();
        let (p, b) = storage(SYSTEM.size);
        let mut system = PageAllocator::new(SYSTEM, p, b).expect("aligned system RAM");
        let huge_zero_page = system.allocate(true).expect("room for the zero pages");
        let zero_page = system.allocate(false).expect("room for the zero pages");
        Host {
            dev,
            mm: Mm::default(),
            system,
            devices,
            devmem,
            zero_page,
            huge_zero_page,
        }
    }

    /// Simulated cycles so far.
    pub fn cycle(&mut self) -> u64 {
        self.dev.cycle()
    }

    // ---- frames -------------------------------------------------------------------

    /// The device instance owning physical page `addr`.
    fn owner(&self, addr: u64) -> Option<usize> {
        self.devices
            .iter()
            .position(|d| d.pages.region().contains(addr, PAGE))
    }

    fn allocator(&mut self, kind: Kind) -> Option<&mut PageAllocator<Vec<u16>>> {
        match kind {
            Kind::System => Some(&mut self.system),
            Kind::Device(n) => Some(&mut self.devices[n].pages),
            Kind::Zero => None,
        }
    }

    /// Drops the mapping's reference on its frame (`head` of a huge one).
    fn put(&mut self, kind: Kind, head: u64) {
        if let Some(a) = self.allocator(kind) {
            a.put(head).expect("a mapped frame holds a reference");
        }
    }

    /// Splits the huge mapping holding `va` and its frame into small pages.
    fn split(&mut self, va: u64) -> Result<(), CdmError<BusError>> {
        let Some(p) = self.mm.pte(va).filter(|p| p.huge) else {
            return Ok(());
        };
        if let Some(a) = self.allocator(p.kind) {
            a.split(p.head())?;
        }
        self.mm.split_pmd(va);
        Ok(())
    }

    // ---- CPU and device access to frames ------------------------------------------

    /// Reads physical memory: system RAM directly, device memory through the host
    /// cache and the coherent port.
    fn read_phys(&mut self, kind: Kind, addr: u64, out: &mut [u8]) {
        match kind {
            Kind::System | Kind::Zero => self.dev.mem().read(addr, out),
            Kind::Device(_) => {
                for (at, line, o, n) in self.line_pieces(addr, out.len()) {
                    let got = self.cpu_wait(|c| c.load(line, o, n));
                    out[at..at + n].copy_from_slice(&got);
                }
            }
        }
    }

    fn write_phys(&mut self, kind: Kind, addr: u64, data: &[u8]) {
        match kind {
            Kind::System => self.dev.mem().write(addr, data),
            Kind::Zero => unreachable!("the zero page is never written"),
            Kind::Device(_) => {
                for (at, line, o, n) in self.line_pieces(addr, data.len()) {
                    self.cpu_wait(|c| c.store(line, o, &data[at..at + n]));
                }
            }
        }
    }

    /// `len` bytes of device memory at `addr` cut at cache lines: per piece its start in
    /// the buffer, the host cache's line number, the offset in the line and the length.
    fn line_pieces(&self, addr: u64, len: usize) -> Vec<(usize, u64, usize, usize)> {
        let line = LINE as u64;
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < len {
            let off = addr + at as u64 - self.devmem.base;
            let o = (off % line) as usize;
            let n = (LINE - o).min(len - at);
            pieces.push((at, off / line, o, n));
            at += n;
        }
        pieces
    }

    /// Retries a host cache access every cycle until it completes.
    fn cpu_wait(
        &mut self,
        mut access: impl FnMut(&mut crate::coherent::host_cache::HostCache) -> Access,
    ) -> Vec<u8> {
        let start = self.cycle();
        loop {
            if let Access::Done(b) = access(&mut self.dev.cpu().cache) {
                return b;
            }
            self.dev.regs.io_mut().idle(1);
            let waited = self.cycle() - start;
            assert!(waited < CPU_WATCHDOG, "CPU access waited {waited} cycles");
        }
    }

    // ---- faults -------------------------------------------------------------------

    /// Resolves `va` for an access, faulting the page in as the kernel would: a read
    /// of a hole maps the zero page (the huge one in a THP range), a write allocates
    /// (a huge page in a THP range when the whole 2 MiB is a hole) or breaks the zero
    /// page.
    fn fault(&mut self, va: u64, write: bool) -> Result<Pte, CdmError<BusError>> {
        let vma = self.mm.vma(va).ok_or(CdmError::Fault)?;
        match vma.prot {
            Prot::None => return Err(CdmError::Fault),
            Prot::Read if write => return Err(CdmError::Permission),
            _ => {}
        }
        let page = va & !(PAGE - 1);
        let head = va & !(HUGE - 1);
        let thp = vma.huge && head >= vma.start && head + HUGE <= vma.end;
        match self.mm.pte(page) {
            Some(p) if p.migrating => Err(CdmError::Busy),
            Some(p) if !write || p.write => Ok(p),
            Some(p) if p.kind == Kind::Zero => {
                if p.huge {
                    self.mm.split_pmd(page);
                }
                self.mm.clear_pte(page);
                self.populate(page, None)
            }
            Some(p) => {
                // A write to a page mapped read-only in a range that allows it (after
                // an mprotect): the mapping regains write permission.
                let (from, len) = if p.huge { (head, HUGE) } else { (page, PAGE) };
                let vas: Vec<u64> = self.mm.ptes(from, from + len).map(|(v, _)| v).collect();
                for v in vas {
                    self.mm.pte_mut(v).unwrap().write = true;
                }
                Ok(self.mm.pte(page).unwrap())
            }
            None if !write => {
                if thp && self.mm.ptes(head, head + HUGE).next().is_none() {
                    for i in 0..PAGES_PER_HUGE as u64 {
                        self.mm.set_pte(
                            head + i * PAGE,
                            Pte {
                                frame: self.huge_zero_page + i * PAGE,
                                kind: Kind::Zero,
                                write: false,
                                huge: true,
                                migrating: false,
                            },
                        );
                    }
                } else {
                    self.mm.set_pte(
                        page,
                        Pte {
                            frame: self.zero_page,
                            kind: Kind::Zero,
                            write: false,
                            huge: false,
                            migrating: false,
                        },
                    );
                }
                Ok(self.mm.pte(page).unwrap())
            }
            None => {
                let whole = thp && self.mm.ptes(head, head + HUGE).next().is_none();
                self.populate(page, whole.then_some(head))
            }
        }
    }

    /// Maps a new zeroed system page at `page` (or a huge one at `huge`, falling back
    /// to a small page when none is free).
    fn populate(&mut self, page: u64, huge: Option<u64>) -> Result<Pte, CdmError<BusError>> {
        if let Some(head) = huge {
            if let Ok(frame) = self.system.allocate(true) {
                self.dev.mem().write(frame, &vec![0; HUGE as usize]);
                self.map(head, frame, Kind::System, true, true);
                return Ok(self.mm.pte(page).unwrap());
            }
        }
        let frame = self.system.allocate(false)?;
        self.dev.mem().write(frame, &[0; PAGE as usize]);
        self.map(page, frame, Kind::System, true, false);
        Ok(self.mm.pte(page).unwrap())
    }

    /// Maps `frame` at `va` (512 entries when `huge`).
    fn map(&mut self, va: u64, frame: u64, kind: Kind, write: bool, huge: bool) {
        let n = if huge { PAGES_PER_HUGE as u64 } else { 1 };
        for i in 0..n {
            self.mm.set_pte(
                va + i * PAGE,
                Pte {
                    frame: frame + i * PAGE,
                    kind,
                    write,
                    huge,
                    migrating: false,
                },
            );
        }
    }

    // ---- the CPU ------------------------------------------------------------------

    /// A CPU load of `len` bytes at `va`: faults pages in, reads device pages in place
    /// through the host cache.
    ///
    /// # Errors
    ///
    /// `Fault` outside a readable range, `Busy` on a page under migration.
    pub fn cpu_read(&mut self, va: u64, len: usize) -> Result<Vec<u8>, CdmError<BusError>> {
        let mut out = vec![0; len];
        let mut at = 0;
        while at < len {
            let v = va + at as u64;
            let n = ((PAGE - v % PAGE) as usize).min(len - at);
            let p = self.fault(v, false)?;
            self.read_phys(p.kind, p.frame + v % PAGE, &mut out[at..at + n]);
            at += n;
        }
        Ok(out)
    }

    /// A CPU store of `data` at `va`.
    ///
    /// # Errors
    ///
    /// `Fault` outside a mapped range, `Permission` on a read-only one, `Busy` on a
    /// page under migration.
    pub fn cpu_write(&mut self, va: u64, data: &[u8]) -> Result<(), CdmError<BusError>> {
        let mut at = 0;
        while at < data.len() {
            let v = va + at as u64;
            let n = ((PAGE - v % PAGE) as usize).min(data.len() - at);
            let p = self.fault(v, true)?;
            self.write_phys(p.kind, p.frame + v % PAGE, &data[at..at + n]);
            at += n;
        }
        Ok(())
    }

    /// Maps `len` bytes of anonymous memory.
    pub fn mmap(&mut self, len: u64, prot: Prot, huge: bool) -> u64 {
        self.mm.mmap(len, prot, huge)
    }

    /// Changes the protection of `va..va + len`.
    pub fn mprotect(&mut self, va: u64, len: u64, prot: Prot) {
        self.mm.mprotect(va, va + len, prot);
    }

    /// Unmaps `va..va + len` (page aligned), dropping the frames' references; a huge
    /// mapping cut in part is split first.
    ///
    /// # Errors
    ///
    /// `Invalid` for an unaligned range; `Busy` when a pinned huge page would need a
    /// split.
    pub fn munmap(&mut self, va: u64, len: u64) -> Result<(), CdmError<BusError>> {
        if !va.is_multiple_of(PAGE) || !len.is_multiple_of(PAGE) {
            return Err(CdmError::Invalid);
        }
        let end = va + len;
        for edge in [va, end] {
            if edge % HUGE != 0 {
                self.split(edge)?;
            }
        }
        let ptes: Vec<(u64, Pte)> = self.mm.ptes(va, end).collect();
        for (v, p) in ptes {
            self.mm.clear_pte(v);
            if !p.huge || v % HUGE == 0 {
                self.put(p.kind, p.head());
            }
        }
        self.mm.remove_vmas(va, end);
        Ok(())
    }

    // ---- the devices' own access to process memory ----------------------------------

    /// Faults in `va..va + len` for device `n` (`hmm_range_fault`) and returns the
    /// frames of its pages.
    fn device_fault(
        &mut self,
        va: u64,
        len: u64,
        write: bool,
    ) -> Result<Vec<Pte>, CdmError<BusError>> {
        if !va.is_multiple_of(PAGE) || !len.is_multiple_of(PAGE) || len > BOUNCE.size {
            return Err(CdmError::Invalid);
        }
        (0..len / PAGE)
            .map(|i| self.fault(va + i * PAGE, write))
            .collect()
    }

    /// Copies each page between its frame and the bounce buffer with device `n`'s DMA.
    fn device_copy(
        &mut self,
        n: usize,
        frames: &[Pte],
        to_bounce: bool,
    ) -> Result<(), CdmError<BusError>> {
        let bus = self.dev.regs.io_mut();
        let chan = &mut self.devices[n].chan;
        for (i, p) in frames.iter().enumerate() {
            let b = BOUNCE.base + i as u64 * PAGE;
            let (src, dst) = if to_bounce {
                (p.frame, b)
            } else {
                (b, p.frame)
            };
            let t = Transfer::Copy {
                src,
                dst,
                len: PAGE as u32,
            };
            loop {
                match chan.prep(bus, t, Flags::default()) {
                    Ok(_) => break,
                    Err(cdm_driver::dma::DmaError::RingFull) => {
                        chan.issue_pending(bus)?;
                        chan.wait_for_room(bus, chan.capacity() / 2, POLLS)?;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        chan.issue_pending(bus)?;
        chan.wait(bus, POLLS)?;
        Ok(())
    }

    /// Device `n` reads `len` bytes of process memory at `va` by DMA, faulting pages in
    /// first (`HMM_DMIRROR_READ`).
    ///
    /// # Errors
    ///
    /// `Fault` for an unmapped or protected page, `Invalid` for a bad range.
    pub fn device_read(
        &mut self,
        n: usize,
        va: u64,
        len: u64,
    ) -> Result<Vec<u8>, CdmError<BusError>> {
        let frames = self.device_fault(va, len, false)?;
        self.device_copy(n, &frames, true)?;
        Ok(self.dev.mem().read_vec(BOUNCE.base, len as usize))
    }

    /// Device `n` writes `data` into process memory at `va` by DMA
    /// (`HMM_DMIRROR_WRITE`).
    ///
    /// # Errors
    ///
    /// `Fault` for an unmapped or protected page, `Permission` for a read-only one.
    pub fn device_write(
        &mut self,
        n: usize,
        va: u64,
        data: &[u8],
    ) -> Result<(), CdmError<BusError>> {
        let frames = self.device_fault(va, data.len() as u64, true)?;
        self.dev.mem().write(BOUNCE.base, data);
        self.device_copy(n, &frames, false)
    }

    // ---- migration ----------------------------------------------------------------

    /// `migrate_vma_setup`: one entry per 4 KiB page of `va..va + len`; selected pages
    /// get `MIGRATE` and become migration entries.
    fn collect(
        &mut self,
        va: u64,
        len: u64,
        select: Select,
    ) -> Result<Vec<MigratePfn>, CdmError<BusError>> {
        if !va.is_multiple_of(PAGE) || !len.is_multiple_of(PAGE) || len == 0 {
            return Err(CdmError::Invalid);
        }
        let end = va + len;
        let mut at = va;
        while at < end {
            let vma = self.mm.vma(at).ok_or(CdmError::Invalid)?;
            if vma.prot == Prot::None {
                return Err(CdmError::Invalid);
            }
            at = vma.end;
        }
        // Huge mappings the range cuts are split; pinned ones cannot be.
        for edge in [va, end] {
            if edge % HUGE != 0 {
                self.split(edge)?;
            }
        }
        let n = (len / PAGE) as usize;
        let mut src = vec![MigratePfn::EMPTY; n];
        let mut i = 0;
        while i < n {
            let v = va + i as u64 * PAGE;
            let vma = self.mm.vma(v).unwrap();
            let writable = vma.prot == Prot::ReadWrite;
            let pte = self.mm.pte(v);
            let huge = pte.map_or(
                vma.huge
                    && v.is_multiple_of(HUGE)
                    && i + PAGES_PER_HUGE <= n
                    && v + HUGE <= vma.end
                    && self.mm.ptes(v, v + HUGE).next().is_none(),
                |p| p.huge,
            );
            let step = if huge { PAGES_PER_HUGE } else { 1 };
            let compound = if huge { MigratePfn::COMPOUND } else { 0 };
            let w = if writable { MigratePfn::WRITE } else { 0 };
            let entry = match (pte, select) {
                // Holes and the zero page: the destination is zero-filled.
                (None, Select::System) => MigratePfn::new(0, MigratePfn::MIGRATE | w | compound),
                (Some(p), Select::System) if p.kind == Kind::Zero => {
                    MigratePfn::new(0, MigratePfn::MIGRATE | w | compound)
                }
                (Some(p), Select::System) if p.kind == Kind::System => {
                    self.movable(p, w | compound)
                }
                (Some(p), Select::Device(d)) if p.kind == Kind::Device(d) => {
                    self.movable(p, w | compound)
                }
                _ => MigratePfn::EMPTY,
            };
            if entry.migrate() {
                for k in 0..step {
                    if let Some(p) = self.mm.pte_mut(v + k as u64 * PAGE) {
                        p.migrating = true;
                    }
                }
            }
            src[i] = entry;
            i += step;
        }
        Ok(src)
    }

    /// The entry of a mapped page: `MIGRATE` unless something else holds a reference
    /// (a pin).
    fn movable(&mut self, p: Pte, flags: u64) -> MigratePfn {
        let head = p.head();
        let refs = self.allocator(p.kind).map_or(1, |a| a.refcount(head));
        let flags = MigratePfn::VALID | flags;
        if refs > 1 {
            MigratePfn::new(head, flags & !MigratePfn::WRITE)
        } else {
            MigratePfn::new(head, flags | MigratePfn::MIGRATE)
        }
    }

    /// `migrate_vma_pages` + `migrate_vma_finalize`: switches every page whose
    /// destination is set, restores the others, frees the old pages. Returns the pages
    /// switched.
    fn finalize(&mut self, va: u64, src: &[MigratePfn], dst: &[MigratePfn], kind: Kind) -> usize {
        let mut moved = 0;
        let mut i = 0;
        while i < src.len() {
            let s = src[i];
            let v = va + i as u64 * PAGE;
            if !s.migrate() {
                i += 1;
                continue;
            }
            let step = if s.compound() { PAGES_PER_HUGE } else { 1 };
            let old = self.mm.pte(v);
            for k in 0..step {
                if let Some(p) = self.mm.pte_mut(v + k as u64 * PAGE) {
                    p.migrating = false;
                }
            }
            if dst[i].valid() && dst[i].compound() {
                if let Some(o) = old {
                    self.put(o.kind, o.head());
                }
                self.map(v, dst[i].addr(), kind, dst[i].write(), true);
                moved += PAGES_PER_HUGE;
            } else if dst[i..i + step].iter().any(|d| d.valid()) {
                if step > 1 {
                    // A huge source moving as small pages: split it first.
                    if let Some(o) = old {
                        if let Some(a) = self.allocator(o.kind) {
                            a.split(o.head())
                                .expect("a collected page has no other reference");
                        }
                        self.mm.split_pmd(v);
                    }
                }
                for k in 0..step {
                    let d = dst[i + k];
                    if !d.valid() {
                        continue;
                    }
                    let at = v + k as u64 * PAGE;
                    if let Some(o) = self.mm.pte(at) {
                        self.put(o.kind, o.frame);
                    }
                    self.map(at, d.addr(), kind, d.write(), false);
                    moved += 1;
                }
            }
            i += step;
        }
        moved
    }

    /// Pages of `va..va + len` mapped to `kind`.
    fn count(&self, va: u64, len: u64, kind: Kind) -> usize {
        self.mm
            .ptes(va, va + len)
            .filter(|(_, p)| p.kind == kind)
            .count()
    }

    /// Migrates `va..va + len` to device `n` (`HMM_DMIRROR_MIGRATE_TO_DEV`): system
    /// pages, the zero page and holes move; pages of either device stay.
    ///
    /// # Errors
    ///
    /// `Invalid` for a bad range, one not wholly mapped, or a protected one; `Busy` if
    /// the device hangs. Pages whose allocation or copy fails stay in place.
    pub fn migrate_to_device(
        &mut self,
        n: usize,
        va: u64,
        len: u64,
    ) -> Result<Migrated, CdmError<BusError>> {
        self.migrate(n, va, len, Select::System)
    }

    /// Migrates the pages of device `n` in `va..va + len` back to system memory
    /// (`HMM_DMIRROR_MIGRATE_TO_SYS`).
    ///
    /// # Errors
    ///
    /// As [`migrate_to_device`](Self::migrate_to_device).
    pub fn migrate_to_system(
        &mut self,
        n: usize,
        va: u64,
        len: u64,
    ) -> Result<Migrated, CdmError<BusError>> {
        self.migrate(n, va, len, Select::Device(n))
    }

    /// One migration with device `n`'s DMA channel: collect what `select` picks,
    /// allocate and copy (destinations from device `n` or from system memory), finalize.
    fn migrate(
        &mut self,
        n: usize,
        va: u64,
        len: u64,
        select: Select,
    ) -> Result<Migrated, CdmError<BusError>> {
        let start = self.cycle();
        let src = self.collect(va, len, select)?;
        let mut dst = vec![MigratePfn::EMPTY; src.len()];
        let bus = self.dev.regs.io_mut();
        let d = &mut self.devices[n];
        let (result, target) = match select {
            Select::System => (
                alloc_and_copy(bus, &mut d.chan, &mut d.pages, &src, &mut dst, POLLS),
                Kind::Device(n),
            ),
            Select::Device(_) => (
                alloc_and_copy(bus, &mut d.chan, &mut self.system, &src, &mut dst, POLLS),
                Kind::System,
            ),
        };
        self.finalize(va, &src, &dst, target);
        let copy = result?;
        Ok(Migrated {
            cpages: self.count(va, len, target),
            copy,
            cycles: self.cycle() - start,
        })
    }

    /// Evicts device `n`'s memory (`HMM_DMIRROR_RELEASE`, driver unbind): every
    /// mapped page of it migrates back to system memory. Returns the pages moved.
    ///
    /// # Errors
    ///
    /// `Busy` when a page cannot leave (pinned) or the device hangs.
    pub fn evict(&mut self, n: usize) -> Result<usize, CdmError<BusError>> {
        let mapped: Vec<u64> = self
            .mm
            .all_ptes()
            .filter(|(_, p)| p.kind == Kind::Device(n))
            .map(|(va, _)| va)
            .collect();
        let mut moved = 0;
        let mut at = 0;
        while at < mapped.len() {
            // One call per run of consecutive pages.
            let mut end = at + 1;
            while end < mapped.len() && mapped[end] == mapped[end - 1] + PAGE {
                end += 1;
            }
            let len = (end - at) as u64 * PAGE;
            moved += self.migrate_to_system(n, mapped[at], len)?.copy.migrated;
            at = end;
        }
        if self.mm.all_ptes().any(|(_, p)| p.kind == Kind::Device(n)) {
            return Err(CdmError::Busy);
        }
        Ok(moved)
    }

    // ---- pins and snapshots -------------------------------------------------------

    /// Pins the page at `va` (`get_user_pages`); a long-term pin of a device page
    /// migrates it to system memory first, so device memory is never pinned. Returns
    /// the pinned frame.
    ///
    /// # Errors
    ///
    /// As a CPU read; `Busy` if a long-term pin cannot move the page.
    pub fn pin(&mut self, va: u64, long_term: bool) -> Result<u64, CdmError<BusError>> {
        let mut p = self.fault(va, false)?;
        if let (true, Kind::Device(n)) = (long_term, p.kind) {
            let page = va & !(PAGE - 1);
            self.split(page)?;
            self.migrate_to_system(n, page, PAGE)?;
            p = self.mm.pte(page).ok_or(CdmError::NoEntry)?;
            if p.kind != Kind::System {
                return Err(CdmError::Busy);
            }
        }
        let head = p.head();
        if let Some(a) = self.allocator(p.kind) {
            a.get(head)?;
        }
        Ok(head)
    }

    /// Drops a pin [`pin`](Self::pin) took on `frame`.
    ///
    /// # Errors
    ///
    /// `Invalid` for a frame that is not pinned.
    pub fn unpin(&mut self, frame: u64) -> Result<(), CdmError<BusError>> {
        let kind = match self.owner(frame) {
            Some(n) => Kind::Device(n),
            None => Kind::System,
        };
        let a = self.allocator(kind).ok_or(CdmError::Invalid)?;
        if a.refcount(frame) < 2 {
            return Err(CdmError::Invalid);
        }
        a.put(frame)?;
        Ok(())
    }

    /// The state of every page of `va..va + len` as device `n` sees it, without
    /// faulting (`HMM_DMIRROR_SNAPSHOT`).
    pub fn snapshot(&self, n: usize, va: u64, len: u64) -> Vec<PageState> {
        (0..len / PAGE)
            .map(|i| {
                let v = va + i * PAGE;
                let readable = self.mm.vma(v).is_some_and(|m| m.prot != Prot::None);
                match self.mm.pte(v).filter(|_| readable) {
                    None => PageState {
                        present: Present::None,
                        write: false,
                        huge: false,
                    },
                    Some(p) => PageState {
                        present: match p.kind {
                            Kind::Zero => Present::Zero,
                            Kind::System => Present::System,
                            Kind::Device(d) if d == n => Present::Local,
                            Kind::Device(_) => Present::Remote,
                        },
                        write: p.write,
                        huge: p.huge,
                    },
                }
            })
            .collect()
    }

    /// Device `n`'s one-shot allocation failure: its next page allocation fails.
    pub fn fail_next_device_alloc(&mut self, n: usize) {
        self.devices[n].pages.fail_next_alloc();
    }

    /// The coherent controller's snoops so far (invalidations, data).
    pub fn snoops(&mut self) -> (u32, u32) {
        let r = &mut self.dev.regs;
        let inv = r.read::<coherent::SnoopsInv>().expect("CSR read").value();
        let data = r.read::<coherent::SnoopsData>().expect("CSR read").value();
        (inv, data)
    }
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("devmem", &self.devmem)
            .finish_non_exhaustive()
    }
}

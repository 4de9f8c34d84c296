//! Coherent device memory (CDM): the region and the DMA windows (here), its page
//! allocator ([`PageAllocator`]), and the device's half of a migration with Linux
//! `migrate_vma` semantics ([`alloc_and_copy`]).
//!
//! The host mm does `migrate_vma_setup` (collect and unmap the pages, leaving
//! migration entries) and `migrate_vma_pages` / `_finalize` (switch the mappings,
//! free the old pages); between them the driver allocates destinations and copies
//! with the DMA engine: [`alloc_and_copy`]. Entries are per 4 KiB page, as in the
//! kernel: a 2 MiB page is one [`MigratePfn::COMPOUND`] entry at a 512-aligned index
//! followed by 511 empty ones.
//!
//! Nothing here allocates: the caller provides the allocator's storage and the entry
//! arrays.

use core::fmt;

use crate::dma::DmaError;
use crate::io::RegisterIo;
use crate::regs::{coherent, global, window};
use crate::{Error, Regs};

mod migrate;
mod pages;

pub use migrate::{alloc_and_copy, CopyStats, MigratePfn};
pub use pages::{PageAllocator, PageError, PageSource};

/// A small page: 4 KiB.
pub const PAGE: u64 = 4096;
/// A huge page: 2 MiB.
pub const HUGE: u64 = 2 << 20;
/// Small pages in a huge page.
pub const PAGES_PER_HUGE: usize = (HUGE / PAGE) as usize;

/// Why a CDM call failed; each kind mirrors the errno the kernel's test driver returns.
///
/// `B` is the bus's error ([`RegisterIo::Error`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CdmError<B> {
    /// Bad argument: a range not page aligned, not mapped, not in the region, or past
    /// the top of the address space (-EINVAL).
    Invalid,
    /// A page is not where it should be (-ENOENT).
    NoEntry,
    /// Access to a protected range (-EFAULT).
    Fault,
    /// Write to a read-only page (-EPERM).
    Permission,
    /// The device did not finish in time (-EBUSY).
    Busy,
    /// No page to allocate (-ENOMEM).
    NoMemory,
    /// The DMA engine failed in a way no page-level fallback covers.
    Dma(DmaError<B>),
}

impl<B> CdmError<B> {
    /// The Linux errno (negative) the kernel's test driver returns for this error.
    #[must_use]
    pub const fn errno(&self) -> i32 {
        match self {
            CdmError::Invalid | CdmError::Dma(DmaError::AddressOverflow) => -22,
            CdmError::NoEntry => -2,
            CdmError::Fault => -14,
            CdmError::Permission => -1,
            CdmError::Busy | CdmError::Dma(DmaError::Timeout) => -16,
            CdmError::NoMemory => -12,
            CdmError::Dma(_) => -5,
        }
    }
}

impl<B> From<DmaError<B>> for CdmError<B> {
    fn from(e: DmaError<B>) -> CdmError<B> {
        match e {
            DmaError::Timeout => CdmError::Busy,
            DmaError::AddressOverflow => CdmError::Invalid,
            e => CdmError::Dma(e),
        }
    }
}

impl<B> From<Error<B>> for CdmError<B> {
    fn from(e: Error<B>) -> CdmError<B> {
        CdmError::Dma(DmaError::Register(e))
    }
}

impl<B: fmt::Display> fmt::Display for CdmError<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CdmError::Invalid => f.write_str("invalid range (EINVAL)"),
            CdmError::NoEntry => f.write_str("page not on the expected device (ENOENT)"),
            CdmError::Fault => f.write_str("access to a protected range (EFAULT)"),
            CdmError::Permission => f.write_str("write to a read-only page (EPERM)"),
            CdmError::Busy => f.write_str("device busy or timed out (EBUSY)"),
            CdmError::NoMemory => f.write_str("out of device memory (ENOMEM)"),
            CdmError::Dma(e) => write!(f, "DMA: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl<B: fmt::Debug + fmt::Display> std::error::Error for CdmError<B> {}

/// The device memory region: where it sits in the physical (and DMA) address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub base: u64,
    /// Bytes.
    pub size: u64,
}

impl Region {
    /// True when `len` bytes at `addr` lie inside the region.
    #[must_use]
    pub const fn contains(&self, addr: u64, len: u64) -> bool {
        addr >= self.base && len <= self.size && addr - self.base <= self.size - len
    }

    /// The last byte, `base + size - 1`: `None` for an empty region or one that runs
    /// past the top of the address space (whose addresses would wrap around to 0).
    #[must_use]
    pub const fn last(&self) -> Option<u64> {
        match self.size.checked_sub(1) {
            Some(n) => self.base.checked_add(n),
            None => None,
        }
    }

    /// True for a region inside the address space (an empty one included).
    const fn fits(&self) -> bool {
        self.size == 0 || self.last().is_some()
    }
}

/// Brings the device up and hot-plugs its memory at physical address `base` (2 MiB
/// aligned): reads the size from `CAP_DEVMEM`, places the window, enables the engines,
/// waits (at most `polls` polls) for the coherent controller's snoop filter to be
/// ready and opens the coherent port to the host. DMA window 0 covers the region.
///
/// # Errors
///
/// [`CdmError::Invalid`] for a misaligned base, a device without memory or memory
/// past the top of the address space; [`CdmError::Busy`] if the controller does not
/// become ready within `polls` reads of its status; register errors.
pub fn probe<IO: RegisterIo>(
    bus: &mut IO,
    base: u64,
    polls: u32,
) -> Result<Region, CdmError<IO::Error>> {
    let mut regs = Regs::new(&mut *bus);
    let size = regs.read64::<global::CapDevmem>()?;
    let region = Region { base, size };
    if size == 0 || base % HUGE != 0 || !region.fits() {
        return Err(CdmError::Invalid);
    }
    place_devmem(bus, region)?;
    Regs::new(&mut *bus).write_with::<global::Ctrl>(|v| v.with_enable(true))?;
    allow_dma(bus, 0, region)?;
    let mut regs = Regs::new(bus);
    let mut ready = false;
    for _ in 0..polls {
        if regs.read::<coherent::Status>()?.ready() {
            ready = true;
            break;
        }
    }
    if !ready {
        return Err(CdmError::Busy);
    }
    regs.write_with::<coherent::Ctrl>(|v| v.with_enable(true))?;
    Ok(region)
}

/// Lets the DMA engine read and write `range` of system memory through window `i`
/// (window 0 is the device memory's); an empty range disables the window.
///
/// # Errors
///
/// [`CdmError::Invalid`] for a range past the top of the address space; register
/// errors, among them an index beyond the device's windows.
pub fn allow_dma<IO: RegisterIo>(
    bus: &mut IO,
    i: usize,
    range: Region,
) -> Result<(), CdmError<IO::Error>> {
    match Window::covering(range, WindowAccess::ReadWrite) {
        Some(w) => set_window(bus, i, w),
        None => Err(CdmError::Invalid),
    }
}

/// Where device memory sits in the DMA address space (`GLOBAL.DEVMEM_BASE/SIZE`): DMA
/// addresses in `region` go to the device memory port, by offset.
///
/// # Errors
///
/// [`CdmError::Invalid`] unless base and size are 4 KiB granules of the address
/// space; register errors.
pub fn place_devmem<IO: RegisterIo>(
    bus: &mut IO,
    region: Region,
) -> Result<(), CdmError<IO::Error>> {
    let Region { base, size } = region;
    if base % PAGE != 0 || size % PAGE != 0 || !region.fits() {
        return Err(CdmError::Invalid);
    }
    let mut regs = Regs::new(bus);
    regs.write64::<global::DevmemBase>(base)?;
    regs.write64::<global::DevmemSize>(size)?;
    Ok(())
}

/// What a DMA window lets the engine do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowAccess {
    /// Nothing: the window is disabled.
    None,
    /// Reads (a copy's source) only.
    Read,
    /// Writes (a copy's destination, a fill) only.
    Write,
    /// Both.
    ReadWrite,
}

impl WindowAccess {
    const fn read(self) -> bool {
        matches!(self, WindowAccess::Read | WindowAccess::ReadWrite)
    }

    const fn write(self) -> bool {
        matches!(self, WindowAccess::Write | WindowAccess::ReadWrite)
    }
}

/// A DMA window: the bus addresses `base ..= limit` (inclusive, so a window can reach
/// the top of the address space) and what the engine may do there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// First byte.
    pub base: u64,
    /// Last byte.
    pub limit: u64,
    /// Reads, writes, both or neither.
    pub access: WindowAccess,
}

impl Window {
    /// The window over `region`, disabled for an empty one; `None` for a region past
    /// the top of the address space.
    #[must_use]
    pub const fn covering(region: Region, access: WindowAccess) -> Option<Window> {
        match region.last() {
            Some(limit) => Some(Window {
                base: region.base,
                limit,
                access,
            }),
            None if region.size == 0 => Some(Window {
                base: region.base,
                limit: region.base,
                access: WindowAccess::None,
            }),
            None => None,
        }
    }
}

/// Programs DMA window `i`: base, limit, then its control (enabled unless the access
/// is [`WindowAccess::None`]).
///
/// # Errors
///
/// [`CdmError::Invalid`] for an enabled window whose limit is below its base (nothing
/// is written then); register errors, among them an index beyond the device's windows.
pub fn set_window<IO: RegisterIo>(
    bus: &mut IO,
    i: usize,
    w: Window,
) -> Result<(), CdmError<IO::Error>> {
    let Window {
        base,
        limit,
        access,
    } = w;
    if access != WindowAccess::None && limit < base {
        return Err(CdmError::Invalid);
    }
    let mut regs = Regs::new(bus);
    regs.write64_at::<window::Base>(i, base)?;
    regs.write64_at::<window::Limit>(i, limit)?;
    regs.write_with_at::<window::Ctrl>(i, |v| {
        v.with_enable(access != WindowAccess::None)
            .with_read(access.read())
            .with_write(access.write())
    })?;
    Ok(())
}

//! Coherent device memory (CDM): the region, its page allocator, and the device's
//! half of a migration with Linux `migrate_vma` semantics.
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

use crate::dma::{Bus, Channel, DmaError, Flags, Resume, Transfer};
use crate::io::RegisterIo;
use crate::regs::{coherent, global, window};
use crate::{Error, Regs};

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

/// Why a call of the [`PageAllocator`] failed: it touches no bus, so it fails in
/// fewer ways than a [`CdmError`], into which it converts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageError {
    /// Not a page the allocator handed out, or a region it cannot manage (-EINVAL).
    Invalid,
    /// A huge page still in use where it must not be (-EBUSY).
    Busy,
    /// No page to allocate (-ENOMEM).
    NoMemory,
}

impl PageError {
    /// The Linux errno (negative), as [`CdmError::errno`].
    #[must_use]
    pub const fn errno(self) -> i32 {
        match self {
            PageError::Invalid => -22,
            PageError::Busy => -16,
            PageError::NoMemory => -12,
        }
    }
}

impl<B> From<PageError> for CdmError<B> {
    fn from(e: PageError) -> CdmError<B> {
        match e {
            PageError::Invalid => CdmError::Invalid,
            PageError::Busy => CdmError::Busy,
            PageError::NoMemory => CdmError::NoMemory,
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PageError::Invalid => {
                "not an allocated page, or a region the allocator cannot manage (EINVAL)"
            }
            PageError::Busy => "page in use (EBUSY)",
            PageError::NoMemory => "out of device memory (ENOMEM)",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PageError {}

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

/// Where a migration's destination pages come from and go back to.
pub trait PageSource {
    /// A free page (2 MiB when `huge`), with one reference; `None` when there is none.
    fn alloc(&mut self, huge: bool) -> Option<u64>;
    /// Drops the reference [`alloc`](Self::alloc) gave (a destination not used).
    fn release(&mut self, addr: u64);
}

/// Per-page state word of the allocator: 0 free, [`TAIL`] a tail page of a huge page,
/// otherwise the reference count of a page (or of a huge page, on its head).
const TAIL: u16 = u16::MAX;

/// The device page allocator: 4 KiB and 2 MiB pages with reference counts over
/// caller-provided storage `S` (`&mut [u16]` without a heap, `Vec<u16>` with one). A
/// page returns to the free pool only when its last reference is dropped. Small pages
/// are taken from partly used 2 MiB blocks first, so whole blocks stay free for huge
/// pages.
#[derive(Debug)]
pub struct PageAllocator<S> {
    region: Region,
    /// Per small page: see [`TAIL`].
    pages: S,
    /// Free small pages per 2 MiB block.
    blocks: S,
    free: usize,
    fail_next: bool,
}

/// Storage words for a region of `size` bytes, `(pages, blocks)`; `None` when they do
/// not fit `usize`.
const fn words(size: u64) -> Option<(usize, usize)> {
    let pages = size / PAGE;
    if pages as usize as u64 == pages {
        // Fewer blocks than pages: fits too.
        Some((pages as usize, (size / HUGE) as usize))
    } else {
        None
    }
}

impl<S: AsRef<[u16]> + AsMut<[u16]>> PageAllocator<S> {
    /// Storage words needed for a region of `size` bytes: `(pages, blocks)`. Both are
    /// `usize::MAX`, a length no storage can have, when the pages cannot be counted in
    /// `usize` (a region of 16 TiB or more on a 32-bit target).
    #[must_use]
    pub const fn storage(size: u64) -> (usize, usize) {
        match words(size) {
            Some(w) => w,
            None => (usize::MAX, usize::MAX),
        }
    }

    /// The pages of `region` (2 MiB aligned and sized), all free. `pages` and `blocks`
    /// are the storage of [`storage`](Self::storage)'s sizes.
    ///
    /// # Errors
    ///
    /// [`PageError::Invalid`] for a misaligned region, one past the top of the address
    /// space or too large to count, or storage of the wrong size.
    pub fn new(region: Region, mut pages: S, mut blocks: S) -> Result<Self, PageError> {
        let (np, nb) = words(region.size).ok_or(PageError::Invalid)?;
        if region.base % HUGE != 0
            || region.size % HUGE != 0
            || !region.fits()
            || pages.as_ref().len() != np
            || blocks.as_ref().len() != nb
        {
            return Err(PageError::Invalid);
        }
        pages.as_mut().fill(0);
        blocks.as_mut().fill(PAGES_PER_HUGE as u16);
        Ok(PageAllocator {
            region,
            pages,
            blocks,
            free: np,
            fail_next: false,
        })
    }

    /// The region the pages come from.
    #[must_use]
    pub const fn region(&self) -> Region {
        self.region
    }

    /// Free small pages.
    #[must_use]
    pub const fn free_pages(&self) -> usize {
        self.free
    }

    /// Makes the next allocation fail (one shot): fault injection for the fallback
    /// and error paths.
    pub fn fail_next_alloc(&mut self) {
        self.fail_next = true;
    }

    fn index(&self, addr: u64) -> Option<usize> {
        if addr % PAGE != 0 || !self.region.contains(addr, PAGE) {
            return None;
        }
        usize::try_from((addr - self.region.base) / PAGE).ok()
    }

    /// The address of page `index`, one that `new` checked to lie in the region.
    fn addr(&self, index: usize) -> u64 {
        self.region.base + index as u64 * PAGE
    }

    /// The head page index of a referenced page, if `addr` is one (head or small).
    fn head(&self, addr: u64) -> Option<usize> {
        let i = self.index(addr)?;
        match self.pages.as_ref().get(i) {
            Some(0 | &TAIL) | None => None,
            Some(_) => Some(i),
        }
    }

    /// True when `addr` is the head of an allocated huge page.
    #[must_use]
    pub fn is_huge(&self, addr: u64) -> bool {
        self.head(addr).is_some_and(|i| {
            i % PAGES_PER_HUGE == 0 && self.pages.as_ref().get(i + 1) == Some(&TAIL)
        })
    }

    /// References held on the page at `addr` (0 if free or not a page head).
    #[must_use]
    pub fn refcount(&self, addr: u64) -> u16 {
        self.head(addr)
            .and_then(|i| self.pages.as_ref().get(i).copied())
            .unwrap_or(0)
    }

    /// Adds a reference to the allocated page at `addr`.
    ///
    /// # Errors
    ///
    /// [`PageError::Invalid`] if `addr` is not an allocated page's head, or its count
    /// would overflow.
    pub fn get(&mut self, addr: u64) -> Result<(), PageError> {
        let i = self.head(addr).ok_or(PageError::Invalid)?;
        match self.pages.as_mut().get_mut(i) {
            Some(count) if *count < TAIL - 1 => {
                *count += 1;
                Ok(())
            }
            _ => Err(PageError::Invalid),
        }
    }

    /// Drops a reference; the page is free again when it was the last. Returns whether
    /// it was.
    ///
    /// # Errors
    ///
    /// [`PageError::Invalid`] if `addr` is not an allocated page's head.
    pub fn put(&mut self, addr: u64) -> Result<bool, PageError> {
        let i = self.head(addr).ok_or(PageError::Invalid)?;
        let n = if self.is_huge(addr) {
            PAGES_PER_HUGE
        } else {
            1
        };
        let pages = self.pages.as_mut();
        let (Some(count), Some(free)) = (
            pages.get_mut(i),
            self.blocks.as_mut().get_mut(i / PAGES_PER_HUGE),
        ) else {
            return Err(PageError::Invalid);
        };
        // A head's count is at least 1.
        *count -= 1;
        if *count > 0 {
            return Ok(false);
        }
        if let Some(tails) = pages.get_mut(i + 1..i + n) {
            tails.fill(0);
        }
        *free += n as u16;
        self.free += n;
        Ok(true)
    }

    /// Allocates a page (2 MiB when `huge`) with one reference.
    ///
    /// # Errors
    ///
    /// [`PageError::NoMemory`] when no page is free (or the fault injection fired).
    pub fn allocate(&mut self, huge: bool) -> Result<u64, PageError> {
        if core::mem::take(&mut self.fail_next) {
            return Err(PageError::NoMemory);
        }
        let full = PAGES_PER_HUGE as u16;
        let blocks = self.blocks.as_mut();
        let b = if huge {
            blocks.iter().position(|&f| f == full)
        } else {
            blocks
                .iter()
                .position(|&f| f > 0 && f < full)
                .or_else(|| blocks.iter().position(|&f| f > 0))
        }
        .ok_or(PageError::NoMemory)?;
        let start = b * PAGES_PER_HUGE;
        let (Some(free), Some(block)) = (
            blocks.get_mut(b),
            self.pages.as_mut().get_mut(start..start + PAGES_PER_HUGE),
        ) else {
            return Err(PageError::NoMemory);
        };
        let (k, n) = if huge {
            block.fill(TAIL);
            (0, PAGES_PER_HUGE)
        } else {
            let k = block
                .iter()
                .position(|&p| p == 0)
                .ok_or(PageError::NoMemory)?;
            (k, 1)
        };
        if let Some(head) = block.get_mut(k) {
            *head = 1;
        }
        *free -= n as u16;
        self.free -= n;
        Ok(self.addr(start + k))
    }

    /// Splits the huge page at `addr` into 512 small pages with one reference each,
    /// as when part of it is unmapped or only part of it migrates.
    ///
    /// # Errors
    ///
    /// [`PageError::Invalid`] if `addr` is not a huge page; [`PageError::Busy`] if it has
    /// more than one reference (a pin holds it whole).
    pub fn split(&mut self, addr: u64) -> Result<(), PageError> {
        if !self.is_huge(addr) {
            return Err(PageError::Invalid);
        }
        let i = self.head(addr).ok_or(PageError::Invalid)?;
        let page = self
            .pages
            .as_mut()
            .get_mut(i..i + PAGES_PER_HUGE)
            .ok_or(PageError::Invalid)?;
        if page.first() != Some(&1) {
            return Err(PageError::Busy);
        }
        page.fill(1);
        Ok(())
    }

    /// Every allocated page (head address, huge) in address order: what an eviction
    /// of the region must move.
    pub fn allocated(&self) -> impl Iterator<Item = (u64, bool)> + '_ {
        self.pages
            .as_ref()
            .iter()
            .enumerate()
            .filter(|(_, &p)| !matches!(p, 0 | TAIL))
            .map(|(i, _)| (self.addr(i), self.is_huge(self.addr(i))))
    }
}

impl<S: AsRef<[u16]> + AsMut<[u16]>> PageSource for PageAllocator<S> {
    fn alloc(&mut self, huge: bool) -> Option<u64> {
        self.allocate(huge).ok()
    }
    fn release(&mut self, addr: u64) {
        // Only pages this allocator handed out come back here.
        let _ = self.put(addr);
    }
}

/// A migration entry: a page's physical address with flags in the low bits, as the
/// kernel's `migrate_pfn` (which holds a frame number instead).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MigratePfn(u64);

impl MigratePfn {
    /// The entry holds a page.
    pub const VALID: u64 = 1 << 0;
    /// The page is to be migrated (set by collect; cleared for pages that cannot move).
    pub const MIGRATE: u64 = 1 << 1;
    /// The page is mapped writable.
    pub const WRITE: u64 = 1 << 3;
    /// The page is a 2 MiB page.
    pub const COMPOUND: u64 = 1 << 4;
    const FLAGS: u64 = PAGE - 1;

    /// No page, not migrating.
    pub const EMPTY: MigratePfn = MigratePfn(0);

    /// The page at `addr` (4 KiB aligned) with `flags`.
    #[must_use]
    pub const fn new(addr: u64, flags: u64) -> MigratePfn {
        MigratePfn(addr & !Self::FLAGS | flags & Self::FLAGS)
    }

    /// The page's address (meaningful when [`valid`](Self::valid)).
    #[must_use]
    pub const fn addr(self) -> u64 {
        self.0 & !Self::FLAGS
    }

    /// The flag bits.
    #[must_use]
    pub const fn flags(self) -> u64 {
        self.0 & Self::FLAGS
    }

    /// [`VALID`](Self::VALID) is set.
    #[must_use]
    pub const fn valid(self) -> bool {
        self.0 & Self::VALID != 0
    }

    /// [`MIGRATE`](Self::MIGRATE) is set.
    #[must_use]
    pub const fn migrate(self) -> bool {
        self.0 & Self::MIGRATE != 0
    }

    /// [`WRITE`](Self::WRITE) is set.
    #[must_use]
    pub const fn write(self) -> bool {
        self.0 & Self::WRITE != 0
    }

    /// [`COMPOUND`](Self::COMPOUND) is set.
    #[must_use]
    pub const fn compound(self) -> bool {
        self.0 & Self::COMPOUND != 0
    }

    /// Bytes the entry covers.
    #[must_use]
    pub const fn size(self) -> u64 {
        if self.compound() {
            HUGE
        } else {
            PAGE
        }
    }
}

impl fmt::Debug for MigratePfn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.addr())?;
        for (bit, name) in [
            (Self::VALID, "V"),
            (Self::MIGRATE, "M"),
            (Self::WRITE, "W"),
            (Self::COMPOUND, "C"),
        ] {
            if self.0 & bit != 0 {
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

/// What [`alloc_and_copy`] did, in 4 KiB pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CopyStats {
    /// Pages copied or zero-filled: their destination entries are set.
    pub migrated: usize,
    /// Pages zero-filled (holes and the zero page): a part of `migrated`.
    pub filled: usize,
    /// Pages left in place because no destination could be allocated.
    pub no_memory: usize,
    /// Pages left in place because their copy failed.
    pub copy_failed: usize,
    /// Huge pages that fell back to small destination pages.
    pub split: usize,
    /// Descriptors submitted.
    pub descriptors: usize,
}

/// The driver's step of a migration (`alloc_and_copy`): for every entry of `src` with
/// `MIGRATE`, allocates a destination from `pages` (a huge one for a compound entry,
/// else 512 small ones), copies the page (or zero-fills a hole) with `chan`, and sets
/// `dst` (`VALID`, plus `WRITE` if the source was writable). A page whose allocation
/// or copy fails keeps an empty destination, so the mm leaves its source in place; its
/// destination is released. Returns once every copy has completed and is visible.
///
/// `polls` is the budget of each wait, and there are at most `descriptors + 1` of them:
/// one for ring room each time the ring fills (after it the next descriptor fits) and
/// one for completion. A wait polls at most `polls` times; a poll reads the consumer
/// index and the channel status, and on a halt the halt record (four more reads) and
/// skips the failed descriptor, so a channel that stays halted runs out of polls like
/// one that never finishes. A failed call adds one [`Channel::terminate_all`] with the
/// same budget.
///
/// # Errors
///
/// [`CdmError::Invalid`] when the arrays differ in length, a compound entry is not
/// 512-aligned, a source runs past the top of the address space, or `pages` hands out
/// a page that is not 4 KiB aligned or runs past it; [`CdmError::Busy`] when the engine
/// does not finish in time; [`CdmError::Dma`] for register errors. On an error every
/// destination is released and `dst` is all empty.
pub fn alloc_and_copy<B: Bus, P: PageSource>(
    bus: &mut B,
    chan: &mut Channel,
    pages: &mut P,
    src: &[MigratePfn],
    dst: &mut [MigratePfn],
    polls: u32,
) -> Result<CopyStats, CdmError<B::Error>> {
    let bad = |(i, s): (usize, &MigratePfn)| {
        let misplaced = s.compound() && (i % PAGES_PER_HUGE != 0 || i + PAGES_PER_HUGE > src.len());
        let wraps = s.valid() && s.addr().checked_add(s.size() - 1).is_none();
        s.migrate() && (misplaced || wraps)
    };
    // Entries a caller left from an earlier migration must not pass for ours.
    dst.fill(MigratePfn::EMPTY);
    if src.len() != dst.len() || src.iter().enumerate().any(bad) {
        return Err(CdmError::Invalid);
    }
    let mut stats = CopyStats::default();
    if let Err(e) = allocate(pages, src, dst, &mut stats) {
        release(pages, dst);
        return Err(e);
    }
    if let Err(e) = copy(bus, chan, src, dst, &mut stats, polls) {
        // The engine is in an unknown state: stop it, and let every page stay.
        let _ = chan.terminate_all(bus, polls);
        release(pages, dst);
        return Err(e);
    }
    for (i, d) in dst.iter_mut().enumerate().filter(|(_, d)| d.valid()) {
        let n = (d.size() / PAGE) as usize;
        if d.0 & FAILED != 0 {
            pages.release(d.addr());
            *d = MigratePfn::EMPTY;
            stats.copy_failed += n;
        } else {
            stats.migrated += n;
            if let Some(Transfer::Fill { .. }) = transfer(src, i, *d) {
                stats.filled += n;
            }
        }
    }
    Ok(stats)
}

/// Gives every destination back and empties its entry.
fn release<P: PageSource>(pages: &mut P, dst: &mut [MigratePfn]) {
    for d in dst.iter_mut().filter(|d| d.valid()) {
        pages.release(d.addr());
        *d = MigratePfn::EMPTY;
    }
}

/// A destination page from `pages` (2 MiB when `huge`) with `flags`, `None` when there
/// is none. A page that [`MigratePfn`] cannot hold, or whose copy would wrap around the
/// address space, goes back.
fn take<P: PageSource, E>(
    pages: &mut P,
    huge: bool,
    flags: u64,
) -> Result<Option<MigratePfn>, CdmError<E>> {
    let Some(a) = pages.alloc(huge) else {
        return Ok(None);
    };
    let size = if huge { HUGE } else { PAGE };
    if a % PAGE != 0 || a.checked_add(size - 1).is_none() {
        pages.release(a);
        return Err(CdmError::Invalid);
    }
    Ok(Some(MigratePfn::new(a, flags)))
}

/// Sets `dst` (empty) to the destinations; `src` has been checked.
fn allocate<P: PageSource, E>(
    pages: &mut P,
    src: &[MigratePfn],
    dst: &mut [MigratePfn],
    stats: &mut CopyStats,
) -> Result<(), CdmError<E>> {
    let mut i = 0;
    while let Some(&s) = src.get(i) {
        if !s.migrate() {
            i += 1;
            continue;
        }
        let flags = MigratePfn::VALID | (s.flags() & MigratePfn::WRITE);
        let n = if s.compound() { PAGES_PER_HUGE } else { 1 };
        let piece = dst.get_mut(i..i + n).ok_or(CdmError::Invalid)?;
        if s.compound() {
            if let Some(d) = take(pages, true, flags | MigratePfn::COMPOUND)? {
                if let Some(head) = piece.first_mut() {
                    *head = d;
                }
                i += n;
                continue;
            }
            stats.split += 1;
        }
        for d in piece {
            match take(pages, false, flags)? {
                Some(page) => *d = page,
                None => stats.no_memory += 1,
            }
        }
        i += n;
    }
    Ok(())
}

/// The transfer that fills destination `d`, entry `i`: from the source page, from the
/// matching 4 KiB of a split huge source, or a zero fill for a hole.
fn transfer(src: &[MigratePfn], i: usize, d: MigratePfn) -> Option<Transfer> {
    let head = i - i % PAGES_PER_HUGE;
    let (s, at) = match *src.get(i)? {
        s if s.migrate() => (s, 0),
        // Inside a huge source split into small destinations.
        _ => (*src.get(head)?, (i - head) as u64 * PAGE),
    };
    let len = d.size() as u32;
    Some(if s.valid() {
        Transfer::Copy {
            // `alloc_and_copy` checked that the source's range fits.
            src: s.addr() + at,
            dst: d.addr(),
            len,
        }
    } else {
        Transfer::Fill {
            pattern: 0,
            dst: d.addr(),
            len,
        }
    })
}

fn copy<B: Bus>(
    bus: &mut B,
    chan: &mut Channel,
    src: &[MigratePfn],
    dst: &mut [MigratePfn],
    stats: &mut CopyStats,
    polls: u32,
) -> Result<(), CdmError<B::Error>> {
    // Descriptor n of this call fills the n-th valid destination entry, so a halt's
    // cookie names its page without a table.
    let mut start: Option<u16> = None;
    let mut i = 0;
    while let Some(&d) = dst.get(i) {
        if !d.valid() {
            i += 1;
            continue;
        }
        let t = transfer(src, i, d).ok_or(CdmError::Invalid)?;
        match chan.prep(bus, t, Flags::default()) {
            Ok(c) => {
                start.get_or_insert(c.0);
                stats.descriptors += 1;
                i += 1;
            }
            Err(DmaError::RingFull) => {
                // Returns with at most half the ring outstanding: the retry fits.
                chan.issue_pending(bus)?;
                drain(bus, chan, dst, start, chan.capacity() / 2, polls)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    chan.issue_pending(bus)?;
    drain(bus, chan, dst, start, 0, polls)
}

/// Waits, polling at most `polls` times, until at most `left` descriptors are
/// outstanding. A descriptor of this migration that halts the channel fails its page
/// (marked [`FAILED`]) and is skipped; that poll counts like any other.
fn drain<B: Bus>(
    bus: &mut B,
    chan: &mut Channel,
    dst: &mut [MigratePfn],
    start: Option<u16>,
    left: u16,
    polls: u32,
) -> Result<(), CdmError<B::Error>> {
    for _ in 0..polls {
        match chan.wait_for_room(bus, left, 1) {
            Ok(()) => return Ok(()),
            Err(DmaError::Timeout) => {}
            Err(DmaError::Halted(h)) => {
                let ours = start.and_then(|s| {
                    let n = usize::from(h.cookie.0.wrapping_sub(s));
                    dst_indices(dst).nth(n)
                });
                let Some(d) = ours.and_then(|i| dst.get_mut(i)) else {
                    return Err(CdmError::Dma(DmaError::Halted(h)));
                };
                *d = MigratePfn(d.0 | FAILED);
                chan.resume(bus, Resume::Skip)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(CdmError::Busy)
}

/// Marks, inside [`alloc_and_copy`] only, a destination whose copy failed.
const FAILED: u64 = 1 << 2;

fn dst_indices(dst: &[MigratePfn]) -> impl Iterator<Item = usize> + '_ {
    dst.iter()
        .enumerate()
        .filter(|(_, d)| d.valid())
        .map(|(i, _)| i)
}

//! The device memory's page allocator: 4 KiB pages and 2 MiB huge pages with reference
//! counts, in storage the caller provides.

use core::fmt;

use super::{CdmError, Region, HUGE, PAGE, PAGES_PER_HUGE};

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

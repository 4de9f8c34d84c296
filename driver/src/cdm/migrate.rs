//! The device's half of a migration: [`MigratePfn`] entries and [`alloc_and_copy`].

use core::fmt;

use super::{CdmError, PageSource, HUGE, PAGE, PAGES_PER_HUGE};
use crate::dma::{Bus, Channel, DmaError, Flags, Resume, Transfer};

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

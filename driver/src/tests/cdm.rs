//! The CDM layer without a simulator: the page allocator, migration entries, and
//! `alloc_and_copy` over the fake engine (`crate::fake`), which executes descriptors
//! the moment the doorbell rings and fails reads of chosen addresses.

use core::convert::Infallible;
use std::vec;
use std::vec::Vec;

use crate::cdm::{
    alloc_and_copy, CdmError, MigratePfn, PageAllocator, PageError, PageSource, Region, HUGE, PAGE,
};
use crate::descriptor::ErrorCode;
use crate::dma::{Channel, DmaError, DmaMemory, Flags, Resume, Transfer, TxStatus};
use crate::fake::Engine;

const DEV: Region = Region {
    base: 0x8000_0000,
    size: 8 * HUGE,
};

fn allocator() -> PageAllocator<Vec<u16>> {
    let (p, b) = PageAllocator::<Vec<u16>>::storage(DEV.size);
    PageAllocator::new(DEV, vec![0; p], vec![0; b]).unwrap()
}

#[test]
fn pages_are_reused_only_after_their_last_reference() {
    let mut a = allocator();
    let total = a.free_pages();
    let p = a.allocate(false).unwrap();
    a.get(p).unwrap();
    assert_eq!(a.refcount(p), 2);
    assert!(!a.put(p).unwrap());
    assert_ne!(a.allocate(false).unwrap(), p, "still referenced");
    assert!(a.put(p).unwrap());
    assert_eq!(a.refcount(p), 0);
    assert_eq!(
        a.put(p),
        Err(PageError::Invalid),
        "a free page has no reference"
    );
    assert_eq!(a.free_pages(), total - 1);
}

#[test]
fn small_pages_keep_whole_blocks_free_for_huge_ones() {
    let mut a = allocator();
    // 600 pages fill one block and part of a second; six blocks stay whole. Miri, which
    // takes a second per 7,000 steps of the allocator's page search, makes do with
    // part of one block.
    let (n, whole) = if cfg!(miri) { (40, 7) } else { (600, 6) };
    let smalls: Vec<u64> = (0..n).map(|_| a.allocate(false).unwrap()).collect();
    let huge: Vec<u64> = (0..whole).map(|_| a.allocate(true).unwrap()).collect();
    assert!(huge.iter().all(|&h| h % HUGE == 0 && a.is_huge(h)));
    assert_eq!(a.allocate(true), Err(PageError::NoMemory));
    for h in &huge {
        assert!(smalls.iter().all(|s| !(*h..*h + HUGE).contains(s)));
    }
    assert!(a.put(huge[0]).unwrap());
    assert_eq!(a.allocate(true).unwrap(), huge[0]);
}

#[test]
fn a_split_huge_page_frees_piece_by_piece() {
    let mut a = allocator();
    let h = a.allocate(true).unwrap();
    a.get(h).unwrap();
    assert_eq!(
        a.split(h),
        Err(PageError::Busy),
        "a pinned huge page stays whole"
    );
    a.put(h).unwrap();
    a.split(h).unwrap();
    assert!(!a.is_huge(h));
    let free = a.free_pages();
    for i in 0..512 {
        a.put(h + i * PAGE).unwrap();
    }
    assert_eq!(a.free_pages(), free + 512);
    assert_eq!(a.allocate(true).unwrap(), h);
}

#[test]
fn one_shot_allocation_failure() {
    let mut a = allocator();
    a.fail_next_alloc();
    assert_eq!(a.allocate(true), Err(PageError::NoMemory));
    assert!(a.allocate(true).is_ok());
}

#[test]
fn bad_storage_or_region_is_rejected() {
    let (p, b) = PageAllocator::<Vec<u16>>::storage(DEV.size);
    assert!(PageAllocator::new(DEV, vec![0; p - 1], vec![0; b]).is_err());
    let odd = Region {
        base: DEV.base + PAGE,
        size: DEV.size,
    };
    assert!(PageAllocator::new(odd, vec![0; p], vec![0; b]).is_err());
}

#[test]
fn migrate_entries_and_errnos() {
    let e = MigratePfn::new(0x1234_5000, MigratePfn::VALID | MigratePfn::WRITE);
    assert_eq!(e.addr(), 0x1234_5000);
    assert!(e.valid() && e.write() && !e.migrate() && !e.compound());
    assert_eq!(e.size(), PAGE);
    assert_eq!(MigratePfn::new(0, MigratePfn::COMPOUND).size(), HUGE);
    let errnos = [
        (CdmError::<Infallible>::Invalid, -22),
        (CdmError::NoEntry, -2),
        (CdmError::Fault, -14),
        (CdmError::Permission, -1),
        (CdmError::Busy, -16),
        (CdmError::NoMemory, -12),
    ];
    for (e, n) in errnos {
        assert_eq!(e.errno(), n);
    }
    for e in [PageError::Invalid, PageError::Busy, PageError::NoMemory] {
        let wide: CdmError<Infallible> = e.into();
        assert_eq!(e.errno(), wide.errno(), "{e}");
    }
}

const CH: usize = 1;
const RING: u64 = 0x1000;

/// Writes whole pages at `addr`: a pattern of `seed`, each page starting with its
/// address, so that a page copied to the wrong place shows.
fn fill(e: &mut Engine, addr: u64, len: u64, seed: u8) {
    let mut page: Vec<u8> = (0..PAGE)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    for at in (addr..addr + len).step_by(PAGE as usize) {
        page[..8].copy_from_slice(&at.to_le_bytes());
        DmaMemory::write(e, at, &page);
    }
}

fn bytes(e: &mut Engine, addr: u64, len: u64) -> Vec<u8> {
    let mut v = vec![0; len as usize];
    DmaMemory::read(e, addr, &mut v);
    v
}

#[test]
fn channel_reports_residue_and_skips_a_failed_descriptor() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    assert_eq!(
        Channel::open(&mut e, 4, RING, 4).unwrap_err(),
        DmaError::InvalidChannel
    );
    e.bad.insert(0x10_0000);
    let copy = |src| Transfer::Copy {
        src,
        dst: 0x20_0000,
        len: 64,
    };
    let ok = ch.prep(&mut e, copy(0x30_0000), Flags::default()).unwrap();
    let bad = ch.prep(&mut e, copy(0x10_0000), Flags::default()).unwrap();
    let after = ch.prep(&mut e, copy(0x30_0000), Flags::default()).unwrap();
    ch.issue_pending(&mut e).unwrap();
    let halt = match ch.wait(&mut e, 10) {
        Err(DmaError::Halted(h)) => h,
        other => panic!("expected a halt, got {other:?}"),
    };
    assert_eq!(
        (halt.code, halt.cookie, halt.residue),
        (ErrorCode::ReadError, bad, 64)
    );
    assert_eq!(ch.tx_status(&mut e, ok).unwrap(), TxStatus::Complete);
    assert_eq!(
        ch.tx_status(&mut e, bad).unwrap(),
        TxStatus::Error {
            code: ErrorCode::ReadError,
            residue: 64
        }
    );
    assert_eq!(ch.tx_status(&mut e, after).unwrap(), TxStatus::InProgress);
    ch.resume(&mut e, Resume::Skip).unwrap();
    ch.wait(&mut e, 10).unwrap();
    assert_eq!(ch.tx_status(&mut e, after).unwrap(), TxStatus::Complete);
    let empty = Transfer::Fill {
        pattern: 0,
        dst: 0,
        len: 0,
    };
    assert_eq!(
        ch.prep(&mut e, empty, Flags::default()),
        Err(DmaError::InvalidLength(0))
    );
}

#[test]
fn a_full_ring_says_so() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 2).unwrap();
    let t = Transfer::Fill {
        pattern: 0,
        dst: 0x5000,
        len: 8,
    };
    for _ in 0..4 {
        ch.prep(&mut e, t, Flags::default()).unwrap();
    }
    assert_eq!(
        ch.prep(&mut e, t, Flags::default()),
        Err(DmaError::RingFull)
    );
    ch.issue_pending(&mut e).unwrap();
    ch.wait(&mut e, 1).unwrap();
    assert!(ch.prep(&mut e, t, Flags::default()).is_ok());
}

/// Four entries: a small page, a hole, a huge page that falls back to small pages
/// with one failed piece, and a small page whose copy fails. Only the failed pages
/// keep empty destinations, and their pages go back to the allocator. Under Miri,
/// which runs the fake engine and the allocator some 10,000 times slower, only eight
/// small pages are left for the huge page's pieces: the others stay for lack of memory.
#[test]
fn alloc_and_copy_leaves_failed_pages_in_place() {
    let pieces = if cfg!(miri) { 8 } else { 512 };
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let mut pages = allocator();
    let free = pages.free_pages();
    let sys = 0x4000_0000u64;
    let n = 2 * 512;
    let mut src = vec![MigratePfn::EMPTY; n];
    let mig = MigratePfn::VALID | MigratePfn::MIGRATE | MigratePfn::WRITE;
    src[0] = MigratePfn::new(sys, mig);
    src[1] = MigratePfn::new(0, MigratePfn::MIGRATE);
    src[3] = MigratePfn::new(sys + 3 * PAGE, mig);
    src[512] = MigratePfn::new(sys + HUGE, mig | MigratePfn::COMPOUND);
    fill(&mut e, sys, PAGE, 1);
    fill(&mut e, sys + 3 * PAGE, PAGE, 3);
    fill(&mut e, sys + HUGE, pieces as u64 * PAGE, 7);
    e.bad.insert(sys + 3 * PAGE);
    e.bad.insert(sys + HUGE + 5 * PAGE);
    // The huge allocation fails (after the three small ones): it falls back.
    let mut dst = vec![MigratePfn::EMPTY; n];
    let mut failing = FailHuge {
        pages: &mut pages,
        left: 3 + pieces,
    };
    let stats = alloc_and_copy(&mut e, &mut ch, &mut failing, &src, &mut dst, 100).unwrap();
    assert_eq!(stats.split, 1);
    assert_eq!(stats.no_memory, 512 - pieces);
    assert_eq!(stats.copy_failed, 2);
    assert_eq!(stats.filled, 1);
    assert_eq!(stats.migrated, 1 + 1 + pieces - 1);
    assert!(dst[0].valid() && dst[0].write() && dst[1].valid());
    assert!(!dst[3].valid() && !dst[512 + 5].valid());
    assert_eq!(bytes(&mut e, dst[0].addr(), PAGE), bytes(&mut e, sys, PAGE));
    assert_eq!(bytes(&mut e, dst[1].addr(), PAGE), vec![0; PAGE as usize]);
    for k in (0..pieces).filter(|&k| k != 5) {
        let d = dst[512 + k];
        assert!(d.valid() && !d.compound());
        let s = sys + HUGE + k as u64 * PAGE;
        assert_eq!(bytes(&mut e, d.addr(), PAGE), bytes(&mut e, s, PAGE));
    }
    assert!(dst[512 + pieces..].iter().all(|d| !d.valid()));
    assert_eq!(pages.free_pages(), free - stats.migrated);
}

/// An allocator whose huge allocations fail, and which gives `left` small pages more.
struct FailHuge<'a> {
    pages: &'a mut PageAllocator<Vec<u16>>,
    left: usize,
}

impl PageSource for FailHuge<'_> {
    fn alloc(&mut self, huge: bool) -> Option<u64> {
        if huge || self.left == 0 {
            return None;
        }
        self.left -= 1;
        self.pages.alloc(false)
    }
    fn release(&mut self, addr: u64) {
        self.pages.release(addr);
    }
}

#[test]
fn a_completed_descriptor_decodes_to_its_state() {
    use crate::descriptor::{OFFSET_BYTES, OFFSET_LEN, OFFSET_STATUS, SIZE, STATUS_DONE};
    let desc = |status: u32, len: u32, bytes: u32| {
        let mut d = [0u8; SIZE];
        d[OFFSET_STATUS..][..4].copy_from_slice(&status.to_le_bytes());
        d[OFFSET_LEN..][..4].copy_from_slice(&len.to_le_bytes());
        d[OFFSET_BYTES..][..4].copy_from_slice(&bytes.to_le_bytes());
        d
    };
    let read_error = (ErrorCode::ReadError as u32) << 4;
    assert_eq!(
        TxStatus::completed(&desc(STATUS_DONE, 64, 64)),
        Ok(TxStatus::Complete)
    );
    assert_eq!(
        TxStatus::completed(&desc(STATUS_DONE | read_error, 64, 16)),
        Ok(TxStatus::Error {
            code: ErrorCode::ReadError,
            residue: 48
        })
    );
    assert_eq!(
        TxStatus::completed(&desc(0, 64, 0)),
        Ok(TxStatus::Error {
            code: ErrorCode::None,
            residue: 64
        }),
        "skipped before its status was written"
    );
    assert_eq!(
        TxStatus::completed(&desc(read_error, 16, 64)),
        Ok(TxStatus::Error {
            code: ErrorCode::ReadError,
            residue: 0
        }),
        "more bytes than LEN leave no residue, not a wrapped one"
    );
    assert_eq!(TxStatus::completed(&desc(0xF0, 1, 0)), Err(15));
}

/// A caller may hand in the entries of an earlier migration: an invalid one must not
/// leave them looking like destinations it set.
#[test]
fn an_invalid_migration_leaves_no_destination() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let mut pages = allocator();
    let stale = MigratePfn::new(DEV.base, MigratePfn::VALID);
    let huge = MigratePfn::VALID | MigratePfn::MIGRATE | MigratePfn::COMPOUND;
    let mut misplaced = vec![MigratePfn::EMPTY; 1024];
    misplaced[1] = MigratePfn::new(0x4000_0000, huge);
    for (src, n) in [(misplaced, 1024), (vec![MigratePfn::EMPTY; 3], 4)] {
        let mut dst = vec![stale; n];
        assert_eq!(
            alloc_and_copy(&mut e, &mut ch, &mut pages, &src, &mut dst, 10),
            Err(CdmError::Invalid)
        );
        assert!(dst.iter().all(|d| *d == MigratePfn::EMPTY));
    }
}

/// `filled` counts pages zero-filled, a part of `migrated`: not a fill that failed.
#[test]
fn a_failed_fill_is_not_counted_as_filled() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let mut pages = allocator();
    let src = vec![MigratePfn::new(0, MigratePfn::MIGRATE); 2];
    let mut dst = vec![MigratePfn::EMPTY; 2];
    e.fail.insert(0, ErrorCode::WriteError);
    let stats = alloc_and_copy(&mut e, &mut ch, &mut pages, &src, &mut dst, 10).unwrap();
    assert_eq!(
        (stats.migrated, stats.filled, stats.copy_failed),
        (1, 1, 1),
        "{stats:?}"
    );
}

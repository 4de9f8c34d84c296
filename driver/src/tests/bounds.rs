//! Addresses at the top of the address space: whatever would run past 2^64 is a typed
//! error, and what ends exactly at the top still works.

use std::vec;
use std::vec::Vec;

use super::fake::Fake;
use crate::cdm::{
    self, alloc_and_copy, CdmError, MigratePfn, PageAllocator, PageError, PageSource, Region,
    Window, WindowAccess, HUGE, PAGE,
};
use crate::dma::{Channel, DmaError, Flags, Transfer, TxStatus};
use crate::fake::Engine;
use crate::io::BusError;
use crate::regs::window;
use crate::{Register, Regs};

const CH: usize = 1;
const RING: u64 = 0x1000;
/// The last small page of the address space.
const TOP_PAGE: u64 = u64::MAX - (PAGE - 1);

#[test]
fn a_ring_past_the_top_is_refused_before_any_write() {
    let mut e = Engine::new(CH);
    let before = e.words.clone();
    let top = u64::MAX - 31;
    assert_eq!(
        Channel::open(&mut e, CH, top, 1).unwrap_err(),
        DmaError::AddressOverflow,
        "the second slot would be at address 0"
    );
    assert_eq!(e.words, before, "nothing written");

    // One slot ending at the top is fine.
    let mut ch = Channel::open(&mut e, CH, top, 0).unwrap();
    let fill = Transfer::Fill {
        pattern: 0x55,
        dst: 0x2000,
        len: 8,
    };
    let c = ch.prep(&mut e, fill, Flags::default()).unwrap();
    ch.issue_pending(&mut e).unwrap();
    ch.wait(&mut e, 1).unwrap();
    assert_eq!(ch.tx_status(&mut e, c).unwrap(), TxStatus::Complete);
}

#[test]
fn a_transfer_past_the_top_is_refused() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let copy = |src, dst| Transfer::Copy { src, dst, len: 64 };
    for t in [
        copy(u64::MAX - 62, 0x2000),
        copy(0x2000, u64::MAX - 62),
        Transfer::Fill {
            pattern: 0,
            dst: u64::MAX,
            len: 2,
        },
    ] {
        assert_eq!(
            ch.prep(&mut e, t, Flags::default()),
            Err(DmaError::AddressOverflow),
            "{t:?}"
        );
    }
    assert_eq!(ch.outstanding(), 0);
    let last = copy(u64::MAX - 63, u64::MAX - 63);
    assert!(ch.prep(&mut e, last, Flags::default()).is_ok());
    assert_eq!(
        CdmError::from(DmaError::<BusError>::AddressOverflow),
        CdmError::Invalid
    );
    assert_eq!(
        CdmError::Dma(DmaError::<BusError>::AddressOverflow).errno(),
        -22
    );
}

fn window(regs: &Regs<Fake>, i: usize) -> (u64, u64, window::CtrlValue) {
    let word = |at: usize| u64::from(regs.io().words[(at + i * window::STRIDE) / 4]);
    let base = word(window::BaseLo::ADDR) | word(window::BaseHi::ADDR) << 32;
    let limit = word(window::LimitLo::ADDR) | word(window::LimitHi::ADDR) << 32;
    let ctrl = window::CtrlValue::from(word(window::Ctrl::ADDR) as u32);
    (base, limit, ctrl)
}

#[test]
fn a_dma_window_past_the_top_is_refused() {
    let mut regs = Regs::new(Fake::new());
    let high = 0xFFFF_FFFF_0000_0000;
    let past = Region {
        base: high,
        size: 1 << 33,
    };
    assert_eq!(
        cdm::allow_dma(regs.io_mut(), 1, past),
        Err(CdmError::Invalid)
    );
    assert_eq!(
        cdm::set_window(
            regs.io_mut(),
            1,
            Window {
                base: high,
                limit: high - 1,
                access: WindowAccess::ReadWrite
            }
        ),
        Err(CdmError::Invalid),
        "limit below base"
    );
    assert!(regs.io().log.is_empty(), "nothing written");

    let top = Region {
        base: high,
        size: 1 << 32,
    };
    cdm::allow_dma(regs.io_mut(), 1, top).unwrap();
    let (base, limit, ctrl) = window(&regs, 1);
    assert_eq!((base, limit), (high, u64::MAX));
    assert!(ctrl.enable() && ctrl.read() && ctrl.write());

    cdm::allow_dma(
        regs.io_mut(),
        2,
        Region {
            base: high,
            size: 0,
        },
    )
    .unwrap();
    let (_, _, ctrl) = window(&regs, 2);
    assert!(!ctrl.enable(), "an empty region is a disabled window");
}

#[test]
fn device_memory_past_the_top_is_refused() {
    let mut regs = Regs::new(Fake::new());
    let past = Region {
        base: u64::MAX - (HUGE - 1),
        size: 2 * HUGE,
    };
    assert_eq!(
        cdm::place_devmem(regs.io_mut(), past),
        Err(CdmError::Invalid)
    );
    assert!(regs.io().log.is_empty());
    let top = Region { size: HUGE, ..past };
    cdm::place_devmem(regs.io_mut(), top).unwrap();
}

fn allocator(region: Region) -> Result<PageAllocator<Vec<u16>>, PageError> {
    let (p, b) = PageAllocator::<Vec<u16>>::storage(region.size);
    PageAllocator::new(region, vec![0; p], vec![0; b])
}

#[test]
fn an_allocator_past_the_top_is_refused() {
    let base = 0xFFFF_FFFF_FFE0_0000;
    let past = Region {
        base,
        size: 2 * HUGE,
    };
    assert_eq!(allocator(past).unwrap_err(), PageError::Invalid);

    // The last huge page of the address space: every page it hands out is in it.
    let mut a = allocator(Region { base, size: HUGE }).unwrap();
    let h = a.allocate(true).unwrap();
    assert_eq!(h, base);
    a.split(h).unwrap();
    let pages: Vec<u64> = a.allocated().map(|(p, _)| p).collect();
    assert_eq!(pages.len(), 512);
    assert_eq!(pages.first(), Some(&base));
    assert_eq!(pages.last(), Some(&TOP_PAGE));
    assert!(a.put(TOP_PAGE).unwrap());
    assert_eq!(a.allocate(false), Ok(TOP_PAGE), "the one free page");
    assert_eq!(a.refcount(0), 0);
}

#[cfg(target_pointer_width = "32")]
#[test]
fn an_allocator_too_large_to_count_is_refused() {
    let huge = Region {
        base: 0,
        size: 1 << 53,
    };
    assert_eq!(
        PageAllocator::<Vec<u16>>::storage(huge.size),
        (usize::MAX, usize::MAX),
        "no storage has that length"
    );
    let a = PageAllocator::new(huge, Vec::new(), Vec::new());
    assert_eq!(a.unwrap_err(), PageError::Invalid);
}

/// A page source that hands out the pages it is given (huge ones only if `huge`), and
/// records what comes back.
struct Given {
    pages: Vec<u64>,
    huge: bool,
    released: Vec<u64>,
}

impl PageSource for Given {
    fn alloc(&mut self, huge: bool) -> Option<u64> {
        if huge && !self.huge {
            return None;
        }
        self.pages.pop()
    }
    fn release(&mut self, addr: u64) {
        self.released.push(addr);
    }
}

fn compound(addr: u64) -> Vec<MigratePfn> {
    let mut src = vec![MigratePfn::EMPTY; 512];
    let flags = MigratePfn::VALID | MigratePfn::MIGRATE | MigratePfn::COMPOUND;
    src[0] = MigratePfn::new(addr, flags);
    src
}

#[test]
fn a_compound_source_past_the_top_is_invalid() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let src = compound(TOP_PAGE);
    let mut dst = vec![MigratePfn::EMPTY; 512];
    // A huge destination, or (after a failed huge allocation) 512 small ones.
    for huge in [true, false] {
        let mut given = Given {
            pages: (1..=512).map(|k| k * PAGE).collect(),
            huge,
            released: Vec::new(),
        };
        let reads = e.reads;
        assert_eq!(
            alloc_and_copy(&mut e, &mut ch, &mut given, &src, &mut dst, 10),
            Err(CdmError::Invalid)
        );
        assert_eq!(e.reads, reads, "refused before touching the device");
        assert!(given.released.is_empty(), "and before allocating");
    }
}

#[test]
fn a_destination_past_the_top_or_misaligned_is_invalid() {
    let mut e = Engine::new(CH);
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    let src = compound(0x4000_0000);
    for bad in [TOP_PAGE, 0x1001] {
        let mut given = Given {
            pages: vec![bad],
            huge: true,
            released: Vec::new(),
        };
        let mut dst = vec![MigratePfn::new(0x7000, MigratePfn::VALID); 512];
        assert_eq!(
            alloc_and_copy(&mut e, &mut ch, &mut given, &src, &mut dst, 10),
            Err(CdmError::Invalid),
            "{bad:#x}"
        );
        assert_eq!(given.released, vec![bad], "the page goes back");
        assert!(dst.iter().all(|d| *d == MigratePfn::EMPTY));
    }
    assert_eq!(ch.outstanding(), 0, "nothing submitted");
}

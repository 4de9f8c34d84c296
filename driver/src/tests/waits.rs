//! Every wait of the driver ends within its poll budget. Against a device that never
//! becomes ready, never finishes or stays halted, each test counts the register reads
//! of one call.

use std::vec;
use std::vec::Vec;

use crate::cdm::{self, alloc_and_copy, CdmError, MigratePfn, PageAllocator, Region, HUGE, PAGE};
use crate::descriptor::ErrorCode;
use crate::dma::{Channel, DmaError, Flags, Transfer};
use crate::fake::Engine;
use crate::io::BusError;
use crate::regs::global;
use crate::Register;

const CH: usize = 1;
const RING: u64 = 0x1000;
const POLLS: u32 = 10;
const P: usize = POLLS as usize;

/// An engine on which a wait without a bound ends in a bus error, far beyond every
/// bound tested here.
fn engine() -> Engine {
    let mut e = Engine::new(CH);
    e.read_limit = 100_000;
    e
}

fn fill() -> Transfer {
    Transfer::Fill {
        pattern: 0,
        dst: 0x2000,
        len: 8,
    }
}

#[test]
fn probe_reads_the_ready_bit_at_most_polls_times() {
    let mut e = engine();
    e.words[global::CapDevmemLo::ADDR / 4] = HUGE as u32;
    assert_eq!(cdm::probe(&mut e, 0x8000_0000, POLLS), Err(CdmError::Busy));
    assert_eq!(
        e.reads,
        3 + P,
        "the size (high, low, high), then one read per poll"
    );
}

#[test]
fn waits_poll_at_most_polls_times() {
    let mut e = engine();
    e.stall = true;
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    ch.prep(&mut e, fill(), Flags::default()).unwrap();
    ch.prep(&mut e, fill(), Flags::default()).unwrap();
    ch.issue_pending(&mut e).unwrap();

    let reads = e.reads;
    assert_eq!(ch.wait(&mut e, POLLS), Err(DmaError::Timeout));
    assert_eq!(
        e.reads - reads,
        2 * P,
        "the consumer and the status per poll"
    );
    let reads = e.reads;
    assert_eq!(ch.wait_for_room(&mut e, 1, POLLS), Err(DmaError::Timeout));
    assert_eq!(e.reads - reads, 2 * P);
    let reads = e.reads;
    assert_eq!(ch.wait(&mut e, 0), Err(DmaError::Timeout));
    assert_eq!(e.reads, reads, "no polls, no reads");
}

#[test]
fn terminate_all_reads_the_status_at_most_polls_times() {
    let mut e = engine();
    e.stall = true;
    let mut ch = Channel::open(&mut e, CH, RING, 4).unwrap();
    ch.prep(&mut e, fill(), Flags::default()).unwrap();
    ch.issue_pending(&mut e).unwrap();
    let reads = e.reads;
    assert_eq!(ch.terminate_all(&mut e, POLLS), Err(DmaError::Timeout));
    assert_eq!(e.reads - reads, P);
}

/// `n` small pages of system memory to migrate, and their destination entries.
fn small(n: usize) -> (Vec<MigratePfn>, Vec<MigratePfn>) {
    let flags = MigratePfn::VALID | MigratePfn::MIGRATE;
    let src = (0..n as u64)
        .map(|k| MigratePfn::new(0x4000_0000 + k * PAGE, flags))
        .collect();
    (src, vec![MigratePfn::EMPTY; n])
}

fn allocator() -> PageAllocator<Vec<u16>> {
    let region = Region {
        base: 0x8000_0000,
        size: HUGE,
    };
    let (p, b) = PageAllocator::<Vec<u16>>::storage(region.size);
    PageAllocator::new(region, vec![0; p], vec![0; b]).unwrap()
}

/// Runs `alloc_and_copy` of eight small pages on a ring of `2^log2`; returns its result
/// and register reads, and checks that a failure gives every page back.
fn migrate(e: &mut Engine, log2: u32, polls: u32) -> (Result<usize, CdmError<BusError>>, usize) {
    let mut ch = Channel::open(e, CH, RING, log2).unwrap();
    let mut pages = allocator();
    let free = pages.free_pages();
    let (src, mut dst) = small(8);
    let reads = e.reads;
    let r = alloc_and_copy(e, &mut ch, &mut pages, &src, &mut dst, polls);
    if r.is_err() {
        assert_eq!(pages.free_pages(), free, "every destination released");
        assert!(dst.iter().all(|d| *d == MigratePfn::EMPTY));
    }
    (r.map(|s| s.copy_failed), e.reads - reads)
}

/// One wait (a poll reads the consumer, the status and the halt record: ERR_INDEX,
/// then ERR_ADDR high, low, high; 6 reads),
/// then the clean-up's `terminate_all`, which finds the channel halted at once.
#[test]
fn alloc_and_copy_on_a_channel_that_stays_halted_ends_within_its_polls() {
    let mut e = engine();
    e.stuck = true;
    e.fail.insert(0, ErrorCode::ReadError);
    let (r, reads) = migrate(&mut e, 4, POLLS);
    assert_eq!(r, Err(CdmError::Busy));
    assert!(reads <= 6 * P + P + 2, "{reads} register reads");
}

/// Five halts, each skipped, and the poll that sees the rest done: six polls.
#[test]
fn each_skipped_halt_takes_a_poll_of_the_wait() {
    for (polls, expected) in [(5, Err(CdmError::Busy)), (6, Ok(5))] {
        let mut e = engine();
        e.fail.extend((0..5).map(|n| (n, ErrorCode::ReadError)));
        assert_eq!(migrate(&mut e, 4, polls).0, expected, "{polls} polls");
    }
}

/// Two reads per poll of the final wait, then one per poll of `terminate_all`.
#[test]
fn alloc_and_copy_that_never_completes_ends_within_its_polls() {
    let mut e = engine();
    e.stall = true;
    assert_eq!(migrate(&mut e, 4, POLLS), (Err(CdmError::Busy), 3 * P));
}

/// The fifth page finds the ring of four full: one look at the consumer, then the
/// wait for room and `terminate_all` as above.
#[test]
fn alloc_and_copy_on_a_ring_that_stays_full_ends_within_its_polls() {
    let mut e = engine();
    e.stall = true;
    assert_eq!(migrate(&mut e, 2, POLLS), (Err(CdmError::Busy), 1 + 3 * P));
}

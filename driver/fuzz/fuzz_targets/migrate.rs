//! `alloc_and_copy` over the fake engine, which halts on chosen descriptors (and may
//! stay halted, or never run), with a page allocator that may run out or refuse huge
//! pages. Whatever happens: every page requested is migrated, left for lack of
//! memory, or left because its copy failed; what was migrated holds its source; the
//! allocator gets back everything not migrated; and the register reads stay within
//! the documented poll budget.

#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use cdm_driver::cdm::{
    alloc_and_copy, CdmError, MigratePfn, PageAllocator, PageSource, Region, HUGE, PAGE,
    PAGES_PER_HUGE,
};
use cdm_driver::descriptor::ErrorCode;
use cdm_driver::dma::{Channel, DmaMemory};
use cdm_driver::fake::Engine;
use libfuzzer_sys::fuzz_target;

const SYSTEM: u64 = 0x4000_0000;
const DEVICE: Region = Region {
    base: 0x1_0000_0000,
    size: 4 * HUGE,
};

/// One 512-entry slot of the migration.
#[derive(Arbitrary, Debug)]
enum Slot {
    /// A 2 MiB page (a hole if not `valid`).
    Huge { valid: bool, write: bool },
    /// 512 small entries, from a bit each: migrate, valid, write.
    Small([u8; 64]),
    /// A compound entry whose range runs past the top of the address space.
    PastTheTop,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// One or two slots.
    slots: Vec<Slot>,
    /// Ring of 2^(log2 % 6) descriptors.
    log2: u8,
    /// Descriptors (in the order the engine starts them) that halt, with the code.
    fail: Vec<(u16, u8)>,
    /// Copies from these pages of the sources halt (page index in system memory).
    bad: Vec<u16>,
    stuck: bool,
    stall: bool,
    /// Polls per wait: 0 to 31.
    polls: u8,
    /// Huge allocations fail; small ones give out after this many (if `limited`).
    no_huge: bool,
    limited: bool,
    small: u16,
    fail_next_alloc: bool,
}

/// The allocator, with huge pages refused and small ones rationed as asked.
struct Source<'a> {
    pages: &'a mut PageAllocator<Vec<u16>>,
    no_huge: bool,
    left: Option<u16>,
}

impl PageSource for Source<'_> {
    fn alloc(&mut self, huge: bool) -> Option<u64> {
        if huge && self.no_huge {
            return None;
        }
        if let Some(left) = &mut self.left {
            *left = left.checked_sub(1)?;
        }
        self.pages.alloc(huge)
    }
    fn release(&mut self, addr: u64) {
        self.pages.release(addr);
    }
}

fn sources(slots: &[Slot]) -> Vec<MigratePfn> {
    let mut src = vec![MigratePfn::EMPTY; slots.len() * PAGES_PER_HUGE];
    for (k, slot) in slots.iter().enumerate() {
        let at = k * PAGES_PER_HUGE;
        let base = SYSTEM + k as u64 * HUGE;
        match slot {
            Slot::Huge { valid, write } => {
                let mut flags = MigratePfn::MIGRATE | MigratePfn::COMPOUND;
                if *valid {
                    flags |= MigratePfn::VALID;
                }
                if *write {
                    flags |= MigratePfn::WRITE;
                }
                src[at] = MigratePfn::new(base, flags);
            }
            Slot::Small(bits) => {
                for i in 0..PAGES_PER_HUGE {
                    let b = bits[i / 8] >> (i % 8);
                    if b & 1 == 0 {
                        continue;
                    }
                    let mut flags = MigratePfn::MIGRATE;
                    if b & 2 != 0 {
                        flags |= MigratePfn::VALID;
                    }
                    if b & 4 != 0 {
                        flags |= MigratePfn::WRITE;
                    }
                    src[at + i] = MigratePfn::new(base + i as u64 * PAGE, flags);
                }
            }
            Slot::PastTheTop => {
                let flags = MigratePfn::VALID | MigratePfn::MIGRATE | MigratePfn::COMPOUND;
                src[at] = MigratePfn::new(u64::MAX - PAGE + 1, flags);
            }
        }
    }
    src
}

/// The bytes destination `i` must hold: its source page, its piece of a huge source,
/// or zeros for a hole.
fn expected(src: &[MigratePfn], i: usize, d: MigratePfn, e: &mut Engine) -> Vec<u8> {
    let mut v = vec![0; d.size() as usize];
    let head = i - i % PAGES_PER_HUGE;
    let (s, at) = if src[i].migrate() {
        (src[i], 0)
    } else {
        (src[head], (i - head) as u64 * PAGE)
    };
    if s.valid() {
        DmaMemory::read(e, s.addr() + at, &mut v);
    }
    v
}

fuzz_target!(|input: Input| {
    if input.slots.is_empty() || input.slots.len() > 2 {
        return;
    }
    let mut e = Engine::new(1);
    let log2 = u32::from(input.log2 % 6);
    let mut ch = Channel::open(&mut e, 1, 0x1000, log2).unwrap();
    e.fail.extend(input.fail.iter().map(|&(n, code)| {
        let code = ErrorCode::from_bits(u32::from(code % 12) + 1).unwrap();
        (usize::from(n % 2048), code)
    }));
    e.bad.extend(
        input
            .bad
            .iter()
            .map(|&k| SYSTEM + u64::from(k % 1024) * PAGE),
    );
    e.stuck = input.stuck;
    e.stall = input.stall;
    let src = sources(&input.slots);
    // Each source page starts with its address: a page copied from the wrong place shows.
    for s in src.iter().filter(|s| s.valid()) {
        let Some(end) = s.addr().checked_add(s.size()) else {
            continue;
        };
        for at in (s.addr()..end).step_by(PAGE as usize) {
            DmaMemory::write(&mut e, at, &at.to_le_bytes());
        }
    }

    let (p, b) = PageAllocator::<Vec<u16>>::storage(DEVICE.size);
    let mut pages = PageAllocator::new(DEVICE, vec![0; p], vec![0; b]).unwrap();
    if input.fail_next_alloc {
        pages.fail_next_alloc();
    }
    let free = pages.free_pages();
    let mut dst = vec![MigratePfn::new(0x5000, MigratePfn::VALID); src.len()];
    let polls = u32::from(input.polls % 32);
    let mut source = Source {
        pages: &mut pages,
        no_huge: input.no_huge,
        left: input.limited.then_some(input.small),
    };
    let reads = e.reads;
    let r = alloc_and_copy(&mut e, &mut ch, &mut source, &src, &mut dst, polls);
    let reads = e.reads - reads;

    let past_the_top = input.slots.iter().any(|s| matches!(s, Slot::PastTheTop));
    let stats = match r {
        Err(err) => {
            assert!(!past_the_top || err == CdmError::Invalid, "{err:?}");
            assert!(dst.iter().all(|d| *d == MigratePfn::EMPTY), "released");
            assert_eq!(pages.free_pages(), free, "every page back");
            // At most one wait per destination and one more, then terminate_all.
            let waits = src.len() + 1;
            let bound = waits * (5 * polls as usize + 1) + polls as usize + 2;
            assert!(reads <= bound, "{reads} reads, bound {bound}");
            return;
        }
        Ok(stats) => stats,
    };
    assert!(!past_the_top);
    let requested: usize = src
        .iter()
        .filter(|s| s.migrate())
        .map(|s| (s.size() / PAGE) as usize)
        .sum();
    assert_eq!(
        stats.migrated + stats.no_memory + stats.copy_failed,
        requested,
        "{stats:?}"
    );
    assert_eq!(pages.free_pages(), free - stats.migrated);
    let waits = stats.descriptors + 1;
    let bound = waits * (5 * polls as usize + 1);
    assert!(reads <= bound, "{reads} reads, bound {bound}");

    let mut used = BTreeSet::new();
    let mut filled = 0;
    for (i, &d) in dst.iter().enumerate() {
        if !d.valid() {
            continue;
        }
        assert!(used.insert(d.addr()), "{:#x} twice", d.addr());
        assert!(DEVICE.contains(d.addr(), d.size()));
        assert_eq!(pages.refcount(d.addr()), 1);
        assert_eq!(pages.is_huge(d.addr()), d.compound());
        let head = i - i % PAGES_PER_HUGE;
        let s = if src[i].migrate() { src[i] } else { src[head] };
        assert_eq!(d.write(), s.write());
        if !s.valid() {
            filled += (d.size() / PAGE) as usize;
        }
        let mut got = vec![0; d.size() as usize];
        DmaMemory::read(&mut e, d.addr(), &mut got);
        assert!(got == expected(&src, i, d, &mut e), "destination {i}");
    }
    assert_eq!(stats.filled, filled);
});

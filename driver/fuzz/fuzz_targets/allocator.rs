//! The page allocator against a reference model: a plain vector of page states. Every
//! operation's result must match the model's, and after every operation the
//! allocator's view of every page (reference count, huge or not, free count, the
//! allocated list) must too.

#![no_main]

use arbitrary::Arbitrary;
use cdm_driver::cdm::{PageError, PageAllocator, Region, HUGE, PAGE, PAGES_PER_HUGE};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Allocate { huge: bool },
    Get(Target),
    Put(Target),
    Split(Target),
    FailNextAlloc,
}

/// An address: one the model has handed out, or any page of the region and around it,
/// or anything at all.
#[derive(Arbitrary, Debug)]
enum Target {
    Allocated(u16),
    Page(i16),
    Raw(u64),
}

/// Where the region starts.
#[derive(Arbitrary, Debug)]
enum Base {
    /// This many 2 MiB blocks from 0.
    Low(u16),
    /// Ending this many blocks below the top of the address space.
    Top(u16),
    /// Anywhere: misaligned, or running past the top.
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// 2 MiB blocks: 1 to 4.
    blocks: u8,
    base: Base,
    ops: Vec<Op>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Page {
    Free,
    /// The head of a page, small or (`huge`) of 512.
    Head {
        count: u16,
        huge: bool,
    },
    Tail,
}

struct Model {
    base: u64,
    pages: Vec<Page>,
    fail_next: bool,
}

impl Model {
    fn addr(&self, i: usize) -> u64 {
        self.base + i as u64 * PAGE
    }

    fn index(&self, addr: u64) -> Option<usize> {
        let off = addr.checked_sub(self.base)?;
        let i = usize::try_from(off / PAGE).ok()?;
        (off % PAGE == 0 && i < self.pages.len()).then_some(i)
    }

    fn head(&self, addr: u64) -> Option<(usize, u16, bool)> {
        let i = self.index(addr)?;
        match self.pages[i] {
            Page::Head { count, huge } => Some((i, count, huge)),
            _ => None,
        }
    }

    fn block_free(&self, b: usize) -> usize {
        self.pages[b * PAGES_PER_HUGE..][..PAGES_PER_HUGE]
            .iter()
            .filter(|&&p| p == Page::Free)
            .count()
    }

    /// Whole free blocks go to huge pages; small pages come from the first partly
    /// used block with room, else the first block with room, at its first free page.
    fn allocate(&mut self, huge: bool) -> Result<u64, PageError> {
        if std::mem::take(&mut self.fail_next) {
            return Err(PageError::NoMemory);
        }
        let blocks = self.pages.len() / PAGES_PER_HUGE;
        let free: Vec<usize> = (0..blocks).map(|b| self.block_free(b)).collect();
        let b = if huge {
            free.iter().position(|&f| f == PAGES_PER_HUGE)
        } else {
            free.iter()
                .position(|&f| f > 0 && f < PAGES_PER_HUGE)
                .or_else(|| free.iter().position(|&f| f > 0))
        }
        .ok_or(PageError::NoMemory)?;
        let start = b * PAGES_PER_HUGE;
        if huge {
            self.pages[start..start + PAGES_PER_HUGE].fill(Page::Tail);
            self.pages[start] = Page::Head { count: 1, huge };
            return Ok(self.addr(start));
        }
        let i = start
            + self.pages[start..start + PAGES_PER_HUGE]
                .iter()
                .position(|&p| p == Page::Free)
                .unwrap();
        self.pages[i] = Page::Head { count: 1, huge };
        Ok(self.addr(i))
    }

    fn get(&mut self, addr: u64) -> Result<(), PageError> {
        match self.head(addr) {
            Some((i, count, huge)) if count < u16::MAX - 1 => {
                self.pages[i] = Page::Head {
                    count: count + 1,
                    huge,
                };
                Ok(())
            }
            _ => Err(PageError::Invalid),
        }
    }

    fn put(&mut self, addr: u64) -> Result<bool, PageError> {
        let (i, count, huge) = self.head(addr).ok_or(PageError::Invalid)?;
        if count > 1 {
            self.pages[i] = Page::Head {
                count: count - 1,
                huge,
            };
            return Ok(false);
        }
        let n = if huge { PAGES_PER_HUGE } else { 1 };
        self.pages[i..i + n].fill(Page::Free);
        Ok(true)
    }

    fn split(&mut self, addr: u64) -> Result<(), PageError> {
        match self.head(addr) {
            Some((i, count, true)) => {
                if count != 1 {
                    return Err(PageError::Busy);
                }
                self.pages[i..i + PAGES_PER_HUGE].fill(Page::Head {
                    count: 1,
                    huge: false,
                });
                Ok(())
            }
            _ => Err(PageError::Invalid),
        }
    }

    fn allocated(&self) -> Vec<(u64, bool)> {
        (0..self.pages.len())
            .filter_map(|i| match self.pages[i] {
                Page::Head { huge, .. } => Some((self.addr(i), huge)),
                _ => None,
            })
            .collect()
    }

    fn target(&self, t: &Target) -> u64 {
        match *t {
            Target::Allocated(k) => {
                let heads = self.allocated();
                match heads.len() {
                    0 => self.base,
                    n => heads[usize::from(k) % n].0,
                }
            }
            Target::Page(k) => self.base.wrapping_add_signed(i64::from(k) * PAGE as i64),
            Target::Raw(a) => a,
        }
    }
}

fn check(a: &PageAllocator<Vec<u16>>, m: &Model) {
    let free = m.pages.iter().filter(|&&p| p == Page::Free).count();
    assert_eq!(a.free_pages(), free);
    for i in 0..m.pages.len() {
        let addr = m.addr(i);
        let (count, huge) = match m.pages[i] {
            Page::Head { count, huge } => (count, huge),
            _ => (0, false),
        };
        assert_eq!(a.refcount(addr), count, "{addr:#x}");
        assert_eq!(a.is_huge(addr), huge, "{addr:#x}");
        assert_eq!(a.refcount(addr + 1), 0);
    }
    assert_eq!(a.allocated().collect::<Vec<_>>(), m.allocated());
}

fuzz_target!(|input: Input| {
    let blocks = usize::from(input.blocks % 4) + 1;
    let size = blocks as u64 * HUGE;
    let base = match input.base {
        Base::Low(k) => u64::from(k) * HUGE,
        Base::Top(k) => (u64::MAX - size + 1) - u64::from(k) * HUGE,
        Base::Raw(a) => a,
    };
    let region = Region { base, size };
    let (np, nb) = PageAllocator::<Vec<u16>>::storage(size);
    let short = PageAllocator::new(region, vec![0; np - 1], vec![0; nb]);
    assert_eq!(short.unwrap_err(), PageError::Invalid, "storage too short");
    let a = PageAllocator::new(region, vec![7; np], vec![7; nb]);
    if base % HUGE != 0 || base.checked_add(size - 1).is_none() {
        assert_eq!(a.unwrap_err(), PageError::Invalid, "{base:#x}");
        return;
    }
    let mut a = a.unwrap();
    assert_eq!(a.region(), region);
    let mut m = Model {
        base,
        pages: vec![Page::Free; np],
        fail_next: false,
    };
    check(&a, &m);
    for op in &input.ops {
        match op {
            Op::Allocate { huge } => assert_eq!(a.allocate(*huge), m.allocate(*huge)),
            Op::Get(t) => {
                let addr = m.target(t);
                assert_eq!(a.get(addr), m.get(addr), "get {addr:#x}");
            }
            Op::Put(t) => {
                let addr = m.target(t);
                assert_eq!(a.put(addr), m.put(addr), "put {addr:#x}");
            }
            Op::Split(t) => {
                let addr = m.target(t);
                assert_eq!(a.split(addr), m.split(addr), "split {addr:#x}");
            }
            Op::FailNextAlloc => {
                a.fail_next_alloc();
                m.fail_next = true;
            }
        }
        check(&a, &m);
    }
});

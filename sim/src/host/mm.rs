//! The process address space: virtual ranges with protections and the page table.
//!
//! Pure bookkeeping; [`Host`](super::Host) owns the frames the entries point at and
//! does the faults, migrations and copies.

use std::collections::BTreeMap;

use cdm_driver::cdm::{HUGE, PAGE};

/// Protection of a virtual range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prot {
    None,
    Read,
    ReadWrite,
}

/// A virtual range `start..end` (page aligned).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
    /// Transparent huge pages allowed (`MADV_HUGEPAGE`): faults and migrations of a
    /// whole aligned 2 MiB use huge pages.
    pub huge: bool,
}

/// What a page table entry maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A system RAM page.
    System,
    /// The shared zero page (read-only; a write allocates).
    Zero,
    /// A page of device `n`'s memory.
    Device(usize),
}

/// One 4 KiB mapping. The 512 entries of a huge mapping all say `huge` and map the
/// consecutive 4 KiB pieces of one 2 MiB frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pte {
    /// Physical address of this 4 KiB piece.
    pub frame: u64,
    pub kind: Kind,
    pub write: bool,
    pub huge: bool,
    /// A migration entry: the page is being migrated and CPU accesses wait.
    pub migrating: bool,
}

impl Pte {
    /// The frame that holds the reference: the 2 MiB head of a huge mapping.
    pub fn head(&self) -> u64 {
        if self.huge {
            self.frame & !(HUGE - 1)
        } else {
            self.frame
        }
    }
}

/// Virtual ranges and the page table of one process.
#[derive(Debug, Default)]
pub struct Mm {
    vmas: BTreeMap<u64, Vma>,
    ptes: BTreeMap<u64, Pte>,
    next: u64,
}

/// Where new ranges go: above the zero page, 2 MiB aligned.
const MMAP_BASE: u64 = 0x10_0000_0000;

impl Mm {
    /// Maps `len` bytes (rounded up to pages) of anonymous memory; returns the start,
    /// 2 MiB aligned, with an unmapped 2 MiB guard after it.
    pub fn mmap(&mut self, len: u64, prot: Prot, huge: bool) -> u64 {
        let start = self.next.max(MMAP_BASE);
        let end = start + len.div_ceil(PAGE) * PAGE;
        self.vmas.insert(
            start,
            Vma {
                start,
                end,
                prot,
                huge,
            },
        );
        self.next = end.div_ceil(HUGE) * HUGE + HUGE;
        start
    }

    /// The range holding `va`.
    pub fn vma(&self, va: u64) -> Option<Vma> {
        self.vmas
            .range(..=va)
            .next_back()
            .map(|(_, v)| *v)
            .filter(|v| va < v.end)
    }

    /// True when every byte of `start..end` lies in some range.
    pub fn covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        while at < end {
            match self.vma(at) {
                Some(v) => at = v.end,
                None => return false,
            }
        }
        true
    }

    /// Cuts the range holding `at` in two there, so protections can change on part.
    fn split_vma(&mut self, at: u64) {
        if let Some(v) = self.vma(at) {
            if v.start < at {
                self.vmas.insert(v.start, Vma { end: at, ..v });
                self.vmas.insert(at, Vma { start: at, ..v });
            }
        }
    }

    /// Sets the protection of `start..end`; mappings lose write permission unless the
    /// new protection allows it (they regain it on the next write fault).
    pub fn mprotect(&mut self, start: u64, end: u64, prot: Prot) {
        self.split_vma(start);
        self.split_vma(end);
        let starts: Vec<u64> = self.vmas.range(start..end).map(|(&s, _)| s).collect();
        for s in starts {
            self.vmas.get_mut(&s).unwrap().prot = prot;
        }
        if prot != Prot::ReadWrite {
            for (_, p) in self.ptes.range_mut(start..end) {
                p.write = false;
            }
        }
    }

    /// Removes the ranges of `start..end` (their entries must be gone already).
    pub fn remove_vmas(&mut self, start: u64, end: u64) {
        self.split_vma(start);
        self.split_vma(end);
        let starts: Vec<u64> = self.vmas.range(start..end).map(|(&s, _)| s).collect();
        for s in starts {
            self.vmas.remove(&s);
        }
    }

    pub fn pte(&self, va: u64) -> Option<Pte> {
        self.ptes.get(&(va & !(PAGE - 1))).copied()
    }

    pub fn pte_mut(&mut self, va: u64) -> Option<&mut Pte> {
        self.ptes.get_mut(&(va & !(PAGE - 1)))
    }

    pub fn set_pte(&mut self, va: u64, pte: Pte) {
        self.ptes.insert(va & !(PAGE - 1), pte);
    }

    pub fn clear_pte(&mut self, va: u64) -> Option<Pte> {
        self.ptes.remove(&(va & !(PAGE - 1)))
    }

    /// Entries in `start..end`, in address order.
    pub fn ptes(&self, start: u64, end: u64) -> impl Iterator<Item = (u64, Pte)> + '_ {
        self.ptes.range(start..end).map(|(&va, &p)| (va, p))
    }

    /// Every entry: the reverse map an eviction walks.
    pub fn all_ptes(&self) -> impl Iterator<Item = (u64, Pte)> + '_ {
        self.ptes.iter().map(|(&va, &p)| (va, p))
    }

    /// Turns the huge mapping holding `va` into 512 small ones (same frames).
    pub fn split_pmd(&mut self, va: u64) {
        let head = va & !(HUGE - 1);
        for (_, p) in self.ptes.range_mut(head..head + HUGE) {
            p.huge = false;
        }
    }
}

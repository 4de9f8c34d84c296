//! `Mmio` over ordinary memory, and the `Offset`s that make its accesses infallible.

use crate::io::{Mmio, Offset, RegisterIo};
use crate::regs::{global, window, SIZE};
use crate::{Register, Regs};

fn at(offset: usize) -> Offset {
    Offset::new(offset).unwrap()
}

#[test]
fn accesses_reach_memory() {
    let mut mem = [0u32; SIZE / 4];
    {
        // SAFETY: `mem` (SIZE bytes) outlives `io` and is only accessed through it meanwhile.
        let mut io = unsafe { Mmio::new(mem.as_mut_ptr()) };
        io.write32(at(0), 0x1111_1111).unwrap();
        io.write32(at(SIZE - 4), 0x8888_8888).unwrap();
        assert_eq!(io.read32(at(SIZE - 4)), Ok(0x8888_8888));
        assert_eq!(io.base(), mem.as_mut_ptr());
    }
    assert_eq!(mem[0], 0x1111_1111);
    assert_eq!(mem[SIZE / 4 - 1], 0x8888_8888);
}

#[test]
fn an_offset_is_an_aligned_word_of_the_register_space() {
    assert_eq!(Offset::new(0).map(Offset::get), Some(0));
    assert_eq!(Offset::new(SIZE - 4).map(Offset::word), Some(SIZE / 4 - 1));
    for bad in [
        2,
        0x13,
        SIZE - 2,
        SIZE,
        SIZE + 4,
        usize::MAX - 3,
        usize::MAX,
    ] {
        assert_eq!(Offset::new(bad), None, "{bad:#x}");
    }
}

#[test]
fn regs_over_mmio() {
    let mut mem = [0u32; SIZE / 4];
    {
        // SAFETY: as above.
        let mut regs = Regs::new(unsafe { Mmio::new(mem.as_mut_ptr()) });
        regs.write_at::<window::BaseHi>(2, 0xAB.into()).unwrap();
        regs.modify::<global::Ctrl>(|v| v.with_enable(true))
            .unwrap();
    }
    assert_eq!(mem[(window::BaseHi::ADDR + 2 * window::STRIDE) / 4], 0xAB);
    assert_eq!(mem[global::Ctrl::ADDR / 4], 1);
}

//! `Mmio` over ordinary memory: bounds and alignment are checked, not trusted.

use crate::io::{BusError, BusErrorKind, Mmio, RegisterIo};
use crate::regs::{global, window, SIZE};
use crate::{Register, Regs};

fn dec(offset: usize) -> BusError {
    BusError {
        offset,
        kind: BusErrorKind::DecErr,
    }
}

#[test]
fn accesses_inside_the_window_reach_memory() {
    let mut mem = [0u32; 8];
    {
        // SAFETY: `mem` outlives `io` and is only accessed through it meanwhile.
        let mut io = unsafe { Mmio::new(mem.as_mut_ptr(), 32) };
        io.write32(0, 0x1111_1111).unwrap();
        io.write32(28, 0x8888_8888).unwrap();
        assert_eq!(io.read32(28), Ok(0x8888_8888));
        assert_eq!(io.size(), 32);
    }
    assert_eq!(mem[0], 0x1111_1111);
    assert_eq!(mem[7], 0x8888_8888);
}

#[test]
fn misaligned_or_outside_offsets_are_decode_errors() {
    let mut mem = [0u32; 8];
    {
        // SAFETY: as above; the window is 30 bytes, so its last whole word is at 24.
        let mut io = unsafe { Mmio::new(mem.as_mut_ptr(), 30) };
        assert_eq!(io.read32(24), Ok(0));
        assert_eq!(io.read32(28), Err(dec(28)), "word not entirely inside");
        assert_eq!(io.read32(32), Err(dec(32)));
        assert_eq!(io.write32(2, 1), Err(dec(2)));
        assert_eq!(io.read32(usize::MAX - 1), Err(dec(usize::MAX - 1)));
        assert_eq!(io.write32(usize::MAX - 3, 1), Err(dec(usize::MAX - 3)));
    }
    assert_eq!(mem, [0; 8], "nothing was written");
}

#[test]
fn regs_over_mmio() {
    let mut mem = [0u32; SIZE / 4];
    {
        // SAFETY: as above.
        let mut regs = Regs::new(unsafe { Mmio::new(mem.as_mut_ptr(), SIZE) });
        regs.write_at::<window::BaseHi>(2, 0xAB.into()).unwrap();
        regs.modify::<global::Ctrl>(|v| v.with_enable(true))
            .unwrap();
    }
    assert_eq!(mem[(window::BaseHi::ADDR + 2 * window::STRIDE) / 4], 0xAB);
    assert_eq!(mem[global::Ctrl::ADDR / 4], 1);
}

//! The bus underneath the registers: [`RegisterIo`], its [`BusError`], and [`Mmio`].
//!
//! `RegisterIo` is the one thing a platform provides: 32-bit reads and writes at a
//! byte offset from the start of the device's register space. [`Mmio`] implements it
//! with volatile accesses to memory-mapped registers; a simulation implements it with
//! a bus model, a unit test with an array.

use core::fmt;

/// 32-bit register accesses at byte offsets from the start of the register space.
///
/// Offsets handed in by [`Regs`](crate::Regs) are always 4-byte aligned and inside
/// the register space ([`regs::SIZE`](crate::regs::SIZE)).
pub trait RegisterIo {
    /// Reads the 32-bit register at `offset`.
    ///
    /// # Errors
    ///
    /// The bus's error response.
    fn read32(&mut self, offset: usize) -> Result<u32, BusError>;

    /// Writes `value` to the 32-bit register at `offset`.
    ///
    /// # Errors
    ///
    /// The bus's error response.
    fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError>;
}

impl<T: RegisterIo + ?Sized> RegisterIo for &mut T {
    #[inline]
    fn read32(&mut self, offset: usize) -> Result<u32, BusError> {
        (**self).read32(offset)
    }

    #[inline]
    fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError> {
        (**self).write32(offset, value)
    }
}

/// The error response of a bus access (the AXI response codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BusErrorKind {
    /// The addressed slave answered with an error (`SLVERR`).
    SlvErr,
    /// No slave decodes the address (`DECERR`). [`Mmio`] answers so for an offset
    /// outside its window or not 4-byte aligned, without touching memory.
    DecErr,
}

impl fmt::Display for BusErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BusErrorKind::SlvErr => "SLVERR",
            BusErrorKind::DecErr => "DECERR",
        })
    }
}

/// A bus access that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BusError {
    /// Byte offset of the access from the start of the register space.
    pub offset: usize,
    /// The bus response.
    pub kind: BusErrorKind,
}

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bus error {} at register offset {:#x}",
            self.kind, self.offset
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BusError {}

/// Memory-mapped registers: volatile 32-bit accesses inside a window of `size` bytes.
///
/// An offset that is not 4-byte aligned, or whose word does not lie entirely inside
/// the window, is rejected with [`BusErrorKind::DecErr`] (what an interconnect answers
/// for an address nothing decodes) instead of being dereferenced. Every access inside
/// the window is performed and returns `Ok`: a plain memory-mapped bus has no error
/// response the CPU could see as a value (a real bus error is a CPU exception).
#[derive(Debug)]
pub struct Mmio {
    base: *mut u32,
    size: usize,
}

// SAFETY: an `Mmio` stands for access to its window, which `Mmio::new`'s contract
// gives to it alone; moving it to another thread moves that access. It is not
// `Sync`: accesses need `&mut self` anyway.
unsafe impl Send for Mmio {}

impl Mmio {
    /// Registers at `base`, `size` bytes of them.
    ///
    /// # Safety
    ///
    /// `base` must be 4-byte aligned and valid for volatile 32-bit reads and writes
    /// of every word in `base .. base + size` bytes for as long as the `Mmio` (or a
    /// value moved out of it) is used: normally the device's mapped register space,
    /// mapped as device (uncached) memory. No Rust reference may point into the
    /// window, and nothing else may access it concurrently.
    pub const unsafe fn new(base: *mut u32, size: usize) -> Mmio {
        Mmio { base, size }
    }

    /// The start of the window.
    #[must_use]
    pub const fn base(&self) -> *mut u32 {
        self.base
    }

    /// The size of the window in bytes.
    #[must_use]
    pub const fn size(&self) -> usize {
        self.size
    }

    /// The word index of `offset`, if it is an aligned word inside the window.
    fn word(&self, offset: usize) -> Result<usize, BusError> {
        let inside = match offset.checked_add(4) {
            Some(end) => end <= self.size,
            None => false,
        };
        if inside && offset % 4 == 0 {
            Ok(offset / 4)
        } else {
            Err(BusError {
                offset,
                kind: BusErrorKind::DecErr,
            })
        }
    }
}

impl RegisterIo for Mmio {
    #[inline]
    fn read32(&mut self, offset: usize) -> Result<u32, BusError> {
        let word = self.word(offset)?;
        // SAFETY: `word` is a whole aligned word inside the window, which `new`'s
        // contract makes valid for volatile reads.
        Ok(unsafe { self.base.add(word).read_volatile() })
    }

    #[inline]
    fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError> {
        let word = self.word(offset)?;
        // SAFETY: as in `read32`, for writes.
        unsafe { self.base.add(word).write_volatile(value) };
        Ok(())
    }
}

//! The bus underneath the registers: [`RegisterIo`], the [`Offset`]s it is addressed
//! by, [`BusError`] for buses with AXI error responses, and [`Mmio`].
//!
//! `RegisterIo` is the one thing a platform provides: 32-bit reads and writes at an
//! offset into the device's register space. [`Mmio`] implements it with volatile
//! accesses to memory-mapped registers and cannot fail (its error is [`Infallible`]);
//! a simulation implements it with a bus model whose errors are the AXI responses
//! ([`BusError`]); a board reached over USB has errors of its link.

use core::convert::Infallible;
use core::fmt;

use crate::regs::SIZE;

/// A byte offset into the register space: 4-byte aligned, its word inside the
/// [`regs::SIZE`](crate::regs::SIZE) bytes of the space.
///
/// Every offset a [`RegisterIo`] is handed is one, so an implementation needs no
/// check of its own: a misaligned or outside access cannot be expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Offset(usize);

impl Offset {
    /// `offset`, if it is 4-byte aligned and its word lies inside the register space.
    #[must_use]
    pub const fn new(offset: usize) -> Option<Offset> {
        if offset % 4 == 0 && offset < SIZE {
            Some(Offset(offset))
        } else {
            None
        }
    }

    /// The offset in bytes.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0
    }

    /// The offset in 32-bit words.
    #[must_use]
    pub const fn word(self) -> usize {
        self.0 / 4
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// 32-bit register accesses at [`Offset`]s into the register space.
pub trait RegisterIo {
    /// Why an access failed: [`Infallible`] for memory-mapped registers, the bus's
    /// error response or a failure of the link to the device elsewhere.
    type Error: Copy + fmt::Debug + fmt::Display;

    /// Reads the 32-bit register at `offset`.
    ///
    /// # Errors
    ///
    /// The bus's failure.
    fn read32(&mut self, offset: Offset) -> Result<u32, Self::Error>;

    /// Writes `value` to the 32-bit register at `offset`.
    ///
    /// # Errors
    ///
    /// The bus's failure.
    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), Self::Error>;
}

impl<T: RegisterIo + ?Sized> RegisterIo for &mut T {
    type Error = T::Error;

    #[inline]
    fn read32(&mut self, offset: Offset) -> Result<u32, T::Error> {
        (**self).read32(offset)
    }

    #[inline]
    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), T::Error> {
        (**self).write32(offset, value)
    }
}

/// The error response of a bus access (the AXI response codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BusErrorKind {
    /// The addressed slave answered with an error (`SLVERR`).
    SlvErr,
    /// No slave decodes the address (`DECERR`).
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

/// An access that a bus with AXI responses (a simulated interconnect, say) failed.
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

/// Memory-mapped registers: volatile 32-bit accesses to the device's register space.
///
/// An access cannot fail: every [`Offset`] is an aligned word of the space, and a
/// plain memory-mapped bus has no error response the CPU could see as a value (a
/// real bus error is a CPU exception).
#[derive(Debug)]
pub struct Mmio {
    base: *mut u32,
}

// SAFETY: an `Mmio` stands for access to its window, which `Mmio::new`'s contract
// gives to it alone; moving it to another thread moves that access. It is not
// `Sync`: accesses need `&mut self` anyway.
unsafe impl Send for Mmio {}

impl Mmio {
    /// The register space at `base`.
    ///
    /// # Safety
    ///
    /// `base` must be 4-byte aligned and valid for volatile 32-bit reads and writes
    /// of every word in `base .. base + regs::SIZE` bytes for as long as the `Mmio`
    /// (or a value moved out of it) is used: normally the device's mapped register
    /// space, mapped as device (uncached) memory. No Rust reference may point into
    /// the space, and nothing else may access it concurrently.
    pub const unsafe fn new(base: *mut u32) -> Mmio {
        Mmio { base }
    }

    /// The start of the register space.
    #[must_use]
    pub const fn base(&self) -> *mut u32 {
        self.base
    }
}

impl RegisterIo for Mmio {
    type Error = Infallible;

    #[inline]
    fn read32(&mut self, offset: Offset) -> Result<u32, Infallible> {
        // SAFETY: `offset` is a whole aligned word inside the register space, which
        // `new`'s contract makes valid for volatile reads.
        Ok(unsafe { self.base.add(offset.word()).read_volatile() })
    }

    #[inline]
    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), Infallible> {
        // SAFETY: as in `read32`, for writes.
        unsafe { self.base.add(offset.word()).write_volatile(value) };
        Ok(())
    }
}

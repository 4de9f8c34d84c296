//! [`Regs`]: typed register accesses over a [`RegisterIo`].

use crate::io::{Offset, RegisterIo};
use crate::{Error, Readable, Register, Register64, Writable};

/// The device's registers over a bus `IO`: typed reads, writes and read-modify-writes.
///
/// The register is a type parameter, its value a typed view of the fields:
///
/// ```
/// # use core::convert::Infallible;
/// # use cdm_driver::{io::{Offset, RegisterIo}, regs::{global, intr}, Regs};
/// # struct Ram([u32; 1024]);
/// # impl RegisterIo for Ram {
/// #     type Error = Infallible;
/// #     fn read32(&mut self, at: Offset) -> Result<u32, Infallible> { Ok(self.0[at.word()]) }
/// #     fn write32(&mut self, at: Offset, value: u32) -> Result<(), Infallible> {
/// #         self.0[at.word()] = value;
/// #         Ok(())
/// #     }
/// # }
/// # fn main() -> Result<(), cdm_driver::Error<Infallible>> {
/// let mut regs = Regs::new(Ram([0; 1024]));
/// regs.modify::<global::Ctrl>(|v| v.with_enable(true))?;
/// assert!(regs.read::<global::Ctrl>()?.enable());
/// regs.write_with::<intr::Status>(|v| v.with_dma(1 << 3))?; // acknowledge channel 3
/// regs.write64::<global::DevmemBase>(0x8_0000_0000)?; // DEVMEM_BASE_LO, then _HI
/// assert_eq!(regs.read64::<global::DevmemBase>()?, 0x8_0000_0000);
/// # Ok(())
/// # }
/// ```
///
/// Registers of array blocks take an instance index (`read_at`, `write_at`,
/// `write_with_at`, `modify_at`, `read64_at`, `write64_at`); an index beyond the
/// array is [`Error::NoSuchInstance`]. The index-less methods access instance 0. Reading a register without readable fields
/// or writing one without writable fields does not compile
/// ([`Readable`], [`Writable`]):
///
/// ```compile_fail
/// # use cdm_driver::{io::Mmio, regs::global, Regs};
/// # let mut regs = Regs::new(unsafe { Mmio::new(core::ptr::null_mut()) });
/// regs.write::<global::Id>(global::IdValue::ZERO); // ID is read-only
/// ```
#[derive(Debug)]
pub struct Regs<IO> {
    io: IO,
}

impl<IO> Regs<IO> {
    /// The registers reached through `io`.
    #[must_use]
    pub const fn new(io: IO) -> Self {
        Regs { io }
    }

    /// The bus.
    pub fn io(&self) -> &IO {
        &self.io
    }

    /// The bus, for accesses the typed interface does not cover.
    pub fn io_mut(&mut self) -> &mut IO {
        &mut self.io
    }

    /// Gives the bus back.
    #[must_use]
    pub fn into_inner(self) -> IO {
        self.io
    }
}

/// Offset of instance `index` of `R`.
fn offset<R: Register, B>(index: usize) -> Result<Offset, Error<B>> {
    R::address(index).ok_or(Error::NoSuchInstance {
        register: R::NAME,
        index,
        count: R::COUNT,
    })
}

impl<IO: RegisterIo> Regs<IO> {
    /// Reads register `R` (instance 0).
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn read<R: Readable>(&mut self) -> Result<R::Value, Error<IO::Error>> {
        self.read_at::<R>(0)
    }

    /// Writes `value` to register `R` (instance 0).
    ///
    /// A full write: every field gets its bits of `value`, including 1s into `W1C`,
    /// `W1S` and `W1P` fields. Start from `Value::ZERO` to act on nothing else, or
    /// use [`write_with`](Self::write_with) or [`modify`](Self::modify).
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn write<R: Writable>(&mut self, value: R::Value) -> Result<(), Error<IO::Error>> {
        self.write_at::<R>(0, value)
    }

    /// Writes register `R` (instance 0) with what `f` makes of its reset value, the
    /// bits of `W1C`, `W1S` and `W1P` fields cleared: the fields `f` leaves alone get
    /// their reset value, and nothing is acknowledged, set or pulsed unless `f` says so.
    ///
    /// `regs.write_with::<global::Ctrl>(|v| v.with_enable(true))` enables the device
    /// and leaves every other field of `CTRL` at its reset value.
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn write_with<R: Writable>(
        &mut self,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error<IO::Error>> {
        self.write_with_at::<R>(0, f)
    }

    /// Read-modify-write of register `R` (instance 0): reads it, clears the bits of
    /// `W1C`, `W1S` and `W1P` fields ([`Register::SIDE_EFFECT_MASK`]) so that a 1
    /// read from them is never written back, applies `f` and writes the result.
    ///
    /// Bits `f` sets in those fields are written: `modify` can acknowledge an
    /// interrupt or pulse a command together with other fields. `WO` fields read
    /// as 0 and are written as 0 unless `f` sets them. Not atomic: a change another
    /// agent makes to a writable field between the read and the write is lost.
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails an access; a failed read writes nothing.
    #[inline]
    pub fn modify<R: Readable + Writable>(
        &mut self,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error<IO::Error>> {
        self.modify_at::<R>(0, f)
    }

    /// Reads instance `index` of register `R`.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn read_at<R: Readable>(&mut self, index: usize) -> Result<R::Value, Error<IO::Error>> {
        let offset = offset::<R, _>(index)?;
        Ok(R::Value::from(self.io.read32(offset)?))
    }

    /// Writes `value` to instance `index` of register `R`; see [`write`](Self::write).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn write_at<R: Writable>(
        &mut self,
        index: usize,
        value: R::Value,
    ) -> Result<(), Error<IO::Error>> {
        let offset = offset::<R, _>(index)?;
        self.io.write32(offset, value.into())?;
        Ok(())
    }

    /// Writes instance `index` of register `R` with what `f` makes of its reset
    /// value; see [`write_with`](Self::write_with).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus fails the access.
    #[inline]
    pub fn write_with_at<R: Writable>(
        &mut self,
        index: usize,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error<IO::Error>> {
        let value = f(R::Value::from(R::RESET & !R::SIDE_EFFECT_MASK));
        self.write_at::<R>(index, value)
    }

    /// Read-modify-write of instance `index` of register `R`; see [`modify`](Self::modify).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus fails an access.
    #[inline]
    pub fn modify_at<R: Readable + Writable>(
        &mut self,
        index: usize,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error<IO::Error>> {
        let offset = offset::<R, _>(index)?;
        let current = self.io.read32(offset)? & !R::SIDE_EFFECT_MASK;
        let value = f(R::Value::from(current));
        self.io.write32(offset, value.into())?;
        Ok(())
    }

    /// Reads the 64-bit value `W` (instance 0); see [`read64_at`](Self::read64_at).
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails an access.
    #[inline]
    pub fn read64<W: Register64>(&mut self) -> Result<u64, Error<IO::Error>>
    where
        W::Lo: Readable,
        W::Hi: Readable,
    {
        self.read64_at::<W>(0)
    }

    /// Writes the 64-bit value `W` (instance 0); see [`write64_at`](Self::write64_at).
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus fails an access.
    #[inline]
    pub fn write64<W: Register64>(&mut self, value: u64) -> Result<(), Error<IO::Error>>
    where
        W::Lo: Writable,
        W::Hi: Writable,
    {
        self.write64_at::<W>(0, value)
    }

    /// Reads instance `index` of the 64-bit value `W`: high half, low half, high half
    /// again, and the low half once more if the high half changed meanwhile. A counter
    /// that carries into its high half between the reads is so never seen torn (the
    /// low half cannot wrap again between the last two reads).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index` is beyond either register's instances
    /// (without bus access), [`Error::Bus`] when the bus fails an access.
    pub fn read64_at<W: Register64>(&mut self, index: usize) -> Result<u64, Error<IO::Error>>
    where
        W::Lo: Readable,
        W::Hi: Readable,
    {
        let lo_at = offset::<W::Lo, _>(index)?;
        let hi_at = offset::<W::Hi, _>(index)?;
        let hi = self.io.read32(hi_at)?;
        let mut lo = self.io.read32(lo_at)?;
        let again = self.io.read32(hi_at)?;
        if again != hi {
            lo = self.io.read32(lo_at)?;
        }
        Ok(u64::from(again) << 32 | u64::from(lo))
    }

    /// Writes `value` to instance `index` of the 64-bit value `W`: bits 31:0 to the
    /// low register, then bits 63:32 to the high one.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index` is beyond either register's instances
    /// (without bus access), [`Error::Bus`] when the bus fails an access; a failed
    /// low write writes nothing to the high register.
    pub fn write64_at<W: Register64>(
        &mut self,
        index: usize,
        value: u64,
    ) -> Result<(), Error<IO::Error>>
    where
        W::Lo: Writable,
        W::Hi: Writable,
    {
        let lo_at = offset::<W::Lo, _>(index)?;
        let hi_at = offset::<W::Hi, _>(index)?;
        self.io.write32(lo_at, value as u32)?;
        self.io.write32(hi_at, (value >> 32) as u32)?;
        Ok(())
    }
}

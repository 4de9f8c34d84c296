//! [`Regs`]: typed register accesses over a [`RegisterIo`].

use crate::io::RegisterIo;
use crate::{Error, Readable, Register, Writable};

/// The device's registers over a bus `IO`: typed reads, writes and read-modify-writes.
///
/// The register is a type parameter, its value a typed view of the fields:
///
/// ```
/// # use cdm_driver::{io::{BusError, RegisterIo}, regs::{global, intr}, Regs};
/// # struct Ram([u32; 1024]);
/// # impl RegisterIo for Ram {
/// #     fn read32(&mut self, offset: usize) -> Result<u32, BusError> { Ok(self.0[offset / 4]) }
/// #     fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError> {
/// #         self.0[offset / 4] = value;
/// #         Ok(())
/// #     }
/// # }
/// # fn main() -> Result<(), cdm_driver::Error> {
/// let mut regs = Regs::new(Ram([0; 1024]));
/// regs.modify::<global::Ctrl>(|v| v.with_enable(true))?;
/// assert!(regs.read::<global::Ctrl>()?.enable());
/// regs.write::<intr::Status>(intr::StatusValue::ZERO.with_dma(1 << 3))?; // acknowledge channel 3
/// # Ok(())
/// # }
/// ```
///
/// Registers of array blocks take an instance index (`read_at`, `write_at`,
/// `modify_at`); an index beyond the array is [`Error::NoSuchInstance`]. The
/// index-less methods access instance 0. Reading a register without readable fields
/// or writing one without writable fields does not compile
/// ([`Readable`], [`Writable`]):
///
/// ```compile_fail
/// # use cdm_driver::{io::Mmio, regs::global, Regs};
/// # let mut regs = Regs::new(unsafe { Mmio::new(core::ptr::null_mut(), 0) });
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

/// Byte offset of instance `index` of `R`.
fn offset<R: Register>(index: usize) -> Result<usize, Error> {
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
    /// [`Error::Bus`] when the bus answers with an error.
    #[inline]
    pub fn read<R: Readable>(&mut self) -> Result<R::Value, Error> {
        self.read_at::<R>(0)
    }

    /// Writes `value` to register `R` (instance 0).
    ///
    /// A full write: every field gets its bits of `value`, including 1s into `W1C`,
    /// `W1S` and `W1P` fields. Start from `Value::ZERO` to act on nothing else, or
    /// use [`modify`](Self::modify) to keep the other fields.
    ///
    /// # Errors
    ///
    /// [`Error::Bus`] when the bus answers with an error.
    #[inline]
    pub fn write<R: Writable>(&mut self, value: R::Value) -> Result<(), Error> {
        self.write_at::<R>(0, value)
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
    /// [`Error::Bus`] when the bus answers with an error; a failed read writes nothing.
    #[inline]
    pub fn modify<R: Readable + Writable>(
        &mut self,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error> {
        self.modify_at::<R>(0, f)
    }

    /// Reads instance `index` of register `R`.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus answers with an error.
    #[inline]
    pub fn read_at<R: Readable>(&mut self, index: usize) -> Result<R::Value, Error> {
        let offset = offset::<R>(index)?;
        Ok(R::Value::from(self.io.read32(offset)?))
    }

    /// Writes `value` to instance `index` of register `R`; see [`write`](Self::write).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus answers with an error.
    #[inline]
    pub fn write_at<R: Writable>(&mut self, index: usize, value: R::Value) -> Result<(), Error> {
        let offset = offset::<R>(index)?;
        self.io.write32(offset, value.into())?;
        Ok(())
    }

    /// Read-modify-write of instance `index` of register `R`; see [`modify`](Self::modify).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchInstance`] when `index >= R::COUNT` (without bus access),
    /// [`Error::Bus`] when the bus answers with an error.
    #[inline]
    pub fn modify_at<R: Readable + Writable>(
        &mut self,
        index: usize,
        f: impl FnOnce(R::Value) -> R::Value,
    ) -> Result<(), Error> {
        let offset = offset::<R>(index)?;
        let current = self.io.read32(offset)? & !R::SIDE_EFFECT_MASK;
        let value = f(R::Value::from(current));
        self.io.write32(offset, value.into())?;
        Ok(())
    }
}

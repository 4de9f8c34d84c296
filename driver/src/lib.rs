//! `no_std` driver of the coherent device memory controller (CDM).
//!
//! The registers are generated from the register map (`cdm_regmap::device_map`) into
//! `src/generated/` (a test keeps them current), so the driver cannot disagree with the hardware about an
//! address, a mask or a reset value.
//!
//! * [`regs`]: one module per register block; per register a zero-sized type
//!   implementing [`Register`] and a value type with a typed view of the fields.
//! * [`io`]: the bus underneath, [`RegisterIo`](io::RegisterIo), and
//!   [`Mmio`](io::Mmio) for memory-mapped registers.
//! * [`Regs`]: typed `read`, `write`, `write_with` and `modify` of registers, and
//!   `read64` / `write64` of the 64-bit values held in `_LO` / `_HI` pairs, over any bus.
//!
//! ```no_run
//! use cdm_driver::{io::Mmio, regs::{global, intr, window}, Regs};
//!
//! # fn main() -> Result<(), cdm_driver::Error<core::convert::Infallible>> {
//! // SAFETY: the BAR of the device, mapped uncached, nothing else touches it.
//! let mut regs = Regs::new(unsafe { Mmio::new(0x4000_0000 as *mut u32) });
//! let id = regs.read::<global::Id>()?;
//! assert_eq!(id.vendor(), 0x1CD7);
//! regs.modify::<global::Ctrl>(|v| v.with_enable(true))?;
//! regs.write_with_at::<window::Ctrl>(2, |v| v.with_enable(true).with_read(true))?;
//! let pending = regs.read::<intr::Status>()?;
//! regs.write::<intr::Status>(pending)?; // W1C: acknowledges exactly what was pending
//! # Ok(())
//! # }
//! ```
//!
//! Nothing here allocates or panics: every failure is an [`Error`], and every wait
//! for the device ends within a poll budget. `.ci/driver-checks` holds the driver to
//! it: `nopanic/` is an image that does not link if a panic path of the public API
//! survives optimisation, the unit tests run under Miri, and `fuzz/` has the fuzz
//! targets.

#![no_std]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod accessor;
pub mod cdm;
pub mod descriptor;
pub mod dma;
mod error;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fake;
pub mod io;
mod register;
pub mod regs;

pub use accessor::Regs;
pub use error::Error;
pub use register::{Access, FieldInfo, Readable, Register, Register64, RegisterVisitor, Writable};

#[cfg(test)]
mod tests;

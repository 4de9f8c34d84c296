//! What the generated register types implement, and the field metadata they carry.

use core::fmt::Debug;

use crate::io::Offset;

/// How software may access a field (the map's access kinds).
#[allow(clippy::upper_case_acronyms)] // the names of the register map and its documents
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Read/write storage.
    RW,
    /// Read-only: hardware drives the value, writes are ignored.
    RO,
    /// Write-only storage; reads return 0.
    WO,
    /// Status bits set by hardware; writing 1 clears, 0 has no effect.
    W1C,
    /// Writing 1 sets, 0 has no effect; reset (or hardware) clears.
    W1S,
    /// Writing 1 gives hardware a one-cycle pulse; reads return 0.
    W1P,
}

impl Access {
    /// True when a read returns the field's value (not 0).
    #[must_use]
    pub const fn readable(self) -> bool {
        !matches!(self, Access::WO | Access::W1P)
    }

    /// True when writing back a value just read could change state, so a
    /// read-modify-write must write 0 to the field.
    #[must_use]
    pub const fn write_has_side_effect(self) -> bool {
        matches!(self, Access::W1C | Access::W1S | Access::W1P)
    }

    /// The map's name of the access kind (`"RW"`, `"W1C"`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Access::RW => "RW",
            Access::RO => "RO",
            Access::WO => "WO",
            Access::W1C => "W1C",
            Access::W1S => "W1S",
            Access::W1P => "W1P",
        }
    }
}

/// A field of a register, as described by the register map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldInfo {
    /// Name in the map (`UPPER_SNAKE`).
    pub name: &'static str,
    /// Lowest bit.
    pub lsb: u32,
    /// Width in bits (1..=32).
    pub width: u32,
    /// How software may access the field.
    pub access: Access,
    /// Value after reset, right-aligned.
    pub reset: u32,
    /// Description from the map.
    pub doc: &'static str,
}

impl FieldInfo {
    /// `width` ones: the field's values before shifting.
    #[must_use]
    pub const fn value_mask(&self) -> u32 {
        match 1u32.checked_shl(self.width) {
            Some(bit) => bit.wrapping_sub(1),
            None => u32::MAX,
        }
    }

    /// The field's bits in place in the register.
    #[must_use]
    pub const fn mask(&self) -> u32 {
        match self.value_mask().checked_shl(self.lsb) {
            Some(mask) => mask,
            None => 0,
        }
    }

    /// The field's value in `bits` (a register value), right-aligned.
    #[must_use]
    pub const fn extract(&self, bits: u32) -> u32 {
        match (bits & self.mask()).checked_shr(self.lsb) {
            Some(value) => value,
            None => 0,
        }
    }
}

/// A 32-bit register of the device, implemented by the zero-sized types of [`regs`](crate::regs).
///
/// A register of an array block exists once per instance: instance `i` is at
/// `ADDR + i * STRIDE` for `i < COUNT`.
pub trait Register {
    /// `BLOCK.REGISTER`, as in the register map.
    const NAME: &'static str;
    /// Byte offset of instance 0 from the start of the register space.
    const ADDR: usize;
    /// Number of instances (1 unless the block is an array).
    const COUNT: usize;
    /// Bytes between instances (0 unless the block is an array).
    const STRIDE: usize;
    /// Value after reset.
    const RESET: u32;
    /// Bits a read returns; the others read as 0.
    const READ_MASK: u32;
    /// Bits of fields a write acts on (everything but `RO` fields).
    const WRITE_MASK: u32;
    /// Bits of `W1C`, `W1S` and `W1P` fields: writing back a 1 read from them would
    /// clear, set or pulse something, so [`Regs::modify`](crate::Regs::modify)
    /// writes 0 there unless the closure sets them.
    const SIDE_EFFECT_MASK: u32;
    /// `BLOCK.REGISTER.FIELD` of a lock bit that, once set, makes the register
    /// ignore writes until reset.
    const LOCKED_BY: Option<&'static str>;
    /// The fields, in map order.
    const FIELDS: &'static [FieldInfo];

    /// A value of the register: its bits with a typed view of the fields.
    type Value: Copy + Eq + Debug + From<u32> + Into<u32>;

    /// Offset of instance `index`, or `None` when `index >= COUNT` (or, for a
    /// register type not generated from the map, when it lies outside the space).
    #[inline]
    #[must_use]
    fn address(index: usize) -> Option<Offset> {
        if index < Self::COUNT {
            Offset::new(Self::ADDR.checked_add(index.checked_mul(Self::STRIDE)?)?)
        } else {
            None
        }
    }
}

/// Two registers holding one 64-bit value, `X_LO` its bits 31:0 and `X_HI` its bits
/// 63:32: the zero-sized types of [`regs`](crate::regs) named `X`, which
/// [`Regs::read64`](crate::Regs::read64) and [`write64`](crate::Regs::write64) take.
///
/// The value is the registers' bits: a field that starts above bit 0 of `X_LO` (an
/// address of 4 KiB granules, say) is in place, and bits outside the fields read as
/// 0 and are ignored on write.
pub trait Register64 {
    /// `BLOCK.X`.
    const NAME: &'static str;
    /// The register of bits 31:0.
    type Lo: Register;
    /// The register of bits 63:32, at the next word.
    type Hi: Register;
}

/// A register with at least one field that reads back (not only `WO`/`W1P` fields).
pub trait Readable: Register {}

/// A register with at least one field that is not `RO`.
pub trait Writable: Register {}

/// Receives every register type from [`regs::visit`](crate::regs::visit).
///
/// ```
/// use cdm_driver::{Register, RegisterVisitor};
///
/// struct Count(usize);
/// impl RegisterVisitor for Count {
///     fn visit<R: Register>(&mut self) {
///         self.0 += R::COUNT;
///     }
/// }
/// let mut count = Count(0);
/// cdm_driver::regs::visit(&mut count);
/// assert!(count.0 > 0);
/// ```
pub trait RegisterVisitor {
    /// Called once per register type.
    fn visit<R: Register>(&mut self);
}

//! The data model of a register map: blocks of 32-bit registers made of fields.
//!
//! Everything the project generates (CSR hardware, driver registers, C header, SVD,
//! Markdown, JSON) is derived from values of these types, so they carry every fact
//! a consumer needs and nothing a consumer could get wrong by re-deriving.

use serde::Serialize;

/// How software may access a field, and therefore which hardware ports it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Access {
    /// Read/write storage; hardware sees the value.
    RW,
    /// Read-only; hardware drives the value (or it is a build-time constant).
    RO,
    /// Write-only storage; hardware sees the value, reads return 0.
    WO,
    /// Status bits: hardware sets, software writes 1 to clear.
    /// A hardware set in the same cycle as a software clear wins: no event is lost.
    W1C,
    /// Software writes 1 to set; cleared by reset, or by hardware when the field has a
    /// hardware clear.
    W1S,
    /// Write-1 pulse: a write of 1 gives hardware a one-cycle pulse; reads return 0.
    W1P,
}

impl Access {
    /// True when a read returns the stored or hardware value (not 0).
    pub fn readable(self) -> bool {
        !matches!(self, Access::WO | Access::W1P)
    }

    /// True when writing back the value just read could change state
    /// (a read-modify-write must write 0 to these bits).
    pub fn write_has_side_effect(self) -> bool {
        matches!(self, Access::W1C | Access::W1S | Access::W1P)
    }

    pub fn name(self) -> &'static str {
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

/// A named value of an enumerated field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnumValue {
    pub name: String,
    pub value: u32,
    pub doc: String,
}

/// A bit field of a register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    /// Lowest bit of the field.
    pub lsb: u32,
    /// Width in bits (1..=32).
    pub width: u32,
    pub access: Access,
    /// Value after reset, right-aligned (not shifted into place).
    pub reset: u32,
    pub doc: String,
    /// Named values; empty when the field is a plain number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<EnumValue>,
    /// `RO` only: the value is the reset value, fixed when the hardware is built
    /// (identification, version); the field gets no hardware input.
    pub constant: bool,
    /// `W1S` only: hardware has a clear input for this field. Without it only reset
    /// clears the field (lock bits).
    pub hw_clear: bool,
}

impl Field {
    pub fn new(name: &str, lsb: u32, width: u32, access: Access, doc: &str) -> Field {
        Field {
            name: name.to_string(),
            lsb,
            width,
            access,
            reset: 0,
            doc: doc.to_string(),
            values: Vec::new(),
            constant: false,
            hw_clear: false,
        }
    }

    pub fn reset(mut self, value: u32) -> Field {
        self.reset = value;
        self
    }

    pub fn constant(mut self) -> Field {
        self.constant = true;
        self
    }

    pub fn hw_clear(mut self) -> Field {
        self.hw_clear = true;
        self
    }

    pub fn value(mut self, name: &str, value: u32, doc: &str) -> Field {
        self.values.push(EnumValue {
            name: name.to_string(),
            value,
            doc: doc.to_string(),
        });
        self
    }

    /// Mask of the field's values before shifting (`width` ones).
    pub fn value_mask(&self) -> u32 {
        if self.width >= 32 {
            u32::MAX
        } else {
            (1u32 << self.width) - 1
        }
    }

    /// Mask of the field in its register.
    pub fn mask(&self) -> u32 {
        self.value_mask().checked_shl(self.lsb).unwrap_or(0)
    }

    pub fn msb(&self) -> u32 {
        self.lsb + self.width - 1
    }
}

/// A 32-bit register at a byte offset inside its block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Register {
    pub name: String,
    /// Byte offset from the start of the block instance.
    pub offset: u32,
    pub doc: String,
    pub fields: Vec<Field>,
    /// A one-bit `W1S` field, named `BLOCK.REGISTER.FIELD`, that once set makes this
    /// register ignore writes until reset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_by: Option<String>,
}

impl Register {
    pub fn new(name: &str, offset: u32, doc: &str) -> Register {
        Register {
            name: name.to_string(),
            offset,
            doc: doc.to_string(),
            fields: Vec::new(),
            locked_by: None,
        }
    }

    pub fn field(mut self, field: Field) -> Register {
        self.fields.push(field);
        self
    }

    pub fn locked_by(mut self, lock: &str) -> Register {
        self.locked_by = Some(lock.to_string());
        self
    }

    /// Value after reset, composed from the fields.
    pub fn reset(&self) -> u32 {
        self.fields
            .iter()
            .fold(0, |acc, f| acc | ((f.reset & f.value_mask()) << f.lsb))
    }

    fn mask_where(&self, pred: impl Fn(&Field) -> bool) -> u32 {
        self.fields
            .iter()
            .filter(|f| pred(f))
            .fold(0, |acc, f| acc | f.mask())
    }

    /// Bits that belong to some field.
    pub fn mask(&self) -> u32 {
        self.mask_where(|_| true)
    }

    /// Bits a read returns (everything else reads 0).
    pub fn read_mask(&self) -> u32 {
        self.mask_where(|f| f.access.readable())
    }

    /// Bits of fields with the given access.
    pub fn access_mask(&self, access: Access) -> u32 {
        self.mask_where(|f| f.access == access)
    }

    /// Bits a read-modify-write must write as 0 unless the caller means to act on them.
    pub fn side_effect_mask(&self) -> u32 {
        self.mask_where(|f| f.access.write_has_side_effect())
    }
}

/// A block of registers, possibly an array of identical instances (one per channel).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Block {
    pub name: String,
    /// Byte address of instance 0.
    pub base: u32,
    /// Number of instances (1 for a plain block).
    pub count: u32,
    /// Bytes between instances (0 for a plain block).
    pub stride: u32,
    pub doc: String,
    pub registers: Vec<Register>,
}

impl Block {
    pub fn new(name: &str, base: u32, doc: &str) -> Block {
        Block {
            name: name.to_string(),
            base,
            count: 1,
            stride: 0,
            doc: doc.to_string(),
            registers: Vec::new(),
        }
    }

    /// Makes the block an array of `count` instances `stride` bytes apart.
    pub fn array(mut self, count: u32, stride: u32) -> Block {
        self.count = count;
        self.stride = stride;
        self
    }

    pub fn register(mut self, register: Register) -> Block {
        self.registers.push(register);
        self
    }

    pub fn is_array(&self) -> bool {
        self.count > 1 || self.stride != 0
    }

    /// The 64-bit values of the block: a register `X_LO` (bits 31:0) with `X_HI`
    /// (bits 63:32) four bytes above it, as `(X, X_LO, X_HI)` in map order.
    pub fn wide_pairs(&self) -> Vec<(&str, &Register, &Register)> {
        self.registers
            .iter()
            .filter_map(|lo| {
                let stem = lo.name.strip_suffix("_LO")?;
                let hi = self.registers.iter().find(|hi| {
                    hi.name.strip_suffix("_HI") == Some(stem) && hi.offset == lo.offset + 4
                })?;
                Some((stem, lo, hi))
            })
            .collect()
    }

    /// Byte address of `register` in instance `index`.
    pub fn address(&self, index: u32, register: &Register) -> u32 {
        self.base + index * self.stride + register.offset
    }
}

/// A whole register map: the CSR address space of one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegMap {
    pub name: String,
    pub doc: String,
    /// Size of the CSR address space in bytes (a power of two).
    pub size: u32,
    pub blocks: Vec<Block>,
}

/// One register at one address: a register of one block instance.
#[derive(Clone, Copy, Debug)]
pub struct RegInstance<'a> {
    pub block: &'a Block,
    pub index: u32,
    pub register: &'a Register,
    pub address: u32,
}

impl RegInstance<'_> {
    /// `BLOCK.REG` or `BLOCK[i].REG`.
    pub fn path(&self) -> String {
        if self.block.is_array() {
            format!("{}[{}].{}", self.block.name, self.index, self.register.name)
        } else {
            format!("{}.{}", self.block.name, self.register.name)
        }
    }
}

impl RegMap {
    pub fn new(name: &str, size: u32, doc: &str) -> RegMap {
        RegMap {
            name: name.to_string(),
            doc: doc.to_string(),
            size,
            blocks: Vec::new(),
        }
    }

    pub fn block(mut self, block: Block) -> RegMap {
        self.blocks.push(block);
        self
    }

    /// Every register of every block instance, in address order.
    pub fn instances(&self) -> Vec<RegInstance<'_>> {
        let mut all: Vec<RegInstance<'_>> = self
            .blocks
            .iter()
            .flat_map(|block| {
                (0..block.count).flat_map(move |index| {
                    block.registers.iter().map(move |register| RegInstance {
                        block,
                        index,
                        register,
                        address: block.address(index, register),
                    })
                })
            })
            .collect();
        all.sort_by_key(|i| i.address);
        all
    }

    /// The register instance at a byte address, if one is mapped there.
    pub fn at(&self, address: u32) -> Option<RegInstance<'_>> {
        self.instances().into_iter().find(|i| i.address == address)
    }

    /// Looks up a field by `BLOCK.REGISTER.FIELD`.
    pub fn field(&self, path: &str) -> Option<(&Block, &Register, &Field)> {
        let mut parts = path.split('.');
        let (b, r, f) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let block = self.blocks.iter().find(|x| x.name == b)?;
        let register = block.registers.iter().find(|x| x.name == r)?;
        let field = register.fields.iter().find(|x| x.name == f)?;
        Some((block, register, field))
    }

    /// Number of address bits the CSR decoder uses.
    pub fn address_bits(&self) -> u32 {
        self.size.trailing_zeros()
    }
}

//! The DMA descriptor: 32 bytes, little-endian, in a ring in memory.
//!
//! | offset | field | written by |
//! |---|---|---|
//! | 0x00 | `SRC` (64): source address (COPY) or the 64-bit pattern (FILL) | software |
//! | 0x08 | `DST` (64): destination address | software |
//! | 0x10 | `LEN` (32): bytes to move, 1 ..= [`MAX_LEN`] | software |
//! | 0x14 | `CTRL` (32): [`OPCODE`](ctrl::OPCODE_MASK) bits 3:0, [`IRQ`](ctrl::IRQ) bit 8, [`FENCE`](ctrl::FENCE) bit 9; other bits reserved, must be 0 | software |
//! | 0x18 | `STATUS` (32): `DONE` bit 0 (the engine has finished with the descriptor: STATUS and BYTES are final), error code bits 7:4 (0: completed; otherwise why it failed) | hardware |
//! | 0x1C | `BYTES` (32): bytes completed | hardware |
//!
//! FILL writes destination byte `a` with pattern byte `a % 8`, so a pattern tiles memory
//! the same way whatever the destination alignment.

/// Size of a descriptor in bytes.
pub const SIZE: u64 = 32;
/// Largest transfer of one descriptor: 16 MiB.
pub const MAX_LEN: u64 = 1 << 24;

/// Byte offsets of the fields.
pub mod offset {
    pub const SRC: u64 = 0x00;
    pub const DST: u64 = 0x08;
    pub const LEN: u64 = 0x10;
    pub const CTRL: u64 = 0x14;
    pub const STATUS: u64 = 0x18;
    pub const BYTES: u64 = 0x1C;
}

/// The `CTRL` word.
pub mod ctrl {
    pub const OPCODE_MASK: u32 = 0xf;
    /// Raise the channel's completion interrupt (subject to coalescing).
    pub const IRQ: u32 = 1 << 8;
    /// Start only after every earlier descriptor of the channel has completed.
    pub const FENCE: u32 = 1 << 9;
    /// Bits that must be zero.
    pub const RESERVED: u32 = !(OPCODE_MASK | IRQ | FENCE);
}

/// Operation of a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Opcode {
    Copy = 0,
    Fill = 1,
}

/// The `STATUS` word.
pub mod status {
    /// The engine has finished with the descriptor, completed (error code 0) or failed.
    pub const DONE: u32 = 1;
    pub const ERROR_SHIFT: u32 = 4;
    pub const ERROR_MASK: u32 = 0xf << ERROR_SHIFT;
}

/// Why a descriptor failed: the error code in `STATUS` and in the channel's CSRs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorCode {
    None = 0,
    ZeroLength = 1,
    LengthTooLarge = 2,
    ReservedBits = 3,
    BadOpcode = 4,
    /// The source range is not inside one enabled window that allows reads.
    SourceWindow = 5,
    /// The destination range is not inside one enabled window that allows writes.
    DestinationWindow = 6,
    FetchError = 7,
    ReadError = 8,
    WriteError = 9,
    StatusError = 10,
    Timeout = 11,
    Aborted = 12,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::None,
        ErrorCode::ZeroLength,
        ErrorCode::LengthTooLarge,
        ErrorCode::ReservedBits,
        ErrorCode::BadOpcode,
        ErrorCode::SourceWindow,
        ErrorCode::DestinationWindow,
        ErrorCode::FetchError,
        ErrorCode::ReadError,
        ErrorCode::WriteError,
        ErrorCode::StatusError,
        ErrorCode::Timeout,
        ErrorCode::Aborted,
    ];

    pub fn from_bits(bits: u32) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|e| *e as u32 == bits)
    }

    /// One line on what the code means: the documentation of every generated copy.
    pub fn doc(self) -> &'static str {
        match self {
            ErrorCode::None => "No error.",
            ErrorCode::ZeroLength => "LEN is 0.",
            ErrorCode::LengthTooLarge => "LEN is above MAX_LEN.",
            ErrorCode::ReservedBits => "A reserved CTRL bit is set.",
            ErrorCode::BadOpcode => "The opcode is neither COPY nor FILL.",
            ErrorCode::SourceWindow => {
                "The source range is not inside one enabled window that allows reads."
            }
            ErrorCode::DestinationWindow => {
                "The destination range is not inside one enabled window that allows writes."
            }
            ErrorCode::FetchError => "The descriptor fetch got SLVERR or DECERR.",
            ErrorCode::ReadError => "A source read got SLVERR or DECERR.",
            ErrorCode::WriteError => "A destination write got SLVERR or DECERR.",
            ErrorCode::StatusError => "The status write-back got SLVERR or DECERR.",
            ErrorCode::Timeout => "The DMA watchdog expired while the channel waited on the bus.",
            ErrorCode::Aborted => "Software aborted the channel.",
        }
    }
}

/// A descriptor as software writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// Source address (COPY) or pattern (FILL).
    pub src: u64,
    pub dst: u64,
    pub len: u32,
    pub ctrl: u32,
}

impl Descriptor {
    pub fn copy(src: u64, dst: u64, len: u32) -> Descriptor {
        Descriptor {
            src,
            dst,
            len,
            ctrl: Opcode::Copy as u32,
        }
    }

    pub fn fill(pattern: u64, dst: u64, len: u32) -> Descriptor {
        Descriptor {
            src: pattern,
            dst,
            len,
            ctrl: Opcode::Fill as u32,
        }
    }

    /// The 32 bytes in memory, with STATUS and BYTES cleared.
    pub fn to_bytes(&self) -> [u8; SIZE as usize] {
        let mut b = [0u8; SIZE as usize];
        b[0..8].copy_from_slice(&self.src.to_le_bytes());
        b[8..16].copy_from_slice(&self.dst.to_le_bytes());
        b[16..20].copy_from_slice(&self.len.to_le_bytes());
        b[20..24].copy_from_slice(&self.ctrl.to_le_bytes());
        b
    }
}

/// A DMA address window as software programs it (`WINDOW[i]` registers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub base: u64,
    /// Last byte, inclusive.
    pub limit: u64,
    pub enable: bool,
    pub read: bool,
    pub write: bool,
}

impl Window {
    /// True when `len` bytes from `addr` lie inside the window (no wrap past 2^64).
    pub fn covers(&self, addr: u64, len: u64) -> bool {
        let Some(last) = addr.checked_add(len.saturating_sub(1)) else {
            return false;
        };
        self.enable && len > 0 && self.base <= addr && last <= self.limit
    }
}

/// The checks a descriptor passes before any memory access, in order: the first failing
/// one names the error. The reference the hardware checker is tested against.
pub fn check(src: u64, dst: u64, len: u64, ctrl: u32, windows: &[Window]) -> ErrorCode {
    let opcode = ctrl & ctrl::OPCODE_MASK;
    if len == 0 {
        ErrorCode::ZeroLength
    } else if len > MAX_LEN {
        ErrorCode::LengthTooLarge
    } else if ctrl & ctrl::RESERVED != 0 {
        ErrorCode::ReservedBits
    } else if opcode > Opcode::Fill as u32 {
        ErrorCode::BadOpcode
    } else if opcode == Opcode::Copy as u32 && !windows.iter().any(|w| w.read && w.covers(src, len))
    {
        ErrorCode::SourceWindow
    } else if !windows.iter().any(|w| w.write && w.covers(dst, len)) {
        ErrorCode::DestinationWindow
    } else {
        ErrorCode::None
    }
}

//! The encodings of the host coherent port (`docs/COHERENCE.md`): one source for the
//! home agent's kernel, the host models and the protocol document, whose tables a test
//! checks against these values.

/// Bytes in a line.
pub const LINE_BYTES: u64 = 64;

/// `req.op`: what the host asks of the home agent. Codes from [`ReqOp::RESERVED`] up are
/// reserved and refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ReqOp {
    RdShared = 0,
    RdOwn = 1,
    RdCurrent = 2,
    WrBack = 3,
    WrPartial = 4,
    CleanEvict = 5,
}

impl ReqOp {
    /// Bits of `req.op`.
    pub const WIDTH: usize = 3;
    /// The first reserved code.
    pub const RESERVED: u64 = 6;
    pub const ALL: [ReqOp; 6] = [
        ReqOp::RdShared,
        ReqOp::RdOwn,
        ReqOp::RdCurrent,
        ReqOp::WrBack,
        ReqOp::WrPartial,
        ReqOp::CleanEvict,
    ];

    /// The code on the wire.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The op a code names; `None` for a reserved code.
    pub fn from_code(code: u64) -> Option<ReqOp> {
        ReqOp::ALL.into_iter().find(|op| op.code() == code)
    }

    /// The name in `docs/COHERENCE.md` (CXL.mem's, where CXL has the op).
    pub const fn name(self) -> &'static str {
        match self {
            ReqOp::RdShared => "MemRdShared",
            ReqOp::RdOwn => "MemRdOwn",
            ReqOp::RdCurrent => "MemRdCurrent",
            ReqOp::WrBack => "MemWrBack",
            ReqOp::WrPartial => "MemWrPartial",
            ReqOp::CleanEvict => "CleanEvict",
        }
    }

    /// Answered with the line's 4 data beats.
    pub const fn reads(self) -> bool {
        matches!(self, ReqOp::RdShared | ReqOp::RdOwn | ReqOp::RdCurrent)
    }

    /// Followed by 4 data beats on `req`.
    pub const fn writes(self) -> bool {
        matches!(self, ReqOp::WrBack | ReqOp::WrPartial)
    }
}

/// `snp.op`: what a back-invalidate snoop asks of the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SnpOp {
    /// Give the line up.
    Inv = 0,
    /// Keep at most a shared copy.
    Data = 1,
}

impl SnpOp {
    /// Bits of `snp.op`.
    pub const WIDTH: usize = 1;
    pub const ALL: [SnpOp; 2] = [SnpOp::Inv, SnpOp::Data];

    /// The code on the wire.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The op a code names (the field is one bit wide, so every code names one).
    pub fn from_code(code: u64) -> Option<SnpOp> {
        SnpOp::ALL.into_iter().find(|op| op.code() == code)
    }

    /// The name in `docs/COHERENCE.md`.
    pub const fn name(self) -> &'static str {
        match self {
            SnpOp::Inv => "SnpInv",
            SnpOp::Data => "SnpData",
        }
    }
}

/// `rsp.state`, the state a response grants, and `snp_rsp.state`, the state the host
/// keeps after a snoop (I or S). `Refused` answers a request the home agent refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PortState {
    I = 0,
    S = 1,
    E = 2,
    Refused = 3,
}

impl PortState {
    /// Bits of `rsp.state` and `snp_rsp.state`.
    pub const WIDTH: usize = 2;
    pub const ALL: [PortState; 4] = [PortState::I, PortState::S, PortState::E, PortState::Refused];

    /// The code on the wire.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The state a code names (every 2-bit code names one).
    pub fn from_code(code: u64) -> Option<PortState> {
        PortState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The name in `docs/COHERENCE.md`.
    pub const fn name(self) -> &'static str {
        match self {
            PortState::I => "I",
            PortState::S => "S",
            PortState::E => "E",
            PortState::Refused => "Err",
        }
    }
}

// The reserved codes are codes of the field.
const _: () = assert!(ReqOp::RESERVED < 1 << ReqOp::WIDTH);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fit_their_fields_and_round_trip() {
        for op in ReqOp::ALL {
            assert!(op.code() < ReqOp::RESERVED);
            assert_eq!(ReqOp::from_code(op.code()), Some(op));
        }
        assert_eq!(ReqOp::from_code(ReqOp::RESERVED), None);
        for op in SnpOp::ALL {
            assert!(op.code() < 1 << SnpOp::WIDTH);
            assert_eq!(SnpOp::from_code(op.code()), Some(op));
        }
        for s in PortState::ALL {
            assert!(s.code() < 1 << PortState::WIDTH);
            assert_eq!(PortState::from_code(s.code()), Some(s));
        }
    }
}

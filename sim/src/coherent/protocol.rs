//! The messages of the host coherent port (`docs/COHERENCE.md`), as the host models and
//! the reference home agent exchange them. Encodings match the document's tables.

/// Bytes in a line.
pub const LINE: usize = 64;

/// Line contents.
pub type LineData = [u8; LINE];

/// Host cache state of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    I = 0,
    S = 1,
    E = 2,
    M = 3,
}

/// Host requests (`req.op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReqOp {
    RdShared = 0,
    RdOwn = 1,
    RdCurrent = 2,
    WrBack = 3,
    WrPartial = 4,
    CleanEvict = 5,
}

impl ReqOp {
    pub const ALL: [ReqOp; 6] = [
        ReqOp::RdShared,
        ReqOp::RdOwn,
        ReqOp::RdCurrent,
        ReqOp::WrBack,
        ReqOp::WrPartial,
        ReqOp::CleanEvict,
    ];

    pub fn reads(self) -> bool {
        matches!(self, ReqOp::RdShared | ReqOp::RdOwn | ReqOp::RdCurrent)
    }
}

/// `rsp.state` of a refused request (bad input, `docs/COHERENCE.md`); no data follows.
pub const RSP_REFUSED: u64 = 3;

/// A host request; writes carry the line and a byte mask (all ones for WrBack).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Req {
    pub op: ReqOp,
    pub line: u64,
    pub tag: u8,
    pub data: Option<(Box<LineData>, u64)>,
}

/// The home agent's answer to a request: the state granted, and the line for reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rsp {
    pub tag: u8,
    pub state: State,
    pub data: Option<Box<LineData>>,
}

/// Back-invalidate snoops (`snp.op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnpOp {
    /// Give the line up.
    Inv = 0,
    /// Keep at most a shared copy.
    Data = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snp {
    pub op: SnpOp,
    pub line: u64,
}

/// The host's answer to a snoop: its state afterwards, and the line if it was dirty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnpRsp {
    pub line: u64,
    pub state: State,
    pub dirty: Option<Box<LineData>>,
}

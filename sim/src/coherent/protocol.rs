//! The messages of the host coherent port (`docs/COHERENCE.md`), as the host models and
//! the reference home agent exchange them. The wire encodings come from
//! `cdm_regmap::coherent`, the one source of the document's tables.

/// Bytes in a line.
pub const LINE: usize = cdm_regmap::coherent::LINE_BYTES as usize;

/// Line contents.
pub type LineData = [u8; LINE];

/// Host cache state of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    I,
    S,
    E,
    M,
}

impl State {
    /// The state as the port carries it in `snp_rsp.state`, which only I and S reach (a
    /// snoop leaves no host copy exclusive); `None` for E and M.
    pub fn answered(self) -> Option<PortState> {
        match self {
            State::I => Some(PortState::I),
            State::S => Some(PortState::S),
            State::E | State::M => None,
        }
    }

    /// The state a response grants; `None` for a refused request.
    pub fn granted(code: PortState) -> Option<State> {
        match code {
            PortState::I => Some(State::I),
            PortState::S => Some(State::S),
            PortState::E => Some(State::E),
            PortState::Refused => None,
        }
    }
}

pub use cdm_regmap::coherent::{PortState, ReqOp, SnpOp};

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

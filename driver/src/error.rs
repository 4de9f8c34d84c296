//! Errors of the register accessor.

use core::fmt;

use crate::io::BusError;

/// Why a register access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The bus answered with an error.
    Bus(BusError),
    /// An instance index beyond the register's block array.
    NoSuchInstance {
        /// `BLOCK.REGISTER`.
        register: &'static str,
        /// The index asked for.
        index: usize,
        /// Number of instances; valid indices are `0..count`.
        count: usize,
    },
}

impl From<BusError> for Error {
    fn from(e: BusError) -> Error {
        Error::Bus(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bus(e) => e.fmt(f),
            Error::NoSuchInstance {
                register,
                index,
                count,
            } => write!(f, "{register}: no instance {index} (the block has {count})"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bus(e) => Some(e),
            Error::NoSuchInstance { .. } => None,
        }
    }
}

//! Errors of the register accessor.

use core::fmt;

/// Why a register access failed, over a bus whose accesses fail with `B`
/// ([`RegisterIo::Error`](crate::io::RegisterIo::Error)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error<B> {
    /// The bus failed the access.
    Bus(B),
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

impl<B> From<B> for Error<B> {
    fn from(e: B) -> Error<B> {
        Error::Bus(e)
    }
}

impl<B: fmt::Display> fmt::Display for Error<B> {
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
impl<B: std::error::Error + 'static> std::error::Error for Error<B> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bus(e) => Some(e),
            Error::NoSuchInstance { .. } => None,
        }
    }
}

//! The coherent memory controller: the home agent of device memory (see
//! `docs/COHERENCE.md` for the protocol on the host coherent port).
//!
//! - [`snoop_filter`]: the inclusive snoop filter.

pub mod snoop_filter;

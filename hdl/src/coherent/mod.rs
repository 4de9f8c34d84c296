//! The coherent memory controller: the home agent of device memory (see
//! `docs/COHERENCE.md` for the protocol on the host coherent port).
//!
//! - [`home_agent`]: serves the host coherent port from device memory.
//! - [`snoop_filter`]: the inclusive snoop filter.
//! - [`burst_span`]: the device-memory bytes a DMA burst may touch.

pub mod burst_span;
pub mod home_agent;
pub mod snoop_filter;

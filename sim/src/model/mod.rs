//! Reference models the testbenches score the hardware against.
//!
//! - [`csr`]: the CSR block, derived from the register map.
//! - [`home_agent`]: the home agent, message for message (`docs/COHERENCE.md`).
//! - [`golden`]: memory as a testbench that sees the device only at its pins knows it:
//!   each write with the window of cycles in which it took effect.
//!
//! The DMA engine's reference is [`apply`](crate::host::device::apply), one descriptor's
//! effect on memory.

pub mod csr;
pub mod golden;
pub mod home_agent;

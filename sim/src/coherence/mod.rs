//! The host coherent port in software: the protocol's messages, the host cache model
//! and the reference home agent (see `docs/COHERENCE.md`); [`host_port`] puts the host
//! cache on the pins of a simulated home agent, and [`home_bench`] the home agent alone
//! with its memory and DMA master; [`golden`] checks what a testbench reads against the
//! writes around it in time.

pub mod golden;
pub mod home_bench;
pub mod home_model;
pub mod host_cache;
pub mod host_port;
pub mod protocol;

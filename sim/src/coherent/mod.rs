//! The host side of the coherent port in software: the protocol's messages
//! ([`protocol`], see `docs/COHERENCE.md`) and the host cache model ([`host_cache`]);
//! [`host_port`] puts the host cache on the pins of a simulated home agent, and
//! [`home_bench`] the home agent alone with its memory and DMA master. The reference
//! home agent is [`crate::model::home_agent`].

pub mod home_bench;
pub mod host_cache;
pub mod host_port;
pub mod protocol;

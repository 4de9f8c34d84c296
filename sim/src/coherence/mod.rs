//! The host coherent port in software: the protocol's messages, the host cache model
//! and the reference home agent (see `docs/COHERENCE.md`).

pub mod home_model;
pub mod host_cache;
pub mod protocol;

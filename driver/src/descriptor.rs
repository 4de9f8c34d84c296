//! The DMA descriptor format, generated from `cdm_regmap::descriptor` into
//! `generated/descriptor.rs`: 32 bytes, little-endian, in a ring in memory the device reads.

include!("generated/descriptor.rs");

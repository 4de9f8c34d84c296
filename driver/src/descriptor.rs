//! The DMA descriptor format, generated from `cdm_regmap::descriptor` by the build
//! script: 32 bytes, little-endian, in a ring in memory the device reads.

include!(concat!(env!("OUT_DIR"), "/descriptor.rs"));

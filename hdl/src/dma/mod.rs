//! The scatter-gather DMA copy engine.
//!
//! - [`realign`]: byte realignment from source to destination alignment.

pub mod realign;

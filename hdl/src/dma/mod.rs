//! The scatter-gather DMA copy engine.
//!
//! - [`engine`]: channels, descriptor fetch, issue and completion around the mover;
//!   [`channel`] holds one channel's state.
//! - [`burst`]: splits transfers into AXI4 bursts (256 beats, no 4 KiB crossing).
//! - [`check`]: descriptor checks (length, reserved bits, opcode, address windows).
//! - [`realign`]: byte realignment from source to destination alignment.
//! - [`read`] and [`write`]: the two halves of the data mover; [`mover`] joins them.

pub mod burst;
pub mod channel;
pub mod check;
pub mod engine;
pub mod mover;
pub mod read;
pub mod realign;
pub mod write;

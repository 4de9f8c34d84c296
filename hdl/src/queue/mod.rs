//! Queues the blocks are built from: [`fifo`], a FIFO with reset; [`registered_fifo`],
//! one whose head is a register; [`skid`], a skid buffer (registered valid, ready and
//! payload on both sides at one item per cycle).

pub mod fifo;
pub mod registered_fifo;
pub mod skid;

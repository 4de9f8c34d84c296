//! A CPU thread running in the background while the driver waits on the device: loads
//! and stores to device memory lines, one at a time in program order, through the host
//! cache and the coherent port. Each finished operation is logged with its cycle.

use std::collections::VecDeque;

use crate::coherent::host_cache::{Access, HostCache};

/// One 8-byte access to device memory line `line` (device offset / 64) at `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuOp {
    pub line: u64,
    pub offset: usize,
    /// The bytes to store; `None` loads.
    pub store: Option<[u8; 8]>,
}

/// An operation that finished: what a load returned, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpuDone {
    pub op: CpuOp,
    pub loaded: Vec<u8>,
    pub cycle: u64,
}

/// The background thread: a queue of operations and the log of finished ones.
#[derive(Debug, Default)]
pub struct CpuStream {
    pub queue: VecDeque<CpuOp>,
    pub log: Vec<CpuDone>,
}

impl CpuStream {
    /// Retries the oldest operation on `cache`; logs it when it completes.
    pub fn step(&mut self, cache: &mut HostCache, cycle: u64) {
        let Some(op) = self.queue.front().copied() else {
            return;
        };
        let done = match op.store {
            Some(bytes) => cache.store(op.line, op.offset, &bytes),
            None => cache.load(op.line, op.offset, 8),
        };
        if let Access::Done(loaded) = done {
            self.queue.pop_front();
            self.log.push(CpuDone { op, loaded, cycle });
        }
    }
}

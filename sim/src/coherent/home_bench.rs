//! The home agent alone on its pins: device memory on the memory model under the protocol
//! checker, the host cache model on the coherent port, and an AXI4 master on the DMA
//! device port, all without random delays. The coherence benchmark and the directed
//! home agent testbench use it.

use super::host_cache::HostCache;
use super::host_port::HostPort;
use super::protocol::LINE;
use crate::bus::axi4_checker::Axi4Checker;
use crate::bus::axi4_link::Request;
use crate::bus::axi4_master::{Axi4Master, Burst, BurstDone, MasterTiming};
use crate::bus::axi4_memory::{Axi4Memory, MemoryTiming};
use crate::design::dut::Dut;
use crate::rng::Rng;

/// Longest wait for one request or burst.
const TIMEOUT: u64 = 100_000;

pub struct HomeBench {
    pub dut: Box<dyn Dut>,
    pub memory: Axi4Memory,
    pub checker: Axi4Checker,
    pub host: HostPort,
    pub dma: Axi4Master,
    /// Device memory's first byte in the DMA port's address space.
    pub base: u64,
}

impl HomeBench {
    /// Takes a home agent top, resets it with device memory at `base` on the DMA port,
    /// the host port enabled and a host cache of `2^sets_log2` sets of 4 ways, and waits
    /// until its snoop filter is ready.
    pub fn new(mut dut: Box<dyn Dut>, base: u64, latency: u64, sets_log2: u32) -> HomeBench {
        let memory = Axi4Memory::new(&*dut, "mem$", MemoryTiming::ideal(latency), Rng::new(1))
            .expect("home agent memory port");
        let checker =
            Axi4Checker::new(&*dut, "mem$", "memory port").expect("home agent memory port");
        let mut host = HostPort::new(&*dut, "host$", HostCache::new(sets_log2, 4), Rng::new(2))
            .expect("home agent coherent port");
        host.stall_percent = 0;
        let timing = MasterTiming {
            max_valid_delay: 0,
            ready_stall_percent: 0,
            max_outstanding: 1,
        };
        let dma = Axi4Master::new(&*dut, "dev$", timing, Rng::new(3)).expect("device port");
        for (port, value) in [("base", base), ("enable", 1)] {
            let p = dut.port(port).expect("home agent port");
            dut.set(p, value);
        }
        dut.reset();
        let mut bench = HomeBench {
            dut,
            memory,
            checker,
            host,
            dma,
            base,
        };
        let ready = bench.dut.port("ready").expect("home agent ready");
        let waited = bench.run_until(|b| b.dut.get(ready) == 1, TIMEOUT);
        assert!(waited < TIMEOUT, "the snoop filter never became ready");
        bench
    }

    pub fn tick(&mut self) {
        let dut = &mut *self.dut;
        self.memory.drive(dut);
        self.host.drive(dut);
        self.dma.drive(dut);
        self.checker.check(dut);
        self.memory.sample(dut);
        self.host.sample(dut);
        self.dma.sample(dut);
        dut.step();
    }

    /// Runs until `done` or for `limit` cycles; returns the cycles run.
    pub fn run_until(&mut self, mut done: impl FnMut(&mut HomeBench) -> bool, limit: u64) -> u64 {
        let start = self.dut.cycle();
        while !done(self) && self.dut.cycle() - start < limit {
            self.tick();
        }
        self.dut.cycle() - start
    }

    /// Cycles from issuing host requests (`issue` puts them in the cache's queue) until
    /// every response has arrived.
    pub fn host_request(&mut self, issue: impl FnOnce(&mut HostCache)) -> u64 {
        issue(&mut self.host.cache);
        let cycles = self.run_until(|b| b.host.cache.outstanding() == 0, TIMEOUT);
        assert!(cycles < TIMEOUT, "host request unanswered");
        cycles
    }

    /// Runs one DMA burst to its response; returns it and the cycles it took.
    pub fn dma_burst(&mut self, burst: Burst) -> (BurstDone, u64) {
        self.dma.push(burst);
        let mut done = None;
        let cycles = self.run_until(
            |b| {
                done = done.take().or_else(|| b.dma.pop());
                done.is_some()
            },
            TIMEOUT,
        );
        (done.expect("DMA burst unanswered"), cycles)
    }

    /// The DMA port's request for the 64 bytes of device memory line `line`.
    pub fn line_request(&self, line: u64) -> Request {
        Request {
            id: 2,
            addr: self.base + line * LINE as u64,
            len: 3,
            size: 4,
            burst: 1,
        }
    }

    /// The value of an output port (an event counter, `error`).
    pub fn output(&mut self, name: &str) -> u64 {
        let p = self.dut.port(name).expect("home agent port");
        self.dut.get(p)
    }
}

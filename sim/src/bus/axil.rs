//! AXI4-Lite master model: issues reads and writes with random handshake delays.
//!
//! One transaction at a time. AW and W are presented independently after their own
//! random delays, and BREADY/RREADY are withheld at random, so a slave sees every legal
//! ordering of the write channels and back-pressure on its responses.

use std::collections::VecDeque;

use crate::design::dut::{Dut, NoSuchPort, PortId};
use crate::rng::Rng;

/// An AXI response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resp {
    Okay,
    ExOkay,
    SlvErr,
    DecErr,
}

impl Resp {
    pub fn from_bits(bits: u64) -> Resp {
        match bits & 3 {
            0 => Resp::Okay,
            1 => Resp::ExOkay,
            2 => Resp::SlvErr,
            _ => Resp::DecErr,
        }
    }
}

/// A register access to perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Write { addr: u64, data: u32, strb: u8 },
    Read { addr: u64 },
}

/// A finished access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub op: Op,
    pub resp: Resp,
    /// Read data (0 for writes).
    pub data: u32,
    /// Cycle of the AW (writes) or AR (reads) handshake.
    pub issued: u64,
    /// Cycle of the B or R handshake.
    pub done: u64,
}

/// Handshake timing of the master.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Largest random delay before raising AWVALID, WVALID or ARVALID.
    pub max_valid_delay: u32,
    /// Chance in percent that BREADY/RREADY is low in a cycle.
    pub ready_stall_percent: u32,
}

impl Timing {
    /// Valid as soon as possible, always ready: the fastest legal master.
    pub const EAGER: Timing = Timing {
        max_valid_delay: 0,
        ready_stall_percent: 0,
    };
    /// Random delays and back-pressure on every channel.
    pub const RANDOM: Timing = Timing {
        max_valid_delay: 3,
        ready_stall_percent: 30,
    };
}

struct Ports {
    awaddr: PortId,
    awvalid: PortId,
    awready: PortId,
    wdata: PortId,
    wstrb: PortId,
    wvalid: PortId,
    wready: PortId,
    bresp: PortId,
    bvalid: PortId,
    bready: PortId,
    araddr: PortId,
    arvalid: PortId,
    arready: PortId,
    rdata: PortId,
    rresp: PortId,
    rvalid: PortId,
    rready: PortId,
}

struct Active {
    op: Op,
    /// Cycles left before presenting AW (or AR) and W.
    addr_delay: u32,
    data_delay: u32,
    addr_done: bool,
    data_done: bool,
    issued: u64,
}

/// The master model. Call [`AxiLiteMaster::tick`] once per cycle before `Dut::step`.
pub struct AxiLiteMaster {
    ports: Ports,
    timing: Timing,
    rng: Rng,
    queue: VecDeque<Op>,
    active: Option<Active>,
    completed: VecDeque<Completion>,
    /// What [`AxiLiteMaster::drive`] put on the bus this cycle: AWVALID, WVALID,
    /// ARVALID, BREADY, RREADY.
    driven: [bool; 5],
}

impl AxiLiteMaster {
    /// Attaches to the ports named `<prefix>awaddr` and so on.
    pub fn new(dut: &dyn Dut, prefix: &str, timing: Timing, rng: Rng) -> Result<Self, NoSuchPort> {
        let p = |s: &str| dut.port(&format!("{prefix}{s}"));
        Ok(AxiLiteMaster {
            ports: Ports {
                awaddr: p("awaddr")?,
                awvalid: p("awvalid")?,
                awready: p("awready")?,
                wdata: p("wdata")?,
                wstrb: p("wstrb")?,
                wvalid: p("wvalid")?,
                wready: p("wready")?,
                bresp: p("bresp")?,
                bvalid: p("bvalid")?,
                bready: p("bready")?,
                araddr: p("araddr")?,
                arvalid: p("arvalid")?,
                arready: p("arready")?,
                rdata: p("rdata")?,
                rresp: p("rresp")?,
                rvalid: p("rvalid")?,
                rready: p("rready")?,
            },
            timing,
            rng,
            queue: VecDeque::new(),
            active: None,
            completed: VecDeque::new(),
            driven: [false; 5],
        })
    }

    pub fn push(&mut self, op: Op) {
        self.queue.push_back(op);
    }

    /// Next finished access, oldest first.
    pub fn pop(&mut self) -> Option<Completion> {
        self.completed.pop_front()
    }

    /// True when nothing is queued or in flight.
    pub fn idle(&self) -> bool {
        self.queue.is_empty() && self.active.is_none()
    }

    fn delay(&mut self) -> u32 {
        if self.timing.max_valid_delay == 0 {
            0
        } else {
            self.rng.below(self.timing.max_valid_delay as u64 + 1) as u32
        }
    }

    /// Drives the inputs of this cycle and records the handshakes that happen at the
    /// coming clock edge. Call once per cycle, then step the design.
    pub fn tick(&mut self, dut: &mut dyn Dut) {
        self.drive(dut);
        self.sample(dut);
    }

    /// Drives this cycle's inputs. With other models on the same design, let all of
    /// them drive before any samples: the simulator then settles once per cycle.
    pub fn drive(&mut self, dut: &mut dyn Dut) {
        if self.active.is_none() {
            if let Some(op) = self.queue.pop_front() {
                let (addr_delay, data_delay) = (self.delay(), self.delay());
                self.active = Some(Active {
                    op,
                    addr_delay,
                    data_delay,
                    addr_done: false,
                    data_done: matches!(op, Op::Read { .. }),
                    issued: 0,
                });
            }
        }
        let p = &self.ports;
        let stall = self.timing.ready_stall_percent;
        let bready = !self.rng.chance(stall);
        let rready = !self.rng.chance(stall);
        let (mut awvalid, mut wvalid, mut arvalid) = (false, false, false);
        if let Some(a) = &mut self.active {
            match a.op {
                Op::Write { addr, data, strb } => {
                    if !a.addr_done {
                        if a.addr_delay == 0 {
                            awvalid = true;
                            dut.set(p.awaddr, addr);
                        } else {
                            a.addr_delay -= 1;
                        }
                    }
                    if !a.data_done {
                        if a.data_delay == 0 {
                            wvalid = true;
                            dut.set(p.wdata, data as u64);
                            dut.set(p.wstrb, strb as u64);
                        } else {
                            a.data_delay -= 1;
                        }
                    }
                }
                Op::Read { addr } => {
                    if !a.addr_done {
                        if a.addr_delay == 0 {
                            arvalid = true;
                            dut.set(p.araddr, addr);
                        } else {
                            a.addr_delay -= 1;
                        }
                    }
                }
            }
        }
        dut.set(p.awvalid, awvalid as u64);
        dut.set(p.wvalid, wvalid as u64);
        dut.set(p.arvalid, arvalid as u64);
        dut.set(p.bready, bready as u64);
        dut.set(p.rready, rready as u64);
        self.driven = [awvalid, wvalid, arvalid, bready, rready];
    }

    /// Takes the handshakes of the coming edge, after [`AxiLiteMaster::drive`].
    pub fn sample(&mut self, dut: &mut dyn Dut) {
        let p = &self.ports;
        let [awvalid, wvalid, arvalid, bready, rready] = self.driven;
        // A response may only follow the handshakes of earlier cycles.
        let cycle = dut.cycle();
        let (bvalid, rvalid) = (dut.get(p.bvalid) != 0, dut.get(p.rvalid) != 0);
        let early = match &self.active {
            None => bvalid || rvalid,
            Some(a) => match a.op {
                Op::Write { .. } => rvalid || (bvalid && !(a.addr_done && a.data_done)),
                Op::Read { .. } => bvalid || (rvalid && !a.addr_done),
            },
        };
        assert!(
            !early,
            "AXI4-Lite protocol violation at cycle {cycle}: BVALID={} RVALID={} without a completed request ({:?})",
            bvalid as u8,
            rvalid as u8,
            self.active.as_ref().map(|a| a.op)
        );
        let Some(a) = &mut self.active else { return };
        if awvalid && dut.get(p.awready) != 0 || arvalid && dut.get(p.arready) != 0 {
            a.addr_done = true;
            a.issued = cycle;
        }
        if wvalid && dut.get(p.wready) != 0 {
            a.data_done = true;
        }
        let response = match a.op {
            Op::Write { .. } if bready && bvalid => Some((Resp::from_bits(dut.get(p.bresp)), 0)),
            Op::Read { .. } if rready && rvalid => {
                Some((Resp::from_bits(dut.get(p.rresp)), dut.get(p.rdata) as u32))
            }
            _ => None,
        };
        if let Some((resp, data)) = response {
            self.completed.push_back(Completion {
                op: a.op,
                resp,
                data,
                issued: a.issued,
                done: cycle,
            });
            self.active = None;
        }
    }
}

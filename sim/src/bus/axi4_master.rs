//! AXI4 burst master model: issues read and write bursts with random delays.
//!
//! Address and data channels run independently (write data may lead its address), any
//! number of bursts may be outstanding, and BREADY/RREADY drop at random. Completions
//! come back in the order the responses arrive.

use std::collections::VecDeque;

use crate::bus::axi4_link::{Axi4Ports, Request};
use crate::bus::axi4_memory::{from_words, to_words};
use crate::design::dut::{Dut, NoSuchPort, PortId};
use crate::rng::Rng;

/// A burst to perform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Burst {
    Read(Request),
    /// `data` holds `data_bytes` bytes per beat (bus lanes), `strb` one mask per beat.
    Write {
        req: Request,
        data: Vec<u8>,
        strb: Vec<u128>,
    },
}

/// A finished burst.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BurstDone {
    pub burst: Burst,
    /// Worst response of the burst.
    pub resp: u64,
    /// Read data, `data_bytes` per beat (empty for writes).
    pub data: Vec<u8>,
}

/// Handshake timing of the master.
#[derive(Clone, Copy, Debug)]
pub struct MasterTiming {
    pub max_valid_delay: u32,
    pub ready_stall_percent: u32,
    /// Bursts in flight per direction.
    pub max_outstanding: usize,
}

struct Presenting<T> {
    item: T,
    delay: u32,
}

/// The master model. Call [`Axi4Master::tick`] once per cycle before `Dut::step`.
pub struct Axi4Master {
    ports: Axi4Ports,
    timing: MasterTiming,
    rng: Rng,
    ar: VecDeque<Presenting<Request>>,
    aw: VecDeque<Presenting<usize>>,
    /// Writes by submission index: (burst, next W beat).
    writes: Vec<(Burst, u64)>,
    w_next: usize,
    w_delay: u32,
    reads_out: VecDeque<(Request, Vec<u8>, u64)>,
    writes_out: VecDeque<usize>,
    in_flight_writes: usize,
    done: VecDeque<BurstDone>,
    /// Driven this cycle: ARVALID, AWVALID, WVALID, RREADY, BREADY.
    driven: [bool; 5],
}

impl Axi4Master {
    pub fn new(
        dut: &dyn Dut,
        prefix: &str,
        timing: MasterTiming,
        rng: Rng,
    ) -> Result<Self, NoSuchPort> {
        Ok(Axi4Master {
            ports: Axi4Ports::new(dut, prefix)?,
            timing,
            rng,
            ar: VecDeque::new(),
            aw: VecDeque::new(),
            writes: Vec::new(),
            w_next: 0,
            w_delay: 0,
            reads_out: VecDeque::new(),
            writes_out: VecDeque::new(),
            in_flight_writes: 0,
            done: VecDeque::new(),
            driven: [false; 5],
        })
    }

    pub fn data_bytes(&self) -> usize {
        self.ports.data_bytes
    }

    fn delay(&mut self) -> u32 {
        self.rng.below(self.timing.max_valid_delay as u64 + 1) as u32
    }

    pub fn push(&mut self, burst: Burst) {
        let delay = self.delay();
        match burst {
            Burst::Read(req) => self.ar.push_back(Presenting { item: req, delay }),
            Burst::Write { .. } => {
                self.aw.push_back(Presenting {
                    item: self.writes.len(),
                    delay,
                });
                self.writes.push((burst, 0));
            }
        }
    }

    pub fn pop(&mut self) -> Option<BurstDone> {
        self.done.pop_front()
    }

    pub fn idle(&self) -> bool {
        self.ar.is_empty()
            && self.aw.is_empty()
            && self.reads_out.is_empty()
            && self.writes_out.is_empty()
            && self.w_next == self.writes.len()
    }

    fn drive_request(dut: &mut dyn Dut, ids: [PortId; 5], r: &Request) {
        for (id, v) in ids.into_iter().zip([r.id, r.addr, r.len, r.size, r.burst]) {
            dut.set(id, v);
        }
    }

    /// Drives this cycle's master outputs, then takes the handshakes of the coming edge.
    pub fn tick(&mut self, dut: &mut dyn Dut) {
        self.drive(dut);
        self.sample(dut);
    }

    /// Drives this cycle's master outputs.
    pub fn drive(&mut self, dut: &mut dyn Dut) {
        let p = self.ports.clone();
        let words = p.data_words();
        // AR
        let mut arvalid = false;
        if self.reads_out.len() < self.timing.max_outstanding {
            if let Some(a) = self.ar.front_mut() {
                if a.delay == 0 {
                    arvalid = true;
                    Self::drive_request(dut, p.ar(), &a.item);
                } else {
                    a.delay -= 1;
                }
            }
        }
        dut.set(p.arvalid, arvalid as u64);
        // AW
        let mut awvalid = false;
        if self.in_flight_writes < self.timing.max_outstanding {
            if let Some(a) = self.aw.front_mut() {
                if a.delay == 0 {
                    awvalid = true;
                    let Burst::Write { req, .. } = &self.writes[a.item].0 else {
                        unreachable!()
                    };
                    Self::drive_request(dut, p.aw(), req);
                } else {
                    a.delay -= 1;
                }
            }
        }
        dut.set(p.awvalid, awvalid as u64);
        // W: beats of the writes in submission order.
        let mut wvalid = false;
        if self.w_next < self.writes.len() {
            if self.w_delay == 0 {
                let (Burst::Write { req, data, strb }, beat) = &self.writes[self.w_next] else {
                    unreachable!()
                };
                let b = *beat as usize;
                let chunk = &data[b * p.data_bytes..(b + 1) * p.data_bytes];
                let mut bytes = chunk.to_vec();
                bytes.resize(words * 8, 0);
                dut.set_words(p.wdata, &to_words(&bytes));
                dut.set(p.wstrb, strb[b] as u64);
                dut.set(p.wlast, (*beat == req.len) as u64);
                wvalid = true;
            } else {
                self.w_delay -= 1;
            }
        }
        dut.set(p.wvalid, wvalid as u64);
        let rready = !self.rng.chance(self.timing.ready_stall_percent);
        let bready = !self.rng.chance(self.timing.ready_stall_percent);
        dut.set(p.rready, rready as u64);
        dut.set(p.bready, bready as u64);
        self.driven = [arvalid, awvalid, wvalid, rready, bready];
    }

    /// Takes the handshakes of the coming edge (after every model has driven).
    pub fn sample(&mut self, dut: &mut dyn Dut) {
        let p = self.ports.clone();
        let words = p.data_words();
        let [arvalid, awvalid, wvalid, rready, bready] = self.driven;
        if arvalid && dut.get(p.arready) != 0 {
            let req = self.ar.pop_front().expect("presented").item;
            self.reads_out.push_back((req, Vec::new(), 0));
        }
        if awvalid && dut.get(p.awready) != 0 {
            let index = self.aw.pop_front().expect("presented").item;
            self.writes_out.push_back(index);
            self.in_flight_writes += 1;
        }
        if wvalid && dut.get(p.wready) != 0 {
            let (Burst::Write { req, .. }, beat) = &mut self.writes[self.w_next] else {
                unreachable!()
            };
            *beat += 1;
            if *beat == req.beats() {
                self.w_next += 1;
            }
            self.w_delay = self.delay();
        }
        if rready && dut.get(p.rvalid) != 0 {
            let mut w = vec![0u64; words];
            dut.get_words(p.rdata, &mut w);
            let id = dut.get(p.rid);
            let resp = dut.get(p.rresp);
            let last = dut.get(p.rlast) != 0;
            let slot = self
                .reads_out
                .iter_mut()
                .position(|(r, _, _)| r.id == id)
                .expect("R beat for an outstanding read (the checker reports it otherwise)");
            let (_, data, worst) = &mut self.reads_out[slot];
            data.extend_from_slice(&from_words(&w)[..p.data_bytes]);
            *worst = (*worst).max(resp);
            if last {
                let (req, data, resp) = self.reads_out.remove(slot).expect("present");
                self.done.push_back(BurstDone {
                    burst: Burst::Read(req),
                    resp,
                    data,
                });
            }
        }
        if bready && dut.get(p.bvalid) != 0 {
            let id = dut.get(p.bid);
            let slot = self
                .writes_out
                .iter()
                .position(
                    |&i| matches!(&self.writes[i].0, Burst::Write { req, .. } if req.id == id),
                )
                .expect("B for an outstanding write (the checker reports it otherwise)");
            let index = self.writes_out.remove(slot).expect("present");
            self.in_flight_writes -= 1;
            self.done.push_back(BurstDone {
                burst: self.writes[index].0.clone(),
                resp: dut.get(p.bresp),
                data: Vec::new(),
            });
        }
    }
}

//! AXI4 protocol checker: watches one link every cycle and fails the test on the first
//! rule broken, naming the link, the cycle and the rule.
//!
//! Rules: VALID stays high until READY and the payload is stable meanwhile (all five
//! channels); bursts are legal (burst type, length limits, size no wider than the bus,
//! INCR bursts never cross 4 KiB); WLAST marks exactly the last beat of each write
//! burst; R beats belong to an outstanding read of their ID and RLAST marks its last
//! beat; every B answers a write whose data is complete; no response without a request.

use std::collections::{HashMap, VecDeque};

use crate::bus::axi4_link::{read_request, Axi4Ports, Request};
use crate::design::dut::{Dut, NoSuchPort, PortId};

/// What one channel showed in the previous cycle: its handshake, and its payload if it
/// was valid.
#[derive(Clone, Debug, Default)]
struct Last {
    valid: bool,
    ready: bool,
    /// The payload ports' words, one after another (kept to compare while stalled).
    payload: Vec<u64>,
}

/// The checker. Call [`Axi4Checker::check`] once per cycle, after every model has
/// driven its inputs, before `Dut::step`.
pub struct Axi4Checker {
    name: String,
    ports: Axi4Ports,
    /// Per channel (AW, W, B, AR, R): VALID, READY and the payload ports.
    channels: [(PortId, PortId, Vec<PortId>); 5],
    last: [Last; 5],
    /// A reused buffer for this cycle's payloads.
    scratch: Vec<u64>,
    /// Beat counts of AWs whose data has not all been seen, in order.
    aw_beats: VecDeque<(u64, u64)>,
    /// W beats seen of the current burst, and completed W bursts not yet matched to an AW.
    w_count: u64,
    w_done: VecDeque<u64>,
    /// Writes per ID with all data seen and no B yet.
    writes_complete: HashMap<u64, u64>,
    /// Outstanding reads per ID: remaining beats of each burst, in order.
    reads: HashMap<u64, VecDeque<u64>>,
    pub bursts_checked: u64,
}

const CHANNELS: [&str; 5] = ["AW", "W", "B", "AR", "R"];

impl Axi4Checker {
    pub fn new(dut: &dyn Dut, prefix: &str, name: &str) -> Result<Self, NoSuchPort> {
        let ports = Axi4Ports::new(dut, prefix)?;
        let p = &ports;
        let channels = [
            (
                p.awvalid,
                p.awready,
                vec![p.awid, p.awaddr, p.awlen, p.awsize, p.awburst],
            ),
            (p.wvalid, p.wready, vec![p.wdata, p.wstrb, p.wlast]),
            (p.bvalid, p.bready, vec![p.bid, p.bresp]),
            (
                p.arvalid,
                p.arready,
                vec![p.arid, p.araddr, p.arlen, p.arsize, p.arburst],
            ),
            (p.rvalid, p.rready, vec![p.rid, p.rdata, p.rresp, p.rlast]),
        ];
        Ok(Axi4Checker {
            name: name.to_string(),
            ports,
            channels,
            last: Default::default(),
            scratch: Vec::new(),
            aw_beats: VecDeque::new(),
            w_count: 0,
            w_done: VecDeque::new(),
            writes_complete: HashMap::new(),
            reads: HashMap::new(),
            bursts_checked: 0,
        })
    }

    fn fail(&self, cycle: u64, rule: String) -> ! {
        panic!(
            "AXI4 protocol violation on {} at cycle {cycle}: {rule}",
            self.name
        )
    }

    fn check_request(&self, cycle: u64, what: &str, r: &Request) {
        let max_size = self.ports.data_bytes.trailing_zeros() as u64;
        if r.burst == 3 {
            self.fail(
                cycle,
                format!("{what} uses the reserved burst type 3: {r:?}"),
            );
        }
        if r.burst != 1 && r.len > 15 {
            self.fail(
                cycle,
                format!("{what} FIXED/WRAP burst longer than 16 beats: {r:?}"),
            );
        }
        if r.size > max_size {
            self.fail(
                cycle,
                format!(
                    "{what} size 2^{} is wider than the {}-byte bus: {r:?}",
                    r.size, self.ports.data_bytes
                ),
            );
        }
        if r.burst == 1 && r.crosses_4k() {
            self.fail(cycle, format!("{what} crosses a 4 KiB boundary: {r:?}"));
        }
    }

    /// Checks this cycle; panics on a violation.
    pub fn check(&mut self, dut: &mut dyn Dut) {
        let cycle = dut.cycle();
        let mut fire = [false; 5];
        let mut payload = std::mem::take(&mut self.scratch);
        for (i, f) in fire.iter_mut().enumerate() {
            let (valid, ready, ports) = &self.channels[i];
            let valid = dut.get(*valid) != 0;
            let ready = dut.get(*ready) != 0;
            // Only a valid channel's payload matters: idle channels cost two reads.
            payload.clear();
            if valid {
                for &id in ports {
                    let at = payload.len();
                    payload.resize(at + dut.ports()[id].words(), 0);
                    dut.get_words(id, &mut payload[at..]);
                }
            }
            let last = &self.last[i];
            if last.valid && !last.ready {
                if !valid {
                    self.fail(
                        cycle,
                        format!("{}VALID dropped before {}READY", CHANNELS[i], CHANNELS[i]),
                    );
                }
                if payload != last.payload {
                    self.fail(
                        cycle,
                        format!("{} payload changed while stalled", CHANNELS[i]),
                    );
                }
            }
            *f = valid && ready;
            let last = &mut self.last[i];
            last.valid = valid;
            last.ready = ready;
            std::mem::swap(&mut last.payload, &mut payload);
        }
        self.scratch = payload;
        let p = self.ports.clone();
        // Responses first, against the state of earlier cycles: a response in the same
        // cycle as its request's handshake is a violation.
        if fire[2] {
            let id = dut.get(p.bid);
            match self.writes_complete.get_mut(&id) {
                Some(n) if *n > 0 => *n -= 1,
                _ => self.fail(
                    cycle,
                    format!("B for ID {id} without a completed write burst"),
                ),
            }
        }
        if fire[4] {
            let id = dut.get(p.rid);
            let last = dut.get(p.rlast) != 0;
            let name = self.name.clone();
            let Some(remaining) = self.reads.get_mut(&id).and_then(|q| q.front_mut()) else {
                panic!("AXI4 protocol violation on {name} at cycle {cycle}: R beat for ID {id} without an outstanding read");
            };
            *remaining -= 1;
            let left = *remaining;
            if last != (left == 0) {
                self.fail(
                    cycle,
                    format!("RLAST={} with {left} beats of the burst left", last as u8),
                );
            }
            let done = left == 0;
            if done {
                self.reads.get_mut(&id).expect("present").pop_front();
            }
        }
        if fire[0] {
            let r = read_request(dut, p.aw());
            self.check_request(cycle, "AW", &r);
            self.aw_beats.push_back((r.id, r.beats()));
            self.bursts_checked += 1;
        }
        if fire[1] {
            self.w_count += 1;
            let last = dut.get(p.wlast) != 0;
            // With the AW known, WLAST must come exactly on its last beat.
            let expected = self.aw_beats.get(self.w_done.len()).map(|&(_, n)| n);
            if let Some(n) = expected {
                if last != (self.w_count == n) {
                    self.fail(
                        cycle,
                        format!(
                            "WLAST={} on beat {} of a {n}-beat burst",
                            last as u8, self.w_count
                        ),
                    );
                }
            }
            if last {
                self.w_done.push_back(self.w_count);
                self.w_count = 0;
            }
        }
        while !self.w_done.is_empty() && !self.aw_beats.is_empty() {
            let beats = self.w_done.pop_front().expect("checked");
            let (id, n) = self.aw_beats.pop_front().expect("checked");
            if beats != n {
                self.fail(
                    cycle,
                    format!("write burst of ID {id} has {beats} data beats for AWLEN+1 = {n}"),
                );
            }
            *self.writes_complete.entry(id).or_default() += 1;
        }
        if fire[3] {
            let r = read_request(dut, p.ar());
            self.check_request(cycle, "AR", &r);
            self.reads.entry(r.id).or_default().push_back(r.beats());
            self.bursts_checked += 1;
        }
    }

    /// Fails unless every request has had all its data and its response.
    pub fn assert_quiet(&self) {
        let reads: usize = self.reads.values().map(VecDeque::len).sum();
        let writes: u64 = self.writes_complete.values().sum();
        assert!(
            reads == 0 && writes == 0 && self.aw_beats.is_empty() && self.w_done.is_empty() && self.w_count == 0,
            "{}: transactions left open: {reads} reads, {writes} writes awaiting B, {} AWs awaiting data, {} W bursts awaiting AW",
            self.name,
            self.aw_beats.len(),
            self.w_done.len()
        );
    }
}

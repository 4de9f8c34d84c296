//! The host coherent port at the pins: serializes a [`HostCache`]'s requests and snoop
//! answers into beats (header, then 4 data beats where the message has a line) with
//! random delays, and assembles the home agent's responses and snoops from its beats.
//! Snoops are answered at once (rule 2 of `docs/COHERENCE.md`).

use std::collections::VecDeque;

use super::host_cache::HostCache;
use super::protocol::{LineData, PortState, Req, Rsp, Snp, SnpOp, SnpRsp, State, LINE};
use crate::bus::axi4_memory::{from_words, to_words};
use crate::design::dut::{Dut, NoSuchPort, PortId};
use crate::rng::Rng;

/// A message the home agent sent, as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arrived {
    Rsp(Rsp),
    Snp(Snp),
    /// A request refused as bad input, by tag.
    Refused(u8),
}

/// One beat of `req` or `snp_rsp`: header fields and data.
#[derive(Clone, Debug)]
struct Beat {
    fields: Vec<(PortId, u64)>,
    data: [u8; 16],
    mask: u16,
    last: bool,
}

struct Outbound {
    beats: VecDeque<Beat>,
    delay: u32,
}

impl Outbound {
    fn new() -> Outbound {
        Outbound {
            beats: VecDeque::new(),
            delay: 0,
        }
    }
}

fn ports(dut: &dyn Dut, prefix: &str, names: &[&str]) -> Result<Vec<PortId>, NoSuchPort> {
    names
        .iter()
        .map(|n| dut.port(&format!("{prefix}{n}")))
        .collect()
}

fn line_beats(header: Beat, data: Option<&LineData>, mask: u64) -> Vec<Beat> {
    let mut beats = vec![header];
    if let Some(d) = data {
        beats[0].last = false;
        for k in 0..4 {
            let mut b = [0u8; 16];
            b.copy_from_slice(&d[16 * k..16 * k + 16]);
            beats.push(Beat {
                fields: Vec::new(),
                data: b,
                mask: (mask >> (16 * k)) as u16,
                last: k == 3,
            });
        }
    }
    beats
}

/// A header with `fields`, then one beat per entry of `data`, `last` on the final beat.
fn raw_beats(fields: Vec<(PortId, u64)>, data: &[[u8; 16]], mask: u16) -> Vec<Beat> {
    let header = Beat {
        fields,
        data: [0; 16],
        mask: 0,
        last: data.is_empty(),
    };
    let beats = data.iter().enumerate().map(|(k, d)| Beat {
        fields: Vec::new(),
        data: *d,
        mask,
        last: k + 1 == data.len(),
    });
    std::iter::once(header).chain(beats).collect()
}

pub struct HostPort {
    pub cache: HostCache,
    rng: Rng,
    /// Chance in percent of a cycle without a beat that could have moved.
    pub stall_percent: u32,
    req: Outbound,
    snp: Outbound,
    /// req: valid ready op line tag data mask last.
    req_ports: Vec<PortId>,
    /// s2m: valid ready snoop tag state op line data last.
    s2m_ports: Vec<PortId>,
    /// snp_rsp: valid ready line state dirty data last.
    snp_ports: Vec<PortId>,
    s2m_ready: bool,
    /// A response header waiting for its data beats, and the beats so far.
    partial: Option<(Rsp, Vec<u8>)>,
    /// Requests in the order they were put on the wire.
    pub sent: VecDeque<Req>,
    /// Snoop answers in the order they were put on the wire.
    pub answered: VecDeque<SnpRsp>,
    /// Messages from the home agent, in arrival order.
    pub arrived: VecDeque<Arrived>,
    /// Request headers the home agent has taken.
    pub taken: u64,
    /// Tags of raw requests not yet answered: their answers bypass the cache.
    raw_tags: Vec<u8>,
    /// While set, no snoop answer goes on the wire (they queue).
    pub hold_answers: bool,
}

impl HostPort {
    /// Drives the coherent port `<prefix>req_valid` and so on of `dut`.
    pub fn new(
        dut: &dyn Dut,
        prefix: &str,
        cache: HostCache,
        rng: Rng,
    ) -> Result<HostPort, NoSuchPort> {
        Ok(HostPort {
            cache,
            rng,
            stall_percent: 25,
            req: Outbound::new(),
            snp: Outbound::new(),
            req_ports: ports(
                dut,
                prefix,
                &[
                    "req_valid",
                    "req_ready",
                    "req_op",
                    "req_line",
                    "req_tag",
                    "req_data",
                    "req_mask",
                    "req_last",
                ],
            )?,
            s2m_ports: ports(
                dut,
                prefix,
                &[
                    "s2m_valid",
                    "s2m_ready",
                    "s2m_snoop",
                    "s2m_tag",
                    "s2m_state",
                    "s2m_op",
                    "s2m_line",
                    "s2m_data",
                    "s2m_last",
                ],
            )?,
            snp_ports: ports(
                dut,
                prefix,
                &[
                    "snp_valid",
                    "snp_ready",
                    "snp_line",
                    "snp_state",
                    "snp_dirty",
                    "snp_data",
                    "snp_last",
                ],
            )?,
            s2m_ready: false,
            partial: None,
            sent: VecDeque::new(),
            answered: VecDeque::new(),
            arrived: VecDeque::new(),
            taken: 0,
            raw_tags: Vec::new(),
            hold_answers: false,
        })
    }

    /// Puts a request on the wire as a faulty host might send it: any `op` (3 bits),
    /// `line` and `tag`, and any number of data beats (the header is the last beat when
    /// there are none). Its answer goes to `arrived` only, not to the cache.
    pub fn send_raw(&mut self, op: u64, line: u64, tag: u8, data: &[[u8; 16]]) {
        let p = &self.req_ports;
        let header = vec![(p[2], op), (p[3], line), (p[4], tag as u64)];
        self.req.beats.extend(raw_beats(header, data, u16::MAX));
        self.raw_tags.push(tag);
    }

    /// Puts a snoop answer on the wire that no snoop asked for: header fields as given,
    /// then `data` beats.
    pub fn answer_raw(&mut self, line: u64, state: u64, dirty: bool, data: &[[u8; 16]]) {
        let p = &self.snp_ports;
        let header = vec![(p[2], line), (p[3], state), (p[4], dirty as u64)];
        self.snp.beats.extend(raw_beats(header, data, 0));
    }

    /// Nothing queued, on the wire or half received.
    pub fn quiet(&self) -> bool {
        self.req.beats.is_empty()
            && self.snp.beats.is_empty()
            && self.partial.is_none()
            && self.cache.out.is_empty()
    }

    /// Presents the next beat of `out` on a channel whose ports are valid, ready,
    /// header fields..., data, [mask,] last.
    fn present(out: &Outbound, ports: &[PortId], mask: bool, dut: &mut dyn Dut) {
        let valid = out.delay == 0 && !out.beats.is_empty();
        dut.set(ports[0], valid as u64);
        if let Some(b) = out.beats.front() {
            for &(p, v) in &b.fields {
                dut.set(p, v);
            }
            let n = ports.len();
            let data = if mask { n - 3 } else { n - 2 };
            dut.set_words(ports[data], &to_words(&b.data));
            if mask {
                dut.set(ports[n - 2], b.mask as u64);
            }
            dut.set(ports[n - 1], b.last as u64);
        }
    }

    /// Drives this cycle's inputs, then takes the handshakes of the coming edge.
    pub fn tick(&mut self, dut: &mut dyn Dut) {
        self.drive(dut);
        self.sample(dut);
    }

    /// Drives this cycle's inputs.
    pub fn drive(&mut self, dut: &mut dyn Dut) {
        // New requests from the cache go on the wire in order.
        while let Some(r) = self.cache.out.pop_front() {
            let p = &self.req_ports;
            let header = Beat {
                fields: vec![(p[2], r.op.code()), (p[3], r.line), (p[4], r.tag as u64)],
                data: [0; 16],
                mask: 0,
                last: true,
            };
            let (data, mask) = match &r.data {
                Some((d, m)) => (Some(&**d), *m),
                None => (None, 0),
            };
            self.req.beats.extend(line_beats(header, data, mask));
            self.sent.push_back(r);
        }
        Self::present(&self.req, &self.req_ports, true, dut);
        if self.hold_answers {
            dut.set(self.snp_ports[0], 0);
        } else {
            Self::present(&self.snp, &self.snp_ports, false, dut);
        }
        self.s2m_ready = !self.rng.chance(self.stall_percent);
        dut.set(self.s2m_ports[1], self.s2m_ready as u64);
    }

    /// Takes the handshakes of the coming edge (after every model has driven).
    pub fn sample(&mut self, dut: &mut dyn Dut) {
        for (out, ports) in [
            (&mut self.req, &self.req_ports),
            (&mut self.snp, &self.snp_ports),
        ] {
            let fired = dut.get(ports[0]) == 1 && dut.get(ports[1]) == 1;
            if fired {
                let beat = out.beats.pop_front().expect("a beat was presented");
                if ports[0] == self.req_ports[0] && !beat.fields.is_empty() {
                    self.taken += 1;
                }
            }
            if out.delay > 0 {
                out.delay -= 1;
            } else if fired && self.rng.chance(self.stall_percent) {
                out.delay = 1 + self.rng.below(3) as u32;
            }
        }
        let s = &self.s2m_ports;
        if self.s2m_ready && dut.get(s[0]) == 1 {
            let last = dut.get(s[8]) == 1;
            match self.partial.take() {
                Some((rsp, mut bytes)) => {
                    let mut w = [0u64; 2];
                    dut.get_words(s[7], &mut w);
                    bytes.extend(from_words(&w));
                    if last {
                        assert_eq!(bytes.len(), LINE, "a response carries 4 data beats");
                        let mut d = [0u8; LINE];
                        d.copy_from_slice(&bytes);
                        self.deliver(Arrived::Rsp(Rsp {
                            data: Some(Box::new(d)),
                            ..rsp
                        }));
                    } else {
                        self.partial = Some((rsp, bytes));
                    }
                }
                None if dut.get(s[2]) == 1 => {
                    let op = SnpOp::from_code(dut.get(s[5])).expect("snp.op is one bit");
                    self.deliver(Arrived::Snp(Snp {
                        op,
                        line: dut.get(s[6]),
                    }));
                }
                None => {
                    let tag = dut.get(s[3]) as u8;
                    let code = PortState::from_code(dut.get(s[4])).expect("rsp.state is two bits");
                    match State::granted(code) {
                        None => {
                            assert!(last, "a refused request's answer carries no data");
                            self.deliver(Arrived::Refused(tag));
                        }
                        Some(state) => {
                            let rsp = Rsp {
                                tag,
                                state,
                                data: None,
                            };
                            if last {
                                self.deliver(Arrived::Rsp(rsp));
                            } else {
                                self.partial = Some((rsp, Vec::new()));
                            }
                        }
                    }
                }
            }
        }
    }

    fn deliver(&mut self, m: Arrived) {
        match &m {
            Arrived::Rsp(r) => match self.raw_tags.iter().position(|&t| t == r.tag) {
                Some(i) => {
                    self.raw_tags.remove(i);
                }
                None => {
                    self.cache.on_rsp(r.clone());
                }
            },
            Arrived::Refused(tag) => {
                if let Some(i) = self.raw_tags.iter().position(|t| t == tag) {
                    self.raw_tags.remove(i);
                }
            }
            Arrived::Snp(snp) => {
                let a = self.cache.on_snp(*snp);
                let p = &self.snp_ports;
                let header = Beat {
                    fields: vec![
                        (p[2], a.line),
                        (
                            p[3],
                            a.state.answered().expect("a snoop leaves at most S").code(),
                        ),
                        (p[4], a.dirty.is_some() as u64),
                    ],
                    data: [0; 16],
                    mask: 0,
                    last: true,
                };
                self.snp
                    .beats
                    .extend(line_beats(header, a.dirty.as_deref(), u64::MAX));
                self.answered.push_back(a);
            }
        }
        self.arrived.push_back(m);
    }
}

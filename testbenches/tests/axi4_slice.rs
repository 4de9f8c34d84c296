//! The AXI4 register slice alone: on each of its five channels (AW, W and AR from the
//! slave side to the master side, B and R back) random beats with random VALID against
//! random READY. Every beat must come out once, unchanged and in order; the outputs must
//! come from registers (they do not move when the inputs change within a cycle); and a
//! channel that is never stalled moves one beat per cycle.

use std::collections::VecDeque;

use cdm_hdl::bus::axi4_slice::Axi4Slice;
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// One channel through the slice: where its beats go in and come out.
struct Channel {
    name: &'static str,
    in_valid: PortId,
    in_ready: PortId,
    out_valid: PortId,
    out_ready: PortId,
    /// Payload ports, input side and output side, in the same order.
    payload: Vec<(PortId, PortId)>,
    /// Beats offered and not yet seen at the output.
    sent: VecDeque<Vec<Vec<u64>>>,
    /// The beat on the input, held until taken.
    offered: Option<Vec<Vec<u64>>>,
    moved: u64,
}

impl Channel {
    fn new(dut: &dyn Dut, name: &'static str, from: &str, to: &str, fields: &[&str]) -> Self {
        let port = |side: &str, f: &str| {
            dut.port(&format!("{side}${name}{f}"))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        Channel {
            name,
            in_valid: port(from, "valid"),
            in_ready: port(from, "ready"),
            out_valid: port(to, "valid"),
            out_ready: port(to, "ready"),
            payload: fields
                .iter()
                .map(|f| (port(from, f), port(to, f)))
                .collect(),
            sent: VecDeque::new(),
            offered: None,
            moved: 0,
        }
    }

    fn random_beat(&self, dut: &dyn Dut, rng: &mut Rng) -> Vec<Vec<u64>> {
        self.payload
            .iter()
            .map(|&(i, _)| {
                let width = dut.ports()[i].width;
                (0..dut.ports()[i].words())
                    .map(|w| {
                        let bits = (width - 64 * w).min(64);
                        rng.next_u64() & (u64::MAX >> (64 - bits))
                    })
                    .collect()
            })
            .collect()
    }

    fn read(dut: &mut dyn Dut, ports: impl Iterator<Item = PortId>) -> Vec<Vec<u64>> {
        ports
            .map(|p| {
                let mut w = vec![0; dut.ports()[p].words()];
                dut.get_words(p, &mut w);
                w
            })
            .collect()
    }

    /// Drives this cycle's inputs: a beat offered with probability `valid` percent (held
    /// until taken, as AXI requires), READY with probability `ready` percent.
    fn drive(&mut self, dut: &mut dyn Dut, rng: &mut Rng, valid: u32, ready: u32) {
        if self.offered.is_none() && rng.chance(valid) {
            self.offered = Some(self.random_beat(dut, rng));
        }
        dut.set(self.in_valid, self.offered.is_some() as u64);
        if let Some(beat) = &self.offered {
            for (&(i, _), value) in self.payload.iter().zip(beat) {
                dut.set_words(i, value);
            }
        }
        dut.set(self.out_ready, rng.chance(ready) as u64);
    }

    /// Checks this cycle's outputs and records the handshakes of the coming edge.
    fn settle(&mut self, dut: &mut dyn Dut, cycle: u64) {
        if dut.get(self.out_valid) == 1 && dut.get(self.out_ready) == 1 {
            let got = Self::read(dut, self.payload.iter().map(|&(_, o)| o));
            let want = self
                .sent
                .pop_front()
                .unwrap_or_else(|| panic!("{}: a beat nobody sent, cycle {cycle}", self.name));
            assert_eq!(
                got, want,
                "{}: beat {} in cycle {cycle}",
                self.name, self.moved
            );
            self.moved += 1;
        }
        if self.offered.is_some() && dut.get(self.in_ready) == 1 {
            self.sent.push_back(self.offered.take().unwrap());
        }
    }

    /// The outputs, to check that they do not follow this cycle's inputs.
    fn outputs(&self, dut: &mut dyn Dut) -> Vec<Vec<u64>> {
        let ports = [self.out_valid, self.in_ready]
            .into_iter()
            .chain(self.payload.iter().map(|&(_, o)| o));
        Self::read(dut, ports)
    }
}

fn channels(dut: &dyn Dut) -> Vec<Channel> {
    let address = ["id", "addr", "len", "size", "burst"];
    vec![
        Channel::new(dut, "aw", "s", "m", &address),
        Channel::new(dut, "w", "s", "m", &["data", "strb", "last"]),
        Channel::new(dut, "b", "m", "s", &["id", "resp"]),
        Channel::new(dut, "ar", "s", "m", &address),
        Channel::new(dut, "r", "m", "s", &["id", "data", "resp", "last"]),
    ]
}

fn run(mut dut: Box<dyn Dut>, cycles: u64) {
    let mut rng = Rng::from_env("axi4_slice");
    let mut chans = channels(&*dut);
    for cycle in 0..cycles {
        // Phases: both sides eager (full rate), one side slow, both random.
        let (valid, ready) = [(100, 100), (30, 90), (90, 30), (60, 60)][(cycle / 200 % 4) as usize];
        let before: Vec<_> = chans.iter().map(|c| c.outputs(&mut *dut)).collect();
        for c in &mut chans {
            c.drive(&mut *dut, &mut rng, valid, ready);
        }
        for (c, b) in chans.iter().zip(&before) {
            assert_eq!(
                &c.outputs(&mut *dut),
                b,
                "{}: an output followed an input in cycle {cycle}",
                c.name
            );
        }
        for c in &mut chans {
            c.settle(&mut *dut, cycle);
        }
        dut.step();
    }
    for c in &chans {
        assert!(
            c.moved > cycles / 3,
            "{}: {} beats in {cycles} cycles",
            c.name,
            c.moved
        );
    }
}

fn every_beat_passes_once_in_order(backend: Backend) {
    let cycles = match backend {
        Backend::Native => 4_000,
        Backend::Verilator => 200_000,
    };
    run(open::<Axi4Slice>(backend), cycles);
}

/// Never stalled, every channel moves a beat in every cycle once the slice has filled.
fn full_rate_when_never_stalled(backend: Backend) {
    let mut dut = open::<Axi4Slice>(backend);
    let mut rng = Rng::from_env("axi4_slice_rate");
    let mut chans = channels(&*dut);
    for cycle in 0..200 {
        for c in &mut chans {
            c.drive(&mut *dut, &mut rng, 100, 100);
            c.settle(&mut *dut, cycle);
        }
        dut.step();
    }
    for c in &chans {
        assert!(
            c.moved >= 198,
            "{}: {} beats in 200 cycles",
            c.name,
            c.moved
        );
    }
}

on_each_backend!(
    every_beat_passes_once_in_order,
    full_rate_when_never_stalled
);

#[test]
fn slice_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<Axi4Slice>::new());
    cdm_testbenches::reset(&mut dut);
    run(dut, 2_000);
}

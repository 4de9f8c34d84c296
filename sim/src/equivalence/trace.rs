//! Recording of every top-level input and output of a run, cycle by cycle.
//!
//! A [`Recorder`] wraps any [`Dut`]; the [`Trace`] it produces can be replayed into
//! another simulator of the same design (see [`crate::equivalence::replay`]) and compared.

use crate::design::dut::{Dut, PortDir, PortId, PortInfo};

/// Inputs applied and outputs seen in every cycle of a run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub ports: Vec<PortInfo>,
    /// Per cycle, per port, the value's 64-bit words (inputs as applied before the edge,
    /// outputs as settled before the edge).
    pub cycles: Vec<Vec<Vec<u64>>>,
}

impl Trace {
    pub fn inputs(&self) -> impl Iterator<Item = (PortId, &PortInfo)> {
        self.ports
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dir == PortDir::Input)
    }

    pub fn outputs(&self) -> impl Iterator<Item = (PortId, &PortInfo)> {
        self.ports
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dir == PortDir::Output)
    }
}

/// The first place where two runs of the same stimulus differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub cycle: usize,
    pub port: String,
    pub expected: Vec<u64>,
    pub actual: Vec<u64>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle {}: port `{}` is {} where the reference has {}",
            self.cycle,
            self.port,
            hex(&self.actual),
            hex(&self.expected)
        )
    }
}

fn hex(words: &[u64]) -> String {
    let mut s = String::from("0x");
    for (i, w) in words.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&format!("{w:x}"));
        } else {
            s.push_str(&format!("{w:016x}"));
        }
    }
    s
}

/// Number of leading cycles with the `reset` input high: outputs there may be undefined
/// in a Verilog simulator (registers without reset, RAM outputs before the first read).
pub fn initial_reset_cycles(trace: &Trace) -> usize {
    let Some(reset) = trace
        .ports
        .iter()
        .position(|p| p.name == "reset" && p.dir == PortDir::Input)
    else {
        return 0;
    };
    trace
        .cycles
        .iter()
        .take_while(|c| c[reset].first() == Some(&1))
        .count()
}

/// Compares the outputs of `actual` against `reference`, cycle by cycle, from the end of
/// the initial reset. An empty row in `actual` stands for undefined (X or Z) outputs.
pub fn first_mismatch(reference: &Trace, actual: &[Vec<Vec<u64>>]) -> Option<Mismatch> {
    if reference.cycles.len() != actual.len() {
        return Some(Mismatch {
            cycle: reference.cycles.len().min(actual.len()),
            port: "<cycle count>".into(),
            expected: vec![reference.cycles.len() as u64],
            actual: vec![actual.len() as u64],
        });
    }
    let settled = initial_reset_cycles(reference);
    for (cycle, (r, a)) in reference
        .cycles
        .iter()
        .zip(actual)
        .enumerate()
        .skip(settled)
    {
        if a.is_empty() {
            return Some(Mismatch {
                cycle,
                port: "<some output is X or Z>".into(),
                expected: Vec::new(),
                actual: Vec::new(),
            });
        }
        for (id, port) in reference.outputs() {
            if r[id] != a[id] {
                return Some(Mismatch {
                    cycle,
                    port: port.name.clone(),
                    expected: r[id].clone(),
                    actual: a[id].clone(),
                });
            }
        }
    }
    None
}

/// Wraps a design and records a [`Trace`] of everything that crosses its ports.
pub struct Recorder<D: Dut> {
    inner: D,
    inputs: Vec<Vec<u64>>,
    trace: Trace,
}

impl<D: Dut> Recorder<D> {
    pub fn new(mut inner: D) -> Self {
        let ports = inner.ports().to_vec();
        let inputs = ports
            .iter()
            .enumerate()
            .map(|(id, p)| {
                let mut w = vec![0; p.words()];
                inner.get_words(id, &mut w);
                w
            })
            .collect();
        Recorder {
            inner,
            inputs,
            trace: Trace {
                ports,
                cycles: Vec::new(),
            },
        }
    }

    /// The wrapped design, read-only: inputs must go through the recorder.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    pub fn into_trace(self) -> Trace {
        self.trace
    }
}

impl<D: Dut> Dut for Recorder<D> {
    fn ports(&self) -> &[PortInfo] {
        &self.trace.ports
    }

    fn set_words(&mut self, port: PortId, value: &[u64]) {
        let stored = &mut self.inputs[port];
        let n = stored.len();
        stored.copy_from_slice(&value[..n]);
        self.inner.set_words(port, value);
    }

    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        self.inner.get_words(port, value)
    }

    fn step(&mut self) {
        let mut row = Vec::with_capacity(self.trace.ports.len());
        for (id, p) in self.trace.ports.iter().enumerate() {
            if p.dir == PortDir::Input {
                row.push(self.inputs[id].clone());
            } else {
                let mut w = vec![0; p.words()];
                self.inner.get_words(id, &mut w);
                row.push(w);
            }
        }
        self.trace.cycles.push(row);
        self.inner.step();
    }

    fn cycle(&self) -> u64 {
        self.inner.cycle()
    }
}

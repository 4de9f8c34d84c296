//! Waveforms of a design's top-level ports, streamed to a VCD file as the run goes.
//!
//! Works on any backend because it only sees ports. A filter keeps the file small:
//! a comma-separated list of name patterns where `*` matches any run of characters.

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

use vcd::{IdCode, TimescaleUnit, Value, Writer};

use crate::design::dut::{Dut, PortId, PortInfo};

/// Nanoseconds per clock cycle at the device's 100 MHz.
const CYCLE_NS: u64 = 10;

/// Which ports to record: comma-separated patterns with `*` wildcards; empty records all.
#[derive(Clone, Debug, Default)]
pub struct SignalFilter(Vec<String>);

impl SignalFilter {
    pub fn new(spec: &str) -> SignalFilter {
        SignalFilter(
            spec.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        )
    }

    pub fn matches(&self, name: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|p| glob(p, name))
    }
}

fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len()).any(|i| {
                    name.is_char_boundary(head.len() + i) && glob(rest, &name[head.len() + i..])
                })
        }
    }
}

/// Wraps a design and writes the selected ports' values at every clock edge.
pub struct VcdTrace<D: Dut> {
    inner: D,
    writer: Writer<BufWriter<File>>,
    clock: IdCode,
    signals: Vec<(PortId, IdCode, Vec<u64>)>,
    started: bool,
}

impl<D: Dut> VcdTrace<D> {
    pub fn new(inner: D, path: &Path, filter: &SignalFilter) -> io::Result<Self> {
        let mut writer = Writer::new(BufWriter::new(File::create(path)?));
        writer.timescale(1, TimescaleUnit::NS)?;
        writer.add_module("top")?;
        let clock = writer.add_wire(1, "clock")?;
        let mut signals = Vec::new();
        for (id, p) in inner.ports().iter().enumerate() {
            if filter.matches(&p.name) {
                let code = writer.add_wire(p.width as u32, &p.name.replace('$', "."))?;
                signals.push((id, code, vec![u64::MAX; p.words()]));
            }
        }
        writer.upscope()?;
        writer.enddefinitions()?;
        Ok(VcdTrace {
            inner,
            writer,
            clock,
            signals,
            started: false,
        })
    }

    /// The wrapped design, read-only: inputs must go through the trace.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    fn sample(&mut self) -> io::Result<()> {
        let t = self.inner.cycle() * CYCLE_NS;
        self.writer.timestamp(t)?;
        self.writer.change_scalar(self.clock, Value::V0)?;
        let ports: Vec<PortInfo> = self.inner.ports().to_vec();
        for (id, code, last) in &mut self.signals {
            let width = ports[*id].width;
            let mut now = vec![0; last.len()];
            self.inner.get_words(*id, &mut now);
            if !self.started || now != *last {
                let bits = (0..width).rev().map(|i| {
                    if (now[i / 64] >> (i % 64)) & 1 != 0 {
                        Value::V1
                    } else {
                        Value::V0
                    }
                });
                if width == 1 {
                    self.writer.change_scalar(
                        *code,
                        if now[0] & 1 != 0 {
                            Value::V1
                        } else {
                            Value::V0
                        },
                    )?;
                } else {
                    self.writer.change_vector(*code, bits)?;
                }
                *last = now;
            }
        }
        self.started = true;
        self.writer.timestamp(t + CYCLE_NS / 2)?;
        self.writer.change_scalar(self.clock, Value::V1)
    }

    /// Flushes buffered output (also done on drop).
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl<D: Dut> Dut for VcdTrace<D> {
    fn ports(&self) -> &[PortInfo] {
        self.inner.ports()
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        self.inner.set_words(port, value)
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        self.inner.get_words(port, value)
    }
    fn step(&mut self) {
        if let Err(e) = self.sample() {
            panic!("writing VCD failed: {e}");
        }
        self.inner.step()
    }
    fn cycle(&self) -> u64 {
        self.inner.cycle()
    }
}

impl<D: Dut> Drop for VcdTrace<D> {
    fn drop(&mut self) {
        let _ = self.writer.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_patterns() {
        let f = SignalFilter::new("axil$aw*, irq");
        assert!(f.matches("axil$awvalid"));
        assert!(f.matches("irq"));
        assert!(!f.matches("axil$wdata"));
        assert!(SignalFilter::new("").matches("anything"));
        assert!(SignalFilter::new("*ready").matches("axil$bready"));
        assert!(!SignalFilter::new("*ready").matches("axil$readyx"));
    }
}

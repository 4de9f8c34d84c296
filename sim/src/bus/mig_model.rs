//! Behavioural model of a Xilinx 7-series MIG user interface (DDR3 x16, 4:1, BL8): one
//! command per 128-bit beat at a 16-bit word address, write data taken before or with
//! its command, read data returned in command order after a latency and never stalled.
//! `app_rdy` and `app_wdf_rdy` drop at random. Anything the user does that a MIG would
//! not accept is recorded in `violations`.

use std::collections::VecDeque;

use crate::bus::axi4_memory::{from_words, to_words, SparseMemory};
use crate::design::dut::{Dut, NoSuchPort, PortId};
use crate::rng::Rng;

struct Ports {
    addr: PortId,
    cmd: PortId,
    en: PortId,
    rdy: PortId,
    wdf_data: PortId,
    wdf_mask: PortId,
    wdf_end: PortId,
    wdf_wren: PortId,
    wdf_rdy: PortId,
    rd_data: PortId,
    rd_data_valid: PortId,
}

pub struct MigModel {
    ports: Ports,
    pub mem: SparseMemory,
    /// Cycles from a read command to its data.
    pub latency: u64,
    /// Chance in percent that `app_rdy` or `app_wdf_rdy` is low in a cycle.
    pub stall_percent: u32,
    rng: Rng,
    wdf: VecDeque<([u8; 16], u16)>,
    reads: VecDeque<(u64, u64)>,
    driven: [bool; 3],
    pub commands: u64,
    pub violations: Vec<String>,
}

impl MigModel {
    /// Serves the ports `<prefix>addr` and so on.
    pub fn new(
        dut: &dyn Dut,
        prefix: &str,
        latency: u64,
        stall_percent: u32,
        rng: Rng,
    ) -> Result<MigModel, NoSuchPort> {
        let p = |n: &str| dut.port(&format!("{prefix}{n}"));
        Ok(MigModel {
            ports: Ports {
                addr: p("addr")?,
                cmd: p("cmd")?,
                en: p("en")?,
                rdy: p("rdy")?,
                wdf_data: p("wdf_data")?,
                wdf_mask: p("wdf_mask")?,
                wdf_end: p("wdf_end")?,
                wdf_wren: p("wdf_wren")?,
                wdf_rdy: p("wdf_rdy")?,
                rd_data: p("rd_data")?,
                rd_data_valid: p("rd_data_valid")?,
            },
            mem: SparseMemory::default(),
            latency,
            stall_percent,
            rng,
            wdf: VecDeque::new(),
            reads: VecDeque::new(),
            driven: [false; 3],
            commands: 0,
            violations: Vec::new(),
        })
    }

    /// True when no read is waiting for its data.
    pub fn idle(&self) -> bool {
        self.reads.is_empty()
    }

    /// Drives `app_rdy`, `app_wdf_rdy` and this cycle's read data.
    pub fn drive(&mut self, dut: &mut dyn Dut) {
        let now = dut.cycle();
        let rdy = !self.rng.chance(self.stall_percent);
        let wdf_rdy = !self.rng.chance(self.stall_percent);
        let data = self
            .reads
            .front()
            .filter(|&&(due, _)| due <= now)
            .map(|&(_, word)| word);
        dut.set(self.ports.rdy, rdy as u64);
        dut.set(self.ports.wdf_rdy, wdf_rdy as u64);
        dut.set(self.ports.rd_data_valid, data.is_some() as u64);
        let mut beat = [0u8; 16];
        if let Some(word) = data {
            self.mem.read(word * 2, &mut beat);
        }
        dut.set_words(self.ports.rd_data, &to_words(&beat));
        self.driven = [rdy, wdf_rdy, data.is_some()];
    }

    /// Takes write data, then a command, at the coming edge.
    pub fn sample(&mut self, dut: &mut dyn Dut) {
        let now = dut.cycle();
        let [rdy, wdf_rdy, read_out] = self.driven;
        if read_out {
            self.reads.pop_front();
        }
        if wdf_rdy && dut.get(self.ports.wdf_wren) == 1 {
            if dut.get(self.ports.wdf_end) != 1 {
                self.violations.push(format!("cycle {now}: write data without app_wdf_end (4:1 BL8 takes one beat per burst)"));
            }
            let mut w = [0u64; 2];
            dut.get_words(self.ports.wdf_data, &mut w);
            let mut beat = [0u8; 16];
            beat.copy_from_slice(&from_words(&w));
            self.wdf
                .push_back((beat, dut.get(self.ports.wdf_mask) as u16));
        }
        if rdy && dut.get(self.ports.en) == 1 {
            self.commands += 1;
            let word = dut.get(self.ports.addr);
            if !word.is_multiple_of(8) {
                self.violations
                    .push(format!("cycle {now}: address {word:#x} not on a BL8 burst"));
            }
            match dut.get(self.ports.cmd) {
                0 => match self.wdf.pop_front() {
                    Some((beat, mask)) => {
                        for (i, b) in beat.iter().enumerate() {
                            if mask >> i & 1 == 0 {
                                self.mem.write(word * 2 + i as u64, &[*b]);
                            }
                        }
                    }
                    None => self
                        .violations
                        .push(format!("cycle {now}: write command before its data")),
                },
                1 => self.reads.push_back((now + self.latency, word)),
                c => self.violations.push(format!(
                    "cycle {now}: command {c} is neither read nor write"
                )),
            }
        }
    }
}

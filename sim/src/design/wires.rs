//! A [`Dut`] with no design in it: every port is a plain wire any model may drive.
//!
//! Lets bus models be tested against each other (a master model on the same wires as a
//! slave model) with the two-phase protocol: every model drives, then every model samples.

use crate::design::dut::{Dut, PortDir, PortId, PortInfo};

pub struct Wires {
    info: Vec<PortInfo>,
    values: Vec<Vec<u64>>,
    cycle: u64,
}

impl Wires {
    /// Wires named `<prefix><name>` with the given widths.
    pub fn new(prefix: &str, ports: &[(&str, usize)]) -> Wires {
        let info: Vec<PortInfo> = ports
            .iter()
            .map(|&(name, width)| PortInfo {
                name: format!("{prefix}{name}"),
                width,
                dir: PortDir::Input,
            })
            .collect();
        let values = info.iter().map(|p| vec![0; p.words()]).collect();
        Wires {
            info,
            values,
            cycle: 0,
        }
    }

    /// The wires of one AXI4 link with `id`, `addr` and `data` bit widths.
    pub fn axi4(prefix: &str, id: usize, addr: usize, data: usize) -> Wires {
        let strb = data / 8;
        Wires::new(
            prefix,
            &[
                ("awid", id),
                ("awaddr", addr),
                ("awlen", 8),
                ("awsize", 3),
                ("awburst", 2),
                ("awvalid", 1),
                ("awready", 1),
                ("wdata", data),
                ("wstrb", strb),
                ("wlast", 1),
                ("wvalid", 1),
                ("wready", 1),
                ("bid", id),
                ("bresp", 2),
                ("bvalid", 1),
                ("bready", 1),
                ("arid", id),
                ("araddr", addr),
                ("arlen", 8),
                ("arsize", 3),
                ("arburst", 2),
                ("arvalid", 1),
                ("arready", 1),
                ("rid", id),
                ("rdata", data),
                ("rresp", 2),
                ("rlast", 1),
                ("rvalid", 1),
                ("rready", 1),
            ],
        )
    }
}

impl Dut for Wires {
    fn ports(&self) -> &[PortInfo] {
        &self.info
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        self.info[port].check_fits(value);
        let n = self.values[port].len();
        self.values[port].copy_from_slice(&value[..n]);
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        value[..self.values[port].len()].copy_from_slice(&self.values[port]);
    }
    fn step(&mut self) {
        self.cycle += 1;
    }
    fn cycle(&self) -> u64 {
        self.cycle
    }
}

//! Shared pieces of the AXI4 models: the port set of one AXI4 link and burst maths.

use crate::design::dut::{Dut, NoSuchPort, PortId};

/// The port ids of one AXI4 link, found by name prefix (`host$` finds `host$awaddr`).
#[derive(Clone, Debug)]
pub struct Axi4Ports {
    pub awid: PortId,
    pub awaddr: PortId,
    pub awlen: PortId,
    pub awsize: PortId,
    pub awburst: PortId,
    pub awvalid: PortId,
    pub awready: PortId,
    pub wdata: PortId,
    pub wstrb: PortId,
    pub wlast: PortId,
    pub wvalid: PortId,
    pub wready: PortId,
    pub bid: PortId,
    pub bresp: PortId,
    pub bvalid: PortId,
    pub bready: PortId,
    pub arid: PortId,
    pub araddr: PortId,
    pub arlen: PortId,
    pub arsize: PortId,
    pub arburst: PortId,
    pub arvalid: PortId,
    pub arready: PortId,
    pub rid: PortId,
    pub rdata: PortId,
    pub rresp: PortId,
    pub rlast: PortId,
    pub rvalid: PortId,
    pub rready: PortId,
    /// Bytes per data beat.
    pub data_bytes: usize,
}

impl Axi4Ports {
    pub fn new(dut: &dyn Dut, prefix: &str) -> Result<Axi4Ports, NoSuchPort> {
        let p = |s: &str| dut.port(&format!("{prefix}{s}"));
        let wdata = p("wdata")?;
        Ok(Axi4Ports {
            awid: p("awid")?,
            awaddr: p("awaddr")?,
            awlen: p("awlen")?,
            awsize: p("awsize")?,
            awburst: p("awburst")?,
            awvalid: p("awvalid")?,
            awready: p("awready")?,
            wdata,
            wstrb: p("wstrb")?,
            wlast: p("wlast")?,
            wvalid: p("wvalid")?,
            wready: p("wready")?,
            bid: p("bid")?,
            bresp: p("bresp")?,
            bvalid: p("bvalid")?,
            bready: p("bready")?,
            arid: p("arid")?,
            araddr: p("araddr")?,
            arlen: p("arlen")?,
            arsize: p("arsize")?,
            arburst: p("arburst")?,
            arvalid: p("arvalid")?,
            arready: p("arready")?,
            rid: p("rid")?,
            rdata: p("rdata")?,
            rresp: p("rresp")?,
            rlast: p("rlast")?,
            rvalid: p("rvalid")?,
            rready: p("rready")?,
            data_bytes: dut.ports()[wdata].width / 8,
        })
    }

    /// 64-bit words of one data beat.
    pub fn data_words(&self) -> usize {
        self.data_bytes.div_ceil(8)
    }
}

/// An address-channel request (AR or AW).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: u64,
    pub addr: u64,
    /// Beats minus one (`AxLEN`).
    pub len: u64,
    /// log2 of bytes per beat (`AxSIZE`).
    pub size: u64,
    /// `AxBURST`: 0 FIXED, 1 INCR, 2 WRAP.
    pub burst: u64,
}

impl Request {
    pub fn beats(&self) -> u64 {
        self.len + 1
    }

    /// Address of beat `i` (FIXED and INCR; WRAP is not used by this device).
    pub fn beat_addr(&self, i: u64) -> u64 {
        let bytes = 1u64 << self.size;
        if self.burst == 0 || i == 0 {
            self.addr
        } else {
            (self.addr & !(bytes - 1)) + i * bytes
        }
    }

    /// True when beat `i` carries byte `addr` (its `2^size`-byte container holds it).
    pub fn beat_covers(&self, i: u64, addr: u64) -> bool {
        let bytes = 1u64 << self.size;
        self.beat_addr(i) & !(bytes - 1) == addr & !(bytes - 1)
    }

    /// Last byte the burst touches.
    pub fn last_byte(&self) -> u64 {
        let bytes = 1u64 << self.size;
        if self.burst == 0 {
            (self.addr | (bytes - 1)).max(self.addr)
        } else {
            (self.addr & !(bytes - 1)) + (self.beats() * bytes - 1)
        }
    }

    /// True when the burst crosses a 4 KiB boundary (forbidden by AXI).
    pub fn crosses_4k(&self) -> bool {
        self.addr >> 12 != self.last_byte() >> 12
    }
}

/// Reads an address-channel request from the ports (`ar` or `aw` side).
pub fn read_request(dut: &mut dyn Dut, ids: [PortId; 5]) -> Request {
    Request {
        id: dut.get(ids[0]),
        addr: dut.get(ids[1]),
        len: dut.get(ids[2]),
        size: dut.get(ids[3]),
        burst: dut.get(ids[4]),
    }
}

impl Axi4Ports {
    pub fn ar(&self) -> [PortId; 5] {
        [
            self.arid,
            self.araddr,
            self.arlen,
            self.arsize,
            self.arburst,
        ]
    }

    pub fn aw(&self) -> [PortId; 5] {
        [
            self.awid,
            self.awaddr,
            self.awlen,
            self.awsize,
            self.awburst,
        ]
    }
}

/// Byte lanes of beat `i` of `req` that carry data, as a strobe mask: narrow and
/// unaligned first beats use only part of the bus.
pub fn lanes(req: &Request, i: u64, data_bytes: usize) -> u128 {
    let bytes = 1u64 << req.size;
    let addr = req.beat_addr(i);
    let lo = (addr % data_bytes as u64) as u32;
    let hi = ((addr & !(bytes - 1)) % data_bytes as u64 + bytes) as u32;
    let all = |n: u32| {
        if n >= 128 {
            u128::MAX
        } else {
            (1u128 << n) - 1
        }
    };
    all(hi) & !all(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_geometry() {
        let r = Request {
            id: 0,
            addr: 0x0ff8,
            len: 0,
            size: 4,
            burst: 1,
        };
        assert!(
            !r.crosses_4k(),
            "a single unaligned beat stays in its aligned slot"
        );
        let r = Request {
            id: 0,
            addr: 0x0f00,
            len: 15,
            size: 4,
            burst: 1,
        };
        assert_eq!(r.last_byte(), 0x0fff);
        assert!(!r.crosses_4k());
        let r = Request { len: 16, ..r };
        assert!(r.crosses_4k());
        let r = Request {
            id: 0,
            addr: 0x1003,
            len: 1,
            size: 4,
            burst: 1,
        };
        assert_eq!((r.beat_addr(0), r.beat_addr(1)), (0x1003, 0x1010));
        assert_eq!(lanes(&r, 0, 16), 0xfff8);
        assert_eq!(lanes(&r, 1, 16), 0xffff);
        let narrow = Request {
            id: 0,
            addr: 0x1004,
            len: 0,
            size: 2,
            burst: 1,
        };
        assert_eq!(lanes(&narrow, 0, 16), 0x00f0);
    }

    /// The axi4_split testbench found it: a burst that ends at the top of the address
    /// space overflowed computing its last byte.
    #[test]
    fn a_burst_at_the_top_of_the_address_space() {
        let r = Request {
            id: 0,
            addr: u64::MAX - 0xff,
            len: 15,
            size: 4,
            burst: 1,
        };
        assert_eq!(r.last_byte(), u64::MAX);
        assert!(!r.crosses_4k());
        assert_eq!(r.beat_addr(15), u64::MAX - 0xf);
    }
}

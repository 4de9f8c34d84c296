//! AXI4 register slice: every channel through a skid buffer, so no combinational path
//! crosses it (VALID, READY and payload are all registered on both sides) while it
//! still moves one beat per cycle. The device top puts one on the DMA engine's port,
//! where the engine's handshakes would otherwise chain through the address split and
//! the home agent (17 LUT levels; see `cdm synth`).

use rust_hdl::prelude::*;

use crate::bus::axi4::{Axi4Master, Axi4Slave};
use crate::queue::skid::Skid;

/// An AW or AR beat of the device's AXI4 ports (4-bit IDs, 64-bit addresses).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct AddressBeat {
    pub id: Bits<4>,
    pub addr: Bits<64>,
    pub len: Bits<8>,
    pub size: Bits<3>,
    pub burst: Bits<2>,
}

/// A W beat (128-bit data).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct WriteBeat {
    pub data: Bits<128>,
    pub strb: Bits<16>,
    pub last: Bit,
}

/// A B beat.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct WriteResponse {
    pub id: Bits<4>,
    pub resp: Bits<2>,
}

/// An R beat (128-bit data).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct ReadBeat {
    pub id: Bits<4>,
    pub data: Bits<128>,
    pub resp: Bits<2>,
    pub last: Bit,
}

/// The register slice of the device's AXI4 ports (4-bit IDs, 64-bit addresses, 128-bit
/// data).
#[derive(LogicBlock, Default)]
pub struct Axi4Slice {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub s: Axi4Slave<4, 64, 128, 16>,
    pub m: Axi4Master<4, 64, 128, 16>,
    aw: Skid<AddressBeat>,
    w: Skid<WriteBeat>,
    b: Skid<WriteResponse>,
    ar: Skid<AddressBeat>,
    r: Skid<ReadBeat>,
}

impl Logic for Axi4Slice {
    #[hdl_gen]
    fn update(&mut self) {
        self.aw.clock.next = self.clock.val();
        self.aw.reset.next = self.reset.val();
        self.w.clock.next = self.clock.val();
        self.w.reset.next = self.reset.val();
        self.b.clock.next = self.clock.val();
        self.b.reset.next = self.reset.val();
        self.ar.clock.next = self.clock.val();
        self.ar.reset.next = self.reset.val();
        self.r.clock.next = self.clock.val();
        self.r.reset.next = self.reset.val();

        // AW and AR, slave to master.
        self.aw.in_valid.next = self.s.awvalid.val();
        self.aw.in_data.next.id = self.s.awid.val();
        self.aw.in_data.next.addr = self.s.awaddr.val();
        self.aw.in_data.next.len = self.s.awlen.val();
        self.aw.in_data.next.size = self.s.awsize.val();
        self.aw.in_data.next.burst = self.s.awburst.val();
        self.s.awready.next = self.aw.in_ready.val();
        self.m.awvalid.next = self.aw.out_valid.val();
        self.m.awid.next = self.aw.out_data.val().id;
        self.m.awaddr.next = self.aw.out_data.val().addr;
        self.m.awlen.next = self.aw.out_data.val().len;
        self.m.awsize.next = self.aw.out_data.val().size;
        self.m.awburst.next = self.aw.out_data.val().burst;
        self.aw.out_ready.next = self.m.awready.val();

        self.ar.in_valid.next = self.s.arvalid.val();
        self.ar.in_data.next.id = self.s.arid.val();
        self.ar.in_data.next.addr = self.s.araddr.val();
        self.ar.in_data.next.len = self.s.arlen.val();
        self.ar.in_data.next.size = self.s.arsize.val();
        self.ar.in_data.next.burst = self.s.arburst.val();
        self.s.arready.next = self.ar.in_ready.val();
        self.m.arvalid.next = self.ar.out_valid.val();
        self.m.arid.next = self.ar.out_data.val().id;
        self.m.araddr.next = self.ar.out_data.val().addr;
        self.m.arlen.next = self.ar.out_data.val().len;
        self.m.arsize.next = self.ar.out_data.val().size;
        self.m.arburst.next = self.ar.out_data.val().burst;
        self.ar.out_ready.next = self.m.arready.val();

        // W, slave to master.
        self.w.in_valid.next = self.s.wvalid.val();
        self.w.in_data.next.data = self.s.wdata.val();
        self.w.in_data.next.strb = self.s.wstrb.val();
        self.w.in_data.next.last = self.s.wlast.val();
        self.s.wready.next = self.w.in_ready.val();
        self.m.wvalid.next = self.w.out_valid.val();
        self.m.wdata.next = self.w.out_data.val().data;
        self.m.wstrb.next = self.w.out_data.val().strb;
        self.m.wlast.next = self.w.out_data.val().last;
        self.w.out_ready.next = self.m.wready.val();

        // B and R, master to slave.
        self.b.in_valid.next = self.m.bvalid.val();
        self.b.in_data.next.id = self.m.bid.val();
        self.b.in_data.next.resp = self.m.bresp.val();
        self.m.bready.next = self.b.in_ready.val();
        self.s.bvalid.next = self.b.out_valid.val();
        self.s.bid.next = self.b.out_data.val().id;
        self.s.bresp.next = self.b.out_data.val().resp;
        self.b.out_ready.next = self.s.bready.val();

        self.r.in_valid.next = self.m.rvalid.val();
        self.r.in_data.next.id = self.m.rid.val();
        self.r.in_data.next.data = self.m.rdata.val();
        self.r.in_data.next.resp = self.m.rresp.val();
        self.r.in_data.next.last = self.m.rlast.val();
        self.m.rready.next = self.r.in_ready.val();
        self.s.rvalid.next = self.r.out_valid.val();
        self.s.rid.next = self.r.out_data.val().id;
        self.s.rdata.next = self.r.out_data.val().data;
        self.s.rresp.next = self.r.out_data.val().resp;
        self.s.rlast.next = self.r.out_data.val().last;
        self.r.out_ready.next = self.s.rready.val();
    }
}

crate::port_map!(Axi4Slice as "slice" {
    clock: clock,
    in reset,
} axi4 { slave s, master m });

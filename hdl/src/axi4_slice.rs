//! AXI4 register slice: every channel through a skid buffer, so no combinational path
//! crosses it (VALID, READY and payload are all registered on both sides) while it
//! still moves one beat per cycle. The device top puts one on the DMA engine's port,
//! where the engine's handshakes would otherwise chain through the address split and
//! the home agent (17 LUT levels; see `cdm synth`).

use rust_hdl::prelude::*;

use crate::axi4::{Axi4Master, Axi4Slave};
use crate::skid::Skid;

/// The register slice of the device's AXI4 ports (4-bit IDs, 64-bit addresses, 128-bit
/// data). Payload layouts, low bits first: AW/AR id, addr, len, size, burst (81); W
/// data, strb, last (145); B id, resp (6); R id, data, resp, last (135).
#[derive(LogicBlock, Default)]
pub struct Axi4Slice {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub s: Axi4Slave<4, 64, 128, 16>,
    pub m: Axi4Master<4, 64, 128, 16>,
    aw: Skid<Bits<81>>,
    w: Skid<Bits<145>>,
    b: Skid<Bits<6>>,
    ar: Skid<Bits<81>>,
    r: Skid<Bits<135>>,
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
        self.aw.in_data.next = bit_cast::<81, 4>(self.s.awid.val())
            | (bit_cast::<81, 64>(self.s.awaddr.val()) << 4)
            | (bit_cast::<81, 8>(self.s.awlen.val()) << 68)
            | (bit_cast::<81, 3>(self.s.awsize.val()) << 76)
            | (bit_cast::<81, 2>(self.s.awburst.val()) << 79);
        self.s.awready.next = self.aw.in_ready.val();
        self.m.awvalid.next = self.aw.out_valid.val();
        self.m.awid.next = self.aw.out_data.val().get_bits::<4>(0);
        self.m.awaddr.next = self.aw.out_data.val().get_bits::<64>(4);
        self.m.awlen.next = self.aw.out_data.val().get_bits::<8>(68);
        self.m.awsize.next = self.aw.out_data.val().get_bits::<3>(76);
        self.m.awburst.next = self.aw.out_data.val().get_bits::<2>(79);
        self.aw.out_ready.next = self.m.awready.val();

        self.ar.in_valid.next = self.s.arvalid.val();
        self.ar.in_data.next = bit_cast::<81, 4>(self.s.arid.val())
            | (bit_cast::<81, 64>(self.s.araddr.val()) << 4)
            | (bit_cast::<81, 8>(self.s.arlen.val()) << 68)
            | (bit_cast::<81, 3>(self.s.arsize.val()) << 76)
            | (bit_cast::<81, 2>(self.s.arburst.val()) << 79);
        self.s.arready.next = self.ar.in_ready.val();
        self.m.arvalid.next = self.ar.out_valid.val();
        self.m.arid.next = self.ar.out_data.val().get_bits::<4>(0);
        self.m.araddr.next = self.ar.out_data.val().get_bits::<64>(4);
        self.m.arlen.next = self.ar.out_data.val().get_bits::<8>(68);
        self.m.arsize.next = self.ar.out_data.val().get_bits::<3>(76);
        self.m.arburst.next = self.ar.out_data.val().get_bits::<2>(79);
        self.ar.out_ready.next = self.m.arready.val();

        // W, slave to master.
        self.w.in_valid.next = self.s.wvalid.val();
        self.w.in_data.next = bit_cast::<145, 128>(self.s.wdata.val())
            | (bit_cast::<145, 16>(self.s.wstrb.val()) << 128)
            | (bit_cast::<145, 1>(self.s.wlast.val().into()) << 144);
        self.s.wready.next = self.w.in_ready.val();
        self.m.wvalid.next = self.w.out_valid.val();
        self.m.wdata.next = self.w.out_data.val().get_bits::<128>(0);
        self.m.wstrb.next = self.w.out_data.val().get_bits::<16>(128);
        self.m.wlast.next = self.w.out_data.val().get_bit(144);
        self.w.out_ready.next = self.m.wready.val();

        // B and R, master to slave.
        self.b.in_valid.next = self.m.bvalid.val();
        self.b.in_data.next =
            bit_cast::<6, 4>(self.m.bid.val()) | (bit_cast::<6, 2>(self.m.bresp.val()) << 4);
        self.m.bready.next = self.b.in_ready.val();
        self.s.bvalid.next = self.b.out_valid.val();
        self.s.bid.next = self.b.out_data.val().get_bits::<4>(0);
        self.s.bresp.next = self.b.out_data.val().get_bits::<2>(4);
        self.b.out_ready.next = self.s.bready.val();

        self.r.in_valid.next = self.m.rvalid.val();
        self.r.in_data.next = bit_cast::<135, 4>(self.m.rid.val())
            | (bit_cast::<135, 128>(self.m.rdata.val()) << 4)
            | (bit_cast::<135, 2>(self.m.rresp.val()) << 132)
            | (bit_cast::<135, 1>(self.m.rlast.val().into()) << 134);
        self.m.rready.next = self.r.in_ready.val();
        self.s.rvalid.next = self.r.out_valid.val();
        self.s.rid.next = self.r.out_data.val().get_bits::<4>(0);
        self.s.rdata.next = self.r.out_data.val().get_bits::<128>(4);
        self.s.rresp.next = self.r.out_data.val().get_bits::<2>(132);
        self.s.rlast.next = self.r.out_data.val().get_bit(134);
        self.r.out_ready.next = self.s.rready.val();
    }
}

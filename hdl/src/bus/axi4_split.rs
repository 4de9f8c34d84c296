//! Splits one AXI4 master port into two by address: bursts inside the device memory
//! window go to the device port, all others to the host port.
//!
//! The window is 4 KiB aligned and bursts never cross 4 KiB, so a burst lies wholly on
//! one side. Its first and end page numbers are registered from `base_page` and
//! `size_pages` (a change takes effect a cycle later; the window is set while the device
//! is idle), so a burst is routed by two page comparisons side by side, not a 64-bit
//! subtraction followed by a comparison.
//!
//! Every channel passes a skid buffer on the master's side, so no combinational path
//! crosses the split: VALID, READY and payload are registered towards the master, and
//! every output to a port comes from a register. An AR or AW beat is routed as it enters
//! its skid buffer: the port it goes to is stored with it, so the window compare ends in
//! a register instead of in the ready logic and the order queues behind it. The split
//! is thus a register slice as well, and the device needs no other on the DMA engine's
//! port.
//!
//! Responses come back to the master in request order whatever port answers first:
//! each AR, AW and W records its port in an order queue, and R, W and B follow the head
//! of theirs (a port whose response is not due yet waits with READY low). The master
//! therefore sees one in-order slave, as with a single port.

use rust_hdl::prelude::*;

use crate::bus::axi4::{Axi4Master, Axi4Slave, ReadBeat, WriteBeat, WriteResponse};
use crate::queue::fifo::Fifo;
use crate::queue::skid::Skid;

/// An AR or AW beat (4-bit IDs, 64-bit addresses) and the port it goes to.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct RoutedAddress {
    pub id: Bits<4>,
    pub addr: Bits<64>,
    pub len: Bits<8>,
    pub size: Bits<3>,
    pub burst: Bits<2>,
    /// The burst's page is in the device memory window.
    pub dev: Bit,
}

#[derive(LogicBlock, Default)]
pub struct Axi4Split {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// First 4 KiB page of the device memory window (its address / 4096).
    pub base_page: Signal<In, Bits<52>>,
    /// Size of the window in 4 KiB pages (0: everything goes to the host port).
    pub size_pages: Signal<In, Bits<52>>,
    pub s: Axi4Slave<4, 64, 128, 16>,
    pub host: Axi4Master<4, 64, 128, 16>,
    pub dev: Axi4Master<4, 64, 128, 16>,
    ar: Skid<RoutedAddress>,
    aw: Skid<RoutedAddress>,
    w: Skid<WriteBeat>,
    r: Skid<ReadBeat>,
    b: Skid<WriteResponse>,
    /// Port of each read burst awaiting data (1: device).
    rorder: Fifo<Bit, 7, 8>,
    /// Port of each write burst awaiting its W beats.
    worder: Fifo<Bit, 7, 8>,
    /// Port of each write burst awaiting its response.
    border: Fifo<Bit, 7, 8>,
    /// The window's first page and the page after its last (53 bits: it may be 2^52).
    first_page: DFF<Bits<52>>,
    end_page: DFF<Bits<53>>,
    /// The page numbers (address bits 63:12) of the AR and AW beats entering.
    ar_page: Signal<Local, Bits<52>>,
    aw_page: Signal<Local, Bits<52>>,
    /// The AR and AW beats leaving their skid buffers for a port.
    ar_out: Signal<Local, RoutedAddress>,
    aw_out: Signal<Local, RoutedAddress>,
    ar_open: Signal<Local, Bit>,
    aw_open: Signal<Local, Bit>,
    r_dev: Signal<Local, Bit>,
    r_last: Signal<Local, Bit>,
    w_dev: Signal<Local, Bit>,
    b_dev: Signal<Local, Bit>,
}

impl Logic for Axi4Split {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, first_page, end_page);
        clock!(self, clock, ar, aw, w, r, b, rorder, worder, border);
        self.first_page.d.next = self.base_page.val();
        self.end_page.d.next =
            bit_cast::<53, 52>(self.base_page.val()) + bit_cast::<53, 52>(self.size_pages.val());
        self.ar.reset.next = self.reset.val();
        self.aw.reset.next = self.reset.val();
        self.w.reset.next = self.reset.val();
        self.r.reset.next = self.reset.val();
        self.b.reset.next = self.reset.val();
        self.rorder.reset.next = self.reset.val();
        self.worder.reset.next = self.reset.val();
        self.border.reset.next = self.reset.val();

        // AR: routed by address as it enters its skid buffer.
        self.ar_page.next = self.s.araddr.val().get_bits::<52>(12);
        self.ar.in_valid.next = self.s.arvalid.val();
        self.ar.in_data.next.id = self.s.arid.val();
        self.ar.in_data.next.addr = self.s.araddr.val();
        self.ar.in_data.next.len = self.s.arlen.val();
        self.ar.in_data.next.size = self.s.arsize.val();
        self.ar.in_data.next.burst = self.s.arburst.val();
        self.ar.in_data.next.dev = (self.ar_page.val() >= self.first_page.q.val())
            & (bit_cast::<53, 52>(self.ar_page.val()) < self.end_page.q.val());
        self.s.arready.next = self.ar.in_ready.val();
        // To its port, which is remembered for R.
        self.ar_out.next = self.ar.out_data.val();
        self.ar_open.next = !self.rorder.full.val();
        self.host.arid.next = self.ar_out.val().id;
        self.host.araddr.next = self.ar_out.val().addr;
        self.host.arlen.next = self.ar_out.val().len;
        self.host.arsize.next = self.ar_out.val().size;
        self.host.arburst.next = self.ar_out.val().burst;
        self.dev.arid.next = self.ar_out.val().id;
        self.dev.araddr.next = self.ar_out.val().addr;
        self.dev.arlen.next = self.ar_out.val().len;
        self.dev.arsize.next = self.ar_out.val().size;
        self.dev.arburst.next = self.ar_out.val().burst;
        self.host.arvalid.next =
            self.ar.out_valid.val() & self.ar_open.val() & !self.ar_out.val().dev;
        self.dev.arvalid.next =
            self.ar.out_valid.val() & self.ar_open.val() & self.ar_out.val().dev;
        self.ar.out_ready.next = self.ar_open.val() & self.host.arready.val();
        if self.ar_out.val().dev {
            self.ar.out_ready.next = self.ar_open.val() & self.dev.arready.val();
        }
        self.rorder.push.next = self.ar.out_valid.val() & self.ar.out_ready.val();
        self.rorder.data_in.next = self.ar_out.val().dev;

        // R: from the port of the oldest read burst, through its skid buffer.
        self.r_dev.next = self.rorder.data_out.val();
        self.r.in_data.next.id = self.host.rid.val();
        self.r.in_data.next.data = self.host.rdata.val();
        self.r.in_data.next.resp = self.host.rresp.val();
        self.r_last.next = self.host.rlast.val();
        self.r.in_valid.next =
            !self.rorder.empty.val() & !self.r_dev.val() & self.host.rvalid.val();
        if self.r_dev.val() {
            self.r.in_data.next.id = self.dev.rid.val();
            self.r.in_data.next.data = self.dev.rdata.val();
            self.r.in_data.next.resp = self.dev.rresp.val();
            self.r_last.next = self.dev.rlast.val();
            self.r.in_valid.next = !self.rorder.empty.val() & self.dev.rvalid.val();
        }
        self.r.in_data.next.last = self.r_last.val();
        self.host.rready.next =
            !self.rorder.empty.val() & !self.r_dev.val() & self.r.in_ready.val();
        self.dev.rready.next = !self.rorder.empty.val() & self.r_dev.val() & self.r.in_ready.val();
        self.rorder.pop.next = self.r.in_valid.val() & self.r.in_ready.val() & self.r_last.val();
        self.s.rvalid.next = self.r.out_valid.val();
        self.s.rid.next = self.r.out_data.val().id;
        self.s.rdata.next = self.r.out_data.val().data;
        self.s.rresp.next = self.r.out_data.val().resp;
        self.s.rlast.next = self.r.out_data.val().last;
        self.r.out_ready.next = self.s.rready.val();

        // AW: routed by address as it enters its skid buffer.
        self.aw_page.next = self.s.awaddr.val().get_bits::<52>(12);
        self.aw.in_valid.next = self.s.awvalid.val();
        self.aw.in_data.next.id = self.s.awid.val();
        self.aw.in_data.next.addr = self.s.awaddr.val();
        self.aw.in_data.next.len = self.s.awlen.val();
        self.aw.in_data.next.size = self.s.awsize.val();
        self.aw.in_data.next.burst = self.s.awburst.val();
        self.aw.in_data.next.dev = (self.aw_page.val() >= self.first_page.q.val())
            & (bit_cast::<53, 52>(self.aw_page.val()) < self.end_page.q.val());
        self.s.awready.next = self.aw.in_ready.val();
        // To its port, which is remembered for W and for B.
        self.aw_out.next = self.aw.out_data.val();
        self.aw_open.next = !self.worder.full.val() & !self.border.full.val();
        self.host.awid.next = self.aw_out.val().id;
        self.host.awaddr.next = self.aw_out.val().addr;
        self.host.awlen.next = self.aw_out.val().len;
        self.host.awsize.next = self.aw_out.val().size;
        self.host.awburst.next = self.aw_out.val().burst;
        self.dev.awid.next = self.aw_out.val().id;
        self.dev.awaddr.next = self.aw_out.val().addr;
        self.dev.awlen.next = self.aw_out.val().len;
        self.dev.awsize.next = self.aw_out.val().size;
        self.dev.awburst.next = self.aw_out.val().burst;
        self.host.awvalid.next =
            self.aw.out_valid.val() & self.aw_open.val() & !self.aw_out.val().dev;
        self.dev.awvalid.next =
            self.aw.out_valid.val() & self.aw_open.val() & self.aw_out.val().dev;
        self.aw.out_ready.next = self.aw_open.val() & self.host.awready.val();
        if self.aw_out.val().dev {
            self.aw.out_ready.next = self.aw_open.val() & self.dev.awready.val();
        }
        self.worder.push.next = self.aw.out_valid.val() & self.aw.out_ready.val();
        self.worder.data_in.next = self.aw_out.val().dev;
        self.border.push.next = self.aw.out_valid.val() & self.aw.out_ready.val();
        self.border.data_in.next = self.aw_out.val().dev;

        // W: through its skid buffer to the port of the oldest burst still owed beats.
        self.w.in_valid.next = self.s.wvalid.val();
        self.w.in_data.next.data = self.s.wdata.val();
        self.w.in_data.next.strb = self.s.wstrb.val();
        self.w.in_data.next.last = self.s.wlast.val();
        self.s.wready.next = self.w.in_ready.val();
        self.w_dev.next = self.worder.data_out.val();
        self.host.wdata.next = self.w.out_data.val().data;
        self.host.wstrb.next = self.w.out_data.val().strb;
        self.host.wlast.next = self.w.out_data.val().last;
        self.dev.wdata.next = self.w.out_data.val().data;
        self.dev.wstrb.next = self.w.out_data.val().strb;
        self.dev.wlast.next = self.w.out_data.val().last;
        self.host.wvalid.next =
            self.w.out_valid.val() & !self.worder.empty.val() & !self.w_dev.val();
        self.dev.wvalid.next = self.w.out_valid.val() & !self.worder.empty.val() & self.w_dev.val();
        self.w.out_ready.next = !self.worder.empty.val() & self.host.wready.val();
        if self.w_dev.val() {
            self.w.out_ready.next = !self.worder.empty.val() & self.dev.wready.val();
        }
        self.worder.pop.next =
            self.w.out_valid.val() & self.w.out_ready.val() & self.w.out_data.val().last;

        // B: from the port of the oldest burst awaiting its response, through its skid
        // buffer.
        self.b_dev.next = self.border.data_out.val();
        self.b.in_data.next.id = self.host.bid.val();
        self.b.in_data.next.resp = self.host.bresp.val();
        self.b.in_valid.next =
            !self.border.empty.val() & !self.b_dev.val() & self.host.bvalid.val();
        if self.b_dev.val() {
            self.b.in_data.next.id = self.dev.bid.val();
            self.b.in_data.next.resp = self.dev.bresp.val();
            self.b.in_valid.next = !self.border.empty.val() & self.dev.bvalid.val();
        }
        self.host.bready.next =
            !self.border.empty.val() & !self.b_dev.val() & self.b.in_ready.val();
        self.dev.bready.next = !self.border.empty.val() & self.b_dev.val() & self.b.in_ready.val();
        self.border.pop.next = self.b.in_valid.val() & self.b.in_ready.val();
        self.s.bvalid.next = self.b.out_valid.val();
        self.s.bid.next = self.b.out_data.val().id;
        self.s.bresp.next = self.b.out_data.val().resp;
        self.b.out_ready.next = self.s.bready.val();
    }
}

crate::port_map!(Axi4Split as "split" {
    clock: clock,
    in reset,
    in base_page,
    in size_pages,
} axi4 { slave s, master host, master dev });

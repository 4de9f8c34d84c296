//! Splits one AXI4 master port into two by address: bursts inside the device memory
//! window go to the device port, all others to the host port.
//!
//! The window is 4 KiB aligned and bursts never cross 4 KiB, so a burst lies wholly on
//! one side. Its first and end page numbers are registered from `base_page` and
//! `size_pages` (a
//! change takes effect a cycle later; the window is set while the device is idle), so a
//! burst is routed by two page comparisons side by side, not a 64-bit subtraction
//! followed by a comparison. Responses come back to the master in request order whatever port answers
//! first: each AR, AW and W records its port in an order queue, and R, W and B follow
//! the head of theirs (a port whose response is not due yet waits with READY low). The
//! master therefore sees one in-order slave, as with a single port.

use rust_hdl::prelude::*;

use crate::bus::axi4::{Axi4Master, Axi4Slave};
use crate::queue::fifo::Fifo;

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
    /// Port of each read burst awaiting data (1: device).
    rorder: Fifo<Bit, 7, 8>,
    /// Port of each write burst awaiting its W beats.
    worder: Fifo<Bit, 7, 8>,
    /// Port of each write burst awaiting its response.
    border: Fifo<Bit, 7, 8>,
    /// The window's first page and the page after its last (53 bits: it may be 2^52).
    first_page: DFF<Bits<52>>,
    end_page: DFF<Bits<53>>,
    /// The page numbers (address bits 63:12) of the AR and AW bursts.
    ar_page: Signal<Local, Bits<52>>,
    aw_page: Signal<Local, Bits<52>>,
    ar_dev: Signal<Local, Bit>,
    aw_dev: Signal<Local, Bit>,
    ar_open: Signal<Local, Bit>,
    aw_open: Signal<Local, Bit>,
    r_dev: Signal<Local, Bit>,
    w_dev: Signal<Local, Bit>,
    b_dev: Signal<Local, Bit>,
}

impl Logic for Axi4Split {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, first_page, end_page);
        clock!(self, clock, rorder, worder, border);
        self.first_page.d.next = self.base_page.val();
        self.end_page.d.next =
            bit_cast::<53, 52>(self.base_page.val()) + bit_cast::<53, 52>(self.size_pages.val());
        self.rorder.reset.next = self.reset.val();
        self.worder.reset.next = self.reset.val();
        self.border.reset.next = self.reset.val();
        // AR: route by address, remember the port.
        self.ar_page.next = self.s.araddr.val().get_bits::<52>(12);
        self.ar_dev.next = (self.ar_page.val() >= self.first_page.q.val())
            & (bit_cast::<53, 52>(self.ar_page.val()) < self.end_page.q.val());
        self.ar_open.next = !self.rorder.full.val();
        self.host.arid.next = self.s.arid.val();
        self.host.araddr.next = self.s.araddr.val();
        self.host.arlen.next = self.s.arlen.val();
        self.host.arsize.next = self.s.arsize.val();
        self.host.arburst.next = self.s.arburst.val();
        self.dev.arid.next = self.s.arid.val();
        self.dev.araddr.next = self.s.araddr.val();
        self.dev.arlen.next = self.s.arlen.val();
        self.dev.arsize.next = self.s.arsize.val();
        self.dev.arburst.next = self.s.arburst.val();
        self.host.arvalid.next = self.s.arvalid.val() & self.ar_open.val() & !self.ar_dev.val();
        self.dev.arvalid.next = self.s.arvalid.val() & self.ar_open.val() & self.ar_dev.val();
        self.s.arready.next = self.ar_open.val() & self.host.arready.val();
        if self.ar_dev.val() {
            self.s.arready.next = self.ar_open.val() & self.dev.arready.val();
        }
        self.rorder.push.next = self.s.arvalid.val() & self.s.arready.val();
        self.rorder.data_in.next = self.ar_dev.val();
        // R: from the port of the oldest read burst.
        self.r_dev.next = self.rorder.data_out.val();
        self.s.rid.next = self.host.rid.val();
        self.s.rdata.next = self.host.rdata.val();
        self.s.rresp.next = self.host.rresp.val();
        self.s.rlast.next = self.host.rlast.val();
        self.s.rvalid.next = !self.rorder.empty.val() & !self.r_dev.val() & self.host.rvalid.val();
        if self.r_dev.val() {
            self.s.rid.next = self.dev.rid.val();
            self.s.rdata.next = self.dev.rdata.val();
            self.s.rresp.next = self.dev.rresp.val();
            self.s.rlast.next = self.dev.rlast.val();
            self.s.rvalid.next = !self.rorder.empty.val() & self.dev.rvalid.val();
        }
        self.host.rready.next = !self.rorder.empty.val() & !self.r_dev.val() & self.s.rready.val();
        self.dev.rready.next = !self.rorder.empty.val() & self.r_dev.val() & self.s.rready.val();
        self.rorder.pop.next = self.s.rvalid.val() & self.s.rready.val() & self.s.rlast.val();
        // AW: route by address, remember the port for W and for B.
        self.aw_page.next = self.s.awaddr.val().get_bits::<52>(12);
        self.aw_dev.next = (self.aw_page.val() >= self.first_page.q.val())
            & (bit_cast::<53, 52>(self.aw_page.val()) < self.end_page.q.val());
        self.aw_open.next = !self.worder.full.val() & !self.border.full.val();
        self.host.awid.next = self.s.awid.val();
        self.host.awaddr.next = self.s.awaddr.val();
        self.host.awlen.next = self.s.awlen.val();
        self.host.awsize.next = self.s.awsize.val();
        self.host.awburst.next = self.s.awburst.val();
        self.dev.awid.next = self.s.awid.val();
        self.dev.awaddr.next = self.s.awaddr.val();
        self.dev.awlen.next = self.s.awlen.val();
        self.dev.awsize.next = self.s.awsize.val();
        self.dev.awburst.next = self.s.awburst.val();
        self.host.awvalid.next = self.s.awvalid.val() & self.aw_open.val() & !self.aw_dev.val();
        self.dev.awvalid.next = self.s.awvalid.val() & self.aw_open.val() & self.aw_dev.val();
        self.s.awready.next = self.aw_open.val() & self.host.awready.val();
        if self.aw_dev.val() {
            self.s.awready.next = self.aw_open.val() & self.dev.awready.val();
        }
        self.worder.push.next = self.s.awvalid.val() & self.s.awready.val();
        self.worder.data_in.next = self.aw_dev.val();
        self.border.push.next = self.s.awvalid.val() & self.s.awready.val();
        self.border.data_in.next = self.aw_dev.val();
        // W: to the port of the oldest burst still owed beats.
        self.w_dev.next = self.worder.data_out.val();
        self.host.wdata.next = self.s.wdata.val();
        self.host.wstrb.next = self.s.wstrb.val();
        self.host.wlast.next = self.s.wlast.val();
        self.dev.wdata.next = self.s.wdata.val();
        self.dev.wstrb.next = self.s.wstrb.val();
        self.dev.wlast.next = self.s.wlast.val();
        self.host.wvalid.next = self.s.wvalid.val() & !self.worder.empty.val() & !self.w_dev.val();
        self.dev.wvalid.next = self.s.wvalid.val() & !self.worder.empty.val() & self.w_dev.val();
        self.s.wready.next = !self.worder.empty.val() & self.host.wready.val();
        if self.w_dev.val() {
            self.s.wready.next = !self.worder.empty.val() & self.dev.wready.val();
        }
        self.worder.pop.next = self.s.wvalid.val() & self.s.wready.val() & self.s.wlast.val();
        // B: from the port of the oldest burst awaiting its response.
        self.b_dev.next = self.border.data_out.val();
        self.s.bid.next = self.host.bid.val();
        self.s.bresp.next = self.host.bresp.val();
        self.s.bvalid.next = !self.border.empty.val() & !self.b_dev.val() & self.host.bvalid.val();
        if self.b_dev.val() {
            self.s.bid.next = self.dev.bid.val();
            self.s.bresp.next = self.dev.bresp.val();
            self.s.bvalid.next = !self.border.empty.val() & self.dev.bvalid.val();
        }
        self.host.bready.next = !self.border.empty.val() & !self.b_dev.val() & self.s.bready.val();
        self.dev.bready.next = !self.border.empty.val() & self.b_dev.val() & self.s.bready.val();
        self.border.pop.next = self.s.bvalid.val() & self.s.bready.val();
    }
}

crate::port_map!(Axi4Split as "split" {
    clock: clock,
    in reset,
    in base_page,
    in size_pages,
} axi4 { slave s, master host, master dev });

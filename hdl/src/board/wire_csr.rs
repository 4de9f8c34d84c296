//! Register access from host wires: an AXI4-Lite master driven by FrontPanel-style
//! endpoints (wire-ins for address, data and direction, a trigger to start, wire-outs
//! for the result), across from the host interface's clock to the device's.
//!
//! The host sets the wires, pulses `go` (in `host_clock`), and polls `done` until it
//! flips; then `rdata` and `resp` hold the answer. The wires stay still while an access
//! runs, so only `go` (as a toggle) and `done` (a single bit) cross the clock domains,
//! each through two flip-flops; `rdata` and `resp` settle a cycle before `done` flips.
//! The XEM7010 board top puts the driver's registers behind it, and the driver's
//! FrontPanel `RegisterIo` speaks this protocol.

use rust_hdl::prelude::*;

use crate::bus::axi_lite::AxiLiteMaster;
use crate::device::CSR_ADDR_BITS;

#[derive(LogicBlock, Default)]
pub struct WireCsr {
    /// The host interface's clock (FrontPanel's `ti_clk`).
    pub host_clock: Signal<In, Clock>,
    /// The device's clock.
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub addr: Signal<In, Bits<CSR_ADDR_BITS>>,
    pub wdata: Signal<In, Bits<32>>,
    /// 1: write `wdata` to `addr`; 0: read `addr`.
    pub write: Signal<In, Bit>,
    /// One `host_clock` cycle: start an access.
    pub go: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    /// The AXI response (0 OKAY, 2 SLVERR, 3 DECERR).
    pub resp: Signal<Out, Bits<2>>,
    /// Flips when an access completes.
    pub done: Signal<Out, Bit>,
    pub axil: AxiLiteMaster<CSR_ADDR_BITS>,
    /// Host side: flips with every `go`.
    go_toggle: DFF<Bit>,
    /// Device side: the toggle through two flip-flops, and its last value seen.
    go_sync0: DFF<Bit>,
    go_sync1: DFF<Bit>,
    go_seen: DFF<Bit>,
    // The access: address and data phases outstanding, waiting for B or R.
    aw_pending: DFF<Bit>,
    w_pending: DFF<Bit>,
    b_wait: DFF<Bit>,
    ar_pending: DFF<Bit>,
    r_wait: DFF<Bit>,
    rdata_q: DFF<Bits<32>>,
    resp_q: DFF<Bits<2>>,
    /// The answer is in `rdata_q`/`resp_q`: flip `done` next cycle.
    answered: DFF<Bit>,
    done_q: DFF<Bit>,
    start: Signal<Local, Bit>,
}

impl Logic for WireCsr {
    #[hdl_gen]
    fn update(&mut self) {
        self.go_toggle.clock.next = self.host_clock.val();
        self.go_toggle.d.next = self.go_toggle.q.val() ^ self.go.val();
        dff_setup!(
            self, clock, go_sync0, go_sync1, go_seen, aw_pending, w_pending, b_wait, ar_pending,
            r_wait, rdata_q, resp_q, answered, done_q
        );
        self.go_sync0.d.next = self.go_toggle.q.val();
        self.go_sync1.d.next = self.go_sync0.q.val();
        self.go_seen.d.next = self.go_sync1.q.val();
        self.start.next = self.go_sync1.q.val() != self.go_seen.q.val();
        if self.start.val() {
            if self.write.val() {
                self.aw_pending.d.next = true;
                self.w_pending.d.next = true;
                self.b_wait.d.next = true;
            } else {
                self.ar_pending.d.next = true;
                self.r_wait.d.next = true;
            }
        }
        self.axil.awaddr.next = self.addr.val();
        self.axil.awvalid.next = self.aw_pending.q.val();
        if self.aw_pending.q.val() & self.axil.awready.val() {
            self.aw_pending.d.next = false;
        }
        self.axil.wdata.next = self.wdata.val();
        self.axil.wstrb.next = 15.into();
        self.axil.wvalid.next = self.w_pending.q.val();
        if self.w_pending.q.val() & self.axil.wready.val() {
            self.w_pending.d.next = false;
        }
        self.axil.bready.next =
            self.b_wait.q.val() & !self.aw_pending.q.val() & !self.w_pending.q.val();
        self.answered.d.next = false;
        if self.b_wait.q.val() & self.axil.bvalid.val() {
            self.b_wait.d.next = false;
            self.rdata_q.d.next = 0.into();
            self.resp_q.d.next = self.axil.bresp.val();
            self.answered.d.next = true;
        }
        self.axil.araddr.next = self.addr.val();
        self.axil.arvalid.next = self.ar_pending.q.val();
        if self.ar_pending.q.val() & self.axil.arready.val() {
            self.ar_pending.d.next = false;
        }
        self.axil.rready.next = self.r_wait.q.val() & !self.ar_pending.q.val();
        if self.r_wait.q.val() & !self.ar_pending.q.val() & self.axil.rvalid.val() {
            self.r_wait.d.next = false;
            self.rdata_q.d.next = self.axil.rdata.val();
            self.resp_q.d.next = self.axil.rresp.val();
            self.answered.d.next = true;
        }
        if self.answered.q.val() {
            self.done_q.d.next = !self.done_q.q.val();
        }
        self.rdata.next = self.rdata_q.q.val();
        self.resp.next = self.resp_q.q.val();
        self.done.next = self.done_q.q.val();
        if self.reset.val() {
            self.go_seen.d.next = self.go_sync1.q.val();
            self.aw_pending.d.next = false;
            self.w_pending.d.next = false;
            self.b_wait.d.next = false;
            self.ar_pending.d.next = false;
            self.r_wait.d.next = false;
            self.answered.d.next = false;
        }
    }
}

/// The wire bridge with both clocks tied together and its AXI4-Lite master on the
/// pins: what the testbench drives (and what gets a Verilator model and lint).
#[derive(LogicBlock, Default)]
pub struct WireCsrBench {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub addr: Signal<In, Bits<CSR_ADDR_BITS>>,
    pub wdata: Signal<In, Bits<32>>,
    pub write: Signal<In, Bit>,
    pub go: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub resp: Signal<Out, Bits<2>>,
    pub done: Signal<Out, Bit>,
    pub axil: AxiLiteMaster<CSR_ADDR_BITS>,
    wires: WireCsr,
}

impl Logic for WireCsrBench {
    #[hdl_gen]
    fn update(&mut self) {
        self.wires.host_clock.next = self.clock.val();
        self.wires.clock.next = self.clock.val();
        self.wires.reset.next = self.reset.val();
        self.wires.addr.next = self.addr.val();
        self.wires.wdata.next = self.wdata.val();
        self.wires.write.next = self.write.val();
        self.wires.go.next = self.go.val();
        self.rdata.next = self.wires.rdata.val();
        self.resp.next = self.wires.resp.val();
        self.done.next = self.wires.done.val();
        AxiLiteMaster::<CSR_ADDR_BITS>::link(&mut self.axil, &mut self.wires.axil);
    }
}

crate::port_map!(WireCsrBench as "wire_csr" {
    clock: clock,
    in reset,
    in addr,
    in wdata,
    in write,
    in go,
    out rdata,
    out resp,
    out done,
    out axil.awaddr,
    out axil.awvalid,
    in axil.awready,
    out axil.wdata,
    out axil.wstrb,
    out axil.wvalid,
    in axil.wready,
    in axil.bresp,
    in axil.bvalid,
    out axil.bready,
    out axil.araddr,
    out axil.arvalid,
    in axil.arready,
    in axil.rdata,
    in axil.rresp,
    in axil.rvalid,
    out axil.rready,
});

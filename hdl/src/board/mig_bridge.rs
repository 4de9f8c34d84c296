//! AXI4 slave to the user interface of a Xilinx 7-series MIG (DDR3): the device memory
//! port on the XEM7010's DRAM.
//!
//! The MIG's user interface takes one command per 128-bit beat (a DDR3 x16 BL8 burst),
//! addressed in 16-bit words, and returns read data in command order with no way to stall
//! it. So the bridge cuts each AXI burst (INCR or WRAP, full-width beats) into beat
//! commands, writes each beat's data no later than its command (the MIG takes data
//! before or with its command), and issues a read command only while its read-data FIFO
//! has room for every beat in flight. Reads and writes share the command port, taking
//! turns when both wait. A write's B goes out once its last command and data are taken:
//! with the MIG in strict ordering, a later read is served after it.
//!
//! Device memory is the DRAM's 512 MiB; offset bits above 28 are ignored. AxSIZE is
//! taken as 4 (the device issues only full-width beats).

use rust_hdl::prelude::*;

use crate::bus::axi4::Axi4Slave;
use crate::param::Param;
use crate::queue::fifo::Fifo;

/// The MIG 7-series user interface (`app_*`), seen from its user.
#[derive(LogicInterface, Default)]
pub struct MigApp {
    /// `app_addr`: 16-bit word address (byte address / 2).
    pub addr: Signal<Out, Bits<29>>,
    /// `app_cmd`: 0 write, 1 read.
    pub cmd: Signal<Out, Bits<3>>,
    pub en: Signal<Out, Bit>,
    pub rdy: Signal<In, Bit>,
    pub wdf_data: Signal<Out, Bits<128>>,
    /// `app_wdf_mask`: 1 keeps a byte unwritten (the inverse of WSTRB).
    pub wdf_mask: Signal<Out, Bits<16>>,
    pub wdf_end: Signal<Out, Bit>,
    pub wdf_wren: Signal<Out, Bit>,
    pub wdf_rdy: Signal<In, Bit>,
    pub rd_data: Signal<In, Bits<128>>,
    pub rd_data_valid: Signal<In, Bit>,
}

/// Read beats the bridge keeps room for: commands in flight plus data not yet taken.
const READ_ROOM: u64 = 32;

/// A read burst waiting for its data on R.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct ReadBurst {
    pub id: Bits<4>,
    /// ARLEN: beats - 1.
    pub len: Bits<8>,
}

#[derive(LogicBlock, Default)]
pub struct MigBridge {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub axi: Axi4Slave<4, 64, 128, 16>,
    pub app: MigApp,
    // The write burst: its next beat's address, the wrap mask, ID, and whether this
    // beat's command and data have been taken.
    w_busy: DFF<Bit>,
    w_addr: DFF<Bits<64>>,
    w_wrap: DFF<Bits<64>>,
    w_id: DFF<Bits<4>>,
    w_cmd_sent: DFF<Bit>,
    w_data_sent: DFF<Bit>,
    b_pending: DFF<Bit>,
    // The read burst being issued: next address, wrap mask, beats left after this one.
    r_busy: DFF<Bit>,
    r_addr: DFF<Bits<64>>,
    r_wrap: DFF<Bits<64>>,
    r_left: DFF<Bits<8>>,
    /// Read commands issued whose data has not gone out on R.
    inflight: DFF<Bits<6>>,
    /// Beat number on R within the oldest burst.
    r_beat: DFF<Bits<8>>,
    /// The command port went to a read last time (turns when both wait).
    read_last: DFF<Bit>,
    room: Param<6, { READ_ROOM }>,
    /// The wrap mask of an INCR burst: no wrap.
    ones: Param<64, { u64::MAX }>,
    rdata: Fifo<Bits<128>, 5, 6>,
    /// Per read burst, for R.
    bursts: Fifo<ReadBurst, 4, 5>,
    want_w: Signal<Local, Bit>,
    want_r: Signal<Local, Bit>,
    wdf_take: Signal<Local, Bit>,
    grant_w: Signal<Local, Bit>,
    grant_r: Signal<Local, Bit>,
    w_cmd_take: Signal<Local, Bit>,
    r_issue: Signal<Local, Bit>,
    beat_done: Signal<Local, Bit>,
    r_pop: Signal<Local, Bit>,
    r_last: Signal<Local, Bit>,
}

impl Logic for MigBridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            w_busy,
            w_addr,
            w_wrap,
            w_id,
            w_cmd_sent,
            w_data_sent,
            b_pending,
            r_busy,
            r_addr,
            r_wrap,
            r_left,
            inflight,
            r_beat,
            read_last
        );
        self.rdata.clock.next = self.clock.val();
        self.rdata.reset.next = self.reset.val();
        self.bursts.clock.next = self.clock.val();
        self.bursts.reset.next = self.reset.val();

        // AW: one write burst at a time; WRAP beats stay in their (len + 1) * 16 block.
        self.axi.awready.next = !self.w_busy.q.val() & !self.b_pending.q.val();
        if self.axi.awvalid.val() & !self.w_busy.q.val() & !self.b_pending.q.val() {
            self.w_busy.d.next = true;
            self.w_addr.d.next = self.axi.awaddr.val();
            self.w_id.d.next = self.axi.awid.val();
            self.w_wrap.d.next = self.ones.val();
            if self.axi.awburst.val() == 2 {
                self.w_wrap.d.next = (bit_cast::<64, 8>(self.axi.awlen.val()) << 4) | 15;
            }
        }
        // AR: a burst's ID and length queue for R as it is taken.
        self.axi.arready.next = !self.r_busy.q.val() & !self.bursts.full.val();
        self.bursts.push.next = false;
        self.bursts.data_in.next.id = self.axi.arid.val();
        self.bursts.data_in.next.len = self.axi.arlen.val();
        if self.axi.arvalid.val() & !self.r_busy.q.val() & !self.bursts.full.val() {
            self.bursts.push.next = true;
            self.r_busy.d.next = true;
            self.r_addr.d.next = self.axi.araddr.val();
            self.r_left.d.next = self.axi.arlen.val();
            self.r_wrap.d.next = self.ones.val();
            if self.axi.arburst.val() == 2 {
                self.r_wrap.d.next = (bit_cast::<64, 8>(self.axi.arlen.val()) << 4) | 15;
            }
        }

        // Write data first; its command with it or after it.
        self.want_w.next = self.w_busy.q.val() & self.axi.wvalid.val();
        self.app.wdf_wren.next = self.want_w.val() & !self.w_data_sent.q.val();
        self.app.wdf_data.next = self.axi.wdata.val();
        self.app.wdf_mask.next = !self.axi.wstrb.val();
        self.app.wdf_end.next = true;
        self.wdf_take.next = self.want_w.val() & !self.w_data_sent.q.val() & self.app.wdf_rdy.val();
        self.want_r.next = self.r_busy.q.val() & (self.inflight.q.val() < self.room.val());
        self.grant_w.next = self.want_w.val()
            & !self.w_cmd_sent.q.val()
            & (self.w_data_sent.q.val() | self.wdf_take.val())
            & (!self.want_r.val() | self.read_last.q.val());
        self.grant_r.next = self.want_r.val() & !self.grant_w.val();
        self.app.en.next = self.grant_w.val() | self.grant_r.val();
        self.app.cmd.next = 0.into();
        self.app.addr.next = self.w_addr.q.val().get_bits::<29>(1);
        if self.grant_r.val() {
            self.app.cmd.next = 1.into();
            self.app.addr.next = self.r_addr.q.val().get_bits::<29>(1);
        }
        self.w_cmd_take.next = self.grant_w.val() & self.app.rdy.val();
        self.r_issue.next = self.grant_r.val() & self.app.rdy.val();
        if self.w_cmd_take.val() {
            self.read_last.d.next = false;
        }
        if self.r_issue.val() {
            self.read_last.d.next = true;
        }

        // A W beat completes when both its data and its command are taken.
        self.beat_done.next = self.want_w.val()
            & (self.w_cmd_sent.q.val() | self.w_cmd_take.val())
            & (self.w_data_sent.q.val() | self.wdf_take.val());
        self.axi.wready.next = self.beat_done.val();
        if self.beat_done.val() {
            self.w_cmd_sent.d.next = false;
            self.w_data_sent.d.next = false;
            self.w_addr.d.next = (self.w_addr.q.val() & !self.w_wrap.q.val())
                | ((self.w_addr.q.val() + 16) & self.w_wrap.q.val());
            if self.axi.wlast.val() {
                self.w_busy.d.next = false;
                self.b_pending.d.next = true;
            }
        } else {
            if self.w_cmd_take.val() {
                self.w_cmd_sent.d.next = true;
            }
            if self.wdf_take.val() {
                self.w_data_sent.d.next = true;
            }
        }
        self.axi.bvalid.next = self.b_pending.q.val();
        self.axi.bid.next = self.w_id.q.val();
        self.axi.bresp.next = 0.into();
        if self.b_pending.q.val() & self.axi.bready.val() {
            self.b_pending.d.next = false;
        }

        // Read commands, one per beat.
        if self.r_issue.val() {
            self.r_addr.d.next = (self.r_addr.q.val() & !self.r_wrap.q.val())
                | ((self.r_addr.q.val() + 16) & self.r_wrap.q.val());
            self.r_left.d.next = self.r_left.q.val() - 1;
            if self.r_left.q.val() == 0 {
                self.r_busy.d.next = false;
            }
        }
        // Read data: the MIG cannot wait, so it always has room (READ_ROOM).
        self.rdata.push.next = self.app.rd_data_valid.val();
        self.rdata.data_in.next = self.app.rd_data.val();
        self.axi.rvalid.next = !self.rdata.empty.val() & !self.bursts.empty.val();
        self.axi.rdata.next = self.rdata.data_out.val();
        self.axi.rid.next = self.bursts.data_out.val().id;
        self.axi.rresp.next = 0.into();
        self.r_last.next = self.r_beat.q.val() == self.bursts.data_out.val().len;
        self.axi.rlast.next = self.r_last.val();
        self.r_pop.next =
            !self.rdata.empty.val() & !self.bursts.empty.val() & self.axi.rready.val();
        self.rdata.pop.next = self.r_pop.val();
        self.bursts.pop.next = self.r_pop.val() & self.r_last.val();
        if self.r_pop.val() {
            self.r_beat.d.next = self.r_beat.q.val() + 1;
            if self.r_last.val() {
                self.r_beat.d.next = 0.into();
            }
        }
        if self.r_issue.val() & !self.r_pop.val() {
            self.inflight.d.next = self.inflight.q.val() + 1;
        }
        if self.r_pop.val() & !self.r_issue.val() {
            self.inflight.d.next = self.inflight.q.val() - 1;
        }

        if self.reset.val() {
            self.w_busy.d.next = false;
            self.w_cmd_sent.d.next = false;
            self.w_data_sent.d.next = false;
            self.b_pending.d.next = false;
            self.r_busy.d.next = false;
            self.inflight.d.next = 0.into();
            self.r_beat.d.next = 0.into();
            self.read_last.d.next = false;
        }
    }
}

crate::port_map!(MigBridge as "mig_bridge" {
    clock: clock,
    in reset,
    out app.addr,
    out app.cmd,
    out app.en,
    in app.rdy,
    out app.wdf_data,
    out app.wdf_mask,
    out app.wdf_end,
    out app.wdf_wren,
    in app.wdf_rdy,
    in app.rd_data,
    in app.rd_data_valid,
} axi4 { slave axi });

//! Write half of the data mover: transfer commands become AXI4 write bursts, filled
//! from the realigned read data (COPY) or from a 64-bit pattern (FILL), and a completion
//! per transfer once every burst has its response.
//!
//! AW bursts go out as soon as a transfer is loaded, up to `MAX_WRITES` awaiting their
//! response; each AW queues the layout of its W beats, so W streams without gaps. Byte
//! strobes cover exactly the transfer's bytes: the first beat starts at the destination
//! offset, the last ends at the last byte. A beat whose read failed is written with no
//! strobes, so a failed copy never writes stale data.

use rust_hdl::prelude::*;

use super::burst::BurstSplitter;
use super::realign::BEAT_COUNT_BITS;
use crate::bus::axi4::{Axi4Master, Axi4WriteMaster};
use crate::param::Param;
use crate::queue::fifo::Fifo;
use crate::queue::registered_fifo::RegisteredFifo;

/// Write bursts awaiting their response.
pub const MAX_WRITES: u64 = 64;

/// The W beats of one burst, queued by its AW.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct BurstLayout {
    /// AWLEN: beats - 1.
    pub len: Bits<8>,
    /// First burst of its transfer: the first beat starts at `dst_low`.
    pub first: Bit,
    /// Last burst of its transfer: the last beat ends at `end_low`.
    pub last: Bit,
    /// FILL: the beats carry `pattern`, not read data.
    pub fill: Bit,
    pub dst_low: Bits<4>,
    pub end_low: Bits<4>,
    pub pattern: Bits<64>,
}

#[derive(LogicBlock, Default)]
pub struct DmaWrite {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_dst: Signal<In, Bits<64>>,
    pub cmd_len: Signal<In, Bits<32>>,
    pub cmd_fill: Signal<In, Bit>,
    pub cmd_pattern: Signal<In, Bits<64>>,
    pub axi: Axi4WriteMaster<4, 64, 128, 16>,
    /// Destination-aligned data for COPY transfers.
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<128>>,
    pub in_err: Signal<In, Bit>,
    /// One completion per transfer, in order.
    pub done_valid: Signal<Out, Bit>,
    pub done_ready: Signal<In, Bit>,
    pub done_read_err: Signal<Out, Bit>,
    pub done_write_err: Signal<Out, Bit>,
    splitter: BurstSplitter,
    wq: RegisteredFifo<BurstLayout, 6, 7>,
    /// Per burst in flight: last burst of its transfer.
    bq: Fifo<Bit, 6, 7>,
    /// Per transfer whose data is all sent: some read beat failed.
    rq: Fifo<Bit, 6, 7>,
    outstanding: DFF<Bits<7>>,
    max_writes: Param<7, { MAX_WRITES }>,
    all_lanes: Param<16, 0xffff>,
    t_first: DFF<Bit>,
    t_fill: DFF<Bit>,
    t_pattern: DFF<Bits<64>>,
    t_dst_low: DFF<Bits<4>>,
    t_end_low: DFF<Bits<4>>,
    w_beat: DFF<Bits<8>>,
    r_err: DFF<Bit>,
    w_err: DFF<Bit>,
    done: DFF<Bit>,
    done_r: DFF<Bit>,
    done_w: DFF<Bit>,
    take: Signal<Local, Bit>,
    splitter_ready: Signal<Local, Bit>,
    aw_fire: Signal<Local, Bit>,
    b_fire: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
    entry: Signal<Local, BurstLayout>,
    w_fill: Signal<Local, Bit>,
    w_last: Signal<Local, Bit>,
    first_mask: Signal<Local, Bits<16>>,
    last_mask: Signal<Local, Bits<16>>,
    beat_err: Signal<Local, Bit>,
}

impl Logic for DmaWrite {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            outstanding,
            t_first,
            t_fill,
            t_pattern,
            t_dst_low,
            t_end_low,
            w_beat,
            r_err,
            w_err,
            done,
            done_r,
            done_w
        );
        clock!(self, clock, splitter, wq, bq, rq);
        self.splitter.reset.next = self.reset.val();
        self.wq.reset.next = self.reset.val();
        self.bq.reset.next = self.reset.val();
        self.rq.reset.next = self.reset.val();
        // AW: the current burst, while fewer than MAX_WRITES await a response.
        self.axi.awvalid.next = self.splitter.busy.val()
            & (self.outstanding.q.val() < self.max_writes.val())
            & !self.wq.full.val()
            & !self.bq.full.val();
        self.axi.awaddr.next = self.splitter.burst_addr.val();
        self.axi.awlen.next = self.splitter.burst_len.val();
        self.axi.awsize.next = 4.into();
        self.axi.awburst.next = 1.into();
        self.axi.awid.next = 0.into();
        self.aw_fire.next = self.axi.awvalid.val() & self.axi.awready.val();
        // The splitter takes a transfer when idle or while issuing its current last burst.
        self.splitter_ready.next =
            !self.splitter.busy.val() | (self.aw_fire.val() & self.splitter.last.val());
        self.cmd_ready.next = self.splitter_ready.val();
        self.take.next = self.cmd_valid.val() & self.splitter_ready.val();
        // Commands: load the splitter and keep the transfer's W layout.
        self.splitter.load.next = self.take.val();
        self.splitter.start.next = self.cmd_dst.val();
        self.splitter.beats.next = bit_cast::<BEAT_COUNT_BITS, 32>(
            (bit_cast::<32, 4>(self.cmd_dst.val().get_bits::<4>(0)) + self.cmd_len.val() + 15) >> 4,
        );
        if self.aw_fire.val() {
            self.t_first.d.next = false;
        }
        if self.take.val() {
            self.t_first.d.next = true;
            self.t_fill.d.next = self.cmd_fill.val();
            self.t_pattern.d.next = self.cmd_pattern.val();
            self.t_dst_low.d.next = self.cmd_dst.val().get_bits::<4>(0);
            self.t_end_low.d.next =
                self.cmd_dst.val().get_bits::<4>(0) + self.cmd_len.val().get_bits::<4>(0) - 1;
        }
        self.splitter.advance.next = self.aw_fire.val();
        self.wq.push.next = self.aw_fire.val();
        self.wq.data_in.next.len = self.splitter.burst_len.val();
        self.wq.data_in.next.first = self.t_first.q.val();
        self.wq.data_in.next.last = self.splitter.last.val();
        self.wq.data_in.next.fill = self.t_fill.q.val();
        self.wq.data_in.next.dst_low = self.t_dst_low.q.val();
        self.wq.data_in.next.end_low = self.t_end_low.q.val();
        self.wq.data_in.next.pattern = self.t_pattern.q.val();
        self.bq.push.next = self.aw_fire.val();
        self.bq.data_in.next = self.splitter.last.val();
        // W: beats of the oldest queued burst.
        self.entry.next = self.wq.data_out.val();
        self.w_fill.next = self.entry.val().fill;
        self.w_last.next = self.w_beat.q.val() == self.entry.val().len;
        self.first_mask.next = self.all_lanes.val();
        if self.entry.val().first & !self.w_beat.q.val().any() {
            self.first_mask.next = self.all_lanes.val() << self.entry.val().dst_low;
        }
        self.last_mask.next = self.all_lanes.val();
        if self.entry.val().last & self.w_last.val() {
            self.last_mask.next = self.all_lanes.val() >> (15 - self.entry.val().end_low);
        }
        self.beat_err.next = !self.w_fill.val() & self.in_err.val();
        self.axi.wvalid.next =
            !self.wq.empty.val() & (self.w_fill.val() | self.in_valid.val()) & !self.rq.full.val();
        self.axi.wdata.next = self.in_data.val();
        if self.w_fill.val() {
            self.axi.wdata.next = (bit_cast::<128, 64>(self.entry.val().pattern) << 64)
                | bit_cast::<128, 64>(self.entry.val().pattern);
        }
        self.axi.wstrb.next = self.first_mask.val() & self.last_mask.val();
        if self.beat_err.val() {
            self.axi.wstrb.next = 0.into();
        }
        self.axi.wlast.next = self.w_last.val();
        self.w_fire.next = self.axi.wvalid.val() & self.axi.wready.val();
        self.in_ready.next =
            !self.wq.empty.val() & !self.w_fill.val() & self.axi.wready.val() & !self.rq.full.val();
        self.wq.pop.next = self.w_fire.val() & self.w_last.val();
        self.rq.push.next = self.w_fire.val() & self.w_last.val() & self.entry.val().last;
        self.rq.data_in.next = self.r_err.q.val() | self.beat_err.val();
        if self.w_fire.val() {
            self.w_beat.d.next = self.w_beat.q.val() + 1;
            self.r_err.d.next = self.r_err.q.val() | self.beat_err.val();
            if self.w_last.val() {
                self.w_beat.d.next = 0.into();
                if self.entry.val().last {
                    self.r_err.d.next = false;
                }
            }
        }
        // B: one per burst; the transfer completes with its last burst's response.
        self.axi.bready.next = !self.bq.empty.val()
            & !self.done.q.val()
            & (!self.bq.data_out.val() | !self.rq.empty.val());
        self.b_fire.next = self.axi.bvalid.val() & self.axi.bready.val();
        self.bq.pop.next = self.b_fire.val();
        self.rq.pop.next = self.b_fire.val() & self.bq.data_out.val();
        if self.b_fire.val() {
            // An error response, or one for an ID this engine never used, is a bus error.
            self.w_err.d.next =
                self.w_err.q.val() | self.axi.bresp.val().any() | self.axi.bid.val().any();
            if self.bq.data_out.val() {
                self.w_err.d.next = false;
                self.done.d.next = true;
                self.done_w.d.next =
                    self.w_err.q.val() | self.axi.bresp.val().any() | self.axi.bid.val().any();
                self.done_r.d.next = self.rq.data_out.val();
            }
        }
        self.done_valid.next = self.done.q.val();
        self.done_read_err.next = self.done_r.q.val();
        self.done_write_err.next = self.done_w.q.val();
        if self.done.q.val() & self.done_ready.val() {
            self.done.d.next = false;
        }
        if self.aw_fire.val() & !self.b_fire.val() {
            self.outstanding.d.next = self.outstanding.q.val() + 1;
        }
        if !self.aw_fire.val() & self.b_fire.val() {
            self.outstanding.d.next = self.outstanding.q.val() - 1;
        }
        if self.reset.val() {
            self.outstanding.d.next = 0.into();
            self.w_beat.d.next = 0.into();
            self.r_err.d.next = false;
            self.w_err.d.next = false;
            self.done.d.next = false;
        }
    }
}

/// The write half behind a whole AXI4 master port whose read channels stay idle, so the
/// simulation kit's memory model can serve it: a top of its own for its module
/// testbench.
#[derive(LogicBlock, Default)]
pub struct DmaWriteTop {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_dst: Signal<In, Bits<64>>,
    pub cmd_len: Signal<In, Bits<32>>,
    pub cmd_fill: Signal<In, Bit>,
    pub cmd_pattern: Signal<In, Bits<64>>,
    pub m: Axi4Master<4, 64, 128, 16>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<128>>,
    pub in_err: Signal<In, Bit>,
    pub done_valid: Signal<Out, Bit>,
    pub done_ready: Signal<In, Bit>,
    pub done_read_err: Signal<Out, Bit>,
    pub done_write_err: Signal<Out, Bit>,
    write: DmaWrite,
}

impl Logic for DmaWriteTop {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, write);
        self.write.reset.next = self.reset.val();
        self.write.cmd_valid.next = self.cmd_valid.val();
        self.cmd_ready.next = self.write.cmd_ready.val();
        self.write.cmd_dst.next = self.cmd_dst.val();
        self.write.cmd_len.next = self.cmd_len.val();
        self.write.cmd_fill.next = self.cmd_fill.val();
        self.write.cmd_pattern.next = self.cmd_pattern.val();
        self.m.awid.next = self.write.axi.awid.val();
        self.m.awaddr.next = self.write.axi.awaddr.val();
        self.m.awlen.next = self.write.axi.awlen.val();
        self.m.awsize.next = self.write.axi.awsize.val();
        self.m.awburst.next = self.write.axi.awburst.val();
        self.m.awvalid.next = self.write.axi.awvalid.val();
        self.write.axi.awready.next = self.m.awready.val();
        self.m.wdata.next = self.write.axi.wdata.val();
        self.m.wstrb.next = self.write.axi.wstrb.val();
        self.m.wlast.next = self.write.axi.wlast.val();
        self.m.wvalid.next = self.write.axi.wvalid.val();
        self.write.axi.wready.next = self.m.wready.val();
        self.write.axi.bid.next = self.m.bid.val();
        self.write.axi.bresp.next = self.m.bresp.val();
        self.write.axi.bvalid.next = self.m.bvalid.val();
        self.m.bready.next = self.write.axi.bready.val();
        self.m.arid.next = 0.into();
        self.m.araddr.next = 0.into();
        self.m.arlen.next = 0.into();
        self.m.arsize.next = 0.into();
        self.m.arburst.next = 0.into();
        self.m.arvalid.next = false;
        self.m.rready.next = false;
        self.write.in_valid.next = self.in_valid.val();
        self.in_ready.next = self.write.in_ready.val();
        self.write.in_data.next = self.in_data.val();
        self.write.in_err.next = self.in_err.val();
        self.done_valid.next = self.write.done_valid.val();
        self.write.done_ready.next = self.done_ready.val();
        self.done_read_err.next = self.write.done_read_err.val();
        self.done_write_err.next = self.write.done_write_err.val();
    }
}

crate::port_map!(DmaWriteTop as "write" {
    clock: clock,
    in reset,
    in cmd_valid,
    out cmd_ready,
    in cmd_dst,
    in cmd_len,
    in cmd_fill,
    in cmd_pattern,
    in in_valid,
    out in_ready,
    in in_data,
    in in_err,
    out done_valid,
    in done_ready,
    out done_read_err,
    out done_write_err,
} axi4 { master m });

//! Read half of the data mover: transfer commands become AXI4 read bursts, and the read
//! data leaves realigned to the destination.
//!
//! Bursts are issued as soon as a transfer is loaded, up to `MAX_READS` in flight, so a
//! new transfer's reads overlap the previous one's data. Each transfer's realignment
//! plan waits in a FIFO until its data arrives (reads return in order: one AXI ID).

use rust_hdl::prelude::*;

use super::burst::PageBursts;
use super::realign::{Realigner, BEAT_COUNT_BITS};
use crate::bus::axi4::{Axi4Master, Axi4ReadMaster};
use crate::param::Param;
use crate::queue::registered_fifo::RegisteredFifo;
use crate::queue::skid::Skid;

/// Read bursts in flight.
pub const MAX_READS: u64 = 64;

/// How the realigner turns one transfer's read beats into destination beats.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct RealignPlan {
    pub rotate: Bits<4>,
    /// The source starts later in its beat than the destination: the first read beat
    /// only fills the carry.
    pub skip_first: Bit,
    pub in_beats: Bits<BEAT_COUNT_BITS>,
    pub out_beats: Bits<BEAT_COUNT_BITS>,
}

#[derive(LogicBlock, Default)]
pub struct DmaRead {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_src: Signal<In, Bits<64>>,
    pub cmd_len: Signal<In, Bits<32>>,
    /// Destination address bits 3:0, for the realignment.
    pub cmd_dst_low: Signal<In, Bits<4>>,
    pub axi: Axi4ReadMaster<4, 64, 128>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_data: Signal<Out, Bits<128>>,
    pub out_err: Signal<Out, Bit>,
    splitter: PageBursts,
    /// One plan per transfer with reads in flight: as deep as the reads in flight.
    plans: RegisteredFifo<RealignPlan, 6, 7>,
    /// The plans' head, in registers: the realigner's take of a plan (which follows the
    /// data FIFO's room behind it) reaches only these, not the plans' RAM address.
    next_plan: Skid<RealignPlan>,
    realign: Realigner,
    outstanding: DFF<Bits<7>>,
    max_reads: Param<7, { MAX_READS }>,
    in_beats: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    out_beats: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    splitter_ready: Signal<Local, Bit>,
    src_low: Signal<Local, Bits<4>>,
    rotate: Signal<Local, Bits<4>>,
    take: Signal<Local, Bit>,
    ar_fire: Signal<Local, Bit>,
    r_done: Signal<Local, Bit>,
}

impl Logic for DmaRead {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, outstanding);
        clock!(self, clock, splitter, plans, next_plan, realign);
        self.splitter.reset.next = self.reset.val();
        self.plans.reset.next = self.reset.val();
        self.next_plan.reset.next = self.reset.val();
        self.realign.reset.next = self.reset.val();
        // AR: the splitter's current burst, while fewer than MAX_READS are in flight.
        self.axi.arvalid.next =
            self.splitter.busy.val() & (self.outstanding.q.val() < self.max_reads.val());
        self.axi.araddr.next = self.splitter.burst_addr.val();
        self.axi.arlen.next = self.splitter.burst_len.val();
        self.axi.arsize.next = 4.into();
        self.axi.arburst.next = 1.into();
        self.axi.arid.next = 0.into();
        self.ar_fire.next = self.axi.arvalid.val() & self.axi.arready.val();
        // The splitter takes a transfer when idle or while issuing its current last burst.
        self.splitter_ready.next =
            !self.splitter.busy.val() | (self.ar_fire.val() & self.splitter.last.val());
        self.cmd_ready.next = self.splitter_ready.val() & !self.plans.full.val();
        self.take.next = self.cmd_valid.val() & self.splitter_ready.val() & !self.plans.full.val();
        // Commands: load the splitter and queue the realignment plan.
        self.src_low.next = self.cmd_src.val().get_bits::<4>(0);
        self.in_beats.next = bit_cast::<BEAT_COUNT_BITS, 32>(
            (bit_cast::<32, 4>(self.src_low.val()) + self.cmd_len.val() + 15) >> 4,
        );
        self.out_beats.next = bit_cast::<BEAT_COUNT_BITS, 32>(
            (bit_cast::<32, 4>(self.cmd_dst_low.val()) + self.cmd_len.val() + 15) >> 4,
        );
        self.splitter.load.next = self.take.val();
        self.splitter.start.next = self.cmd_src.val();
        self.splitter.beats.next = self.in_beats.val();
        self.plans.push.next = self.take.val();
        // Narrow arithmetic goes through a signal of its own width: rust-hdl emits
        // `bit_cast(a - b)` as `(a - b) & mask`, which Verilog evaluates at the wide width.
        self.rotate.next = self.src_low.val() - self.cmd_dst_low.val();
        self.plans.data_in.next.rotate = self.rotate.val();
        self.plans.data_in.next.skip_first = self.src_low.val() > self.cmd_dst_low.val();
        self.plans.data_in.next.in_beats = self.in_beats.val();
        self.plans.data_in.next.out_beats = self.out_beats.val();
        // Plans move to the skid whenever it has room; the realigner takes the next one
        // from there when idle.
        self.next_plan.in_valid.next = !self.plans.empty.val();
        self.next_plan.in_data.next = self.plans.data_out.val();
        self.plans.pop.next = self.next_plan.in_ready.val() & !self.plans.empty.val();
        self.realign.cmd_valid.next = self.next_plan.out_valid.val();
        self.realign.cmd_rotate.next = self.next_plan.out_data.val().rotate;
        self.realign.cmd_skip_first.next = self.next_plan.out_data.val().skip_first;
        self.realign.cmd_in_beats.next = self.next_plan.out_data.val().in_beats;
        self.realign.cmd_out_beats.next = self.next_plan.out_data.val().out_beats;
        self.next_plan.out_ready.next = self.realign.cmd_ready.val();
        self.splitter.advance.next = self.ar_fire.val();
        // R into the realigner, realigned data out.
        self.realign.in_valid.next = self.axi.rvalid.val();
        self.realign.in_data.next = self.axi.rdata.val();
        // An error response, or a response for an ID this engine never used, is a bus error.
        self.realign.in_err.next = self.axi.rresp.val().any() | self.axi.rid.val().any();
        self.axi.rready.next = self.realign.in_ready.val();
        self.r_done.next =
            self.axi.rvalid.val() & self.realign.in_ready.val() & self.axi.rlast.val();
        self.out_valid.next = self.realign.out_valid.val();
        self.out_data.next = self.realign.out_data.val();
        self.out_err.next = self.realign.out_err.val();
        self.realign.out_ready.next = self.out_ready.val();
        if self.ar_fire.val() & !self.r_done.val() {
            self.outstanding.d.next = self.outstanding.q.val() + 1;
        }
        if !self.ar_fire.val() & self.r_done.val() {
            self.outstanding.d.next = self.outstanding.q.val() - 1;
        }
        if self.reset.val() {
            self.outstanding.d.next = 0.into();
        }
    }
}

/// The read half behind a whole AXI4 master port whose write channels stay idle, so
/// the simulation kit's memory model can serve it: a top of its own for its module
/// testbench.
#[derive(LogicBlock, Default)]
pub struct DmaReadTop {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_src: Signal<In, Bits<64>>,
    pub cmd_len: Signal<In, Bits<32>>,
    pub cmd_dst_low: Signal<In, Bits<4>>,
    pub m: Axi4Master<4, 64, 128, 16>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_data: Signal<Out, Bits<128>>,
    pub out_err: Signal<Out, Bit>,
    read: DmaRead,
}

impl Logic for DmaReadTop {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, read);
        self.read.reset.next = self.reset.val();
        self.read.cmd_valid.next = self.cmd_valid.val();
        self.cmd_ready.next = self.read.cmd_ready.val();
        self.read.cmd_src.next = self.cmd_src.val();
        self.read.cmd_len.next = self.cmd_len.val();
        self.read.cmd_dst_low.next = self.cmd_dst_low.val();
        self.m.arid.next = self.read.axi.arid.val();
        self.m.araddr.next = self.read.axi.araddr.val();
        self.m.arlen.next = self.read.axi.arlen.val();
        self.m.arsize.next = self.read.axi.arsize.val();
        self.m.arburst.next = self.read.axi.arburst.val();
        self.m.arvalid.next = self.read.axi.arvalid.val();
        self.read.axi.arready.next = self.m.arready.val();
        self.read.axi.rid.next = self.m.rid.val();
        self.read.axi.rdata.next = self.m.rdata.val();
        self.read.axi.rresp.next = self.m.rresp.val();
        self.read.axi.rlast.next = self.m.rlast.val();
        self.read.axi.rvalid.next = self.m.rvalid.val();
        self.m.rready.next = self.read.axi.rready.val();
        self.m.awid.next = 0.into();
        self.m.awaddr.next = 0.into();
        self.m.awlen.next = 0.into();
        self.m.awsize.next = 0.into();
        self.m.awburst.next = 0.into();
        self.m.awvalid.next = false;
        self.m.wdata.next = 0.into();
        self.m.wstrb.next = 0.into();
        self.m.wlast.next = false;
        self.m.wvalid.next = false;
        self.m.bready.next = false;
        self.out_valid.next = self.read.out_valid.val();
        self.read.out_ready.next = self.out_ready.val();
        self.out_data.next = self.read.out_data.val();
        self.out_err.next = self.read.out_err.val();
    }
}

crate::port_map!(DmaReadTop as "read" {
    clock: clock,
    in reset,
    in cmd_valid,
    out cmd_ready,
    in cmd_src,
    in cmd_len,
    in cmd_dst_low,
    out out_valid,
    in out_ready,
    out out_data,
    out out_err,
} axi4 { master m });

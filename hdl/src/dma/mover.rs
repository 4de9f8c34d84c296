//! The data mover: read half, data FIFO and write half on one AXI4 master port.
//!
//! Takes transfer commands (COPY `len` bytes from `src` to `dst`, or FILL `dst` with a
//! 64-bit pattern, byte `a` of the destination getting pattern byte `a % 8`) and gives
//! one completion per transfer, in order. Transfers overlap: a new transfer's reads start
//! while the previous one's data is still being written.
//!
//! Commands enter through a skid buffer, so the engine's issue logic and the halves'
//! command intake are separate timing paths (one cycle of latency). From there a command
//! goes to the read half and, through a queue of its own, to the write half: the write
//! half takes a COPY's bursts only as their data arrives, and the queue lets the reads of
//! the next transfers start meanwhile.
//!
//! Status write-backs go straight to the write half, which puts them between data bursts
//! (see [`super::write`]), and complete on their own handshake.
//!
//! `len` must be 1 ..= [`MAX_TRANSFER_BYTES`](super::realign::MAX_TRANSFER_BYTES); the
//! descriptor layer rejects other lengths before they get here (a zero-length command
//! would never complete).

use rust_hdl::prelude::*;

use super::read::DmaRead;
use super::write::{DmaWrite, COUNT_BITS};
use crate::bus::axi4::Axi4Master;
use crate::queue::registered_fifo::RegisteredFifo;
use crate::queue::skid::Skid;

/// One transfer command, as it waits in the mover's intake.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct MoverCmd {
    pub src: Bits<64>,
    pub dst: Bits<64>,
    pub len: Bits<32>,
    pub fill: Bit,
    pub pattern: Bits<64>,
}

/// A transfer command as the write half takes it.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct WriteCmd {
    pub dst: Bits<64>,
    pub len: Bits<32>,
    pub fill: Bit,
    pub pattern: Bits<64>,
}

/// A destination-aligned beat on its way from the read half to the write half.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct AlignedBeat {
    pub data: Bits<128>,
    /// Some read beat it was made from failed.
    pub err: Bit,
}

#[derive(LogicBlock, Default)]
pub struct DmaMover {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_src: Signal<In, Bits<64>>,
    pub cmd_dst: Signal<In, Bits<64>>,
    pub cmd_len: Signal<In, Bits<32>>,
    pub cmd_fill: Signal<In, Bit>,
    pub cmd_pattern: Signal<In, Bits<64>>,
    pub done_valid: Signal<Out, Bit>,
    pub done_ready: Signal<In, Bit>,
    pub done_read_err: Signal<Out, Bit>,
    pub done_write_err: Signal<Out, Bit>,
    /// Status write-backs and their completions (see [`DmaWrite`]).
    pub status_valid: Signal<In, Bit>,
    pub status_ready: Signal<Out, Bit>,
    pub status_addr: Signal<In, Bits<64>>,
    pub status_pattern: Signal<In, Bits<64>>,
    pub status_done_valid: Signal<Out, Bit>,
    pub status_done_ready: Signal<In, Bit>,
    pub status_done_err: Signal<Out, Bit>,
    pub m: Axi4Master<4, 64, 128, 16>,
    intake: Skid<MoverCmd>,
    /// Commands taken by the read half, waiting for the write half.
    wcmds: RegisteredFifo<WriteCmd, 6, 7>,
    read: DmaRead,
    write: DmaWrite,
    /// Realigned beats (data and read-error flag) between the halves.
    data: RegisteredFifo<AlignedBeat, 5, 6>,
    /// Beats in `data`, for the write half's `in_count`.
    held: DFF<Bits<COUNT_BITS>>,
    both_ready: Signal<Local, Bit>,
    head_dst: Signal<Local, Bits<64>>,
    data_push: Signal<Local, Bit>,
    data_pop: Signal<Local, Bit>,
}

impl Logic for DmaMover {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, held);
        clock!(self, clock, intake, wcmds, read, write, data);
        self.intake.reset.next = self.reset.val();
        self.wcmds.reset.next = self.reset.val();
        self.read.reset.next = self.reset.val();
        self.write.reset.next = self.reset.val();
        self.data.reset.next = self.reset.val();
        self.intake.in_valid.next = self.cmd_valid.val();
        self.intake.in_data.next.src = self.cmd_src.val();
        self.intake.in_data.next.dst = self.cmd_dst.val();
        self.intake.in_data.next.len = self.cmd_len.val();
        self.intake.in_data.next.fill = self.cmd_fill.val();
        self.intake.in_data.next.pattern = self.cmd_pattern.val();
        self.cmd_ready.next = self.intake.in_ready.val();
        // A command goes to the read half and the write half's queue at once (FILL needs
        // no read).
        self.both_ready.next =
            !self.wcmds.full.val() & (self.intake.out_data.val().fill | self.read.cmd_ready.val());
        self.intake.out_ready.next = self.both_ready.val();
        self.read.cmd_valid.next =
            self.intake.out_valid.val() & !self.intake.out_data.val().fill & !self.wcmds.full.val();
        self.read.cmd_src.next = self.intake.out_data.val().src;
        self.read.cmd_len.next = self.intake.out_data.val().len;
        self.head_dst.next = self.intake.out_data.val().dst;
        self.read.cmd_dst_low.next = self.head_dst.val().get_bits::<4>(0);
        self.wcmds.push.next = self.intake.out_valid.val() & self.both_ready.val();
        self.wcmds.data_in.next.dst = self.head_dst.val();
        self.wcmds.data_in.next.len = self.intake.out_data.val().len;
        self.wcmds.data_in.next.fill = self.intake.out_data.val().fill;
        self.wcmds.data_in.next.pattern = self.intake.out_data.val().pattern;
        self.write.cmd_valid.next = !self.wcmds.empty.val();
        self.write.cmd_dst.next = self.wcmds.data_out.val().dst;
        self.write.cmd_len.next = self.wcmds.data_out.val().len;
        self.write.cmd_fill.next = self.wcmds.data_out.val().fill;
        self.write.cmd_pattern.next = self.wcmds.data_out.val().pattern;
        self.wcmds.pop.next = self.write.cmd_ready.val() & !self.wcmds.empty.val();
        // Realigned data through the FIFO.
        self.data_push.next = self.read.out_valid.val() & !self.data.full.val();
        self.data.push.next = self.data_push.val();
        self.data.data_in.next.data = self.read.out_data.val();
        self.data.data_in.next.err = self.read.out_err.val();
        self.read.out_ready.next = !self.data.full.val();
        self.write.in_valid.next = !self.data.empty.val();
        self.write.in_data.next = self.data.data_out.val().data;
        self.write.in_err.next = self.data.data_out.val().err;
        self.data_pop.next = self.write.in_ready.val() & !self.data.empty.val();
        self.data.pop.next = self.data_pop.val();
        self.held.d.next = self.held.q.val()
            + bit_cast::<COUNT_BITS, 1>(self.data_push.val().into())
            - bit_cast::<COUNT_BITS, 1>(self.data_pop.val().into());
        self.write.in_count.next = self.held.q.val();
        // Status write-backs.
        self.write.status_valid.next = self.status_valid.val();
        self.status_ready.next = self.write.status_ready.val();
        self.write.status_addr.next = self.status_addr.val();
        self.write.status_pattern.next = self.status_pattern.val();
        self.status_done_valid.next = self.write.status_done_valid.val();
        self.write.status_done_ready.next = self.status_done_ready.val();
        self.status_done_err.next = self.write.status_done_err.val();
        // Completions.
        self.done_valid.next = self.write.done_valid.val();
        self.done_read_err.next = self.write.done_read_err.val();
        self.done_write_err.next = self.write.done_write_err.val();
        self.write.done_ready.next = self.done_ready.val();
        // The AXI4 port: reads from the read half, writes from the write half.
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
        if self.reset.val() {
            self.held.d.next = 0.into();
        }
    }
}

crate::port_map!(DmaMover as "mover" {
    clock: clock,
    in reset,
    in cmd_valid,
    out cmd_ready,
    in cmd_src,
    in cmd_dst,
    in cmd_len,
    in cmd_fill,
    in cmd_pattern,
    out done_valid,
    in done_ready,
    out done_read_err,
    out done_write_err,
    in status_valid,
    out status_ready,
    in status_addr,
    in status_pattern,
    out status_done_valid,
    in status_done_ready,
    out status_done_err,
} axi4 { master m });

//! Write half of the data mover: transfer commands become AXI4 write bursts, filled
//! from the realigned read data (COPY) or from a 64-bit pattern (FILL), and a completion
//! per transfer once every burst has its response. Status write-backs (one 8-byte beat
//! each) take their own turn on AW and W between data bursts, with completions of their
//! own, so a descriptor's status never waits for the data queued behind it.
//!
//! A data burst's AW goes out only once its W beats can follow at once: a FILL's at any
//! time, a COPY's once its data is buffered (`in_count` beats, less those already
//! promised to earlier bursts). And at most [`W_AHEAD`] W beats are promised ahead of
//! the W channel. So a status AW waits behind at most `W_AHEAD` beats that are ready to
//! go, never behind a read's latency. Bursts are short ([`WriteBursts`]: 4 beats, 64
//! bytes) so that a COPY burst goes as soon as a few beats are buffered and `W_AHEAD` can
//! be small, and up to `MAX_WRITES` await their
//! response; each AW queues the layout of its W beats, so W streams without gaps. Byte
//! strobes cover exactly the transfer's bytes: the first beat starts at the destination
//! offset, the last ends at the last byte. A beat whose read failed is written with no
//! strobes, so a failed copy never writes stale data.

use rust_hdl::prelude::*;

use super::burst::{WriteBursts, WRITE_BURST_BEATS};
use super::realign::BEAT_COUNT_BITS;
use crate::bus::axi4::{Axi4Master, Axi4WriteMaster};
use crate::param::Param;
use crate::queue::fifo::Fifo;
use crate::queue::registered_fifo::RegisteredFifo;

/// Write bursts awaiting their response.
pub const MAX_WRITES: u64 = 64;
/// W beats promised by AW and not yet sent: what a status write waits behind at most.
/// Three bursts: enough to keep W streaming while the next AW is decided and reaches the
/// W side (`wq`'s registered head: 3 cycles). 24 beats of 8-beat bursts streamed as well
/// but made a status wait up to 24 cycles for W; 16 of 8-beat bursts left W bubbles.
pub const W_AHEAD: u64 = 12;
/// Width of the beat counts (`in_count`, promised beats).
pub const COUNT_BITS: usize = 7;
const _: () = assert!(W_AHEAD + WRITE_BURST_BEATS < 1 << COUNT_BITS);

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
    /// A status write-back (one beat, a FILL of 8 bytes), not part of a transfer.
    pub status: Bit,
    pub dst_low: Bits<4>,
    pub end_low: Bits<4>,
    pub pattern: Bits<64>,
}

/// What a burst's write response completes.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct BurstEnd {
    /// The last burst of a transfer.
    pub last: Bit,
    /// A status write-back.
    pub status: Bit,
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
    /// Beats waiting on `in_*` (at least; saturated is fine): the COPY data buffered.
    pub in_count: Signal<In, Bits<COUNT_BITS>>,
    /// One completion per transfer, in order.
    pub done_valid: Signal<Out, Bit>,
    pub done_ready: Signal<In, Bit>,
    pub done_read_err: Signal<Out, Bit>,
    pub done_write_err: Signal<Out, Bit>,
    /// A status write-back: `pattern` to the 8 bytes at `addr` (8-byte aligned).
    pub status_valid: Signal<In, Bit>,
    pub status_ready: Signal<Out, Bit>,
    pub status_addr: Signal<In, Bits<64>>,
    pub status_pattern: Signal<In, Bits<64>>,
    /// One completion per status write-back, in order.
    pub status_done_valid: Signal<Out, Bit>,
    pub status_done_ready: Signal<In, Bit>,
    pub status_done_err: Signal<Out, Bit>,
    splitter: WriteBursts,
    wq: RegisteredFifo<BurstLayout, 6, 7>,
    /// Per burst in flight: what its response completes.
    bq: Fifo<BurstEnd, 6, 7>,
    /// Per transfer whose data is all sent: some read beat failed.
    rq: Fifo<Bit, 6, 7>,
    outstanding: DFF<Bits<7>>,
    max_writes: Param<7, { MAX_WRITES }>,
    w_ahead: Param<COUNT_BITS, { W_AHEAD }>,
    all_lanes: Param<16, 0xffff>,
    /// COPY beats promised by AW and not yet sent on W.
    owed: DFF<Bits<COUNT_BITS>>,
    /// All W beats promised by AW and not yet sent.
    ahead: DFF<Bits<COUNT_BITS>>,
    /// Last cycle: the current burst's data is buffered; its beats fit in W_AHEAD; a
    /// status write's beat does.
    buffered: DFF<Bit>,
    fits: DFF<Bit>,
    status_fits: DFF<Bit>,
    /// The AW register: the burst decided last cycle or before, on AW until taken, with
    /// what its W beats and its response will need. AW comes from flip-flops, and the
    /// decision (the splitter's and the counters' enables) does not wait on AWREADY.
    aw_full: DFF<Bit>,
    aw_addr: DFF<Bits<64>>,
    aw_layout: DFF<BurstLayout>,
    aw_end: DFF<BurstEnd>,
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
    status_done: DFF<Bit>,
    status_err: DFF<Bit>,
    take: Signal<Local, Bit>,
    splitter_ready: Signal<Local, Bit>,
    burst_beats: Signal<Local, Bits<COUNT_BITS>>,
    aw_room: Signal<Local, Bit>,
    data_ok: Signal<Local, Bit>,
    status_ok: Signal<Local, Bit>,
    aw_data: Signal<Local, Bit>,
    aw_status: Signal<Local, Bit>,
    aw_fire: Signal<Local, Bit>,
    aw_beats: Signal<Local, Bits<COUNT_BITS>>,
    copy_beats: Signal<Local, Bits<COUNT_BITS>>,
    copy_beat: Signal<Local, Bit>,
    w_ends: Signal<Local, Bit>,
    b_end: Signal<Local, BurstEnd>,
    b_err: Signal<Local, Bit>,
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
            owed,
            ahead,
            buffered,
            fits,
            status_fits,
            aw_full,
            aw_addr,
            aw_layout,
            aw_end,
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
            done_w,
            status_done,
            status_err
        );
        clock!(self, clock, splitter, wq, bq, rq);
        self.splitter.reset.next = self.reset.val();
        self.wq.reset.next = self.reset.val();
        self.bq.reset.next = self.reset.val();
        self.rq.reset.next = self.reset.val();
        // AW: decide on a status write or the splitter's current burst when the AW
        // register is empty, while fewer than MAX_WRITES await a response and the W beats
        // it promises fit in W_AHEAD; a status write goes first. The register then shows
        // it on AW (at most every other cycle: a burst has up to 4 beats, a status write
        // 1, and the two alternate at most). The queues take it with its handshake, so
        // no W beat goes before its AW.
        self.aw_room.next = !self.aw_full.q.val()
            & (self.outstanding.q.val() < self.max_writes.val())
            & !self.wq.full.val()
            & !self.bq.full.val();
        // The counts' compares are registered: a decision uses last cycle's, which is
        // safe, since in that cycle no decision was made (the AW register was full),
        // so nothing was promised and the splitter did not advance (and a load left it
        // idle, so that the compares were false); and since then data only arrived, W
        // beats only left, and each W beat of a COPY took its data.
        self.burst_beats.next = bit_cast::<COUNT_BITS, 9>(self.splitter.burst_beats.val());
        self.buffered.d.next = self.splitter.busy.val()
            & (self.in_count.val() >= self.owed.q.val() + self.burst_beats.val());
        self.fits.d.next = self.splitter.busy.val()
            & (self.ahead.q.val() + self.burst_beats.val() <= self.w_ahead.val());
        self.status_fits.d.next = self.ahead.q.val() < self.w_ahead.val();
        self.data_ok.next = self.splitter.busy.val()
            & (self.t_fill.q.val() | self.buffered.q.val())
            & self.fits.q.val();
        // Ready for a status write whether or not one is offered (from registers only).
        self.status_ok.next = self.status_fits.q.val() & self.aw_room.val();
        self.aw_status.next = self.status_valid.val() & self.status_ok.val();
        self.aw_data.next = !self.status_valid.val() & self.data_ok.val() & self.aw_room.val();
        self.status_ready.next = self.status_ok.val();
        self.axi.awvalid.next = self.aw_full.q.val();
        self.axi.awaddr.next = self.aw_addr.q.val();
        self.axi.awlen.next = self.aw_layout.q.val().len;
        self.axi.awsize.next = 4.into();
        self.axi.awburst.next = 1.into();
        self.axi.awid.next = 0.into();
        self.aw_fire.next = self.aw_full.q.val() & self.axi.awready.val();
        if self.aw_fire.val() {
            self.aw_full.d.next = false;
        }
        if self.aw_data.val() {
            self.aw_full.d.next = true;
            self.aw_addr.d.next = self.splitter.burst_addr.val();
            self.aw_layout.d.next.len = self.splitter.burst_len.val();
            self.aw_layout.d.next.first = self.t_first.q.val();
            self.aw_layout.d.next.last = self.splitter.last.val();
            self.aw_layout.d.next.fill = self.t_fill.q.val();
            self.aw_layout.d.next.status = false;
            self.aw_layout.d.next.dst_low = self.t_dst_low.q.val();
            self.aw_layout.d.next.end_low = self.t_end_low.q.val();
            self.aw_layout.d.next.pattern = self.t_pattern.q.val();
            self.aw_end.d.next.last = self.splitter.last.val();
            self.aw_end.d.next.status = false;
        }
        if self.aw_status.val() {
            // One beat holding the 8 bytes at `status_addr`.
            self.aw_full.d.next = true;
            self.aw_addr.d.next = (self.status_addr.val() >> 4) << 4;
            self.aw_layout.d.next.len = 0.into();
            self.aw_layout.d.next.first = true;
            self.aw_layout.d.next.last = true;
            self.aw_layout.d.next.fill = true;
            self.aw_layout.d.next.status = true;
            self.aw_layout.d.next.dst_low = self.status_addr.val().get_bits::<4>(0);
            self.aw_layout.d.next.end_low = self.status_addr.val().get_bits::<4>(0) + 7;
            self.aw_layout.d.next.pattern = self.status_pattern.val();
            self.aw_end.d.next.last = false;
            self.aw_end.d.next.status = true;
        }
        self.wq.push.next = self.aw_fire.val();
        self.wq.data_in.next = self.aw_layout.q.val();
        self.bq.push.next = self.aw_fire.val();
        self.bq.data_in.next = self.aw_end.q.val();
        // The splitter takes a transfer when idle: not while issuing the current last
        // burst, so that the AW decision does not also load the command.
        self.splitter_ready.next = !self.splitter.busy.val();
        self.cmd_ready.next = self.splitter_ready.val();
        self.take.next = self.cmd_valid.val() & self.splitter_ready.val();
        // Commands: load the splitter and keep the transfer's W layout.
        self.splitter.load.next = self.take.val();
        self.splitter.start.next = self.cmd_dst.val();
        self.splitter.beats.next = bit_cast::<BEAT_COUNT_BITS, 32>(
            (bit_cast::<32, 4>(self.cmd_dst.val().get_bits::<4>(0)) + self.cmd_len.val() + 15) >> 4,
        );
        if self.aw_data.val() {
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
        self.splitter.advance.next = self.aw_data.val();
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
        // A transfer's data is all sent with the last beat of its last burst.
        self.w_ends.next = self.w_fire.val()
            & self.w_last.val()
            & self.entry.val().last
            & !self.entry.val().status;
        self.rq.push.next = self.w_ends.val();
        self.rq.data_in.next = self.r_err.q.val() | self.beat_err.val();
        if self.w_fire.val() {
            self.w_beat.d.next = self.w_beat.q.val() + 1;
            self.r_err.d.next = self.r_err.q.val() | self.beat_err.val();
            if self.w_last.val() {
                self.w_beat.d.next = 0.into();
            }
        }
        if self.w_ends.val() {
            self.r_err.d.next = false;
        }
        // Promised beats: AW adds its burst's, each W beat takes one.
        self.aw_beats.next = 0.into();
        if self.aw_data.val() {
            self.aw_beats.next = self.burst_beats.val();
        }
        if self.aw_status.val() {
            self.aw_beats.next = 1.into();
        }
        self.copy_beats.next = 0.into();
        if self.aw_data.val() & !self.t_fill.q.val() {
            self.copy_beats.next = self.burst_beats.val();
        }
        self.copy_beat.next = self.w_fire.val() & !self.w_fill.val();
        self.ahead.d.next = self.ahead.q.val() + self.aw_beats.val()
            - bit_cast::<COUNT_BITS, 1>(self.w_fire.val().into());
        self.owed.d.next = self.owed.q.val() + self.copy_beats.val()
            - bit_cast::<COUNT_BITS, 1>(self.copy_beat.val().into());
        // B: one per burst; a transfer completes with its last burst's response, a
        // status write with its own.
        self.b_end.next = self.bq.data_out.val();
        self.axi.bready.next = !self.bq.empty.val() & !self.done.q.val();
        if self.b_end.val().last {
            self.axi.bready.next = !self.bq.empty.val() & !self.done.q.val() & !self.rq.empty.val();
        }
        if self.b_end.val().status {
            self.axi.bready.next = !self.bq.empty.val() & !self.status_done.q.val();
        }
        self.b_fire.next = self.axi.bvalid.val() & self.axi.bready.val();
        self.bq.pop.next = self.b_fire.val();
        self.rq.pop.next = self.b_fire.val() & self.b_end.val().last;
        // An error response, or one for an ID this engine never used, is a bus error.
        self.b_err.next = self.axi.bresp.val().any() | self.axi.bid.val().any();
        if self.b_fire.val() {
            if self.b_end.val().status {
                self.status_done.d.next = true;
                self.status_err.d.next = self.b_err.val();
            } else {
                self.w_err.d.next = self.w_err.q.val() | self.b_err.val();
                if self.b_end.val().last {
                    self.w_err.d.next = false;
                    self.done.d.next = true;
                    self.done_w.d.next = self.w_err.q.val() | self.b_err.val();
                    self.done_r.d.next = self.rq.data_out.val();
                }
            }
        }
        self.done_valid.next = self.done.q.val();
        self.done_read_err.next = self.done_r.q.val();
        self.done_write_err.next = self.done_w.q.val();
        if self.done.q.val() & self.done_ready.val() {
            self.done.d.next = false;
        }
        self.status_done_valid.next = self.status_done.q.val();
        self.status_done_err.next = self.status_err.q.val();
        if self.status_done.q.val() & self.status_done_ready.val() {
            self.status_done.d.next = false;
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
            self.status_done.d.next = false;
            self.owed.d.next = 0.into();
            self.ahead.d.next = 0.into();
            self.aw_full.d.next = false;
            self.buffered.d.next = false;
            self.fits.d.next = false;
            self.status_fits.d.next = false;
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
    pub in_count: Signal<In, Bits<COUNT_BITS>>,
    pub done_valid: Signal<Out, Bit>,
    pub done_ready: Signal<In, Bit>,
    pub done_read_err: Signal<Out, Bit>,
    pub done_write_err: Signal<Out, Bit>,
    pub status_valid: Signal<In, Bit>,
    pub status_ready: Signal<Out, Bit>,
    pub status_addr: Signal<In, Bits<64>>,
    pub status_pattern: Signal<In, Bits<64>>,
    pub status_done_valid: Signal<Out, Bit>,
    pub status_done_ready: Signal<In, Bit>,
    pub status_done_err: Signal<Out, Bit>,
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
        self.write.in_count.next = self.in_count.val();
        self.done_valid.next = self.write.done_valid.val();
        self.write.done_ready.next = self.done_ready.val();
        self.done_read_err.next = self.write.done_read_err.val();
        self.done_write_err.next = self.write.done_write_err.val();
        self.write.status_valid.next = self.status_valid.val();
        self.status_ready.next = self.write.status_ready.val();
        self.write.status_addr.next = self.status_addr.val();
        self.write.status_pattern.next = self.status_pattern.val();
        self.status_done_valid.next = self.write.status_done_valid.val();
        self.write.status_done_ready.next = self.status_done_ready.val();
        self.status_done_err.next = self.write.status_done_err.val();
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
    in in_count,
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

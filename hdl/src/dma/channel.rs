//! One DMA channel's state: ring indexes, halt and resume, interrupt coalescing and
//! counters. The engine ([`super::engine`]) does the work and tells each channel what
//! happened to its descriptors with one-cycle pulses.
//!
//! Indexes are free-running 16-bit counters; a descriptor's ring slot is its index
//! modulo the ring size. The channel counts its *live* descriptors (fetched and not yet
//! retired): a halted channel resumes only when none is left, so nothing fetched before
//! the halt can run after it. For the same reason `STATUS.HALTED` (and the halt's
//! interrupt) waits until none is left: then CONSUMER, ERR_INDEX and ERR_ADDR are final
//! when software sees it. A watchdog halt is the exception: the transfer it names may
//! never end, so it shows at once, with BUSY up while anything is live.

use rust_hdl::prelude::*;

use crate::param::Param;
use cdm_regmap::descriptor::ErrorCode;

/// The channel's CSRs, from the channel's side.
#[derive(LogicInterface, Default)]
pub struct ChannelCsr {
    /// Ring base bits 31:5 (rings are 32-byte aligned).
    pub ring_base_lo: Signal<In, Bits<27>>,
    pub ring_base_hi: Signal<In, Bits<32>>,
    pub ring_log2: Signal<In, Bits<4>>,
    pub producer: Signal<In, Bits<16>>,
    pub run: Signal<In, Bit>,
    pub retry: Signal<In, Bit>,
    pub skip: Signal<In, Bit>,
    pub abort: Signal<In, Bit>,
    pub coalesce_count: Signal<In, Bits<8>>,
    pub coalesce_timer: Signal<In, Bits<16>>,
    pub consumer: Signal<Out, Bits<16>>,
    pub busy: Signal<Out, Bit>,
    pub halted: Signal<Out, Bit>,
    pub error: Signal<Out, Bits<4>>,
    pub err_index: Signal<Out, Bits<16>>,
    pub err_addr_lo: Signal<Out, Bits<32>>,
    pub err_addr_hi: Signal<Out, Bits<32>>,
    pub bytes_lo: Signal<Out, Bits<32>>,
    pub bytes_hi: Signal<Out, Bits<32>>,
    pub descs: Signal<Out, Bits<32>>,
    pub busy_cycles: Signal<Out, Bits<32>>,
    pub stall_cycles: Signal<Out, Bits<32>>,
    /// Interrupt event (one-cycle pulse).
    pub interrupt: Signal<Out, Bit>,
}

#[derive(LogicBlock, Default)]
pub struct DmaChannel {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub csr: ChannelCsr,
    /// A descriptor fetch was issued at `fetch_index`.
    pub fetched: Signal<In, Bit>,
    /// A live descriptor was dropped before it started (the channel was stopping).
    pub dropped: Signal<In, Bit>,
    /// A live descriptor left the completion stage.
    pub retired: Signal<In, Bit>,
    /// A descriptor completed and its status is in memory.
    pub completed: Signal<In, Bit>,
    pub completed_irq: Signal<In, Bit>,
    pub completed_bytes: Signal<In, Bits<32>>,
    /// The issue stage failed a descriptor: start nothing more.
    pub stop: Signal<In, Bit>,
    /// Halt with this error record (the first halt wins).
    pub halt: Signal<In, Bit>,
    pub halt_code: Signal<In, Bits<4>>,
    pub halt_index: Signal<In, Bits<16>>,
    pub halt_addr: Signal<In, Bits<64>>,
    /// A data beat moved on the engine's AXI port this cycle.
    pub beat: Signal<In, Bit>,
    pub fetch_index: Signal<Out, Bits<16>>,
    /// Address of the ring slot of `fetch_index`.
    pub fetch_addr: Signal<Out, Bits<64>>,
    /// Has descriptors to fetch.
    pub eligible: Signal<Out, Bit>,
    pub stopping: Signal<Out, Bit>,
    pub halted: Signal<Out, Bit>,
    pub consumer: Signal<Out, Bits<16>>,
    fetch: DFF<Bits<16>>,
    consumer_q: DFF<Bits<16>>,
    live: DFF<Bits<8>>,
    stopping_q: DFF<Bit>,
    halted_q: DFF<Bit>,
    /// Halted, and the record final: what `STATUS.HALTED` shows.
    settled: DFF<Bit>,
    retry_q: DFF<Bit>,
    skip_q: DFF<Bit>,
    error: DFF<Bits<4>>,
    err_index: DFF<Bits<16>>,
    err_addr: DFF<Bits<64>>,
    pending: DFF<Bits<8>>,
    timer: DFF<Bits<16>>,
    bytes: DFF<Bits<64>>,
    descs: DFF<Bits<32>>,
    busy_cycles: DFF<Bits<32>>,
    stall_cycles: DFF<Bits<32>>,
    raise: DFF<Bit>,
    /// Ring slot address of `fetch`, a cycle late, so the engine's fetch arbiter reads it
    /// from a register, not through an adder.
    slot_addr: DFF<Bits<64>>,
    /// Last cycle the ring held a descriptor not yet fetched, and the fetch index did
    /// not move: so `slot_addr` is the fetch index's, and the eligibility that the
    /// engine's arbiter starts from is a flip-flop and not two 16-bit compares. A
    /// doorbell makes the channel eligible a cycle after PRODUCER changes.
    work: DFF<Bit>,
    /// The ring holds a descriptor not yet fetched.
    unfetched: Signal<Local, Bit>,
    /// The completion a cycle late, for the counters and the coalescing: they need not
    /// be exact to the cycle, and the copy keeps the engine's completion logic out of
    /// their adders.
    late_done: DFF<Bit>,
    late_irq: DFF<Bit>,
    late_bytes: DFF<Bits<32>>,
    code_aborted: Param<4, { ErrorCode::Aborted as u64 }>,
    code_timeout: Param<4, { ErrorCode::Timeout as u64 }>,
    mask: Signal<Local, Bits<16>>,
    busy: Signal<Local, Bit>,
    threshold: Signal<Local, Bits<8>>,
    counted: Signal<Local, Bits<8>>,
    by_count: Signal<Local, Bit>,
    by_timer: Signal<Local, Bit>,
    waited: Signal<Local, Bits<16>>,
    /// The live count one and two lower and one higher, made from the register alone.
    live_less: Signal<Local, Bits<8>>,
    live_less2: Signal<Local, Bits<8>>,
    live_more: Signal<Local, Bits<8>>,
    /// One descriptor leaves this cycle (dropped or retired), or two.
    one_leaves: Signal<Local, Bit>,
    two_leave: Signal<Local, Bit>,
    /// CONSUMER after this cycle's completion.
    completed_to: Signal<Local, Bits<16>>,
    halting: Signal<Local, Bit>,
    aborting: Signal<Local, Bit>,
    resuming: Signal<Local, Bit>,
    settling: Signal<Local, Bit>,
}

impl Logic for DmaChannel {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            fetch,
            consumer_q,
            live,
            stopping_q,
            halted_q,
            settled,
            retry_q,
            skip_q,
            error,
            err_index,
            err_addr,
            pending,
            timer,
            bytes,
            descs,
            busy_cycles,
            stall_cycles,
            raise,
            slot_addr,
            work,
            late_done,
            late_irq,
            late_bytes
        );
        // Ring slot address of the next fetch.
        self.mask.next = (bits::<16>(1) << self.csr.ring_log2.val()) - 1;
        self.slot_addr.d.next = ((bit_cast::<64, 32>(self.csr.ring_base_hi.val()) << 32)
            | (bit_cast::<64, 27>(self.csr.ring_base_lo.val()) << 5))
            + (bit_cast::<64, 16>(self.fetch.q.val() & self.mask.val()) << 5);
        self.fetch_addr.next = self.slot_addr.q.val();
        self.fetch_index.next = self.fetch.q.val();
        self.unfetched.next = self.fetch.q.val() != self.csr.producer.val();
        self.eligible.next = self.csr.run.val() & !self.stopping_q.q.val() & self.work.q.val();
        self.stopping.next = self.stopping_q.q.val();
        self.halted.next = self.halted_q.q.val();
        self.consumer.next = self.consumer_q.q.val();
        // Indexes and live descriptors.
        if self.fetched.val() {
            self.fetch.d.next = self.fetch.q.val() + 1;
        }
        // `completed`, `fetched`, `dropped` and `retired` come last in the cycle (out of
        // the engine's completion logic, fetch arbiter and issue): they pick between sums
        // made without them instead of entering an adder.
        self.completed_to.next = self.consumer_q.q.val();
        if self.completed.val() {
            self.completed_to.next = self.consumer_q.q.val() + 1;
        }
        self.consumer_q.d.next = self.completed_to.val();
        self.live_less.next = self.live.q.val() - 1;
        self.live_less2.next = self.live.q.val() - 2;
        self.live_more.next = self.live.q.val() + 1;
        self.one_leaves.next = self.dropped.val() ^ self.retired.val();
        self.two_leave.next = self.dropped.val() & self.retired.val();
        self.live.d.next = self.live.q.val();
        if self.fetched.val() {
            self.live.d.next = self.live_more.val();
            if self.one_leaves.val() {
                self.live.d.next = self.live.q.val();
            }
            if self.two_leave.val() {
                self.live.d.next = self.live_less.val();
            }
        } else {
            if self.one_leaves.val() {
                self.live.d.next = self.live_less.val();
            }
            if self.two_leave.val() {
                self.live.d.next = self.live_less2.val();
            }
        }
        // Halt: the first error or abort wins; a halt also stops.
        self.halting.next = self.halt.val() & !self.halted_q.q.val();
        self.aborting.next = self.csr.abort.val() & !self.halted_q.q.val() & !self.halt.val();
        if self.stop.val() | self.halting.val() | self.aborting.val() {
            self.stopping_q.d.next = true;
        }
        if self.halting.val() {
            self.halted_q.d.next = true;
            self.error.d.next = self.halt_code.val();
            self.err_index.d.next = self.halt_index.val();
            self.err_addr.d.next = self.halt_addr.val();
        }
        // An abort lets the transfers in the mover finish, and their descriptors
        // complete: the record follows them, so ERR_INDEX is the first descriptor not
        // completed, as CONSUMER is.
        if self.aborting.val()
            | (self.halted_q.q.val() & (self.error.q.val() == self.code_aborted.val()))
        {
            self.err_index.d.next = self.completed_to.val();
        }
        if self.aborting.val() {
            self.halted_q.d.next = true;
            self.error.d.next = self.code_aborted.val();
            self.err_addr.d.next = 0.into();
        }
        // Resume once nothing fetched before the halt is left: retry restarts at the
        // failed descriptor, skip steps past it.
        if self.halted_q.q.val() & self.csr.retry.val() {
            self.retry_q.d.next = true;
        }
        if self.halted_q.q.val() & self.csr.skip.val() {
            self.skip_q.d.next = true;
        }
        self.resuming.next = self.halted_q.q.val()
            & (self.retry_q.q.val() | self.skip_q.q.val())
            & !self.live.q.val().any();
        self.work.d.next = self.unfetched.val() & !self.fetched.val() & !self.resuming.val();
        if self.resuming.val() {
            self.halted_q.d.next = false;
            self.stopping_q.d.next = false;
            self.retry_q.d.next = false;
            self.skip_q.d.next = false;
            self.error.d.next = 0.into();
            self.fetch.d.next = self.consumer_q.q.val();
            // SKIP steps past the descriptor at ERR_INDEX; an abort of a channel that had
            // finished leaves none there, and nothing is skipped.
            if self.skip_q.q.val() & (self.consumer_q.q.val() != self.csr.producer.val()) {
                self.consumer_q.d.next = self.consumer_q.q.val() + 1;
                self.fetch.d.next = self.consumer_q.q.val() + 1;
            }
        }
        // Interrupt coalescing: after COUNT completions with IRQ set, or TIMER cycles
        // after the first one not yet signalled; a halt signals when it shows.
        self.threshold.next = self.csr.coalesce_count.val();
        if !self.csr.coalesce_count.val().any() {
            self.threshold.next = 1.into();
        }
        self.late_done.d.next = self.completed.val();
        self.late_irq.d.next = self.completed_irq.val();
        self.late_bytes.d.next = self.completed_bytes.val();
        self.counted.next = self.pending.q.val();
        if self.late_done.q.val() & self.late_irq.q.val() {
            self.counted.next = self.pending.q.val() + 1;
        }
        self.by_count.next = self.late_done.q.val()
            & self.late_irq.q.val()
            & (self.counted.val() >= self.threshold.val());
        // The sum goes through a 16-bit Local so it wraps alike in Rust and Verilog.
        self.waited.next = self.timer.q.val() + 1;
        self.by_timer.next = self.pending.q.val().any()
            & self.csr.coalesce_timer.val().any()
            & (self.waited.val() >= self.csr.coalesce_timer.val());
        self.pending.d.next = self.counted.val();
        if self.pending.q.val().any() & self.csr.coalesce_timer.val().any() {
            self.timer.d.next = self.waited.val();
        }
        // A halt shows, and signals at once, when its record is final.
        self.settling.next = self.halted_q.q.val()
            & (!self.live.q.val().any() | (self.error.q.val() == self.code_timeout.val()));
        self.settled.d.next = self.settling.val() & !self.resuming.val();
        self.raise.d.next = self.by_count.val()
            | self.by_timer.val()
            | (self.settling.val() & !self.settled.q.val());
        if self.by_count.val() | self.by_timer.val() {
            self.pending.d.next = 0.into();
            self.timer.d.next = 0.into();
        }
        // Counters.
        if self.late_done.q.val() {
            self.bytes.d.next = self.bytes.q.val() + bit_cast::<64, 32>(self.late_bytes.q.val());
            self.descs.d.next = self.descs.q.val() + 1;
        }
        self.busy.next = self.live.q.val().any()
            | (self.csr.run.val() & !self.stopping_q.q.val() & self.unfetched.val());
        if self.busy.val() {
            self.busy_cycles.d.next = self.busy_cycles.q.val() + 1;
            if !self.beat.val() {
                self.stall_cycles.d.next = self.stall_cycles.q.val() + 1;
            }
        }
        // Status to the CSRs.
        self.csr.consumer.next = self.consumer_q.q.val();
        self.csr.busy.next = self.busy.val();
        self.csr.halted.next = self.settled.q.val();
        self.csr.error.next = self.error.q.val();
        self.csr.err_index.next = self.err_index.q.val();
        self.csr.err_addr_lo.next = self.err_addr.q.val().get_bits::<32>(0);
        self.csr.err_addr_hi.next = self.err_addr.q.val().get_bits::<32>(32);
        self.csr.bytes_lo.next = self.bytes.q.val().get_bits::<32>(0);
        self.csr.bytes_hi.next = self.bytes.q.val().get_bits::<32>(32);
        self.csr.descs.next = self.descs.q.val();
        self.csr.busy_cycles.next = self.busy_cycles.q.val();
        self.csr.stall_cycles.next = self.stall_cycles.q.val();
        self.csr.interrupt.next = self.raise.q.val();
        if self.reset.val() {
            self.fetch.d.next = 0.into();
            self.work.d.next = false;
            self.consumer_q.d.next = 0.into();
            self.live.d.next = 0.into();
            self.stopping_q.d.next = false;
            self.halted_q.d.next = false;
            self.settled.d.next = false;
            self.retry_q.d.next = false;
            self.skip_q.d.next = false;
            self.error.d.next = 0.into();
            self.err_index.d.next = 0.into();
            self.err_addr.d.next = 0.into();
            self.pending.d.next = 0.into();
            self.timer.d.next = 0.into();
            self.bytes.d.next = 0.into();
            self.descs.d.next = 0.into();
            self.busy_cycles.d.next = 0.into();
            self.stall_cycles.d.next = 0.into();
            self.raise.d.next = false;
            self.late_done.d.next = false;
        }
    }
}

crate::port_map!(DmaChannel as "channel" {
    clock: clock,
    in reset,
    in csr.ring_base_lo,
    in csr.ring_base_hi,
    in csr.ring_log2,
    in csr.producer,
    in csr.run,
    in csr.retry,
    in csr.skip,
    in csr.abort,
    in csr.coalesce_count,
    in csr.coalesce_timer,
    out csr.consumer,
    out csr.busy,
    out csr.halted,
    out csr.error,
    out csr.err_index,
    out csr.err_addr_lo,
    out csr.err_addr_hi,
    out csr.bytes_lo,
    out csr.bytes_hi,
    out csr.descs,
    out csr.busy_cycles,
    out csr.stall_cycles,
    out csr.interrupt,
    in fetched,
    in dropped,
    in retired,
    in completed,
    in completed_irq,
    in completed_bytes,
    in stop,
    in halt,
    in halt_code,
    in halt_index,
    in halt_addr,
    in beat,
    out fetch_index,
    out fetch_addr,
    out eligible,
    out stopping,
    out halted,
    out consumer,
});

//! The scatter-gather engine: channels with descriptor rings, descriptor fetch with
//! prefetch, checks, the data mover and in-place status write-back, on one AXI4 master.
//!
//! Four stages, each a queue:
//! 1. **Fetch.** Round robin per descriptor over the channels with work: fair whatever
//!    the transfer sizes, and a descriptor is the unit a channel halts or resumes on.
//!    Each fetch is one 2-beat read with AXI ID 1 (data reads use ID 0; R beats are
//!    routed by ID); up to [`PREFETCH`] descriptors are in flight or waiting, so the
//!    next descriptors are in the engine before the current transfer ends. The round
//!    robin decides a cycle ahead, on the cycle's eligibility, into the *grant*
//!    register; the next cycle fetches for the granted channel if it is still eligible,
//!    so the arbiter's priority logic is not on the path from a channel's eligibility
//!    to its fetch.
//! 2. **Check and issue.** The oldest fetched descriptor leaves the queue into the
//!    *head* register and is checked there ([`super::check`]); checked, it waits in the
//!    *checked* register and goes to the mover, or, failing, becomes a *marker* that
//!    halts its channel in order. The two registers pipeline the check with the issue
//!    and keep the queue's block RAM, the check's arithmetic and the issue logic in
//!    separate cycles.
//!    A FENCE descriptor waits until every earlier descriptor of its channel completed.
//!    Descriptors of a stopping channel are dropped unstarted.
//! 3. **Mover.** Copies and fills in one in-order command stream; beside it, the 8-byte
//!    status write-backs (the descriptor's STATUS and BYTES words), which the mover's
//!    write half puts between data bursts, so they never wait for the data queued
//!    behind them.
//! 4. **Completion.** In command order: a finished transfer queues its status
//!    write-back; a finished write-back (in the order they were queued) advances the
//!    consumer index, the counters and the interrupt coalescing. An error halts the channel with its code, index and
//!    faulting address; later descriptors of a halted channel are discarded (software
//!    resumes at the failed one, so they run again). The stage decides on the head of
//!    the command queue and the mover's answer; what the decision does to its channel
//!    (retire, CONSUMER, counters) lands a cycle later from the *retiring* register,
//!    and the next decision counts it, so the decision, which waits on the mover, does
//!    not also drive the channels' adders.
//!
//! The status write-back of a descriptor is issued only after its data's write responses,
//! so once software sees DONE the data is in memory; it is issued a few cycles after the
//! last of them, whatever is queued behind it.

use rust_hdl::prelude::*;

use cdm_regmap::descriptor::{ctrl, offset, ErrorCode, Opcode};
use cdm_regmap::DMA_CHANNELS;

use super::channel::{ChannelCsr, DmaChannel};
use super::check::{DescriptorCheck, WindowPorts, WINDOWS};
use super::mover::DmaMover;
use crate::bus::axi4::Axi4Master;
use crate::param::Param;
use crate::queue::fifo::Fifo;
use crate::queue::registered_fifo::RegisteredFifo;

/// Channels (a build-time parameter, from the register map).
pub const CHANNELS: usize = DMA_CHANNELS as usize;
/// Descriptors fetched or being fetched and not yet issued.
pub const PREFETCH: u64 = 64;
/// Descriptors between issue and retirement (status write-back included).
pub const IN_FLIGHT: u64 = 64;
// The fetch takes a descriptor as two 16-byte beats and the status write-back targets
// STATUS (`+ 0x18`); a kernel cannot name constants, so its literals are tied to the
// register map's layout here.
const _: () = assert!(
    offset::SRC == 0
        && offset::DST == 8
        && offset::LEN == 16
        && offset::CTRL == 20
        && offset::STATUS == 0x18
        && offset::BYTES == offset::STATUS + 4
);
// Every entry of the completion and write-back queues belongs to a descriptor in flight,
// so none fills: the completion stage need not look at `wbq.full` or `stq.full`.
const _: () = assert!(IN_FLIGHT <= 1 << 6);

/// Where a descriptor being fetched comes from.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct FetchTag {
    pub addr: Bits<64>,
    pub index: Bits<16>,
    /// One-hot.
    pub channel: Bits<CHANNELS>,
}

/// A fetched descriptor (its first 24 bytes) and where it came from.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct Fetched {
    pub src: Bits<64>,
    pub dst: Bits<64>,
    pub len: Bits<32>,
    pub ctrl: Bits<32>,
    /// The descriptor's read had an error response.
    pub fetch_err: Bit,
    pub addr: Bits<64>,
    pub index: Bits<16>,
    /// One-hot.
    pub channel: Bits<CHANNELS>,
}

/// A checked descriptor, its CTRL word reduced to what issue needs.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct Checked {
    pub src: Bits<64>,
    pub dst: Bits<64>,
    pub len: Bits<32>,
    /// Opcode FILL (else COPY: the check failed any other).
    pub fill: Bit,
    pub irq: Bit,
    pub fence: Bit,
    pub addr: Bits<64>,
    pub index: Bits<16>,
    /// One-hot.
    pub channel: Bits<CHANNELS>,
}

/// What a channel records when it halts.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct HaltRecord {
    /// One-hot.
    pub channel: Bits<CHANNELS>,
    pub code: Bits<4>,
    pub index: Bits<16>,
    pub addr: Bits<64>,
}

/// The head register's descriptor, on its way from the queue to the checked register.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum Head {
    Empty,
    /// Loaded; the check starts now (or is skipped: fetch error).
    Loaded,
    Checking,
    /// Checked, its code in `head_code`, waiting for the checked register.
    Checked,
}

/// What a completion tag stands for.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum Completion {
    /// A COPY or FILL the mover carries out.
    Transfer,
    /// A descriptor that failed before anything was issued for it.
    Marker,
}

/// A command issued to the mover (or a marker), waiting in issue order for its end.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct CompletionTag {
    pub kind: Completion,
    /// The descriptor's address.
    pub addr: Bits<64>,
    /// A transfer's source; a marker's faulting address.
    pub src: Bits<64>,
    pub dst: Bits<64>,
    pub len: Bits<32>,
    /// One-hot.
    pub channel: Bits<CHANNELS>,
    pub index: Bits<16>,
    pub code: Bits<4>,
    pub irq: Bit,
}

/// A completion's effect on its channel, applied a cycle after the completion stage
/// decides it: that decision waits on the mover's answer, and ends in these flip-flops
/// instead of in the channels' index and count adders.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct Retirement {
    /// One-hot.
    pub channel: Bits<CHANNELS>,
    /// The descriptor leaves the engine.
    pub retire: Bit,
    /// It completed: CONSUMER passes it.
    pub complete: Bit,
    pub irq: Bit,
    pub bytes: Bits<32>,
}

/// A descriptor's status write-back, waiting for its turn at the mover (in `wbq`) or
/// for its write response (in `stq`).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct StatusWrite {
    /// The descriptor's address.
    pub addr: Bits<64>,
    pub len: Bits<32>,
    /// One-hot.
    pub channel: Bits<CHANNELS>,
    pub index: Bits<16>,
    pub code: Bits<4>,
    pub irq: Bit,
}

#[derive(LogicBlock, Default)]
pub struct DmaEngine {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// GLOBAL.CTRL.ENABLE: no descriptor is fetched while low.
    pub enable: Signal<In, Bit>,
    /// GLOBAL.DMA_WATCHDOG.CYCLES.
    pub watchdog: Signal<In, Bits<32>>,
    pub csr: [ChannelCsr; CHANNELS],
    pub windows: [WindowPorts; WINDOWS],
    pub m: Axi4Master<4, 64, 128, 16>,
    /// Some channel is busy.
    pub busy: Signal<Out, Bit>,
    channels: [DmaChannel; CHANNELS],
    check: DescriptorCheck,
    mover: DmaMover,
    tags: Fifo<FetchTag, 6, 7>,
    descs: Fifo<Fetched, 6, 7>,
    ctags: RegisteredFifo<CompletionTag, 6, 7>,
    /// A plain FIFO: its head goes only into registers (the write half's AW register and
    /// `stq`), and a status write-back gains the cycle of a registered head.
    wbq: Fifo<StatusWrite, 6, 7>,
    stq: RegisteredFifo<StatusWrite, 6, 7>,
    // Fetch.
    last: DFF<Bits<CHANNELS>>,
    /// The round robin's choice (one-hot, or none), fetched in the next cycle.
    grant: DFF<Bits<CHANNELS>>,
    ar_valid: DFF<Bit>,
    ar_addr: DFF<Bits<64>>,
    mover_shown: DFF<Bit>,
    credits: DFF<Bits<7>>,
    beat_odd: DFF<Bit>,
    beat0: DFF<Bits<128>>,
    beat0_err: DFF<Bit>,
    // Check and issue.
    head_state: DFF<Head>,
    head: DFF<Fetched>,
    head_code: DFF<Bits<4>>,
    checked_valid: DFF<Bit>,
    checked: DFF<Checked>,
    code: DFF<Bits<4>>,
    in_flight: DFF<Bits<7>>,
    retiring: DFF<Retirement>,
    /// The retirement landing this cycle completes a descriptor of the head's channel.
    c_landing: Signal<Local, Bit>,
    /// The landing retirement's channel (a field copied out, to be indexed).
    r_ch: Signal<Local, Bits<CHANNELS>>,
    // Completion.
    wd: DFF<Bits<32>>,
    moved: DFF<Bit>,
    /// A halt, on its way to its channel (a cycle late, so that the completion logic and
    /// the channel's record are separate timing paths).
    halt_pending: DFF<Bit>,
    halt_record: DFF<HaltRecord>,
    prefetch: Param<7, { PREFETCH }>,
    in_flight_max: Param<7, { IN_FLIGHT }>,
    last_reset: Param<CHANNELS, { 1u64 << (CHANNELS - 1) }>,
    opcode_mask: Param<32, { ctrl::OPCODE_MASK as u64 }>,
    op_fill: Param<32, { Opcode::Fill as u64 }>,
    irq_mask: Param<32, { ctrl::IRQ as u64 }>,
    fence_mask: Param<32, { ctrl::FENCE as u64 }>,
    code_fetch: Param<4, { ErrorCode::FetchError as u64 }>,
    code_src_window: Param<4, { ErrorCode::SourceWindow as u64 }>,
    code_dst_window: Param<4, { ErrorCode::DestinationWindow as u64 }>,
    code_read: Param<4, { ErrorCode::ReadError as u64 }>,
    code_write: Param<4, { ErrorCode::WriteError as u64 }>,
    code_status: Param<4, { ErrorCode::StatusError as u64 }>,
    code_timeout: Param<4, { ErrorCode::Timeout as u64 }>,
    status_offset: Param<64, { offset::STATUS }>,
    // Fetch locals.
    eligible: Signal<Local, Bits<CHANNELS>>,
    above: Signal<Local, Bits<CHANNELS>>,
    pick: Signal<Local, Bits<CHANNELS>>,
    /// The granted channel, while it is still eligible.
    granted: Signal<Local, Bits<CHANNELS>>,
    pick_fire: Signal<Local, Bit>,
    f_addr: Signal<Local, Bits<64>>,
    f_index: Signal<Local, Bits<16>>,
    sel_fetch: Signal<Local, Bit>,
    r_fetch: Signal<Local, Bit>,
    r_err: Signal<Local, Bit>,
    desc_push: Signal<Local, Bit>,
    // Check and issue locals.
    h_ch: Signal<Local, Bits<CHANNELS>>,
    h_ctrl: Signal<Local, Bits<32>>,
    h_move: Signal<Local, Bit>,
    h_code: Signal<Local, Bits<4>>,
    h_load: Signal<Local, Bit>,
    d_src: Signal<Local, Bits<64>>,
    d_dst: Signal<Local, Bits<64>>,
    d_len: Signal<Local, Bits<32>>,
    d_fill: Signal<Local, Bit>,
    d_irq: Signal<Local, Bit>,
    d_fence: Signal<Local, Bit>,
    d_addr: Signal<Local, Bits<64>>,
    d_index: Signal<Local, Bits<16>>,
    d_ch: Signal<Local, Bits<CHANNELS>>,
    d_stopping: Signal<Local, Bit>,
    /// The checked descriptor's channel has completed every descriptor before it (a
    /// fence may go): each channel's CONSUMER compared with the index, then the
    /// channel's result chosen, so the compares do not wait on the channel select.
    d_caught_up: Signal<Local, Bit>,
    room: Signal<Local, Bit>,
    drop: Signal<Local, Bit>,
    marker_go: Signal<Local, Bit>,
    data_go: Signal<Local, Bit>,
    issue_ok: Signal<Local, Bit>,
    fault: Signal<Local, Bits<64>>,
    w_addr: Signal<Local, Bits<64>>,
    w_len: Signal<Local, Bits<32>>,
    w_code: Signal<Local, Bits<4>>,
    w_bytes: Signal<Local, Bits<32>>,
    /// The mover takes the oldest status write-back.
    w_taken: Signal<Local, Bit>,
    pushed: Signal<Local, CompletionTag>,
    // Completion locals.
    /// The completion stage looks at the oldest status write-back (`stq`), not at the
    /// oldest command: its response is in, or no command is left.
    c_status: Signal<Local, Bit>,
    s_fire: Signal<Local, Bit>,
    c_kind: Signal<Local, Completion>,
    c_addr: Signal<Local, Bits<64>>,
    c_src: Signal<Local, Bits<64>>,
    c_dst: Signal<Local, Bits<64>>,
    c_len: Signal<Local, Bits<32>>,
    c_ch: Signal<Local, Bits<CHANNELS>>,
    c_index: Signal<Local, Bits<16>>,
    c_code: Signal<Local, Bits<4>>,
    c_irq: Signal<Local, Bit>,
    c_halted: Signal<Local, Bit>,
    c_consumer: Signal<Local, Bits<16>>,
    c_fire: Signal<Local, Bit>,
    q_push: Signal<Local, Bit>,
    q_code: Signal<Local, Bits<4>>,
    retire: Signal<Local, Bit>,
    complete: Signal<Local, Bit>,
    halt_now: Signal<Local, Bit>,
    halt_code: Signal<Local, Bits<4>>,
    halt_addr: Signal<Local, Bits<64>>,
    /// The mover has answered the head's transfer, and no halt is on its way.
    answered: Signal<Local, Bit>,
    halt_ch: Signal<Local, Bits<CHANNELS>>,
    waiting: Signal<Local, Bit>,
    any_busy: Signal<Local, Bit>,
}

impl Logic for DmaEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            last,
            grant,
            ar_valid,
            ar_addr,
            mover_shown,
            credits,
            beat_odd,
            beat0,
            beat0_err,
            head_state,
            head,
            head_code,
            checked_valid,
            checked,
            code,
            in_flight,
            retiring,
            wd,
            moved,
            halt_pending,
            halt_record
        );
        clock!(self, clock, check, mover, tags, descs, ctags, wbq, stq);
        self.check.reset.next = self.reset.val();
        self.mover.reset.next = self.reset.val();
        self.tags.reset.next = self.reset.val();
        self.descs.reset.next = self.reset.val();
        self.ctags.reset.next = self.reset.val();
        self.wbq.reset.next = self.reset.val();
        self.stq.reset.next = self.reset.val();
        for i in 0..WINDOWS {
            WindowPorts::link(&mut self.windows[i], &mut self.check.windows[i]);
        }

        // ---- Fetch: round robin over channels with work, one descriptor each.
        self.eligible.next = 0.into();
        for i in 0..CHANNELS {
            self.eligible.next = self
                .eligible
                .val()
                .replace_bit(i, self.channels[i].eligible.val());
        }
        // Channels after the last one served come first; the lowest such one wins.
        self.above.next = self.eligible.val() & !((self.last.q.val() << 1) - 1);
        if !self.above.val().any() {
            self.above.next = self.eligible.val();
        }
        self.pick.next = self.above.val() & (!self.above.val() + 1);
        self.grant.d.next = self.pick.val();
        self.granted.next = self.grant.q.val() & self.eligible.val();
        self.f_addr.next = 0.into();
        self.f_index.next = 0.into();
        for i in 0..CHANNELS {
            if self.grant.q.val().get_bit(i) {
                self.f_addr.next = self.channels[i].fetch_addr.val();
                self.f_index.next = self.channels[i].fetch_index.val();
            }
        }
        // The AR channel: a fetch goes first unless the mover's request is already
        // on the bus (it must stay there until taken).
        self.sel_fetch.next = self.ar_valid.q.val() & !self.mover_shown.q.val();
        self.pick_fire.next = self.enable.val()
            & self.granted.val().any()
            & (self.credits.q.val() < self.prefetch.val())
            & !self.tags.full.val()
            & (!self.ar_valid.q.val() | (self.sel_fetch.val() & self.m.arready.val()));
        if self.sel_fetch.val() & self.m.arready.val() {
            self.ar_valid.d.next = false;
        }
        if self.pick_fire.val() {
            self.ar_valid.d.next = true;
            self.ar_addr.d.next = self.f_addr.val();
            self.last.d.next = self.grant.q.val();
        }
        self.tags.push.next = self.pick_fire.val();
        self.tags.data_in.next.addr = self.f_addr.val();
        self.tags.data_in.next.index = self.f_index.val();
        self.tags.data_in.next.channel = self.grant.q.val();
        self.mover_shown.d.next =
            !self.sel_fetch.val() & self.mover.m.arvalid.val() & !self.m.arready.val();
        self.m.arid.next = self.mover.m.arid.val();
        self.m.araddr.next = self.mover.m.araddr.val();
        self.m.arlen.next = self.mover.m.arlen.val();
        self.m.arsize.next = self.mover.m.arsize.val();
        self.m.arburst.next = self.mover.m.arburst.val();
        self.m.arvalid.next = self.mover.m.arvalid.val();
        if self.sel_fetch.val() {
            self.m.arid.next = 1.into();
            self.m.araddr.next = self.ar_addr.q.val();
            self.m.arlen.next = 1.into();
            self.m.arsize.next = 4.into();
            self.m.arburst.next = 1.into();
            self.m.arvalid.next = true;
        }
        self.mover.m.arready.next = self.m.arready.val() & !self.sel_fetch.val();
        // R beats with ID 1 are descriptor words; there is always room for them.
        self.r_fetch.next = self.m.rid.val() == 1;
        self.mover.m.rid.next = self.m.rid.val();
        self.mover.m.rdata.next = self.m.rdata.val();
        self.mover.m.rresp.next = self.m.rresp.val();
        self.mover.m.rlast.next = self.m.rlast.val();
        self.mover.m.rvalid.next = self.m.rvalid.val() & !self.r_fetch.val();
        self.m.rready.next = self.r_fetch.val() | self.mover.m.rready.val();
        self.r_err.next = self.m.rresp.val().get_bit(1);
        self.desc_push.next = false;
        if self.m.rvalid.val() & self.r_fetch.val() {
            self.beat_odd.d.next = !self.beat_odd.q.val();
            if !self.beat_odd.q.val() {
                self.beat0.d.next = self.m.rdata.val();
                self.beat0_err.d.next = self.r_err.val();
            } else {
                self.desc_push.next = true;
            }
        }
        self.tags.pop.next = self.desc_push.val();
        self.descs.push.next = self.desc_push.val();
        self.descs.data_in.next.src = self.beat0.q.val().get_bits::<64>(0);
        self.descs.data_in.next.dst = self.beat0.q.val().get_bits::<64>(64);
        self.descs.data_in.next.len = self.m.rdata.val().get_bits::<32>(0);
        self.descs.data_in.next.ctrl = self.m.rdata.val().get_bits::<32>(32);
        self.descs.data_in.next.fetch_err = self.beat0_err.q.val() | self.r_err.val();
        self.descs.data_in.next.addr = self.tags.data_out.val().addr;
        self.descs.data_in.next.index = self.tags.data_out.val().index;
        self.descs.data_in.next.channel = self.tags.data_out.val().channel;

        // ---- Check: the head register holds the oldest descriptor while it is checked.
        self.h_ch.next = self.head.q.val().channel;
        self.h_ctrl.next = self.head.q.val().ctrl;
        self.check.src.next = self.head.q.val().src;
        self.check.dst.next = self.head.q.val().dst;
        self.check.len.next = self.head.q.val().len;
        self.check.ctrl.next = self.h_ctrl.val();
        self.check.start.next = false;
        // The head moves on when checked and the checked register is free; one whose
        // fetch failed moves at once. A stopping channel's descriptor is checked like any
        // other and dropped at issue (its channel stays stopping until its live
        // descriptors are gone): looking up the channel's stop here put the channel
        // select in front of the queue's pop, the engine's longest path.
        self.h_move.next = false;
        self.h_code.next = self.head_code.q.val();
        match self.head_state.q.val() {
            Head::Empty => {}
            Head::Loaded => {
                if self.head.q.val().fetch_err {
                    self.h_code.next = self.code_fetch.val();
                    self.h_move.next = !self.checked_valid.q.val();
                } else {
                    self.check.start.next = true;
                    self.head_state.d.next = Head::Checking;
                }
            }
            Head::Checking => {
                if self.check.done.val() {
                    self.h_code.next = self.check.error.val();
                    self.head_code.d.next = self.check.error.val();
                    self.head_state.d.next = Head::Checked;
                    self.h_move.next = !self.checked_valid.q.val();
                }
            }
            Head::Checked => {
                self.h_move.next = !self.checked_valid.q.val();
            }
        }
        if self.h_move.val() {
            self.head_state.d.next = Head::Empty;
            self.checked_valid.d.next = true;
            self.checked.d.next.src = self.head.q.val().src;
            self.checked.d.next.dst = self.head.q.val().dst;
            self.checked.d.next.len = self.head.q.val().len;
            self.checked.d.next.fill =
                (self.h_ctrl.val() & self.opcode_mask.val()) == self.op_fill.val();
            self.checked.d.next.irq = (self.h_ctrl.val() & self.irq_mask.val()).any();
            self.checked.d.next.fence = (self.h_ctrl.val() & self.fence_mask.val()).any();
            self.checked.d.next.addr = self.head.q.val().addr;
            self.checked.d.next.index = self.head.q.val().index;
            self.checked.d.next.channel = self.h_ch.val();
            self.code.d.next = self.h_code.val();
        }
        self.h_load.next = ((self.head_state.q.val() == Head::Empty) | self.h_move.val())
            & !self.descs.empty.val();
        self.descs.pop.next = self.h_load.val();
        if self.h_load.val() {
            self.head_state.d.next = Head::Loaded;
            self.head.d.next = self.descs.data_out.val();
        }

        // ---- Issue: start the checked descriptor, or fail it.
        self.d_src.next = self.checked.q.val().src;
        self.d_dst.next = self.checked.q.val().dst;
        self.d_len.next = self.checked.q.val().len;
        self.d_fill.next = self.checked.q.val().fill;
        self.d_irq.next = self.checked.q.val().irq;
        self.d_fence.next = self.checked.q.val().fence;
        self.d_addr.next = self.checked.q.val().addr;
        self.d_index.next = self.checked.q.val().index;
        self.d_ch.next = self.checked.q.val().channel;
        self.d_stopping.next = false;
        self.d_caught_up.next = false;
        for i in 0..CHANNELS {
            if self.d_ch.val().get_bit(i) {
                self.d_stopping.next = self.channels[i].stopping.val();
                self.d_caught_up.next = self.channels[i].consumer.val() == self.d_index.val();
            }
        }
        self.room.next = self.in_flight.q.val() < self.in_flight_max.val();
        self.drop.next = self.checked_valid.q.val() & self.d_stopping.val();
        self.marker_go.next = false;
        self.data_go.next = false;
        self.issue_ok.next = self.room.val()
            & self.mover.cmd_ready.val()
            & (!self.d_fence.val() | self.d_caught_up.val());
        if self.checked_valid.q.val() & !self.d_stopping.val() {
            if self.code.q.val().any() {
                self.marker_go.next = self.room.val();
            } else {
                self.data_go.next = self.issue_ok.val();
            }
        }
        if self.drop.val() | self.marker_go.val() | self.data_go.val() {
            self.checked_valid.d.next = false;
        }
        self.fault.next = self.d_addr.val();
        if self.code.q.val() == self.code_src_window.val() {
            self.fault.next = self.d_src.val();
        }
        if self.code.q.val() == self.code_dst_window.val() {
            self.fault.next = self.d_dst.val();
        }
        // The mover's command: the checked descriptor.
        self.mover.cmd_src.next = self.d_src.val();
        self.mover.cmd_dst.next = self.d_dst.val();
        self.mover.cmd_len.next = self.d_len.val();
        self.mover.cmd_fill.next = self.d_fill.val();
        self.mover.cmd_pattern.next = self.d_src.val();
        self.mover.cmd_valid.next = self.data_go.val();
        // The oldest status write-back, to the mover's own port for them; once issued,
        // it waits in `stq` for its response.
        self.w_addr.next = self.wbq.data_out.val().addr;
        self.w_len.next = self.wbq.data_out.val().len;
        self.w_code.next = self.wbq.data_out.val().code;
        self.w_bytes.next = self.w_len.val();
        if self.w_code.val().any() {
            self.w_bytes.next = 0.into();
        }
        self.mover.status_valid.next = !self.wbq.empty.val();
        // Descriptors are 32-byte aligned: STATUS is at `| 0x18`.
        self.mover.status_addr.next = self.w_addr.val() | self.status_offset.val();
        // STATUS: DONE | ERROR << 4; BYTES: bytes completed.
        self.mover.status_pattern.next = (bit_cast::<64, 32>(self.w_bytes.val()) << 32)
            | (bit_cast::<64, 4>(self.w_code.val()) << 4)
            | 1;
        self.w_taken.next = !self.wbq.empty.val() & self.mover.status_ready.val();
        self.wbq.pop.next = self.w_taken.val();
        self.stq.push.next = self.w_taken.val();
        self.stq.data_in.next = self.wbq.data_out.val();
        // Completion tags, in command order.
        self.pushed.next.kind = Completion::Transfer;
        self.pushed.next.addr = self.d_addr.val();
        self.pushed.next.src = self.d_src.val();
        self.pushed.next.dst = self.d_dst.val();
        self.pushed.next.len = self.d_len.val();
        self.pushed.next.channel = self.d_ch.val();
        self.pushed.next.index = self.d_index.val();
        self.pushed.next.code = 0.into();
        self.pushed.next.irq = self.d_irq.val();
        if self.marker_go.val() {
            self.pushed.next.kind = Completion::Marker;
            self.pushed.next.code = self.code.q.val();
            self.pushed.next.src = self.fault.val();
        }
        self.ctags.push.next = self.marker_go.val() | self.data_go.val();
        self.ctags.data_in.next = self.pushed.val();

        // ---- Completion: commands in command order, status write-backs in theirs; a
        // status write-back's response goes first.
        self.c_status.next = self.mover.status_done_valid.val() | self.ctags.empty.val();
        self.c_kind.next = self.ctags.data_out.val().kind;
        self.c_addr.next = self.ctags.data_out.val().addr;
        self.c_src.next = self.ctags.data_out.val().src;
        self.c_dst.next = self.ctags.data_out.val().dst;
        self.c_len.next = self.ctags.data_out.val().len;
        self.c_ch.next = self.ctags.data_out.val().channel;
        self.c_index.next = self.ctags.data_out.val().index;
        self.c_code.next = self.ctags.data_out.val().code;
        self.c_irq.next = self.ctags.data_out.val().irq;
        if self.c_status.val() {
            self.c_addr.next = self.stq.data_out.val().addr;
            self.c_len.next = self.stq.data_out.val().len;
            self.c_ch.next = self.stq.data_out.val().channel;
            self.c_index.next = self.stq.data_out.val().index;
            self.c_code.next = self.stq.data_out.val().code;
            self.c_irq.next = self.stq.data_out.val().irq;
        }
        self.c_halted.next = false;
        self.c_consumer.next = 0.into();
        for i in 0..CHANNELS {
            if self.c_ch.val().get_bit(i) {
                self.c_halted.next = self.channels[i].halted.val();
                self.c_consumer.next = self.channels[i].consumer.val();
            }
        }
        // CONSUMER as it stands once last cycle's completion has landed.
        self.r_ch.next = self.retiring.q.val().channel;
        self.c_landing.next =
            self.retiring.q.val().complete & (self.r_ch.val() & self.c_ch.val()).any();
        if self.c_landing.val() {
            self.c_consumer.next = self.c_consumer.val() + 1;
        }
        // Completions wait while a halt is on its way, so the next one sees it.
        self.s_fire.next = self.mover.status_done_valid.val() & !self.halt_pending.q.val();
        self.c_fire.next = !self.ctags.empty.val()
            & !self.halt_pending.q.val()
            & !self.mover.status_done_valid.val()
            & ((self.c_kind.val() == Completion::Marker) | self.mover.done_valid.val());
        self.mover.done_ready.next = self.c_fire.val() & (self.c_kind.val() != Completion::Marker);
        self.ctags.pop.next = self.c_fire.val();
        self.mover.status_done_ready.next = self.s_fire.val();
        self.stq.pop.next = self.s_fire.val();
        self.q_push.next = false;
        self.q_code.next = 0.into();
        self.retire.next = false;
        self.complete.next = false;
        self.halt_now.next = false;
        // What a halt records, chosen from the head's kind and the mover's answer
        // without waiting for `c_fire` (late: it gates on that answer); it is read only
        // when a halt comes. A head the mover has not answered halts only by the watchdog.
        self.answered.next = self.mover.done_valid.val() & !self.halt_pending.q.val();
        self.halt_code.next = self.code_timeout.val();
        self.halt_addr.next = self.c_addr.val();
        if self.c_status.val() {
            if self.mover.status_done_valid.val() {
                self.halt_code.next = self.code_status.val();
                self.halt_addr.next = self.c_addr.val() | self.status_offset.val();
            }
        } else {
            match self.c_kind.val() {
                Completion::Transfer => {
                    if self.answered.val() {
                        self.halt_code.next = self.code_write.val();
                        self.halt_addr.next = self.c_dst.val();
                        if self.mover.done_read_err.val() {
                            self.halt_code.next = self.code_read.val();
                            self.halt_addr.next = self.c_src.val();
                        }
                    }
                }
                Completion::Marker => {
                    self.halt_code.next = self.c_code.val();
                    self.halt_addr.next = self.c_src.val();
                }
            }
        }
        if self.s_fire.val() {
            // After a halt, only descriptors before the failed one still complete: the
            // consumer index moves in order or not at all. A failed descriptor's status
            // write-back only retires it.
            self.retire.next = true;
            if !self.c_code.val().any() {
                if self.mover.status_done_err.val() {
                    self.halt_now.next = true;
                } else {
                    self.complete.next = self.c_index.val() == self.c_consumer.val();
                }
            }
        }
        if self.c_fire.val() {
            match self.c_kind.val() {
                Completion::Transfer => {
                    if self.c_halted.val() {
                        self.retire.next = true;
                    } else {
                        self.q_push.next = true;
                        if self.mover.done_write_err.val() {
                            self.q_code.next = self.code_write.val();
                            self.halt_now.next = true;
                        }
                        if self.mover.done_read_err.val() {
                            self.q_code.next = self.code_read.val();
                            self.halt_now.next = true;
                        }
                    }
                }
                Completion::Marker => {
                    if self.c_halted.val() {
                        self.retire.next = true;
                    } else {
                        self.halt_now.next = true;
                        // A descriptor that could not be read gets no status write.
                        if self.c_code.val() == self.code_fetch.val() {
                            self.retire.next = true;
                        } else {
                            self.q_push.next = true;
                            self.q_code.next = self.c_code.val();
                        }
                    }
                }
            }
        }
        self.wbq.push.next = self.q_push.val();
        self.wbq.data_in.next.addr = self.c_addr.val();
        self.wbq.data_in.next.len = self.c_len.val();
        self.wbq.data_in.next.channel = self.c_ch.val();
        self.wbq.data_in.next.index = self.c_index.val();
        self.wbq.data_in.next.code = self.q_code.val();
        self.wbq.data_in.next.irq = self.c_irq.val();
        // Watchdog: the oldest command waits and nothing moves on the bus.
        self.waiting.next = (!self.ctags.empty.val() & (self.c_kind.val() != Completion::Marker))
            | !self.stq.empty.val();
        // A beat moved last cycle: the count need not be exact to the cycle, and the
        // handshakes (BREADY from the write half's queue heads) stay out of its adder.
        self.moved.d.next = (self.m.rvalid.val() & self.m.rready.val())
            | (self.m.wvalid.val() & self.m.wready.val())
            | (self.m.bvalid.val() & self.m.bready.val());
        self.wd.d.next = 0.into();
        if self.waiting.val() & !self.moved.q.val() {
            self.wd.d.next = self.wd.q.val() + 1;
        }
        if self.waiting.val()
            & !self.c_fire.val()
            & !self.s_fire.val()
            & !self.c_halted.val()
            & self.watchdog.val().any()
            & (self.wd.q.val() == self.watchdog.val())
        {
            self.halt_now.next = true;
        }
        self.halt_pending.d.next = self.halt_now.val();
        self.halt_record.d.next.channel = self.c_ch.val();
        self.halt_record.d.next.code = self.halt_code.val();
        self.halt_record.d.next.index = self.c_index.val();
        self.halt_record.d.next.addr = self.halt_addr.val();
        self.halt_ch.next = self.halt_record.q.val().channel;
        // Occupancy.
        self.credits.d.next = self.credits.q.val() + bit_cast::<7, 1>(self.pick_fire.val().into())
            - bit_cast::<7, 1>(
                (self.drop.val() | self.marker_go.val() | self.data_go.val()).into(),
            );
        self.in_flight.d.next = self.in_flight.q.val()
            + bit_cast::<7, 1>((self.marker_go.val() | self.data_go.val()).into())
            - bit_cast::<7, 1>(self.retiring.q.val().retire.into());
        self.retiring.d.next.channel = self.c_ch.val();
        self.retiring.d.next.retire = self.retire.val();
        self.retiring.d.next.complete = self.complete.val();
        self.retiring.d.next.irq = self.c_irq.val();
        self.retiring.d.next.bytes = self.c_len.val();

        // ---- The AXI write channels belong to the mover.
        self.m.awid.next = self.mover.m.awid.val();
        self.m.awaddr.next = self.mover.m.awaddr.val();
        self.m.awlen.next = self.mover.m.awlen.val();
        self.m.awsize.next = self.mover.m.awsize.val();
        self.m.awburst.next = self.mover.m.awburst.val();
        self.m.awvalid.next = self.mover.m.awvalid.val();
        self.mover.m.awready.next = self.m.awready.val();
        self.m.wdata.next = self.mover.m.wdata.val();
        self.m.wstrb.next = self.mover.m.wstrb.val();
        self.m.wlast.next = self.mover.m.wlast.val();
        self.m.wvalid.next = self.mover.m.wvalid.val();
        self.mover.m.wready.next = self.m.wready.val();
        self.mover.m.bid.next = self.m.bid.val();
        self.mover.m.bresp.next = self.m.bresp.val();
        self.mover.m.bvalid.next = self.m.bvalid.val();
        self.m.bready.next = self.mover.m.bready.val();

        // ---- Channels.
        self.any_busy.next = false;
        for i in 0..CHANNELS {
            self.channels[i].clock.next = self.clock.val();
            self.channels[i].reset.next = self.reset.val();
            ChannelCsr::link(&mut self.csr[i], &mut self.channels[i].csr);
            self.channels[i].fetched.next = self.pick_fire.val() & self.grant.q.val().get_bit(i);
            self.channels[i].dropped.next = self.drop.val() & self.d_ch.val().get_bit(i);
            self.channels[i].stop.next = self.marker_go.val() & self.d_ch.val().get_bit(i);
            self.channels[i].retired.next =
                self.retiring.q.val().retire & self.r_ch.val().get_bit(i);
            self.channels[i].completed.next =
                self.retiring.q.val().complete & self.r_ch.val().get_bit(i);
            self.channels[i].completed_irq.next = self.retiring.q.val().irq;
            self.channels[i].completed_bytes.next = self.retiring.q.val().bytes;
            self.channels[i].halt.next = self.halt_pending.q.val() & self.halt_ch.val().get_bit(i);
            self.channels[i].halt_code.next = self.halt_record.q.val().code;
            self.channels[i].halt_index.next = self.halt_record.q.val().index;
            self.channels[i].halt_addr.next = self.halt_record.q.val().addr;
            self.channels[i].beat.next = (self.m.rvalid.val() & self.m.rready.val())
                | (self.m.wvalid.val() & self.m.wready.val());
            self.any_busy.next = self.any_busy.val() | self.csr[i].busy.val();
        }
        self.busy.next = self.any_busy.val();

        if self.reset.val() {
            self.last.d.next = self.last_reset.val();
            self.grant.d.next = 0.into();
            self.ar_valid.d.next = false;
            self.mover_shown.d.next = false;
            self.credits.d.next = 0.into();
            self.beat_odd.d.next = false;
            self.head_state.d.next = Head::Empty;
            self.checked_valid.d.next = false;
            self.code.d.next = 0.into();
            self.in_flight.d.next = 0.into();
            self.retiring.d.next.retire = false;
            self.retiring.d.next.complete = false;
            self.wd.d.next = 0.into();
            self.halt_pending.d.next = false;
        }
    }
}

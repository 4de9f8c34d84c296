//! Descriptor checks before any memory access: length, reserved bits, opcode, and that
//! source and destination lie inside DMA address windows with the right permission.
//!
//! A descriptor that fails is never started, so a bad descriptor touches no memory. The
//! checks and their order are those of `cdm_regmap::descriptor::check`.
//!
//! One adder or comparator per cycle, so the check keeps its clock: the `start` cycle
//! computes and registers the last byte of each range; then the windows are checked one
//! per cycle with one pair of range comparators for the source and one for the
//! destination, instead of all four at once (a quarter of the comparators); the cycle
//! after the last window gives `done` and `error` from registered results
//! ([`DONE_AFTER`] cycles after `start`), so the comparators end in flip-flops and not in
//! the engine's issue logic. The descriptor and window inputs must hold still from
//! `start` to `done`.

use rust_hdl::prelude::*;

use crate::param::Param;
use cdm_regmap::descriptor::{ctrl, ErrorCode, MAX_LEN};

/// The DMA address windows of the register map.
pub const WINDOWS: usize = cdm_regmap::WINDOWS as usize;
/// Bits of a window number.
const WINDOW_BITS: usize = (usize::BITS - (WINDOWS - 1).leading_zeros()) as usize;
const _: () = assert!(WINDOWS >= 2 && WINDOWS <= 1 << WINDOW_BITS);

/// Cycles from `start` to `done`: one per window, then one for the result.
pub const DONE_AFTER: u64 = WINDOWS as u64 + 1;

/// One DMA address window, as the CSRs hold it (64-bit addresses in two registers).
#[derive(LogicInterface, Default)]
pub struct WindowPorts {
    pub base_lo: Signal<In, Bits<32>>,
    pub base_hi: Signal<In, Bits<32>>,
    /// Last byte, inclusive.
    pub limit_lo: Signal<In, Bits<32>>,
    pub limit_hi: Signal<In, Bits<32>>,
    pub enable: Signal<In, Bit>,
    pub read: Signal<In, Bit>,
    pub write: Signal<In, Bit>,
}

#[derive(LogicBlock, Default)]
pub struct DescriptorCheck {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Starts a check of the descriptor on the inputs (taken when not busy).
    pub start: Signal<In, Bit>,
    /// A check started before this cycle is running (`start` is ignored).
    pub busy: Signal<Out, Bit>,
    pub src: Signal<In, Bits<64>>,
    pub dst: Signal<In, Bits<64>>,
    pub len: Signal<In, Bits<32>>,
    pub ctrl: Signal<In, Bits<32>>,
    pub windows: [WindowPorts; WINDOWS],
    /// One-cycle pulse: the check is over and `error` holds its result.
    pub done: Signal<Out, Bit>,
    /// `ErrorCode` of the check, valid with `done` (0: the descriptor may start).
    pub error: Signal<Out, Bits<4>>,
    active: DFF<Bit>,
    /// Every window is checked: the result follows.
    finish: DFF<Bit>,
    window: DFF<Bits<WINDOW_BITS>>,
    src_ok: DFF<Bit>,
    dst_ok: DFF<Bit>,
    /// Last byte of each range, and whether the range runs past 2^64.
    src_last: DFF<Bits<64>>,
    dst_last: DFF<Bits<64>>,
    src_wraps: DFF<Bit>,
    dst_wraps: DFF<Bit>,
    last_window: Param<WINDOW_BITS, { WINDOWS as u64 - 1 }>,
    max_len: Param<32, { MAX_LEN }>,
    reserved: Param<32, { ctrl::RESERVED as u64 }>,
    code_zero_length: Param<4, { ErrorCode::ZeroLength as u64 }>,
    code_too_large: Param<4, { ErrorCode::LengthTooLarge as u64 }>,
    code_reserved: Param<4, { ErrorCode::ReservedBits as u64 }>,
    code_opcode: Param<4, { ErrorCode::BadOpcode as u64 }>,
    code_src_window: Param<4, { ErrorCode::SourceWindow as u64 }>,
    code_dst_window: Param<4, { ErrorCode::DestinationWindow as u64 }>,
    src_end: Signal<Local, Bits<65>>,
    dst_end: Signal<Local, Bits<65>>,
    base_lo: Signal<Local, Bits<32>>,
    base_hi: Signal<Local, Bits<32>>,
    limit_lo: Signal<Local, Bits<32>>,
    limit_hi: Signal<Local, Bits<32>>,
    base: Signal<Local, Bits<64>>,
    limit: Signal<Local, Bits<64>>,
    enable: Signal<Local, Bit>,
    read: Signal<Local, Bit>,
    write: Signal<Local, Bit>,
    src_here: Signal<Local, Bit>,
    dst_here: Signal<Local, Bit>,
    src_any: Signal<Local, Bit>,
    dst_any: Signal<Local, Bit>,
}

impl Logic for DescriptorCheck {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, active, finish, window, src_ok, dst_ok, src_last, dst_last, src_wraps,
            dst_wraps
        );
        self.busy.next = self.active.q.val() | self.finish.q.val();
        // The start cycle: the last byte of each range (65 bits: the top one says it
        // wraps past 2^64, and such a range fits no window).
        self.src_end.next =
            bit_cast::<65, 64>(self.src.val()) + bit_cast::<65, 32>(self.len.val()) - 1;
        self.dst_end.next =
            bit_cast::<65, 64>(self.dst.val()) + bit_cast::<65, 32>(self.len.val()) - 1;
        if self.start.val() & !self.active.q.val() & !self.finish.q.val() {
            self.active.d.next = true;
            self.window.d.next = 0.into();
            self.src_ok.d.next = false;
            self.dst_ok.d.next = false;
            self.src_last.d.next = self.src_end.val().get_bits::<64>(0);
            self.dst_last.d.next = self.dst_end.val().get_bits::<64>(0);
            self.src_wraps.d.next = self.src_end.val().get_bit(64);
            self.dst_wraps.d.next = self.dst_end.val().get_bit(64);
        }
        // Then one window per cycle.
        self.base_lo.next = self.windows[0].base_lo.val();
        self.base_hi.next = self.windows[0].base_hi.val();
        self.limit_lo.next = self.windows[0].limit_lo.val();
        self.limit_hi.next = self.windows[0].limit_hi.val();
        self.enable.next = self.windows[0].enable.val();
        self.read.next = self.windows[0].read.val();
        self.write.next = self.windows[0].write.val();
        for i in 1..WINDOWS {
            if self.window.q.val().index() == i {
                self.base_lo.next = self.windows[i].base_lo.val();
                self.base_hi.next = self.windows[i].base_hi.val();
                self.limit_lo.next = self.windows[i].limit_lo.val();
                self.limit_hi.next = self.windows[i].limit_hi.val();
                self.enable.next = self.windows[i].enable.val();
                self.read.next = self.windows[i].read.val();
                self.write.next = self.windows[i].write.val();
            }
        }
        self.base.next =
            (bit_cast::<64, 32>(self.base_hi.val()) << 32) | bit_cast::<64, 32>(self.base_lo.val());
        self.limit.next = (bit_cast::<64, 32>(self.limit_hi.val()) << 32)
            | bit_cast::<64, 32>(self.limit_lo.val());
        self.src_here.next = self.enable.val()
            & self.read.val()
            & (self.base.val() <= self.src.val())
            & (self.src_last.q.val() <= self.limit.val())
            & !self.src_wraps.q.val();
        self.dst_here.next = self.enable.val()
            & self.write.val()
            & (self.base.val() <= self.dst.val())
            & (self.dst_last.q.val() <= self.limit.val())
            & !self.dst_wraps.q.val();
        self.src_any.next = self.src_ok.q.val() | self.src_here.val();
        self.dst_any.next = self.dst_ok.q.val() | self.dst_here.val();
        if self.active.q.val() {
            self.window.d.next = self.window.q.val() + 1;
            self.src_ok.d.next = self.src_any.val();
            self.dst_ok.d.next = self.dst_any.val();
        }
        if self.active.q.val() & (self.window.q.val() == self.last_window.val()) {
            self.active.d.next = false;
            self.finish.d.next = true;
        }
        // After the last window: the result, lowest priority first (the last failing
        // check names the error).
        self.done.next = false;
        self.error.next = 0.into();
        if self.finish.q.val() {
            self.finish.d.next = false;
            self.done.next = true;
            if !self.dst_ok.q.val() {
                self.error.next = self.code_dst_window.val();
            }
            if !self.ctrl.val().get_bits::<4>(0).any() & !self.src_ok.q.val() {
                self.error.next = self.code_src_window.val();
            }
            if self.ctrl.val().get_bits::<4>(0) > 1 {
                self.error.next = self.code_opcode.val();
            }
            if (self.ctrl.val() & self.reserved.val()).any() {
                self.error.next = self.code_reserved.val();
            }
            if self.len.val() > self.max_len.val() {
                self.error.next = self.code_too_large.val();
            }
            if !self.len.val().any() {
                self.error.next = self.code_zero_length.val();
            }
        }
        if self.reset.val() {
            self.active.d.next = false;
            self.finish.d.next = false;
        }
    }
}

// The standalone check's port list names each window (the port map takes literal
// indices); the device top's windows follow WINDOWS without it.
const _: () = assert!(WINDOWS == 4, "list the windows' ports below");
crate::port_map!(DescriptorCheck as "check" {
    clock: clock,
    in reset,
    in start,
    out busy,
    in src,
    in dst,
    in len,
    in ctrl,
    in windows[0].base_lo, in windows[0].base_hi, in windows[0].limit_lo, in windows[0].limit_hi,
    in windows[0].enable, in windows[0].read, in windows[0].write,
    in windows[1].base_lo, in windows[1].base_hi, in windows[1].limit_lo, in windows[1].limit_hi,
    in windows[1].enable, in windows[1].read, in windows[1].write,
    in windows[2].base_lo, in windows[2].base_hi, in windows[2].limit_lo, in windows[2].limit_hi,
    in windows[2].enable, in windows[2].read, in windows[2].write,
    in windows[3].base_lo, in windows[3].base_hi, in windows[3].limit_lo, in windows[3].limit_hi,
    in windows[3].enable, in windows[3].read, in windows[3].write,
    out done,
    out error,
});

//! Descriptor checks before any memory access: length, reserved bits, opcode, and that
//! source and destination lie inside DMA address windows with the right permission.
//!
//! A descriptor that fails is never started, so a bad descriptor touches no memory. The
//! checks and their order are those of `cdm_regmap::descriptor::check`.
//!
//! One adder or comparator per cycle, so the check keeps its clock: the `start` cycle
//! computes and registers the last byte of each range; then the windows are checked one
//! per cycle with one pair of range comparators for the source and one for the
//! destination, instead of all four at once (a quarter of the comparators), the last
//! with `done` and `error` ([`DONE_AFTER`] cycles after `start`). The descriptor and
//! window inputs must hold still from `start` to `done`.

use rust_hdl::prelude::*;

use cdm_regmap::descriptor::{ctrl, ErrorCode, MAX_LEN};

/// Cycles from `start` to `done`.
pub const DONE_AFTER: u64 = 4;

/// One DMA address window, as the CSRs hold it.
#[derive(LogicInterface, Default)]
pub struct WindowPorts {
    pub base: Signal<In, Bits<64>>,
    /// Last byte, inclusive.
    pub limit: Signal<In, Bits<64>>,
    pub enable: Signal<In, Bit>,
    pub read: Signal<In, Bit>,
    pub write: Signal<In, Bit>,
}

#[derive(LogicBlock)]
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
    pub w0: WindowPorts,
    pub w1: WindowPorts,
    pub w2: WindowPorts,
    pub w3: WindowPorts,
    /// One-cycle pulse: the check is over and `error` holds its result.
    pub done: Signal<Out, Bit>,
    /// `ErrorCode` of the check, valid with `done` (0: the descriptor may start).
    pub error: Signal<Out, Bits<4>>,
    active: DFF<Bit>,
    window: DFF<Bits<2>>,
    src_ok: DFF<Bit>,
    dst_ok: DFF<Bit>,
    /// Last byte of each range, and whether the range runs past 2^64.
    src_last: DFF<Bits<64>>,
    dst_last: DFF<Bits<64>>,
    src_wraps: DFF<Bit>,
    dst_wraps: DFF<Bit>,
    max_len: Constant<Bits<32>>,
    reserved: Constant<Bits<32>>,
    code_zero_length: Constant<Bits<4>>,
    code_too_large: Constant<Bits<4>>,
    code_reserved: Constant<Bits<4>>,
    code_opcode: Constant<Bits<4>>,
    code_src_window: Constant<Bits<4>>,
    code_dst_window: Constant<Bits<4>>,
    src_end: Signal<Local, Bits<65>>,
    dst_end: Signal<Local, Bits<65>>,
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

impl Default for DescriptorCheck {
    fn default() -> Self {
        let code = |e: ErrorCode| Constant::new((e as u64).into());
        DescriptorCheck {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            len: Default::default(),
            ctrl: Default::default(),
            w0: Default::default(),
            w1: Default::default(),
            w2: Default::default(),
            w3: Default::default(),
            done: Default::default(),
            error: Default::default(),
            active: Default::default(),
            window: Default::default(),
            src_ok: Default::default(),
            dst_ok: Default::default(),
            src_last: Default::default(),
            dst_last: Default::default(),
            src_wraps: Default::default(),
            dst_wraps: Default::default(),
            max_len: Constant::new(MAX_LEN.into()),
            reserved: Constant::new((ctrl::RESERVED as u64).into()),
            code_zero_length: code(ErrorCode::ZeroLength),
            code_too_large: code(ErrorCode::LengthTooLarge),
            code_reserved: code(ErrorCode::ReservedBits),
            code_opcode: code(ErrorCode::BadOpcode),
            code_src_window: code(ErrorCode::SourceWindow),
            code_dst_window: code(ErrorCode::DestinationWindow),
            src_end: Default::default(),
            dst_end: Default::default(),
            base: Default::default(),
            limit: Default::default(),
            enable: Default::default(),
            read: Default::default(),
            write: Default::default(),
            src_here: Default::default(),
            dst_here: Default::default(),
            src_any: Default::default(),
            dst_any: Default::default(),
        }
    }
}

impl Logic for DescriptorCheck {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, active, window, src_ok, dst_ok, src_last, dst_last, src_wraps, dst_wraps
        );
        self.busy.next = self.active.q.val();
        // The start cycle: the last byte of each range (65 bits: the top one says it
        // wraps past 2^64, and such a range fits no window).
        self.src_end.next =
            bit_cast::<65, 64>(self.src.val()) + bit_cast::<65, 32>(self.len.val()) - 1;
        self.dst_end.next =
            bit_cast::<65, 64>(self.dst.val()) + bit_cast::<65, 32>(self.len.val()) - 1;
        if self.start.val() & !self.active.q.val() {
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
        self.base.next = self.w0.base.val();
        self.limit.next = self.w0.limit.val();
        self.enable.next = self.w0.enable.val();
        self.read.next = self.w0.read.val();
        self.write.next = self.w0.write.val();
        if self.window.q.val() == 1 {
            self.base.next = self.w1.base.val();
            self.limit.next = self.w1.limit.val();
            self.enable.next = self.w1.enable.val();
            self.read.next = self.w1.read.val();
            self.write.next = self.w1.write.val();
        }
        if self.window.q.val() == 2 {
            self.base.next = self.w2.base.val();
            self.limit.next = self.w2.limit.val();
            self.enable.next = self.w2.enable.val();
            self.read.next = self.w2.read.val();
            self.write.next = self.w2.write.val();
        }
        if self.window.q.val() == 3 {
            self.base.next = self.w3.base.val();
            self.limit.next = self.w3.limit.val();
            self.enable.next = self.w3.enable.val();
            self.read.next = self.w3.read.val();
            self.write.next = self.w3.write.val();
        }
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
        // At the last window: the result, lowest priority first (the last failing check
        // names the error).
        self.done.next = false;
        self.error.next = 0.into();
        if self.active.q.val() & (self.window.q.val() == 3) {
            self.active.d.next = false;
            self.done.next = true;
            if !self.dst_any.val() {
                self.error.next = self.code_dst_window.val();
            }
            if !self.ctrl.val().get_bits::<4>(0).any() & !self.src_any.val() {
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
        }
    }
}

crate::port_map!(DescriptorCheck as "check" {
    clock: clock,
    in reset,
    in start,
    out busy,
    in src,
    in dst,
    in len,
    in ctrl,
    in w0.base, in w0.limit, in w0.enable, in w0.read, in w0.write,
    in w1.base, in w1.limit, in w1.enable, in w1.read, in w1.write,
    in w2.base, in w2.limit, in w2.enable, in w2.read, in w2.write,
    in w3.base, in w3.limit, in w3.enable, in w3.read, in w3.write,
    out done,
    out error,
});

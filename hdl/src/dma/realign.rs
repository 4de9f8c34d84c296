//! Byte realignment between the source and destination alignment of a transfer.
//!
//! Read data arrives in 16-byte beats aligned to the source address; the write side needs
//! beats aligned to the destination. With `delta = src & 15 - dst & 15`, output beat `j`
//! is bytes `delta .. delta + 16` of the 32-byte window formed by two consecutive input
//! beats. The realigner keeps the previous input beat and emits one output beat per input
//! beat, skipping the first input when the source starts later in its beat than the
//! destination (`delta > 0`), and adding one flush beat at the end when the destination
//! spans one beat more. Same-offset transfers pass straight through. Full rate: one beat
//! per cycle in and out, plus at most one flush cycle per transfer.

use rust_hdl::prelude::*;

/// Largest transfer the data path handles: 16 MiB. Longer transfers are rejected before
/// they reach it (the descriptor checks); zero-length ones too.
pub const MAX_TRANSFER_BYTES: u64 = 1 << 24;

/// Width of beat counts: a 16 MiB transfer at any alignment spans at most 2^20 + 1 beats.
pub const BEAT_COUNT_BITS: usize = 21;

#[derive(LogicBlock, Default)]
pub struct Realigner {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Per-transfer set-up, taken when idle or in the cycle the current transfer ends.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    /// `(src - dst) & 15`: the byte rotation.
    pub cmd_rotate: Signal<In, Bits<4>>,
    /// Drop the first input beat (the source starts later in its beat).
    pub cmd_skip_first: Signal<In, Bit>,
    pub cmd_in_beats: Signal<In, Bits<BEAT_COUNT_BITS>>,
    pub cmd_out_beats: Signal<In, Bits<BEAT_COUNT_BITS>>,
    // Source-aligned beats.
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<128>>,
    pub in_err: Signal<In, Bit>,
    // Destination-aligned beats.
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_data: Signal<Out, Bits<128>>,
    /// Some input beat of this transfer so far had a bus error.
    pub out_err: Signal<Out, Bit>,
    active: DFF<Bit>,
    rotate: DFF<Bits<4>>,
    skip: DFF<Bit>,
    in_left: DFF<Bits<BEAT_COUNT_BITS>>,
    out_left: DFF<Bits<BEAT_COUNT_BITS>>,
    /// `in_left` and `out_left` at 0 and at 1, kept beside the counts so that the
    /// hand-shakes, which arrive late, only choose between flags.
    in_none: DFF<Bit>,
    in_one: DFF<Bit>,
    out_none: DFF<Bit>,
    out_one: DFF<Bit>,
    prev: DFF<Bits<128>>,
    err: DFF<Bit>,
    window: Signal<Local, Bits<256>>,
    select: Signal<Local, Bits<4>>,
    consuming: Signal<Local, Bit>,
    in_fire: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
    ending: Signal<Local, Bit>,
    flushing: Signal<Local, Bit>,
    in_ends: Signal<Local, Bit>,
    out_ends: Signal<Local, Bit>,
}

impl Logic for Realigner {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, active, rotate, skip, in_left, out_left, in_none, in_one, out_none,
            out_one, prev, err
        );
        self.consuming.next = self.active.q.val() & !self.in_none.q.val();
        self.flushing.next = self.active.q.val() & self.in_none.q.val() & !self.out_none.q.val();
        // Window: the new beat above the previous one. Output byte l is window byte
        // l + rotate, or l + 16 (the new beat itself) when rotate is 0: one 16-way byte
        // select, `(window >> 8) >> 8 * ((rotate - 1) mod 16)`. While flushing, the bytes
        // taken from above the previous beat lie past the transfer and get no strobe.
        self.window.next = (bit_cast::<256, 128>(self.in_data.val()) << 128)
            | bit_cast::<256, 128>(self.prev.q.val());
        self.select.next = self.rotate.q.val() - 1;
        self.out_data.next = bit_cast::<128, 256>(
            (self.window.val() >> 8) >> (bit_cast::<8, 4>(self.select.val()) << 3),
        );
        self.out_err.next = self.err.q.val() | (self.consuming.val() & self.in_err.val());
        // A skipped first beat, or input left with no output owed, needs no output slot.
        self.in_ready.next = false;
        self.out_valid.next = false;
        if self.consuming.val() {
            if self.skip.q.val() | self.out_none.q.val() {
                self.in_ready.next = true;
            } else {
                self.in_ready.next = self.out_ready.val();
                self.out_valid.next = self.in_valid.val();
            }
        }
        if self.flushing.val() {
            self.out_valid.next = true;
        }
        if self.consuming.val() & self.in_valid.val() & self.in_ready.val() {
            self.prev.d.next = self.in_data.val();
            self.in_left.d.next = self.in_left.q.val() - 1;
            self.in_none.d.next = self.in_one.q.val();
            self.in_one.d.next = self.in_left.q.val() == 2;
            self.skip.d.next = false;
            self.err.d.next = self.err.q.val() | self.in_err.val();
        }
        if self.out_valid.val() & self.out_ready.val() {
            self.out_left.d.next = self.out_left.q.val() - 1;
            self.out_none.d.next = self.out_one.q.val();
            self.out_one.d.next = self.out_left.q.val() == 2;
        }
        // The next transfer loads in the cycle this one ends: no gap between transfers.
        self.in_fire.next = self.consuming.val() & self.in_valid.val() & self.in_ready.val();
        self.out_fire.next = self.out_valid.val() & self.out_ready.val();
        self.in_ends.next = (self.in_none.q.val() & !self.in_fire.val())
            | (self.in_one.q.val() & self.in_fire.val());
        self.out_ends.next = (self.out_none.q.val() & !self.out_fire.val())
            | (self.out_one.q.val() & self.out_fire.val());
        self.ending.next = !self.active.q.val() | (self.in_ends.val() & self.out_ends.val());
        self.cmd_ready.next = self.ending.val();
        if self.ending.val() {
            self.active.d.next = false;
        }
        if self.ending.val() & self.cmd_valid.val() {
            self.active.d.next = true;
            self.rotate.d.next = self.cmd_rotate.val();
            self.skip.d.next = self.cmd_skip_first.val();
            self.in_left.d.next = self.cmd_in_beats.val();
            self.out_left.d.next = self.cmd_out_beats.val();
            self.in_none.d.next = !self.cmd_in_beats.val().any();
            self.in_one.d.next = self.cmd_in_beats.val() == 1;
            self.out_none.d.next = !self.cmd_out_beats.val().any();
            self.out_one.d.next = self.cmd_out_beats.val() == 1;
            self.err.d.next = false;
        }
        if self.reset.val() {
            self.active.d.next = false;
        }
    }
}

/// Set-up of one transfer for the realigner: (rotate, skip_first, in_beats, out_beats).
pub fn plan(src: u64, dst: u64, len: u64) -> (u64, bool, u64, u64) {
    let (s, d) = (src & 15, dst & 15);
    let in_beats = (s + len).div_ceil(16);
    let out_beats = (d + len).div_ceil(16);
    ((s.wrapping_sub(d)) & 15, s > d, in_beats, out_beats)
}

crate::port_map!(Realigner as "realign" {
    clock: clock,
    in reset,
    in cmd_valid,
    out cmd_ready,
    in cmd_rotate,
    in cmd_skip_first,
    in cmd_in_beats,
    in cmd_out_beats,
    in in_valid,
    out in_ready,
    in in_data,
    in in_err,
    out out_valid,
    in out_ready,
    out out_data,
    out out_err,
});

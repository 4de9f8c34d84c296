//! Splits a transfer into AXI4 INCR bursts of 16-byte beats: at most 256 beats, never
//! across a 4 KiB boundary. Shared by the read and the write half.
//!
//! The current burst is on the outputs while `busy`; pulse `advance` when it has been
//! issued. `load` takes a new transfer; the owner loads only when idle or while advancing
//! past the `last` burst of the current transfer, so transfers follow without a gap.
//! Burst arithmetic works on beat counts (21 bits) and the page offset (8 bits), so the
//! 64-bit address is added to once per burst only.
//!
//! The current burst's size and whether it is the last are registers, computed with the
//! address and the beats left they go with: for the next burst and for a new transfer
//! side by side, chosen by `advance` and `load` at the end. Those arrive late (an AR or
//! AW handshake, a command taken because this burst is the last), and the owner's
//! hand-over logic starts from flip-flops instead of from the page arithmetic.

use rust_hdl::prelude::*;

use super::realign::BEAT_COUNT_BITS;
use crate::param::Param;

#[derive(LogicBlock, Default)]
pub struct BurstSplitter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub load: Signal<In, Bit>,
    /// First byte of the transfer.
    pub start: Signal<In, Bits<64>>,
    /// Beats the transfer spans (`(start & 15) + len` rounded up to 16 bytes).
    pub beats: Signal<In, Bits<BEAT_COUNT_BITS>>,
    pub busy: Signal<Out, Bit>,
    /// Beat-aligned address of the current burst.
    pub burst_addr: Signal<Out, Bits<64>>,
    /// Beats of the current burst minus one (`AxLEN`).
    pub burst_len: Signal<Out, Bits<8>>,
    /// The current burst is the last of its transfer.
    pub last: Signal<Out, Bit>,
    pub advance: Signal<In, Bit>,
    addr: DFF<Bits<64>>,
    left: DFF<Bits<BEAT_COUNT_BITS>>,
    /// Beats of the current burst: `left`, at most to the end of the page.
    take: DFF<Bits<9>>,
    /// The current burst is not the last (low after reset, with nothing left).
    more: DFF<Bit>,
    /// The burst after the current one: its page offset, beats left, size.
    next_offset: Signal<Local, Bits<8>>,
    next_left: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    next_to_page_end: Signal<Local, Bits<9>>,
    next_take: Signal<Local, Bits<9>>,
    /// The first burst of the transfer being loaded.
    load_to_page_end: Signal<Local, Bits<9>>,
    load_take: Signal<Local, Bits<9>>,
    max_burst: Param<9, 256>,
}

impl Logic for BurstSplitter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, addr, left, take, more);
        self.busy.next = self.left.q.val().any();
        self.burst_addr.next = self.addr.q.val();
        self.burst_len.next = bit_cast::<8, 9>(self.take.q.val() - 1);
        self.last.next = !self.more.q.val();
        // The next burst: it starts where this one ends (the page offset wraps to 0 at
        // the page's end) and takes up to the end of its page.
        self.next_offset.next =
            self.addr.q.val().get_bits::<8>(4) + bit_cast::<8, 9>(self.take.q.val());
        self.next_left.next = self.left.q.val() - bit_cast::<BEAT_COUNT_BITS, 9>(self.take.q.val());
        self.next_to_page_end.next =
            self.max_burst.val() - bit_cast::<9, 8>(self.next_offset.val());
        self.next_take.next = self.next_to_page_end.val();
        if self.next_left.val() < bit_cast::<BEAT_COUNT_BITS, 9>(self.next_to_page_end.val()) {
            self.next_take.next = bit_cast::<9, BEAT_COUNT_BITS>(self.next_left.val());
        }
        // A new transfer's first burst.
        self.load_to_page_end.next =
            self.max_burst.val() - bit_cast::<9, 8>(self.start.val().get_bits::<8>(4));
        self.load_take.next = self.load_to_page_end.val();
        if self.beats.val() < bit_cast::<BEAT_COUNT_BITS, 9>(self.load_to_page_end.val()) {
            self.load_take.next = bit_cast::<9, BEAT_COUNT_BITS>(self.beats.val());
        }
        if self.advance.val() & self.left.q.val().any() {
            self.addr.d.next = self.addr.q.val() + (bit_cast::<64, 9>(self.take.q.val()) << 4);
            self.left.d.next = self.next_left.val();
            self.take.d.next = self.next_take.val();
            self.more.d.next =
                self.next_left.val() != bit_cast::<BEAT_COUNT_BITS, 9>(self.next_take.val());
        }
        if self.load.val() {
            self.addr.d.next = (self.start.val() >> 4) << 4;
            self.left.d.next = self.beats.val();
            self.take.d.next = self.load_take.val();
            self.more.d.next =
                self.beats.val() != bit_cast::<BEAT_COUNT_BITS, 9>(self.load_take.val());
        }
        if self.reset.val() {
            self.left.d.next = 0.into();
            self.take.d.next = 0.into();
            self.more.d.next = false;
        }
    }
}

crate::port_map!(BurstSplitter as "burst" {
    clock: clock,
    in reset,
    in load,
    in start,
    in beats,
    out busy,
    out burst_addr,
    out burst_len,
    out last,
    in advance,
});

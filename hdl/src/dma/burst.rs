//! Splits a transfer into AXI4 INCR bursts of 16-byte beats: at most 256 beats, never
//! across a 4 KiB boundary. Shared by the read and the write half.
//!
//! The current burst is on the outputs while `busy`; pulse `advance` when it has been
//! issued. `load` takes a new transfer; the owner loads only when idle or while advancing
//! past the `last` burst of the current transfer, so transfers follow without a gap.
//! Burst arithmetic works on beat counts (21 bits) and the page offset (8 bits), so the
//! 64-bit address is added to once per burst only.

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
    to_page_end: Signal<Local, Bits<9>>,
    take: Signal<Local, Bits<9>>,
    max_burst: Param<9, 256>,
}

impl Logic for BurstSplitter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, addr, left);
        self.busy.next = self.left.q.val().any();
        // Beats to the end of the 4 KiB page: 256 - beat index within the page.
        self.to_page_end.next =
            self.max_burst.val() - bit_cast::<9, 8>(self.addr.q.val().get_bits::<8>(4));
        self.take.next = self.to_page_end.val();
        if self.left.q.val() < bit_cast::<BEAT_COUNT_BITS, 9>(self.to_page_end.val()) {
            self.take.next = bit_cast::<9, BEAT_COUNT_BITS>(self.left.q.val());
        }
        self.burst_addr.next = self.addr.q.val();
        self.burst_len.next = bit_cast::<8, 9>(self.take.val() - 1);
        self.last.next = self.left.q.val() == bit_cast::<BEAT_COUNT_BITS, 9>(self.take.val());
        if self.advance.val() & self.left.q.val().any() {
            self.addr.d.next = self.addr.q.val() + (bit_cast::<64, 9>(self.take.val()) << 4);
            self.left.d.next = self.left.q.val() - bit_cast::<BEAT_COUNT_BITS, 9>(self.take.val());
        }
        if self.load.val() {
            self.addr.d.next = (self.start.val() >> 4) << 4;
            self.left.d.next = self.beats.val();
        }
        if self.reset.val() {
            self.left.d.next = 0.into();
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

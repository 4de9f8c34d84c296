//! Splits a transfer into AXI4 INCR bursts of 16-byte beats that never cross a boundary
//! of `BOUNDARY_BEATS` beats: [`PageBursts`] (256 beats, 4 KiB: the AXI4 limits) for the
//! read half, [`WriteBursts`] (8 beats, 128 bytes) for the write half, whose bursts go out
//! only once their data is buffered (see [`super::write`]). Below, a "page" is one such
//! boundary's span.
//!
//! The current burst is on the outputs while `busy`; pulse `advance` when it has been
//! issued. `load` takes a new transfer; the owner loads only when idle or while advancing
//! past the `last` burst of the current transfer, so transfers follow without a gap.
//! Only a transfer's first burst can start inside a page: every burst that is not the
//! last runs to the end of its page, so each later one starts a page and takes up to a
//! page. The splitter keeps the beats after the current burst in a register, and the
//! next burst's size, whether it is the last and what follows it come from that register
//! alone (a compare and a subtract of a constant); the address moves on to the next page
//! (an increment of the address with its page offset all ones, not an adder of the
//! burst's size). A new transfer's first burst is computed beside it, from the command,
//! and `advance` and `load` choose at the end: they arrive late (an AR or AW handshake, a
//! command taken because this burst is the last), and the owner's hand-over logic starts
//! from flip-flops.

use rust_hdl::prelude::*;

use super::realign::BEAT_COUNT_BITS;
use crate::param::Param;

/// Read bursts: up to 256 beats, never across 4 KiB.
pub type PageBursts = BurstSplitter<256, 0xFFF>;
/// Beats of a write burst at most.
pub const WRITE_BURST_BEATS: u64 = 4;
/// Write bursts: up to [`WRITE_BURST_BEATS`], never across as many beats' boundary.
pub type WriteBursts = BurstSplitter<WRITE_BURST_BEATS, { 16 * WRITE_BURST_BEATS - 1 }>;

/// `BOUNDARY_MASK` is the byte offset within a page: `16 * BOUNDARY_BEATS - 1`.
#[derive(LogicBlock, Default)]
pub struct BurstSplitter<const BOUNDARY_BEATS: u64, const BOUNDARY_MASK: u64> {
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
    /// Beats of the current burst.
    pub burst_beats: Signal<Out, Bits<9>>,
    /// The current burst is the last of its transfer.
    pub last: Signal<Out, Bit>,
    pub advance: Signal<In, Bit>,
    addr: DFF<Bits<64>>,
    /// A burst is on the outputs.
    active: DFF<Bit>,
    /// Beats of the current burst: at most to the end of its page.
    take: DFF<Bits<9>>,
    /// The current burst is not the last (low after reset, with nothing left).
    more: DFF<Bit>,
    /// Beats of the transfer after the current burst.
    after: DFF<Bits<BEAT_COUNT_BITS>>,
    /// A page of beats, at the width of a beat count.
    page_beats: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    /// The burst after the current one.
    next_take: Signal<Local, Bits<9>>,
    next_more: Signal<Local, Bit>,
    next_after: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    /// The first burst of the transfer being loaded.
    load_to_page_end: Signal<Local, Bits<9>>,
    load_take: Signal<Local, Bits<9>>,
    load_more: Signal<Local, Bit>,
    load_after: Signal<Local, Bits<BEAT_COUNT_BITS>>,
    max_burst: Param<9, BOUNDARY_BEATS>,
    /// The byte offsets within a page.
    page_offset: Param<64, BOUNDARY_MASK>,
}

impl<const BOUNDARY_BEATS: u64, const BOUNDARY_MASK: u64> Logic
    for BurstSplitter<BOUNDARY_BEATS, BOUNDARY_MASK>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, addr, active, take, more, after);
        self.busy.next = self.active.q.val();
        self.burst_addr.next = self.addr.q.val();
        self.burst_len.next = bit_cast::<8, 9>(self.take.q.val() - 1);
        self.burst_beats.next = self.take.q.val();
        self.last.next = !self.more.q.val();
        // The burst after the current one starts a page and takes up to a page.
        self.page_beats.next = bit_cast::<BEAT_COUNT_BITS, 9>(self.max_burst.val());
        self.next_more.next = self.page_beats.val() < self.after.q.val();
        self.next_take.next = self.max_burst.val();
        if self.after.q.val() < self.page_beats.val() {
            self.next_take.next = bit_cast::<9, BEAT_COUNT_BITS>(self.after.q.val());
        }
        self.next_after.next = 0.into();
        if self.next_more.val() {
            self.next_after.next = self.after.q.val() - self.page_beats.val();
        }
        // A new transfer's first burst takes up to the end of its page.
        self.load_to_page_end.next = self.max_burst.val()
            - bit_cast::<9, 64>((self.start.val() & self.page_offset.val()) >> 4);
        self.load_more.next =
            bit_cast::<BEAT_COUNT_BITS, 9>(self.load_to_page_end.val()) < self.beats.val();
        self.load_take.next = self.load_to_page_end.val();
        if !self.load_more.val() {
            self.load_take.next = bit_cast::<9, BEAT_COUNT_BITS>(self.beats.val());
        }
        self.load_after.next = 0.into();
        if self.load_more.val() {
            self.load_after.next =
                self.beats.val() - bit_cast::<BEAT_COUNT_BITS, 9>(self.load_to_page_end.val());
        }
        if self.advance.val() & self.active.q.val() {
            // Only a burst that is not the last has a successor: it starts the next page.
            self.addr.d.next = (self.addr.q.val() | self.page_offset.val()) + 1;
            self.active.d.next = self.more.q.val();
            self.take.d.next = self.next_take.val();
            self.more.d.next = self.next_more.val();
            self.after.d.next = self.next_after.val();
        }
        if self.load.val() {
            self.addr.d.next = (self.start.val() >> 4) << 4;
            self.active.d.next = self.beats.val().any();
            self.take.d.next = self.load_take.val();
            self.more.d.next = self.load_more.val();
            self.after.d.next = self.load_after.val();
        }
        if self.reset.val() {
            self.active.d.next = false;
            self.take.d.next = 0.into();
            self.more.d.next = false;
            self.after.d.next = 0.into();
        }
    }
}

crate::port_map!(PageBursts as "burst" {
    clock: clock,
    in reset,
    in load,
    in start,
    in beats,
    out busy,
    out burst_addr,
    out burst_len,
    out burst_beats,
    out last,
    in advance,
});

crate::port_map!(WriteBursts as "write_burst" {
    clock: clock,
    in reset,
    in load,
    in start,
    in beats,
    out busy,
    out burst_addr,
    out burst_len,
    out burst_beats,
    out last,
    in advance,
});

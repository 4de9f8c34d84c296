//! Inclusive snoop filter: which device-memory lines the host may cache, and whether it
//! may hold them dirty (`any`: E or M) or only shared (see `docs/COHERENCE.md`).
//!
//! A set-associative store, [`WAYS`] ways by `2^SETS_LOG2` sets, in one block RAM word
//! per set (tag, valid and `any` per way). Lines are named by their index within device
//! memory (offset / 64), so the tag covers [`LINE_BITS`] bits (64 GiB of device memory)
//! whatever the address map.
//!
//! One operation at a time, taken when `op_ready`:
//! - **lookup** reads the line's set; two cycles later `result_valid` rises and the
//!   result holds until the next operation (three cycles unless `op_line` already named
//!   the line's set in the cycle before the take, with no write then: the set RAM's
//!   output is registered, as its clock-to-output takes most of a cycle, and the RAM reads
//!   at `op_line` in every cycle, so a caller that knows its next line early keeps the
//!   two-cycle lookup): hit and its way and state, otherwise the way
//!   to fill (the first free way, else the round-robin victim, whose line is then named
//!   so the home agent can back-invalidate it first; the round robin moves on when that
//!   way is refilled, so lookups that fill nothing do not disturb it).
//! - **write** sets or clears one way's entry in the set of the latest lookup (the home
//!   agent looks a line up before changing its entry, so it never writes blind).
//! - **page query** (`op_page`) answers, two cycles later, whether any line of a 4 KiB page
//!   may be in the filter (`page_done`, `page_busy`), so the home agent admits DMA bursts
//!   to pages the host does not cache without looking up their lines one by one. A
//!   second RAM counts the filter's entries per page hash (the page number's low
//!   [`PAGE_HASH_BITS`] bits, address bits 21:12); a page shares its bucket with pages
//!   4 MiB apart, which costs at most a needless per-line walk. A write that adds or drops an entry
//!   updates the counts in the next one or two cycles (`op_ready` low meanwhile), so a
//!   query never sees a count older than the filter.
//!
//! After reset the filter sweeps every set to empty (`2^SETS_LOG2` cycles, `op_ready`
//! low), so a soft reset leaves no stale entry whatever the RAM held.

use rust_hdl::prelude::*;

/// Ways per set (the register map's, reported in COHERENT.CAP).
pub const WAYS: usize = cdm_regmap::SF_WAYS as usize;
/// Sets: 1024 sets of 4 ways track 4,096 lines (256 KiB), the size of a host core's L2.
pub const SETS_LOG2: usize = cdm_regmap::SF_SETS_LOG2 as usize;
/// Line index bits: 64 GiB of device memory in 64-byte lines.
pub const LINE_BITS: usize = 30;
/// Tag bits of an entry.
pub const TAG_BITS: usize = LINE_BITS - SETS_LOG2;
/// One entry: tag | any (1) | valid (1).
const ENTRY_BITS: usize = TAG_BITS + 2;
/// Page hash: line index bits 15:6 (page bits 9:0), so a page's bucket is one count RAM
/// word. One bucket's lines share set bits 9:6, so at most 64 sets x 4 ways = 256
/// entries count into it.
pub const PAGE_HASH_BITS: usize = 10;
/// A bucket's count: 0 ..= 256.
const COUNT_BITS: usize = 9;
/// One set.
const SET_BITS: usize = ENTRY_BITS * WAYS;
// The kernel spells bit offsets as literals (rust-hdl prints a constant's name into the
// Verilog): entries at 0, 22, 44 and 66, the tag at line bit 10.
// The page hash takes tag bits 5:0 and set bits 9:6 (literals below).
const _: () = assert!(WAYS == 4 && SETS_LOG2 == 10 && ENTRY_BITS == 22 && PAGE_HASH_BITS == 10);

/// The page-count RAM's update after a filter write, which may move an entry from one
/// page bucket to another.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum CountUpdate {
    Idle,
    /// Write the first bucket: the decrement of the entry's old page, or else the
    /// increment of its new one.
    First,
    /// After a decrement, the increment of the added entry's bucket.
    Added,
}

#[derive(LogicBlock)]
pub struct SnoopFilter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub op_valid: Signal<In, Bit>,
    pub op_ready: Signal<Out, Bit>,
    /// The reset sweep is over.
    pub swept: Signal<Out, Bit>,
    /// 0: lookup, 1: write.
    pub op_write: Signal<In, Bit>,
    pub op_line: Signal<In, Bits<LINE_BITS>>,
    /// Write: the way, whether the line is now held, and whether possibly dirty.
    pub op_way: Signal<In, Bits<2>>,
    pub op_present: Signal<In, Bit>,
    pub op_any: Signal<In, Bit>,
    /// With a lookup's `op_valid`: query `op_line`'s page instead.
    pub op_page: Signal<In, Bit>,
    /// Two cycles after a page query: whether a line of the page may be held.
    pub page_done: Signal<Out, Bit>,
    pub page_busy: Signal<Out, Bit>,
    pub result_valid: Signal<Out, Bit>,
    pub result_hit: Signal<Out, Bit>,
    /// Hit: the line's way. Miss: the way to fill.
    pub result_way: Signal<Out, Bits<2>>,
    /// Hit: the line's state (1: any, 0: shared).
    pub result_any: Signal<Out, Bit>,
    /// Miss with the set full: the victim's line, to back-invalidate first.
    pub result_evict: Signal<Out, Bit>,
    pub result_victim_line: Signal<Out, Bits<LINE_BITS>>,
    ram: RAM<Bits<SET_BITS>, SETS_LOG2>,
    /// Filter entries per page hash bucket.
    counts: RAM<Bits<COUNT_BITS>, PAGE_HASH_BITS>,
    page_reading: DFF<Bit>,
    /// The page answer, registered after the count RAM (its clock-to-output takes most
    /// of a cycle).
    page_answered: DFF<Bit>,
    page_busy_q: DFF<Bit>,
    /// The page-count update after a write.
    cnt_state: DFF<CountUpdate>,
    cnt_dec: DFF<Bit>,
    cnt_inc: DFF<Bit>,
    dec_hash: DFF<Bits<PAGE_HASH_BITS>>,
    inc_hash: DFF<Bits<PAGE_HASH_BITS>>,
    sweeping: DFF<Bit>,
    sweep: DFF<Bits<SETS_LOG2>>,
    /// A lookup compares its set (in `word_q`) with its line once the set is there.
    reading: DFF<Bit>,
    /// The set RAM's output, registered.
    word_q: DFF<Bits<SET_BITS>>,
    /// The set the RAM read in the cycle before, and whether no write came then; and
    /// the same a cycle older, when a lookup taken in the cycle between compares.
    addressed: DFF<Bits<SETS_LOG2>>,
    primed: DFF<Bit>,
    addressed_before: DFF<Bits<SETS_LOG2>>,
    primed_before: DFF<Bit>,
    /// `word_q` holds the read of the take cycle itself (the lookup waited a cycle).
    second: DFF<Bit>,
    /// `word_q` holds the lookup's set.
    set_here: Signal<Local, Bit>,
    done: DFF<Bit>,
    line: DFF<Bits<LINE_BITS>>,
    set_word: DFF<Bits<SET_BITS>>,
    rr: DFF<Bits<2>>,
    hit: DFF<Bit>,
    way: DFF<Bits<2>>,
    any: DFF<Bit>,
    evict: DFF<Bit>,
    victim_line: DFF<Bits<LINE_BITS>>,
    take: Signal<Local, Bit>,
    word: Signal<Local, Bits<SET_BITS>>,
    tag: Signal<Local, Bits<TAG_BITS>>,
    e0: Signal<Local, Bits<ENTRY_BITS>>,
    e1: Signal<Local, Bits<ENTRY_BITS>>,
    e2: Signal<Local, Bits<ENTRY_BITS>>,
    e3: Signal<Local, Bits<ENTRY_BITS>>,
    s0: Signal<Local, Bits<ENTRY_BITS>>,
    s1: Signal<Local, Bits<ENTRY_BITS>>,
    s2: Signal<Local, Bits<ENTRY_BITS>>,
    s3: Signal<Local, Bits<ENTRY_BITS>>,
    hits: Signal<Local, Bits<WAYS>>,
    anys: Signal<Local, Bits<WAYS>>,
    frees: Signal<Local, Bits<WAYS>>,
    found_way: Signal<Local, Bits<2>>,
    free_way: Signal<Local, Bits<2>>,
    victim_tag: Signal<Local, Bits<TAG_BITS>>,
    victim_valid: Signal<Local, Bit>,
    new_entry: Signal<Local, Bits<ENTRY_BITS>>,
    written: Signal<Local, Bits<SET_BITS>>,
    old_valid: Signal<Local, Bit>,
    old_tag: Signal<Local, Bits<6>>,
    old_hash: Signal<Local, Bits<PAGE_HASH_BITS>>,
    new_hash: Signal<Local, Bits<PAGE_HASH_BITS>>,
    same_hash: Signal<Local, Bit>,
    dec: Signal<Local, Bit>,
    inc: Signal<Local, Bit>,
}

impl Default for SnoopFilter {
    fn default() -> Self {
        SnoopFilter {
            clock: Default::default(),
            reset: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            swept: Default::default(),
            op_write: Default::default(),
            op_line: Default::default(),
            op_way: Default::default(),
            op_present: Default::default(),
            op_any: Default::default(),
            op_page: Default::default(),
            page_done: Default::default(),
            page_busy: Default::default(),
            result_valid: Default::default(),
            result_hit: Default::default(),
            result_way: Default::default(),
            result_any: Default::default(),
            result_evict: Default::default(),
            result_victim_line: Default::default(),
            // Zero contents, so simulators without the reset sweep agree from cycle 0.
            ram: RAM::new(Default::default()),
            // Every bucket zero from the start: page_busy comes straight from this RAM,
            // so Icarus must not read X before the reset sweep reaches a bucket.
            counts: (0..1usize << PAGE_HASH_BITS)
                .map(|_| Bits::default())
                .into(),
            page_reading: Default::default(),
            page_answered: Default::default(),
            page_busy_q: Default::default(),
            cnt_state: Default::default(),
            cnt_dec: Default::default(),
            cnt_inc: Default::default(),
            dec_hash: Default::default(),
            inc_hash: Default::default(),
            sweeping: Default::default(),
            sweep: Default::default(),
            reading: Default::default(),
            word_q: Default::default(),
            addressed: Default::default(),
            primed: Default::default(),
            addressed_before: Default::default(),
            primed_before: Default::default(),
            second: Default::default(),
            set_here: Default::default(),
            done: Default::default(),
            line: Default::default(),
            set_word: Default::default(),
            rr: Default::default(),
            hit: Default::default(),
            way: Default::default(),
            any: Default::default(),
            evict: Default::default(),
            victim_line: Default::default(),
            take: Default::default(),
            word: Default::default(),
            tag: Default::default(),
            e0: Default::default(),
            e1: Default::default(),
            e2: Default::default(),
            e3: Default::default(),
            s0: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            s3: Default::default(),
            hits: Default::default(),
            anys: Default::default(),
            frees: Default::default(),
            found_way: Default::default(),
            free_way: Default::default(),
            victim_tag: Default::default(),
            victim_valid: Default::default(),
            new_entry: Default::default(),
            written: Default::default(),
            old_valid: Default::default(),
            old_tag: Default::default(),
            old_hash: Default::default(),
            new_hash: Default::default(),
            same_hash: Default::default(),
            dec: Default::default(),
            inc: Default::default(),
        }
    }
}

impl Logic for SnoopFilter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            sweeping,
            sweep,
            reading,
            word_q,
            addressed,
            primed,
            addressed_before,
            primed_before,
            second,
            done,
            line,
            set_word,
            rr,
            hit,
            way,
            any,
            evict,
            victim_line,
            page_reading,
            page_answered,
            page_busy_q,
            cnt_state,
            cnt_dec,
            cnt_inc,
            dec_hash,
            inc_hash
        );
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.counts.read_clock.next = self.clock.val();
        self.counts.write_clock.next = self.clock.val();
        self.swept.next = !self.sweeping.q.val();
        self.op_ready.next = !self.sweeping.q.val()
            & !self.reading.q.val()
            & (self.cnt_state.q.val() == CountUpdate::Idle);
        self.take.next = self.op_valid.val() & self.op_ready.val();
        self.ram.read_address.next = self.op_line.val().get_bits::<SETS_LOG2>(0);
        self.ram.write_enable.next = false;
        self.ram.write_address.next = self.line.q.val().get_bits::<SETS_LOG2>(0);
        self.ram.write_data.next = self.set_word.q.val();
        self.done.d.next = false;
        // Page query: the count RAM reads the page's bucket.
        self.counts.read_address.next = self.op_line.val().get_bits::<PAGE_HASH_BITS>(6);
        self.counts.write_enable.next = false;
        self.counts.write_address.next = self.dec_hash.q.val();
        self.counts.write_data.next = self.counts.read_data.val() - 1;
        self.page_reading.d.next = self.take.val() & !self.op_write.val() & self.op_page.val();
        self.page_answered.d.next = self.page_reading.q.val();
        self.page_busy_q.d.next = self.counts.read_data.val().any();
        self.page_done.next = self.page_answered.q.val();
        self.page_busy.next = self.page_busy_q.q.val();
        // Lookup, first cycle: the RAM reads the set (and read it in the cycle before if
        // the caller named it then).
        self.word_q.d.next = self.ram.read_data.val();
        self.addressed.d.next = self.op_line.val().get_bits::<SETS_LOG2>(0);
        self.addressed_before.d.next = self.addressed.q.val();
        self.primed_before.d.next = self.primed.q.val();
        if self.take.val() & !self.op_write.val() & !self.op_page.val() {
            self.reading.d.next = true;
            self.line.d.next = self.op_line.val();
        }
        // Second cycle: `word_q` holds the read of the cycle before the take if that was
        // of this set (decided from registers, not from the late `op_line`); else wait
        // a cycle for the take cycle's own read.
        self.set_here.next = self.second.q.val()
            | (self.primed_before.q.val()
                & (self.addressed_before.q.val() == self.line.q.val().get_bits::<SETS_LOG2>(0)));
        if self.reading.q.val() & !self.set_here.val() {
            self.second.d.next = true;
        }
        // Then: match the ways, choose the way to fill, register the result.
        self.word.next = self.word_q.q.val();
        self.tag.next = self.line.q.val().get_bits::<TAG_BITS>(10);
        self.e0.next = self.word.val().get_bits::<ENTRY_BITS>(0);
        self.e1.next = self.word.val().get_bits::<ENTRY_BITS>(22);
        self.e2.next = self.word.val().get_bits::<ENTRY_BITS>(44);
        self.e3.next = self.word.val().get_bits::<ENTRY_BITS>(66);
        self.hits.next = 0.into();
        self.anys.next = 0.into();
        self.frees.next = 0.into();
        self.hits.next = self.hits.val().replace_bit(
            0,
            self.e0.val().get_bit(0) & (self.e0.val().get_bits::<TAG_BITS>(2) == self.tag.val()),
        );
        self.hits.next = self.hits.val().replace_bit(
            1,
            self.e1.val().get_bit(0) & (self.e1.val().get_bits::<TAG_BITS>(2) == self.tag.val()),
        );
        self.hits.next = self.hits.val().replace_bit(
            2,
            self.e2.val().get_bit(0) & (self.e2.val().get_bits::<TAG_BITS>(2) == self.tag.val()),
        );
        self.hits.next = self.hits.val().replace_bit(
            3,
            self.e3.val().get_bit(0) & (self.e3.val().get_bits::<TAG_BITS>(2) == self.tag.val()),
        );
        self.anys.next = self.anys.val().replace_bit(0, self.e0.val().get_bit(1));
        self.anys.next = self.anys.val().replace_bit(1, self.e1.val().get_bit(1));
        self.anys.next = self.anys.val().replace_bit(2, self.e2.val().get_bit(1));
        self.anys.next = self.anys.val().replace_bit(3, self.e3.val().get_bit(1));
        self.frees.next = self.frees.val().replace_bit(0, !self.e0.val().get_bit(0));
        self.frees.next = self.frees.val().replace_bit(1, !self.e1.val().get_bit(0));
        self.frees.next = self.frees.val().replace_bit(2, !self.e2.val().get_bit(0));
        self.frees.next = self.frees.val().replace_bit(3, !self.e3.val().get_bit(0));
        // The hit's way number from its one-hot mask; the lowest free way.
        self.found_way.next =
            (bit_cast::<2, 1>((self.hits.val().get_bit(1) | self.hits.val().get_bit(3)).into()))
                | (bit_cast::<2, 1>(
                    (self.hits.val().get_bit(2) | self.hits.val().get_bit(3)).into(),
                ) << 1);
        self.free_way.next = 0.into();
        if self.frees.val().get_bit(3) {
            self.free_way.next = 3.into();
        }
        if self.frees.val().get_bit(2) {
            self.free_way.next = 2.into();
        }
        if self.frees.val().get_bit(1) {
            self.free_way.next = 1.into();
        }
        if self.frees.val().get_bit(0) {
            self.free_way.next = 0.into();
        }
        self.victim_tag.next = self.e0.val().get_bits::<TAG_BITS>(2);
        self.victim_valid.next = self.e0.val().get_bit(0);
        match self.rr.q.val().index() {
            1 => {
                self.victim_tag.next = self.e1.val().get_bits::<TAG_BITS>(2);
                self.victim_valid.next = self.e1.val().get_bit(0);
            }
            2 => {
                self.victim_tag.next = self.e2.val().get_bits::<TAG_BITS>(2);
                self.victim_valid.next = self.e2.val().get_bit(0);
            }
            3 => {
                self.victim_tag.next = self.e3.val().get_bits::<TAG_BITS>(2);
                self.victim_valid.next = self.e3.val().get_bit(0);
            }
            _ => {}
        }
        if self.reading.q.val() & self.set_here.val() {
            self.reading.d.next = false;
            self.second.d.next = false;
            self.done.d.next = true;
            self.set_word.d.next = self.word.val();
            self.hit.d.next = self.hits.val().any();
            self.any.d.next = (self.hits.val() & self.anys.val()).any();
            self.evict.d.next = false;
            self.way.d.next = self.found_way.val();
            if !self.hits.val().any() {
                self.way.d.next = self.free_way.val();
                if !self.frees.val().any() {
                    self.way.d.next = self.rr.q.val();
                    // A full set: the victim is valid.
                    self.evict.d.next = self.victim_valid.val();
                }
            }
            // The round-robin way's line, named whether or not it is evicted (it is read
            // only with `evict`), so the tag compares do not gate its 30 flip-flops.
            self.victim_line.d.next = (bit_cast::<LINE_BITS, TAG_BITS>(self.victim_tag.val())
                << 10)
                | bit_cast::<LINE_BITS, SETS_LOG2>(self.line.q.val().get_bits::<SETS_LOG2>(0));
        }
        // Write: one way of the latest lookup's set.
        self.new_entry.next =
            (bit_cast::<ENTRY_BITS, TAG_BITS>(self.line.q.val().get_bits::<TAG_BITS>(10)) << 2)
                | (bit_cast::<ENTRY_BITS, 1>(self.op_any.val().into()) << 1)
                | bit_cast::<ENTRY_BITS, 1>(self.op_present.val().into());
        self.s0.next = self.set_word.q.val().get_bits::<ENTRY_BITS>(0);
        self.s1.next = self.set_word.q.val().get_bits::<ENTRY_BITS>(22);
        self.s2.next = self.set_word.q.val().get_bits::<ENTRY_BITS>(44);
        self.s3.next = self.set_word.q.val().get_bits::<ENTRY_BITS>(66);
        match self.op_way.val().index() {
            0 => {
                self.s0.next = self.new_entry.val();
            }
            1 => {
                self.s1.next = self.new_entry.val();
            }
            2 => {
                self.s2.next = self.new_entry.val();
            }
            _ => {
                self.s3.next = self.new_entry.val();
            }
        }
        self.written.next = (bit_cast::<SET_BITS, ENTRY_BITS>(self.s3.val()) << 66)
            | (bit_cast::<SET_BITS, ENTRY_BITS>(self.s2.val()) << 44)
            | (bit_cast::<SET_BITS, ENTRY_BITS>(self.s1.val()) << 22)
            | bit_cast::<SET_BITS, ENTRY_BITS>(self.s0.val());
        // The counts: the replaced entry's bucket loses one, the new entry's gains one
        // (nothing when both are the same bucket, e.g. a state change of one line).
        self.old_valid.next = self.set_word.q.val().get_bit(0);
        self.old_tag.next = self.set_word.q.val().get_bits::<6>(2);
        match self.op_way.val().index() {
            1 => {
                self.old_valid.next = self.set_word.q.val().get_bit(22);
                self.old_tag.next = self.set_word.q.val().get_bits::<6>(24);
            }
            2 => {
                self.old_valid.next = self.set_word.q.val().get_bit(44);
                self.old_tag.next = self.set_word.q.val().get_bits::<6>(46);
            }
            3 => {
                self.old_valid.next = self.set_word.q.val().get_bit(66);
                self.old_tag.next = self.set_word.q.val().get_bits::<6>(68);
            }
            _ => {}
        }
        // Tag bits 5:0 are line bits 15:10; set bits 9:6 are the line's own.
        self.old_hash.next = (bit_cast::<PAGE_HASH_BITS, 6>(self.old_tag.val()) << 4)
            | bit_cast::<PAGE_HASH_BITS, 4>(self.line.q.val().get_bits::<4>(6));
        self.new_hash.next = self.line.q.val().get_bits::<PAGE_HASH_BITS>(6);
        self.same_hash.next = self.old_hash.val() == self.new_hash.val();
        self.dec.next = self.old_valid.val() & !(self.op_present.val() & self.same_hash.val());
        self.inc.next = self.op_present.val() & !(self.old_valid.val() & self.same_hash.val());
        if self.take.val() & self.op_write.val() {
            self.cnt_dec.d.next = self.dec.val();
            self.cnt_inc.d.next = self.inc.val();
            self.dec_hash.d.next = self.old_hash.val();
            self.inc_hash.d.next = self.new_hash.val();
            self.counts.read_address.next = self.new_hash.val();
            if self.dec.val() {
                self.counts.read_address.next = self.old_hash.val();
            }
            if self.dec.val() | self.inc.val() {
                self.cnt_state.d.next = CountUpdate::First;
            }
        }
        match self.cnt_state.q.val() {
            CountUpdate::Idle => {}
            CountUpdate::First => {
                self.counts.write_enable.next = true;
                self.cnt_state.d.next = CountUpdate::Idle;
                if self.cnt_dec.q.val() {
                    // Then read the other bucket, if an entry was added.
                    self.counts.read_address.next = self.inc_hash.q.val();
                    if self.cnt_inc.q.val() {
                        self.cnt_state.d.next = CountUpdate::Added;
                    }
                } else {
                    self.counts.write_address.next = self.inc_hash.q.val();
                    self.counts.write_data.next = self.counts.read_data.val() + 1;
                }
            }
            CountUpdate::Added => {
                self.counts.write_enable.next = true;
                self.counts.write_address.next = self.inc_hash.q.val();
                self.counts.write_data.next = self.counts.read_data.val() + 1;
                self.cnt_state.d.next = CountUpdate::Idle;
            }
        }
        if self.take.val() & self.op_write.val() {
            // The round robin moves on when a victim's way is refilled.
            if self.evict.q.val() & self.op_present.val() {
                self.rr.d.next = self.rr.q.val() + 1;
            }
            self.ram.write_enable.next = true;
            self.ram.write_data.next = self.written.val();
            self.set_word.d.next = self.written.val();
        }
        self.result_valid.next = self.done.q.val();
        self.result_hit.next = self.hit.q.val();
        self.result_way.next = self.way.q.val();
        self.result_any.next = self.any.q.val();
        self.result_evict.next = self.evict.q.val();
        self.result_victim_line.next = self.victim_line.q.val();
        // Reset sweeps every set to empty.
        if self.sweeping.q.val() {
            self.ram.write_enable.next = true;
            self.ram.write_address.next = self.sweep.q.val();
            self.ram.write_data.next = 0.into();
            self.counts.write_enable.next = true;
            self.counts.write_address.next = self.sweep.q.val();
            self.counts.write_data.next = 0.into();
            self.sweep.d.next = self.sweep.q.val() + 1;
            if self.sweep.q.val().all() {
                self.sweeping.d.next = false;
            }
        }
        // After every write to the RAM above: a read in a write's cycle sees the old set.
        self.primed.d.next = !self.ram.write_enable.val();
        if self.reset.val() {
            self.sweeping.d.next = true;
            self.sweep.d.next = 0.into();
            self.second.d.next = false;
            self.reading.d.next = false;
            self.done.d.next = false;
            self.rr.d.next = 0.into();
            self.set_word.d.next = 0.into();
            self.page_reading.d.next = false;
            self.page_answered.d.next = false;
            self.cnt_state.d.next = CountUpdate::Idle;
        }
    }
}

crate::port_map!(SnoopFilter as "snoop_filter" {
    clock: clock,
    in reset,
    in op_valid,
    out op_ready,
    out swept,
    in op_write,
    in op_line,
    in op_way,
    in op_present,
    in op_any,
    in op_page,
    out page_done,
    out page_busy,
    out result_valid,
    out result_hit,
    out result_way,
    out result_any,
    out result_evict,
    out result_victim_line,
});

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
//!   result holds until the next operation: hit and its way and state, otherwise the way
//!   to fill (the first free way, else the round-robin victim, whose line is then named
//!   so the home agent can back-invalidate it first; the round robin moves on when that
//!   way is refilled, so lookups that fill nothing do not disturb it).
//! - **write** sets or clears one way's entry in the set of the latest lookup (the home
//!   agent looks a line up before changing its entry, so it never writes blind).
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
/// One set.
const SET_BITS: usize = ENTRY_BITS * WAYS;
// The kernel spells bit offsets as literals (rust-hdl prints a constant's name into the
// Verilog): entries at 0, 22, 44 and 66, the tag at line bit 10.
const _: () = assert!(WAYS == 4 && SETS_LOG2 == 10 && ENTRY_BITS == 22);

#[derive(LogicBlock)]
pub struct SnoopFilter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub op_valid: Signal<In, Bit>,
    pub op_ready: Signal<Out, Bit>,
    /// 0: lookup, 1: write.
    pub op_write: Signal<In, Bit>,
    pub op_line: Signal<In, Bits<LINE_BITS>>,
    /// Write: the way, whether the line is now held, and whether possibly dirty.
    pub op_way: Signal<In, Bits<2>>,
    pub op_present: Signal<In, Bit>,
    pub op_any: Signal<In, Bit>,
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
    sweeping: DFF<Bit>,
    sweep: DFF<Bits<SETS_LOG2>>,
    reading: DFF<Bit>,
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
}

impl Default for SnoopFilter {
    fn default() -> Self {
        SnoopFilter {
            clock: Default::default(),
            reset: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_write: Default::default(),
            op_line: Default::default(),
            op_way: Default::default(),
            op_present: Default::default(),
            op_any: Default::default(),
            result_valid: Default::default(),
            result_hit: Default::default(),
            result_way: Default::default(),
            result_any: Default::default(),
            result_evict: Default::default(),
            result_victim_line: Default::default(),
            // Zero contents, so simulators without the reset sweep agree from cycle 0.
            ram: RAM::new(Default::default()),
            sweeping: Default::default(),
            sweep: Default::default(),
            reading: Default::default(),
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
            done,
            line,
            set_word,
            rr,
            hit,
            way,
            any,
            evict,
            victim_line
        );
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.op_ready.next = !self.sweeping.q.val() & !self.reading.q.val();
        self.take.next = self.op_valid.val() & !self.sweeping.q.val() & !self.reading.q.val();
        self.ram.read_address.next = self.op_line.val().get_bits::<SETS_LOG2>(0);
        self.ram.write_enable.next = false;
        self.ram.write_address.next = self.line.q.val().get_bits::<SETS_LOG2>(0);
        self.ram.write_data.next = self.set_word.q.val();
        self.done.d.next = false;
        // Lookup, first cycle: the RAM reads the set.
        if self.take.val() & !self.op_write.val() {
            self.reading.d.next = true;
            self.line.d.next = self.op_line.val();
        }
        // Second cycle: match the ways, choose the way to fill, register the result.
        self.word.next = self.ram.read_data.val();
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
        if self.reading.q.val() {
            self.reading.d.next = false;
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
                    self.victim_line.d.next =
                        (bit_cast::<LINE_BITS, TAG_BITS>(self.victim_tag.val()) << 10)
                            | bit_cast::<LINE_BITS, SETS_LOG2>(
                                self.line.q.val().get_bits::<SETS_LOG2>(0),
                            );
                }
            }
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
            self.sweep.d.next = self.sweep.q.val() + 1;
            if self.sweep.q.val().all() {
                self.sweeping.d.next = false;
            }
        }
        if self.reset.val() {
            self.sweeping.d.next = true;
            self.sweep.d.next = 0.into();
            self.reading.d.next = false;
            self.done.d.next = false;
            self.rr.d.next = 0.into();
            self.set_word.d.next = 0.into();
        }
    }
}

crate::port_map!(SnoopFilter as "snoop_filter" {
    clock: clock,
    in reset,
    in op_valid,
    out op_ready,
    in op_write,
    in op_line,
    in op_way,
    in op_present,
    in op_any,
    out result_valid,
    out result_hit,
    out result_way,
    out result_any,
    out result_evict,
    out result_victim_line,
});

//! Synchronous first-word-fall-through FIFO on block or distributed RAM, with a
//! synchronous reset (rust-hdl's own FIFO has none, and channel aborts need one).
//!
//! An entry pushed in cycle `c` can be popped from cycle `c + 2`: the RAM read is
//! registered, so the read side sees the write pointer one cycle late. Throughput is one
//! entry per cycle in and out. `N` is the address width (depth `2^N`), `NP1 = N + 1`.
//!
//! `full` and `empty` come from registers, so a block that gates a hand-over on them
//! starts from a flip-flop, not from a pointer subtraction and compare. Their next
//! values are compares of the registered pointers, chosen by this cycle's push and pop:
//! those arrive late, and pick a result instead of entering the arithmetic.
//!
//! The RAM's read address is a register too, so a late pop never reaches the RAM's
//! address pins (a block RAM's address setup is long). While the FIFO holds an entry
//! the RAM reads the one after it, ready for a pop; without a pop the head stays in
//! `hold`, a register that keeps what `data_out` showed. While it is empty the RAM reads
//! the head's own slot, so a push shows up as before.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Fifo<D: Synth, const N: usize, const NP1: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: empties the FIFO.
    pub reset: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub data_in: Signal<In, D>,
    pub full: Signal<Out, Bit>,
    pub pop: Signal<In, Bit>,
    /// Oldest entry, valid while `empty` is low.
    pub data_out: Signal<Out, D>,
    pub empty: Signal<Out, Bit>,
    ram: RAM<D, N>,
    wr_ptr: DFF<Bits<NP1>>,
    rd_ptr: DFF<Bits<NP1>>,
    full_q: DFF<Bit>,
    /// Not empty: an entry written before this cycle is unread (low after reset, as
    /// the pointers are).
    filled: DFF<Bit>,
    /// The slot the RAM reads this cycle: the head's successor while an entry is
    /// unread, the head's own slot while empty.
    read_at: DFF<Bits<N>>,
    /// `data_out` is this cycle's RAM read, not `hold`: the FIFO popped or was empty in
    /// the cycle before, so the read is of the head.
    fresh: DFF<Bit>,
    /// The head as `data_out` showed it in the cycle before.
    hold: DFF<D>,
    /// The head this cycle, chosen before it reaches `data_out`: an output assigned
    /// twice in a kernel glitches in Icarus, and a parent that reads `data_out` and
    /// drives `push` or `pop` back would re-trigger this block without end.
    head: Signal<Local, D>,
    depth: Constant<Bits<NP1>>,
    /// Entries written and not read, as the pointers stand.
    occupancy: Signal<Local, Bits<NP1>>,
    rd_next: Signal<Local, Bits<NP1>>,
    /// The read pointer plus one, and the read address plus two, for the read after a
    /// pop.
    rd_plus1: Signal<Local, Bits<NP1>>,
    rd_plus2: Signal<Local, Bits<N>>,
    /// Next cycle's read address without a pop, and with one.
    read_stay: Signal<Local, Bits<N>>,
    read_popped: Signal<Local, Bits<N>>,
    do_push: Signal<Local, Bit>,
    do_pop: Signal<Local, Bit>,
}

impl<D: Synth, const N: usize, const NP1: usize> Default for Fifo<D, N, NP1> {
    fn default() -> Self {
        assert_eq!(NP1, N + 1, "NP1 must be N + 1");
        Fifo {
            clock: Default::default(),
            reset: Default::default(),
            push: Default::default(),
            data_in: Default::default(),
            full: Default::default(),
            pop: Default::default(),
            data_out: Default::default(),
            empty: Default::default(),
            // Zero contents: data_out is defined even before the first push, so every
            // simulator (Icarus included) agrees cycle by cycle.
            ram: (0..1usize << N).map(|_| D::default()).into(),
            wr_ptr: Default::default(),
            rd_ptr: Default::default(),
            full_q: Default::default(),
            filled: Default::default(),
            read_at: Default::default(),
            fresh: Default::default(),
            hold: Default::default(),
            head: Default::default(),
            depth: Constant::new(Bits::from(1u64 << N)),
            occupancy: Default::default(),
            rd_next: Default::default(),
            rd_plus1: Default::default(),
            rd_plus2: Default::default(),
            read_stay: Default::default(),
            read_popped: Default::default(),
            do_push: Default::default(),
            do_pop: Default::default(),
        }
    }
}

impl<D: Synth, const N: usize, const NP1: usize> Logic for Fifo<D, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr_ptr, rd_ptr, full_q, filled, read_at, fresh, hold);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.full.next = self.full_q.q.val();
        self.empty.next = !self.filled.q.val();
        self.occupancy.next = self.wr_ptr.q.val() - self.rd_ptr.q.val();
        self.do_push.next = self.push.val() & !self.full_q.q.val();
        self.do_pop.next = self.pop.val() & self.filled.q.val();
        if self.do_push.val() {
            self.wr_ptr.d.next = self.wr_ptr.q.val() + 1;
        }
        self.rd_plus1.next = self.rd_ptr.q.val() + 1;
        self.rd_plus2.next = self.rd_ptr.q.val().get_bits::<N>(0) + 2;
        self.rd_next.next = self.rd_ptr.q.val();
        if self.do_pop.val() {
            self.rd_next.next = self.rd_plus1.val();
        }
        self.rd_ptr.d.next = self.rd_next.val();
        // Full after this cycle: a push alone fills the last free entry, a pop alone
        // frees one.
        if self.do_push.val() & !self.do_pop.val() {
            self.full_q.d.next = self.occupancy.val() == (self.depth.val() - 1);
        }
        if self.do_pop.val() & !self.do_push.val() {
            self.full_q.d.next = false;
        }
        // Unread entries the read side can see after this cycle: it sees a write a cycle
        // late, as the RAM read is registered.
        self.filled.d.next = self.occupancy.val().any();
        if self.do_pop.val() {
            self.filled.d.next = self.occupancy.val() != 1;
        }
        // Next cycle's read: the successor of next cycle's head while it is unread, the
        // head's slot while the FIFO is empty. Both outcomes of the pop are made from the
        // registers; the pop only picks one.
        self.read_stay.next = self.rd_ptr.q.val().get_bits::<N>(0);
        if self.occupancy.val().any() {
            self.read_stay.next = self.rd_plus1.val().get_bits::<N>(0);
        }
        self.read_popped.next = self.rd_plus1.val().get_bits::<N>(0);
        if self.occupancy.val() != 1 {
            self.read_popped.next = self.rd_plus2.val();
        }
        self.read_at.d.next = self.read_stay.val();
        if self.do_pop.val() {
            self.read_at.d.next = self.read_popped.val();
        }
        self.fresh.d.next = self.do_pop.val() | !self.filled.q.val();
        self.ram.read_address.next = self.read_at.q.val();
        self.ram.write_address.next = self.wr_ptr.q.val().get_bits::<N>(0);
        self.ram.write_data.next = self.data_in.val();
        self.ram.write_enable.next = self.do_push.val();
        self.head.next = self.hold.q.val();
        if self.fresh.q.val() {
            self.head.next = self.ram.read_data.val();
        }
        self.data_out.next = self.head.val();
        self.hold.d.next = self.head.val();
        if self.reset.val() {
            self.wr_ptr.d.next = 0.into();
            self.rd_ptr.d.next = 0.into();
            self.full_q.d.next = false;
            self.filled.d.next = false;
            self.read_at.d.next = 0.into();
        }
    }
}

/// A small FIFO (8 entries of 16 bits), a top of its own for its module testbench.
pub type Fifo16 = Fifo<Bits<16>, 3, 4>;

crate::port_map!(Fifo16 as "fifo" {
    clock: clock,
    in reset,
    in push,
    in data_in,
    out full,
    in pop,
    out data_out,
    out empty,
});

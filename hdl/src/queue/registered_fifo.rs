//! A [`Fifo`] whose oldest entry waits in a register: `data_out` and `empty` come
//! straight from flip-flops instead of the block RAM's output (5.8 ns clock to output on
//! ECP5 without its output register), so the logic that reads the head has the whole
//! cycle. One more cycle of latency (an entry pushed in cycle `c` can be popped from
//! `c + 3`) and one more entry of capacity; still one entry per cycle in and out.

use rust_hdl::prelude::*;

use crate::queue::fifo::Fifo;

#[derive(LogicBlock, Default)]
pub struct RegisteredFifo<D: Synth, const N: usize, const NP1: usize> {
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
    ram: Fifo<D, N, NP1>,
    head: DFF<D>,
    head_valid: DFF<Bit>,
    refill: Signal<Local, Bit>,
}

impl<D: Synth, const N: usize, const NP1: usize> Logic for RegisteredFifo<D, N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, head, head_valid);
        clock!(self, clock, ram);
        self.ram.reset.next = self.reset.val();
        self.ram.push.next = self.push.val();
        self.ram.data_in.next = self.data_in.val();
        self.full.next = self.ram.full.val();
        self.data_out.next = self.head.q.val();
        self.empty.next = !self.head_valid.q.val();
        // The head refills from the RAM when it is empty or leaving.
        self.refill.next = !self.ram.empty.val() & (!self.head_valid.q.val() | self.pop.val());
        self.ram.pop.next = self.refill.val();
        if self.refill.val() {
            self.head.d.next = self.ram.data_out.val();
        }
        self.head_valid.d.next = self.refill.val() | (self.head_valid.q.val() & !self.pop.val());
        if self.reset.val() {
            self.head_valid.d.next = false;
        }
    }
}

/// A small registered FIFO (8 + 1 entries of 16 bits), a top of its own for its module
/// testbench.
pub type RegisteredFifo16 = RegisteredFifo<Bits<16>, 3, 4>;

crate::port_map!(RegisteredFifo16 as "registered_fifo" {
    clock: clock,
    in reset,
    in push,
    in data_in,
    out full,
    in pop,
    out data_out,
    out empty,
});

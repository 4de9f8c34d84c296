//! Skid buffer: a valid/ready channel cut by registers, so no combinational path
//! crosses it (VALID, READY and payload are registered on both sides) while it still
//! moves one item per cycle. The address split registers each of its five AXI4
//! channels with one; inside the DMA engine they cut the hand-overs between its stages.

use rust_hdl::prelude::*;

/// One valid/ready channel of payload `D` through two registers: the output
/// register, and a spare that takes the beat arriving in the cycle the output stalls.
#[derive(LogicBlock, Default)]
pub struct Skid<D: Synth> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_data: Signal<In, D>,
    pub in_ready: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_data: Signal<Out, D>,
    pub out_ready: Signal<In, Bit>,
    valid: DFF<Bit>,
    data: DFF<D>,
    spare_valid: DFF<Bit>,
    spare: DFF<D>,
}

impl<D: Synth> Logic for Skid<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid, data, spare_valid, spare);
        self.in_ready.next = !self.spare_valid.q.val();
        self.out_valid.next = self.valid.q.val();
        self.out_data.next = self.data.q.val();
        if self.out_ready.val() | !self.valid.q.val() {
            if self.spare_valid.q.val() {
                self.valid.d.next = true;
                self.data.d.next = self.spare.q.val();
                self.spare_valid.d.next = false;
            } else {
                self.valid.d.next = self.in_valid.val();
                self.data.d.next = self.in_data.val();
            }
        } else if self.in_valid.val() & !self.spare_valid.q.val() {
            self.spare_valid.d.next = true;
        }
        // An empty spare takes the payload in every cycle, kept or not: its load enable
        // is then a register, not the late `in_valid` fanned out to every payload bit.
        if !self.spare_valid.q.val() {
            self.spare.d.next = self.in_data.val();
        }
        if self.reset.val() {
            self.valid.d.next = false;
            self.spare_valid.d.next = false;
        }
    }
}

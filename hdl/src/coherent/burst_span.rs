//! The device-memory bytes an AXI4 burst from the DMA port may touch: its offset, and
//! the first and last byte. A WRAP burst covers its aligned block whichever beat it
//! starts at; a FIXED one is taken as INCR (a superset of its bytes).
//!
//! Combinational. The home agent has one for AR and one for AW, and picks a result once
//! it has chosen which burst to take, so the arithmetic does not wait for that choice.

use rust_hdl::prelude::*;

use crate::bus::axi4::burst;
use crate::param::Param;

#[derive(LogicBlock, Default)]
pub struct BurstSpan {
    /// First byte of device memory in the DMA engine's address space.
    pub base: Signal<In, Bits<64>>,
    pub addr: Signal<In, Bits<64>>,
    pub len: Signal<In, Bits<8>>,
    pub size: Signal<In, Bits<3>>,
    pub burst: Signal<In, Bits<2>>,
    /// `addr` as a device-memory offset.
    pub offset: Signal<Out, Bits<64>>,
    /// The first and last offset the burst may touch.
    pub first_byte: Signal<Out, Bits<64>>,
    pub last_byte: Signal<Out, Bits<64>>,
    bytes: Signal<Local, Bits<64>>,
    wrap: Param<2, { burst::WRAP }>,
}

impl Logic for BurstSpan {
    #[hdl_gen]
    fn update(&mut self) {
        self.offset.next = self.addr.val() - self.base.val();
        self.bytes.next = (bit_cast::<64, 8>(self.len.val()) + 1) << self.size.val();
        self.first_byte.next = self.offset.val();
        if self.burst.val() == self.wrap.val() {
            self.first_byte.next = self.offset.val() & !(self.bytes.val() - 1);
        }
        self.last_byte.next = self.first_byte.val() + self.bytes.val() - 1;
    }
}

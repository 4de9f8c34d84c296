//! 64 KiB of block RAM behind an AXI4 slave: the stand-in for host memory on the XEM7010
//! board, where the device's host port has no PCIe host behind it.
//!
//! It reuses the MIG bridge (the same AXI4 side as the DDR3) and answers the bridge's
//! user interface itself: always ready, one beat per command, read data one cycle
//! later. Write data may come before its command (the bridge writes data first when
//! the command port is busy with a read), so the last beat is held until its command.
//! Each byte lane is its own RAM, so strobes need no read-modify-write. Addresses wrap
//! at 64 KiB.

use rust_hdl::prelude::*;

use crate::board::mig_bridge::MigBridge;
use crate::bus::axi4::Axi4Slave;

/// Address bits of a 128-bit word: 4,096 words, 64 KiB.
const WORD_BITS: usize = 12;
/// Byte lanes.
const LANES: usize = 16;

#[derive(LogicBlock)]
pub struct BramMemory {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub axi: Axi4Slave<4, 64, 128, 16>,
    bridge: MigBridge,
    lanes: [RAM<Bits<8>, WORD_BITS>; LANES],
    /// Write data taken before its command, and its keep-mask (MIG sense: 1 = skip).
    held: DFF<Bits<128>>,
    held_mask: DFF<Bits<16>>,
    /// A read command was taken last cycle: its data is on the RAM outputs now.
    reading: DFF<Bit>,
    data: Signal<Local, Bits<128>>,
    mask: Signal<Local, Bits<16>>,
    word: Signal<Local, Bits<WORD_BITS>>,
    write: Signal<Local, Bit>,
    lane_data: Signal<Local, Bits<8>>,
    read_word: Signal<Local, Bits<128>>,
}

impl Default for BramMemory {
    fn default() -> Self {
        // Zero contents: every simulator reads the same before the first write.
        let lane = || -> RAM<Bits<8>, WORD_BITS> {
            (0..1usize << WORD_BITS).map(|_| Bits::default()).into()
        };
        BramMemory {
            clock: Default::default(),
            reset: Default::default(),
            axi: Default::default(),
            bridge: Default::default(),
            lanes: std::array::from_fn(|_| lane()),
            held: Default::default(),
            held_mask: Default::default(),
            reading: Default::default(),
            data: Default::default(),
            mask: Default::default(),
            word: Default::default(),
            write: Default::default(),
            lane_data: Default::default(),
            read_word: Default::default(),
        }
    }
}

impl Logic for BramMemory {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, held, held_mask, reading);
        self.bridge.clock.next = self.clock.val();
        self.bridge.reset.next = self.reset.val();
        Axi4Slave::<4, 64, 128, 16>::link(&mut self.axi, &mut self.bridge.axi);
        self.bridge.app.rdy.next = true;
        self.bridge.app.wdf_rdy.next = true;
        // The beat of a write command: with it, or held from before.
        self.data.next = self.held.q.val();
        self.mask.next = self.held_mask.q.val();
        if self.bridge.app.wdf_wren.val() {
            self.data.next = self.bridge.app.wdf_data.val();
            self.mask.next = self.bridge.app.wdf_mask.val();
            self.held.d.next = self.bridge.app.wdf_data.val();
            self.held_mask.d.next = self.bridge.app.wdf_mask.val();
        }
        // 16-bit word address to 128-bit word.
        self.word.next = self.bridge.app.addr.val().get_bits::<WORD_BITS>(3);
        self.write.next = self.bridge.app.en.val() & (self.bridge.app.cmd.val() == 0);
        self.read_word.next = 0.into();
        // Lane i holds byte 15 - i, so the read word shifts together from lane 0 up.
        for i in 0..LANES {
            self.lanes[i].read_clock.next = self.clock.val();
            self.lanes[i].write_clock.next = self.clock.val();
            self.lanes[i].read_address.next = self.word.val();
            self.lanes[i].write_address.next = self.word.val();
            self.lanes[i].write_data.next = self.data.val().get_bits::<8>(120 - i * 8);
            self.lanes[i].write_enable.next = self.write.val() & !self.mask.val().get_bit(15 - i);
            self.lane_data.next = self.lanes[i].read_data.val();
            self.read_word.next =
                (self.read_word.val() << 8) | bit_cast::<128, 8>(self.lane_data.val());
        }
        self.reading.d.next = self.bridge.app.en.val() & (self.bridge.app.cmd.val() == 1);
        self.bridge.app.rd_data_valid.next = self.reading.q.val();
        self.bridge.app.rd_data.next = self.read_word.val();
        if self.reset.val() {
            self.reading.d.next = false;
        }
    }
}

crate::port_map!(BramMemory as "bram_memory" {
    clock: clock,
    in reset,
} axi4 { slave axi });

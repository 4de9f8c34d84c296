//! The XEM7010 board top.
//!
//! ```text
//!  host PC --USB3-- okHost --wires/trigger (ti_clk)--> WireCsr --AXI4-Lite--> DeviceTop
//!                                                      (CDC)                   | host  --> BramMemory (64 KiB)
//!                                                                              | mem   --> MigBridge --> MIG --> DDR3
//!                                                                              | coh   (no CPU: tied idle)
//! ```
//!
//! The device runs on the MIG's user clock (100 MHz) and its reset; the host interface
//! on FrontPanel's `ti_clk`. Only the register path crosses, through `WireCsr`. LEDs
//! (active low): 0 the interrupt line, 1 DDR3 calibrated, 2 flips with every register
//! access.

use cdm_hdl::board::bram_memory::BramMemory;
use cdm_hdl::board::mig_bridge::MigBridge;
use cdm_hdl::board::wire_csr::WireCsr;
use cdm_hdl::bus::axi4::Axi4Master;
use cdm_hdl::bus::axi_lite::AxiLiteMaster;
use cdm_hdl::device::DeviceTop;
use rust_hdl::prelude::*;
use rust_hdl_bsp_ok_xem7010::xem7010::mcb_if::MCBInterface4GDDR3;
use rust_hdl_bsp_ok_xem7010::xem7010::mig7::MemoryInterfaceGenerator7Series;
use rust_hdl_bsp_ok_xem7010::xem7010::pins::{
    xem_7010_leds, xem_7010_neg_clock, xem_7010_pos_clock,
};
use rust_hdl_bsp_ok_xem7010::xem7010::XEM7010;
use rust_hdl_ok_core::core::prelude::*;

use crate::endpoints as ep;

#[derive(LogicBlock)]
pub struct Xem7010Top {
    pub hi: OpalKellyHostInterface,
    pub ok_host: OpalKellyHost,
    pub sys_clock_p: Signal<In, Clock>,
    pub sys_clock_n: Signal<In, Clock>,
    pub mcb: MCBInterface4GDDR3,
    pub led: Signal<Out, Bits<8>>,
    addr: WireIn,
    wdata_lo: WireIn,
    wdata_hi: WireIn,
    ctrl: WireIn,
    go: TriggerIn,
    rdata_lo: WireOut,
    rdata_hi: WireOut,
    status: WireOut,
    mig: MemoryInterfaceGenerator7Series,
    wires: WireCsr,
    device: DeviceTop,
    ddr: MigBridge,
    host_ram: BramMemory,
}

impl Default for Xem7010Top {
    fn default() -> Self {
        Xem7010Top {
            hi: XEM7010::hi(),
            ok_host: XEM7010::ok_host(),
            sys_clock_p: xem_7010_pos_clock(),
            sys_clock_n: xem_7010_neg_clock(),
            mcb: MCBInterface4GDDR3::xem_7010(),
            led: xem_7010_leds(),
            addr: WireIn::new(ep::ADDR as u8),
            wdata_lo: WireIn::new(ep::WDATA_LO as u8),
            wdata_hi: WireIn::new(ep::WDATA_HI as u8),
            ctrl: WireIn::new(ep::CTRL as u8),
            go: TriggerIn::new(ep::GO as u8),
            rdata_lo: WireOut::new(ep::RDATA_LO as u8),
            rdata_hi: WireOut::new(ep::RDATA_HI as u8),
            status: WireOut::new(ep::STATUS as u8),
            mig: Default::default(),
            wires: Default::default(),
            device: Default::default(),
            ddr: Default::default(),
            host_ram: Default::default(),
        }
    }
}

impl Logic for Xem7010Top {
    #[hdl_gen]
    fn update(&mut self) {
        // FrontPanel: the host interface, its endpoints on ok1, their answers or-ed on ok2.
        OpalKellyHostInterface::link(&mut self.hi, &mut self.ok_host.hi);
        self.addr.ok1.next = self.ok_host.ok1.val();
        self.wdata_lo.ok1.next = self.ok_host.ok1.val();
        self.wdata_hi.ok1.next = self.ok_host.ok1.val();
        self.ctrl.ok1.next = self.ok_host.ok1.val();
        self.go.ok1.next = self.ok_host.ok1.val();
        self.go.clk.next = self.ok_host.ti_clk.val();
        self.rdata_lo.ok1.next = self.ok_host.ok1.val();
        self.rdata_hi.ok1.next = self.ok_host.ok1.val();
        self.status.ok1.next = self.ok_host.ok1.val();
        self.ok_host.ok2.next =
            self.rdata_lo.ok2.val() | self.rdata_hi.ok2.val() | self.status.ok2.val();

        // The MIG: DDR3 pins, its clock and reset drive the device.
        MCBInterface4GDDR3::link(&mut self.mcb, &mut self.mig.mcb);
        self.mig.raw_pos_clock.next = self.sys_clock_p.val();
        self.mig.raw_neg_clock.next = self.sys_clock_n.val();
        self.mig.reset.next = self.ctrl.dataout.val().get_bit(1);

        // Registers: wires to AXI4-Lite, from ti_clk to the device's clock.
        self.wires.host_clock.next = self.ok_host.ti_clk.val();
        self.wires.clock.next = self.mig.clock.val();
        self.wires.reset.next = self.mig.reset_out.val();
        self.wires.addr.next = self.addr.dataout.val().get_bits::<12>(0);
        self.wires.wdata.next = bit_cast::<32, 16>(self.wdata_lo.dataout.val())
            | (bit_cast::<32, 16>(self.wdata_hi.dataout.val()) << 16);
        self.wires.write.next = self.ctrl.dataout.val().get_bit(0);
        self.wires.go.next = self.go.trigger.val().get_bit(0);
        self.rdata_lo.datain.next = self.wires.rdata.val().get_bits::<16>(0);
        self.rdata_hi.datain.next = self.wires.rdata.val().get_bits::<16>(16);
        self.status.datain.next = bit_cast::<16, 1>(self.wires.done.val().into())
            | (bit_cast::<16, 2>(self.wires.resp.val()) << 1)
            | (bit_cast::<16, 1>(self.device.irq.val().into()) << 3)
            | (bit_cast::<16, 1>(self.mig.calib_done.val().into()) << 4);

        // The device, its memories and an idle coherent port (no CPU on the board).
        self.device.clock.next = self.mig.clock.val();
        self.device.reset.next = self.mig.reset_out.val();
        AxiLiteMaster::<12>::join(&mut self.wires.axil, &mut self.device.axil);
        self.host_ram.clock.next = self.mig.clock.val();
        self.host_ram.reset.next = self.mig.reset_out.val();
        Axi4Master::<4, 64, 128, 16>::join(&mut self.device.host, &mut self.host_ram.axi);
        self.ddr.clock.next = self.mig.clock.val();
        self.ddr.reset.next = self.mig.reset_out.val();
        Axi4Master::<4, 64, 128, 16>::join(&mut self.device.mem, &mut self.ddr.axi);
        self.mig.address.next = self.ddr.app.addr.val();
        self.mig.command.next = self.ddr.app.cmd.val();
        self.mig.enable.next = self.ddr.app.en.val();
        self.ddr.app.rdy.next = self.mig.ready.val();
        self.mig.write_data_in.next = self.ddr.app.wdf_data.val();
        self.mig.write_data_mask.next = self.ddr.app.wdf_mask.val();
        self.mig.write_data_end.next = self.ddr.app.wdf_end.val();
        self.mig.write_enable.next = self.ddr.app.wdf_wren.val();
        self.ddr.app.wdf_rdy.next = self.mig.write_fifo_not_full.val();
        self.ddr.app.rd_data.next = self.mig.read_data_out.val();
        self.ddr.app.rd_data_valid.next = self.mig.read_data_valid.val();
        self.device.coh.req_valid.next = false;
        self.device.coh.req_op.next = 0.into();
        self.device.coh.req_line.next = 0.into();
        self.device.coh.req_tag.next = 0.into();
        self.device.coh.req_data.next = 0.into();
        self.device.coh.req_mask.next = 0.into();
        self.device.coh.req_last.next = false;
        self.device.coh.s2m_ready.next = true;
        self.device.coh.snp_valid.next = false;
        self.device.coh.snp_line.next = 0.into();
        self.device.coh.snp_state.next = 0.into();
        self.device.coh.snp_dirty.next = false;
        self.device.coh.snp_data.next = 0.into();
        self.device.coh.snp_last.next = false;

        // LEDs, active low.
        self.led.next = !(bit_cast::<8, 1>(self.device.irq.val().into())
            | (bit_cast::<8, 1>(self.mig.calib_done.val().into()) << 1)
            | (bit_cast::<8, 1>(self.wires.done.val().into()) << 2));
    }
}

/// The top with its pins connected, ready for `connect_all` and synthesis.
pub fn board() -> Xem7010Top {
    let mut top = Xem7010Top::default();
    top.hi.link_connect_dest();
    top.mcb.link_connect_dest();
    top.sys_clock_p.connect();
    top.sys_clock_n.connect();
    top
}

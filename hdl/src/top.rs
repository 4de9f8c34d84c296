//! The device top: what `cdm export` writes as Verilog.
//!
//! Today it holds the CSR block and the interrupt logic; the DMA engine and the
//! coherent memory controller join it in later steps, replacing the event inputs.

use rust_hdl::prelude::*;

use crate::axi_lite::AxiLiteSlave;
use crate::csr::CsrBlock;

/// Address bits of the CSR window (4 KiB).
pub const CSR_ADDR_BITS: usize = 12;

/// The device top.
#[derive(LogicBlock, Default)]
pub struct DeviceTop {
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// CSR access from the host.
    pub axil: AxiLiteSlave<CSR_ADDR_BITS>,
    /// Level interrupt to the host: any(INTR.STATUS & INTR.ENABLE).
    pub irq: Signal<Out, Bit>,
    /// Interrupt events of the DMA channels (one-cycle pulses).
    pub dma_events: Signal<In, Bits<8>>,
    /// Interrupt event of the coherent memory controller (one-cycle pulse).
    pub coherent_event: Signal<In, Bit>,
    /// GLOBAL.CTRL.ENABLE, for the engines.
    pub enable: Signal<Out, Bit>,
    /// GLOBAL.CTRL.SOFT_RESET pulse, for the engines.
    pub soft_reset: Signal<Out, Bit>,
    csr: CsrBlock,
}

impl Logic for DeviceTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.csr.clock.next = self.clock.val();
        self.csr.reset.next = self.reset.val();
        AxiLiteSlave::<CSR_ADDR_BITS>::link(&mut self.axil, &mut self.csr.axil);
        // Capabilities: no DMA engine and no device memory yet.
        self.csr.global_cap_dma_channels.next = 0.into();
        self.csr.global_cap_dma_data_bytes.next = 0.into();
        self.csr.global_cap_devmem_lo_size.next = 0.into();
        self.csr.global_cap_devmem_hi_size.next = 0.into();
        self.csr.global_status_ready.next = !self.reset.val();
        self.csr.global_status_busy.next = false;
        // Interrupts: events and test bits set STATUS; a test bit lives one cycle.
        self.csr.intr_status_dma_set.next = self.dma_events.val() | self.csr.intr_test_dma.val();
        self.csr.intr_status_coherent_set.next =
            self.coherent_event.val() | self.csr.intr_test_coherent.val();
        self.csr.intr_test_dma_clr.next = self.csr.intr_test_dma.val();
        self.csr.intr_test_coherent_clr.next = self.csr.intr_test_coherent.val();
        self.irq.next = (self.csr.intr_status_dma.val() & self.csr.intr_enable_dma.val()).any()
            | (self.csr.intr_status_coherent.val() & self.csr.intr_enable_coherent.val());
        self.enable.next = self.csr.global_ctrl_enable.val();
        self.soft_reset.next = self.csr.global_ctrl_soft_reset.val();
    }
}

crate::port_map!(DeviceTop as "device" {
    clock: clock,
    in reset,
    in axil.awaddr,
    in axil.awvalid,
    out axil.awready,
    in axil.wdata,
    in axil.wstrb,
    in axil.wvalid,
    out axil.wready,
    out axil.bresp,
    out axil.bvalid,
    in axil.bready,
    in axil.araddr,
    in axil.arvalid,
    out axil.arready,
    out axil.rdata,
    out axil.rresp,
    out axil.rvalid,
    in axil.rready,
    out irq,
    in dma_events,
    in coherent_event,
    out enable,
    out soft_reset,
});

//! The device top: what `cdm export` writes as Verilog.
//!
//! The CSR block, the interrupt logic, the DMA engine and the coherent memory
//! controller's home agent. The engine's AXI4 traffic is split by the device memory
//! window (the split registers every channel, a register slice as well): host memory on the host port, device memory
//! through the home agent, which also serves the host's coherent port and owns the
//! device memory port.

use rust_hdl::prelude::*;

use crate::bus::axi4::Axi4Master;
use crate::bus::axi4_split::Axi4Split;
use crate::bus::axi_lite::AxiLiteSlave;
use crate::coherent::home_agent::{CoherentPort, HomeAgent};
use crate::csr::CsrBlock;
use crate::dma::check::WINDOWS;
use crate::dma::engine::{DmaEngine, CHANNELS};

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
    /// The host's coherent port to device memory (`docs/COHERENCE.md`).
    pub coh: CoherentPort,
    /// Host memory: descriptors, status write-backs, and data outside device memory.
    pub host: Axi4Master<4, 64, 128, 16>,
    /// Device memory (DRAM), addressed by offset.
    pub mem: Axi4Master<4, 64, 128, 16>,
    csr: CsrBlock,
    dma: DmaEngine,
    split: Axi4Split,
    home: HomeAgent,
    devmem_base: Signal<Local, Bits<64>>,
    dma_events: Signal<Local, Bits<8>>,
    /// INTR.TEST's pulses, registered: the pulse is decoded from the CSR write in the
    /// same block that takes STATUS's set, so a direct path would look circular.
    test_dma: DFF<Bits<8>>,
    test_coherent: DFF<Bit>,
}

impl Logic for DeviceTop {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, test_dma, test_coherent);
        self.csr.clock.next = self.clock.val();
        self.csr.reset.next = self.reset.val();
        AxiLiteSlave::<CSR_ADDR_BITS>::link(&mut self.axil, &mut self.csr.axil);
        // The DMA engine: reset by the device reset or GLOBAL.CTRL.SOFT_RESET.
        self.dma.clock.next = self.clock.val();
        self.dma.reset.next = self.reset.val() | self.csr.global_ctrl_soft_reset.val();
        self.dma.enable.next = self.csr.global_ctrl_enable.val();
        self.dma.watchdog.next = self.csr.global_dma_watchdog_cycles.val();
        self.split.clock.next = self.clock.val();
        self.split.reset.next = self.reset.val();
        self.devmem_base.next = (bit_cast::<64, 32>(self.csr.global_devmem_base_hi_addr.val())
            << 32)
            | (bit_cast::<64, 20>(self.csr.global_devmem_base_lo_addr.val()) << 12);
        self.split.base_page.next = (bit_cast::<52, 32>(self.csr.global_devmem_base_hi_addr.val())
            << 20)
            | bit_cast::<52, 20>(self.csr.global_devmem_base_lo_addr.val());
        self.split.size_pages.next =
            (bit_cast::<52, 32>(self.csr.global_devmem_size_hi_addr.val()) << 20)
                | bit_cast::<52, 20>(self.csr.global_devmem_size_lo_addr.val());
        // The split registers every channel on the engine's side, so the engine's
        // handshakes stop there instead of chaining through it and the home agent.
        Axi4Master::<4, 64, 128, 16>::join(&mut self.dma.m, &mut self.split.s);
        Axi4Master::<4, 64, 128, 16>::link(&mut self.host, &mut self.split.host);
        // The home agent: reset with the device only (a DMA soft reset keeps coherence).
        self.home.clock.next = self.clock.val();
        self.home.reset.next = self.reset.val();
        self.home.base.next = self.devmem_base.val();
        self.home.enable.next = self.csr.coherent_ctrl_enable.val();
        Axi4Master::<4, 64, 128, 16>::join(&mut self.split.dev, &mut self.home.dev);
        CoherentPort::link(&mut self.coh, &mut self.home.host);
        Axi4Master::<4, 64, 128, 16>::link(&mut self.mem, &mut self.home.mem);
        for i in 0..WINDOWS {
            self.dma.windows[i].base_lo.next = self.csr.window[i].base_lo_addr.val();
            self.dma.windows[i].base_hi.next = self.csr.window[i].base_hi_addr.val();
            self.dma.windows[i].limit_lo.next = self.csr.window[i].limit_lo_addr.val();
            self.dma.windows[i].limit_hi.next = self.csr.window[i].limit_hi_addr.val();
            self.dma.windows[i].enable.next = self.csr.window[i].ctrl_enable.val();
            self.dma.windows[i].read.next = self.csr.window[i].ctrl_read.val();
            self.dma.windows[i].write.next = self.csr.window[i].ctrl_write.val();
        }
        self.dma_events.next = 0.into();
        for i in 0..CHANNELS {
            self.dma.csr[i].ring_base_lo.next = self.csr.dma[i].ring_base_lo_addr.val();
            self.dma.csr[i].ring_base_hi.next = self.csr.dma[i].ring_base_hi_addr.val();
            self.dma.csr[i].ring_log2.next = self.csr.dma[i].ring_size_log2.val();
            self.dma.csr[i].producer.next = self.csr.dma[i].producer_index.val();
            self.dma.csr[i].run.next = self.csr.dma[i].ctrl_run.val();
            self.dma.csr[i].retry.next = self.csr.dma[i].ctrl_retry.val();
            self.dma.csr[i].skip.next = self.csr.dma[i].ctrl_skip.val();
            self.dma.csr[i].abort.next = self.csr.dma[i].ctrl_abort.val();
            self.dma.csr[i].coalesce_count.next = self.csr.dma[i].coalesce_count.val();
            self.dma.csr[i].coalesce_timer.next = self.csr.dma[i].coalesce_timer.val();
            self.csr.dma[i].consumer_index.next = self.dma.csr[i].consumer.val();
            self.csr.dma[i].status_busy.next = self.dma.csr[i].busy.val();
            self.csr.dma[i].status_halted.next = self.dma.csr[i].halted.val();
            self.csr.dma[i].status_error.next = self.dma.csr[i].error.val();
            self.csr.dma[i].err_index_index.next = self.dma.csr[i].err_index.val();
            self.csr.dma[i].err_addr_lo_value.next = self.dma.csr[i].err_addr_lo.val();
            self.csr.dma[i].err_addr_hi_value.next = self.dma.csr[i].err_addr_hi.val();
            self.csr.dma[i].bytes_lo_value.next = self.dma.csr[i].bytes_lo.val();
            self.csr.dma[i].bytes_hi_value.next = self.dma.csr[i].bytes_hi.val();
            self.csr.dma[i].descs_value.next = self.dma.csr[i].descs.val();
            self.csr.dma[i].busy_cycles_value.next = self.dma.csr[i].busy_cycles.val();
            self.csr.dma[i].stall_cycles_value.next = self.dma.csr[i].stall_cycles.val();
            self.dma_events.next = self
                .dma_events
                .val()
                .replace_bit(i, self.dma.csr[i].interrupt.val());
        }
        self.csr.global_status_ready.next = !self.reset.val();
        self.csr.global_status_busy.next = self.dma.busy.val();
        // Interrupts: events and test bits set STATUS; a test bit lives one cycle.
        self.test_dma.d.next = self.csr.intr_test_dma.val();
        self.test_coherent.d.next = self.csr.intr_test_coherent.val();
        self.csr.intr_status_dma_set.next = self.dma_events.val() | self.test_dma.q.val();
        self.csr.coherent_status_error.next = self.home.error.val();
        self.csr.coherent_status_ready.next = self.home.ready.val();
        self.csr.coherent_host_reads_value.next = self.home.host_reads.val();
        self.csr.coherent_host_writes_value.next = self.home.host_writes.val();
        self.csr.coherent_snoops_inv_value.next = self.home.snoops_inv.val();
        self.csr.coherent_snoops_data_value.next = self.home.snoops_data.val();
        self.csr.coherent_evictions_value.next = self.home.evictions.val();
        self.csr.coherent_conflicts_value.next = self.home.conflicts.val();
        self.csr.coherent_dma_snooped_value.next = self.home.dma_snooped.val();
        self.csr.coherent_dma_uncached_value.next = self.home.dma_uncached.val();
        self.csr.coherent_refused_value.next = self.home.refused.val();
        self.csr.coherent_stray_answers_value.next = self.home.stray_answers.val();
        // The home agent's error is sticky: the interrupt stays pending until reset.
        self.csr.intr_status_coherent_set.next = self.home.error.val() | self.test_coherent.q.val();
        self.irq.next = (self.csr.intr_status_dma.val() & self.csr.intr_enable_dma.val()).any()
            | (self.csr.intr_status_coherent.val() & self.csr.intr_enable_coherent.val());
    }
}

crate::port_map!(DeviceTop as "device", wrapped {
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
    in coh.req_valid,
    out coh.req_ready,
    in coh.req_op,
    in coh.req_line,
    in coh.req_tag,
    in coh.req_data,
    in coh.req_mask,
    in coh.req_last,
    out coh.s2m_valid,
    in coh.s2m_ready,
    out coh.s2m_snoop,
    out coh.s2m_tag,
    out coh.s2m_state,
    out coh.s2m_op,
    out coh.s2m_line,
    out coh.s2m_data,
    out coh.s2m_last,
    in coh.snp_valid,
    out coh.snp_ready,
    in coh.snp_line,
    in coh.snp_state,
    in coh.snp_dirty,
    in coh.snp_data,
    in coh.snp_last,
} axi4 { master host, master mem });

//! The home agent of device memory, host side: serves the host coherent port
//! (`docs/COHERENCE.md`) from device memory on an AXI4 master, keeping the inclusive
//! snoop filter and back-invalidating victims.
//!
//! It also serves the DMA engine's device port (AXI4 slave): before a DMA burst goes to
//! memory, every line it covers is looked up, and lines the host may hold are snooped
//! (SnpData for a read of a line held "any", SnpInv for a write), their dirty data
//! written to memory first; a partial DMA write then merges over it in memory.
//!
//! The transaction engine serves one transaction at a time (a host request, or the
//! admission of a DMA burst: its lines looked up and snooped), alternating when both
//! wait, which serializes every line trivially. A transaction ends when its memory
//! access is issued: a response unit sends the responses in the engine's order, a read's
//! header followed by its data from memory, so up to 16 host reads overlap their memory
//! latency. A snoop waits until every queued response has gone, so a grant always
//! reaches the host before a snoop of its line. A burst to a page with no line in the
//! snoop filter is admitted on a fast path: one page query, no per-line lookups.
//!
//! DMA data never holds the engine, so nothing the engine waits for depends on the DMA
//! engine (whose write data may depend on reads it has yet to get through this port):
//! - reads go to memory with ID 1 and their data into a read buffer, room for the whole
//!   burst reserved before the read is taken, so memory's R channel never waits on the
//!   DMA engine; the buffer hands the data back under the burst's own ID;
//! - a write's beats are collected in a write ring; a burst whose beats are all in goes
//!   out to memory with ID 1 on its own, while the engine admits the next bursts, and
//!   its response returns under the burst's own ID.
//!
//! Ordering with the host (`docs/COHERENCE.md`): a host request other than CleanEvict
//! waits until every admitted DMA write has its response, and while it waits for its
//! turn no new DMA write is admitted (reads still are, so the writes it waits for can
//! get their data); a memory write (the host's, a snoop's dirty data, or a DMA burst's)
//! waits until memory has returned every read issued before it that it could overtake. Its behaviour is the reference
//! model's (`cdm_sim::model::home_agent`): the testbench compares every message.
//!
//! Line addresses on the coherent port are device-memory offsets / 64; memory address =
//! line * 64. Every channel carries a header beat, then 4 data beats where the message
//! has a line (writes, read responses, dirty snoop answers), `last` on the final beat.

use cdm_regmap::coherent::{PortState, ReqOp, SnpOp};
use rust_hdl::prelude::*;

use super::burst_span::BurstSpan;
use super::snoop_filter::{SnoopFilter, LINE_BITS};
use crate::bus::axi4::{Axi4Master, Axi4Slave};
use crate::param::Param;
use crate::queue::fifo::Fifo;

/// Line address bits on the coherent port (64-bit byte addresses).
pub const LINE_ADDR_BITS: usize = 58;

/// Device memory holds the lines below `2^DEVMEM_LINE_BITS`; a request above is refused.
/// The kernel tests the 35 bits above as a literal (`get_bits::<35>(23)`).
pub const DEVMEM_LINE_BITS: usize = 23;
const _: () = assert!(cdm_regmap::DEVMEM_BYTES == 64 << DEVMEM_LINE_BITS);
const _: () = assert!(LINE_ADDR_BITS - DEVMEM_LINE_BITS == 35);

/// The host coherent port, from the home agent's side.
#[derive(LogicInterface, Default)]
pub struct CoherentPort {
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_op: Signal<In, Bits<{ ReqOp::WIDTH }>>,
    pub req_line: Signal<In, Bits<LINE_ADDR_BITS>>,
    pub req_tag: Signal<In, Bits<8>>,
    pub req_data: Signal<In, Bits<128>>,
    pub req_mask: Signal<In, Bits<16>>,
    pub req_last: Signal<In, Bit>,
    pub s2m_valid: Signal<Out, Bit>,
    pub s2m_ready: Signal<In, Bit>,
    /// 1: a snoop; 0: a response.
    pub s2m_snoop: Signal<Out, Bit>,
    pub s2m_tag: Signal<Out, Bits<8>>,
    pub s2m_state: Signal<Out, Bits<{ PortState::WIDTH }>>,
    pub s2m_op: Signal<Out, Bits<{ SnpOp::WIDTH }>>,
    pub s2m_line: Signal<Out, Bits<LINE_ADDR_BITS>>,
    pub s2m_data: Signal<Out, Bits<128>>,
    pub s2m_last: Signal<Out, Bit>,
    pub snp_valid: Signal<In, Bit>,
    pub snp_ready: Signal<Out, Bit>,
    pub snp_line: Signal<In, Bits<LINE_ADDR_BITS>>,
    pub snp_state: Signal<In, Bits<{ PortState::WIDTH }>>,
    pub snp_dirty: Signal<In, Bit>,
    pub snp_data: Signal<In, Bits<128>>,
    pub snp_last: Signal<In, Bit>,
}

/// Where the transaction engine is in its one transaction.
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum Phase {
    /// Waiting: takes a host request header or a DMA burst (with its page query).
    Idle,
    /// A host request's filter lookup, then its result.
    HostLookup,
    HostResult,
    /// The snoop's header, once every queued response has gone; then its answer.
    Snoop,
    SnoopAnswer,
    /// AW of a snoop answer's dirty data.
    SnoopDataAddress,
    /// AW of a host write's data.
    HostDataAddress,
    /// The line's W beats (from the snoop answer or the request channel), then its B.
    LineData,
    LineResponse,
    /// The filter write, then on to `after_write`.
    FilterWrite,
    /// A host read's AR, its response queued.
    MemoryRead,
    /// A stale write-back's or a refused request's data beats, dropped.
    DropData,
    /// A response without data, queued.
    Respond,
    /// The page query's answer on its way (two cycles).
    PageAnswer,
    /// A DMA burst's per-line lookup, its result, and the step to its next line.
    DmaLookup,
    DmaResult,
    DmaNextLine,
    /// A DMA read to memory, or a DMA write to the write queue (or, after a busy page
    /// query, on to `DmaLookup`).
    DmaIssue,
}

/// The write-out of a collected DMA write burst: its AW, then its W beats. The next
/// collected burst's AW goes out during a burst's W beats, so bursts follow on W without
/// a gap (the DMA engine writes in short bursts).
#[derive(Copy, Clone, Debug, PartialEq, LogicState)]
pub enum WriteOut {
    Idle,
    Address,
    Data,
}

/// A DMA read beat from memory, buffered for the DMA port: an R beat without its ID,
/// which `rids` keeps once per burst.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct BufferedBeat {
    pub data: Bits<128>,
    pub resp: Bits<2>,
    pub last: Bit,
}

/// A response the engine queued for the response unit.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct QueuedResponse {
    pub tag: Bits<8>,
    pub state: Bits<{ PortState::WIDTH }>,
    /// A read: the line's data from memory follows the header.
    pub with_data: Bit,
}

/// An admitted DMA write burst, until it goes to memory.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct AdmittedWrite {
    /// Device-memory offset.
    pub addr: Bits<64>,
    pub len: Bits<8>,
    pub size: Bits<3>,
    pub burst: Bits<2>,
    pub id: Bits<4>,
}

/// A DMA write beat in the write ring.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct RingBeat {
    pub data: Bits<128>,
    pub strb: Bits<16>,
}

#[derive(LogicBlock, Default)]
pub struct HomeAgent {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub host: CoherentPort,
    /// First byte of device memory in the DMA engine's address space.
    pub base: Signal<In, Bits<64>>,
    /// The DMA engine's device memory port (16-byte beats).
    pub dev: Axi4Slave<4, 64, 128, 16>,
    /// Device memory, addressed by offset.
    pub mem: Axi4Master<4, 64, 128, 16>,
    /// Serve the host's requests (COHERENT.CTRL.ENABLE); while low they wait.
    pub enable: Signal<In, Bit>,
    /// Sticky until reset: a memory response was an error or had a foreign ID, a host
    /// request was refused, or a snoop answer was stray.
    pub error: Signal<Out, Bit>,
    /// The snoop filter has swept itself empty after reset and serves.
    pub ready: Signal<Out, Bit>,
    /// Event counters (wrapping).
    pub host_reads: Signal<Out, Bits<32>>,
    pub host_writes: Signal<Out, Bits<32>>,
    pub snoops_inv: Signal<Out, Bits<32>>,
    pub snoops_data: Signal<Out, Bits<32>>,
    pub evictions: Signal<Out, Bits<32>>,
    pub conflicts: Signal<Out, Bits<32>>,
    pub dma_snooped: Signal<Out, Bits<32>>,
    pub dma_uncached: Signal<Out, Bits<32>>,
    /// Host requests refused (`docs/COHERENCE.md`, bad input): answered Err, no effect.
    pub refused: Signal<Out, Bits<32>>,
    /// Snoop answers that answered no outstanding snoop, taken and dropped.
    pub stray_answers: Signal<Out, Bits<32>>,
    sf: SnoopFilter,
    span_ar: BurstSpan,
    span_aw: BurstSpan,
    n_host_reads: DFF<Bits<32>>,
    n_host_writes: DFF<Bits<32>>,
    n_snoops_inv: DFF<Bits<32>>,
    n_snoops_data: DFF<Bits<32>>,
    n_evictions: DFF<Bits<32>>,
    n_conflicts: DFF<Bits<32>>,
    n_dma_snooped: DFF<Bits<32>>,
    n_dma_uncached: DFF<Bits<32>>,
    n_refused: DFF<Bits<32>>,
    n_stray: DFF<Bits<32>>,
    /// The rest of a stray snoop answer's beats are being dropped.
    snp_drop: DFF<Bit>,
    error_q: DFF<Bit>,
    state: DFF<Phase>,
    /// Where a filter write continues.
    after_write: DFF<Phase>,
    op: DFF<Bits<{ ReqOp::WIDTH }>>,
    line: DFF<Bits<LINE_ADDR_BITS>>,
    tag: DFF<Bits<8>>,
    grant: DFF<Bits<{ PortState::WIDTH }>>,
    snp_line: DFF<Bits<LINE_ADDR_BITS>>,
    snp_op: DFF<Bits<{ SnpOp::WIDTH }>>,
    snp_shared: DFF<Bit>,
    way: DFF<Bits<2>>,
    w_present: DFF<Bit>,
    w_any: DFF<Bit>,
    /// The line going to memory comes from a snoop answer (else from a host write).
    from_snoop: DFF<Bit>,
    /// Next arbitration prefers the DMA; next DMA take prefers AW.
    turn: DFF<Bit>,
    dturn: DFF<Bit>,
    d_write: DFF<Bit>,
    d_addr: DFF<Bits<64>>,
    d_len: DFF<Bits<8>>,
    d_size: DFF<Bits<3>>,
    d_burst: DFF<Bits<2>>,
    d_id: DFF<Bits<4>>,
    d_last_line: DFF<Bits<LINE_ADDR_BITS>>,
    /// The burst was taken with a page query, whose answer is due in `DmaIssue`.
    d_fast: DFF<Bit>,
    /// DMA reads: IDs of bursts owed data (in order), the data from memory, the beats
    /// reserved in it, and bursts issued to memory still owed beats by memory.
    rids: Fifo<Bits<4>, 5, 6>,
    rbuf: Fifo<BufferedBeat, 9, 10>,
    r_reserved: DFF<Bits<10>>,
    mem_reads: DFF<Bits<6>>,
    /// DMA writes: admitted bursts (address, length, size, burst, ID) until they go to
    /// memory, their beats, admitted bursts whose beats are not all in, bursts whose
    /// beats are all in and not yet sent, IDs of bursts sent and owed a response, and
    /// admitted bursts without their response.
    wq: Fifo<AdmittedWrite, 4, 5>,
    ring: Fifo<RingBeat, 9, 10>,
    uncollected: DFF<Bits<5>>,
    collected: DFF<Bits<5>>,
    bids: Fifo<Bits<4>, 5, 6>,
    dma_writes: DFF<Bits<6>>,
    /// Responses queued by the engine (tag, state, whether data follows), those not yet
    /// sent whole, whether the unit is sending a read's data, and host reads issued to
    /// memory still owed beats.
    rsp_q: Fifo<QueuedResponse, 4, 5>,
    rsp_pending: DFF<Bits<5>>,
    ru_data: DFF<Bit>,
    host_rd_mem: DFF<Bits<5>>,
    /// The write-out of collected bursts.
    wo_state: DFF<WriteOut>,
    wo_beat: DFF<Bits<8>>,
    wo_len: DFF<Bits<8>>,
    /// The next burst's AW was taken during `Data` (its AWLEN in `wo_next_len`).
    wo_next: DFF<Bit>,
    wo_next_len: DFF<Bits<8>>,
    /// The next burst's AW is on the bus during `Data`, not yet taken: it stays.
    wo_shown: DFF<Bit>,
    /// The next burst's AW, during `Data`.
    wo_ahead: Signal<Local, Bit>,
    /// The oldest collected burst's AW is on the bus (in `Address`, or ahead).
    wo_aw: Signal<Local, Bit>,
    /// A collected burst may start its write-out.
    wo_may: Signal<Local, Bit>,
    mem_line: Signal<Local, Bits<64>>,
    /// The DMA walk's next line.
    next_line: Signal<Local, Bits<LINE_ADDR_BITS>>,
    r_dma: Signal<Local, Bit>,
    rsp_push: Signal<Local, Bit>,
    rsp_room: Signal<Local, Bit>,
    rsp_done: Signal<Local, Bit>,
    host_rd_issue: Signal<Local, Bit>,
    host_rd_last: Signal<Local, Bit>,
    r_in: Signal<Local, Bit>,
    r_out: Signal<Local, Bit>,
    r_issue: Signal<Local, Bit>,
    d_go: Signal<Local, Bit>,
    b_dma: Signal<Local, Bit>,
    b_out: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
    w_admit: Signal<Local, Bit>,
    wo_start: Signal<Local, Bit>,
    mem_free: Signal<Local, Bit>,
    engine_writes: Signal<Local, Bit>,
    host_clear: Signal<Local, Bit>,
    host_go: Signal<Local, Bit>,
    take_aw: Signal<Local, Bit>,
    take_ar: Signal<Local, Bit>,
    d_offset: Signal<Local, Bits<64>>,
    /// The first and last line the burst may touch.
    d_first_line: Signal<Local, Bits<LINE_ADDR_BITS>>,
    d_end_line: Signal<Local, Bits<LINE_ADDR_BITS>>,
    snp_addr: Signal<Local, Bits<64>>,
    req_write: Signal<Local, Bit>,
    req_refused: Signal<Local, Bit>,
    snp_match: Signal<Local, Bit>,
    snp_held: Signal<Local, Bit>,
    snp_stray: Signal<Local, Bit>,
    req_read: Signal<Local, Bit>,
    /// The coherent port's encodings (`cdm_regmap::coherent`).
    rd_shared: Param<{ ReqOp::WIDTH }, { ReqOp::RdShared as u64 }>,
    rd_own: Param<{ ReqOp::WIDTH }, { ReqOp::RdOwn as u64 }>,
    rd_current: Param<{ ReqOp::WIDTH }, { ReqOp::RdCurrent as u64 }>,
    wr_back: Param<{ ReqOp::WIDTH }, { ReqOp::WrBack as u64 }>,
    wr_partial: Param<{ ReqOp::WIDTH }, { ReqOp::WrPartial as u64 }>,
    clean_evict: Param<{ ReqOp::WIDTH }, { ReqOp::CleanEvict as u64 }>,
    op_reserved: Param<{ ReqOp::WIDTH }, { ReqOp::RESERVED }>,
    state_i: Param<{ PortState::WIDTH }, { PortState::I as u64 }>,
    state_s: Param<{ PortState::WIDTH }, { PortState::S as u64 }>,
    state_e: Param<{ PortState::WIDTH }, { PortState::E as u64 }>,
    state_refused: Param<{ PortState::WIDTH }, { PortState::Refused as u64 }>,
    snp_inv: Param<{ SnpOp::WIDTH }, { SnpOp::Inv as u64 }>,
    snp_data: Param<{ SnpOp::WIDTH }, { SnpOp::Data as u64 }>,
}

impl Logic for HomeAgent {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            after_write,
            op,
            line,
            tag,
            grant,
            snp_line,
            snp_op,
            snp_shared,
            way,
            w_present,
            w_any,
            from_snoop,
            error_q,
            turn,
            dturn,
            d_write,
            d_addr,
            d_len,
            d_size,
            d_burst,
            d_id,
            d_last_line,
            d_fast,
            r_reserved,
            mem_reads,
            uncollected,
            collected,
            dma_writes,
            wo_state,
            wo_beat,
            wo_len,
            wo_next,
            wo_next_len,
            wo_shown,
            rsp_pending,
            ru_data,
            host_rd_mem,
            n_dma_uncached,
            n_refused,
            n_stray,
            snp_drop,
            n_host_reads,
            n_host_writes,
            n_snoops_inv,
            n_snoops_data,
            n_evictions,
            n_conflicts,
            n_dma_snooped
        );
        clock!(self, clock, sf, rids, rbuf, wq, ring, bids, rsp_q);
        self.sf.reset.next = self.reset.val();
        self.rids.reset.next = self.reset.val();
        self.rbuf.reset.next = self.reset.val();
        self.wq.reset.next = self.reset.val();
        self.ring.reset.next = self.reset.val();
        self.bids.reset.next = self.reset.val();
        self.rsp_q.reset.next = self.reset.val();
        self.mem_line.next = bit_cast::<64, LINE_ADDR_BITS>(self.line.q.val()) << 6;
        self.next_line.next = self.line.q.val() + 1;
        self.snp_addr.next = bit_cast::<64, LINE_ADDR_BITS>(self.snp_line.q.val()) << 6;
        // Defaults: nothing moves.
        self.host.req_ready.next = false;
        self.host.s2m_snoop.next = false;
        self.host.s2m_op.next = self.snp_op.q.val();
        self.host.s2m_line.next = self.snp_line.q.val();
        self.host.s2m_data.next = self.mem.rdata.val();
        // Snoop answers: the engine takes the answer to its snoop in `SnoopAnswer` and
        // that answer's data beats in `SnoopDataAddress` and `LineData`; any other answer is stray, taken and
        // dropped with its data beats, so it can neither block the channel nor be taken
        // for the answer to a later snoop.
        self.snp_match.next = (self.state.q.val() == Phase::SnoopAnswer)
            & !self.snp_drop.q.val()
            & (self.host.snp_line.val() == self.snp_line.q.val());
        self.snp_held.next = (self.state.q.val() == Phase::SnoopDataAddress)
            | ((self.state.q.val() == Phase::LineData) & self.from_snoop.q.val());
        self.snp_stray.next = self.host.snp_valid.val()
            & !self.snp_drop.q.val()
            & !self.snp_match.val()
            & !self.snp_held.val();
        self.host.snp_ready.next = !self.snp_held.val();
        if self.snp_drop.q.val() & self.host.snp_valid.val() & self.host.snp_last.val() {
            self.snp_drop.d.next = false;
        }
        if self.snp_stray.val() & self.host.snp_dirty.val() & !self.host.snp_last.val() {
            self.snp_drop.d.next = true;
        }
        // A request is refused when its op is reserved, its line lies beyond device
        // memory (DEVMEM_LINE_BITS = 23), or its header's `last` contradicts its op (a
        // write's header is followed by data, any other's is the last beat).
        self.req_read.next = (self.host.req_op.val() == self.rd_shared.val())
            | (self.host.req_op.val() == self.rd_own.val())
            | (self.host.req_op.val() == self.rd_current.val());
        self.req_write.next = (self.host.req_op.val() == self.wr_back.val())
            | (self.host.req_op.val() == self.wr_partial.val());
        self.req_refused.next = (self.host.req_op.val() >= self.op_reserved.val())
            | self.host.req_line.val().get_bits::<35>(23).any()
            | (self.host.req_last.val() == self.req_write.val());
        self.sf.op_valid.next = false;
        self.sf.op_write.next = false;
        self.sf.op_line.next = self.line.q.val().get_bits::<LINE_BITS>(0);
        self.sf.op_way.next = self.way.q.val();
        self.sf.op_present.next = self.w_present.q.val();
        self.sf.op_any.next = self.w_any.q.val();
        self.sf.op_page.next = false;
        self.mem.arid.next = 0.into();
        self.mem.araddr.next = self.mem_line.val();
        self.mem.arlen.next = 3.into();
        self.mem.arsize.next = 4.into();
        self.mem.arburst.next = 1.into();
        self.mem.arvalid.next = false;
        self.mem.rready.next = false;
        self.mem.awid.next = 0.into();
        self.mem.awaddr.next = self.mem_line.val();
        self.mem.awlen.next = 3.into();
        self.mem.awsize.next = 4.into();
        self.mem.awburst.next = 1.into();
        self.mem.awvalid.next = false;
        self.mem.wdata.next = self.host.req_data.val();
        self.mem.wstrb.next = self.host.req_mask.val();
        self.mem.wlast.next = self.host.req_last.val();
        self.mem.wvalid.next = false;
        self.mem.bready.next = false;
        self.dev.arready.next = false;
        self.dev.awready.next = false;
        self.dev.wready.next = false;
        // DMA reads: memory's ID-1 beats go into the read buffer (room is reserved), the
        // buffer's beats to the DMA port under the burst's ID.
        self.r_dma.next = self.mem.rid.val() == 1;
        self.r_in.next = self.mem.rvalid.val() & self.r_dma.val();
        if self.r_dma.val() {
            self.mem.rready.next = true;
        }
        self.rbuf.push.next = self.r_in.val();
        self.rbuf.data_in.next.data = self.mem.rdata.val();
        self.rbuf.data_in.next.resp = self.mem.rresp.val();
        self.rbuf.data_in.next.last = self.mem.rlast.val();
        self.dev.rvalid.next = !self.rbuf.empty.val();
        self.dev.rid.next = self.rids.data_out.val();
        self.dev.rdata.next = self.rbuf.data_out.val().data;
        self.dev.rresp.next = self.rbuf.data_out.val().resp;
        self.dev.rlast.next = self.rbuf.data_out.val().last;
        self.r_out.next = self.dev.rvalid.val() & self.dev.rready.val();
        self.rbuf.pop.next = self.r_out.val();
        self.rids.pop.next = self.r_out.val() & self.dev.rlast.val();
        // A read issued in `DmaIssue` reserves its beats and counts until memory's last beat.
        // `DmaIssue` goes ahead unless the page query of a fast-path take found the page
        // busy.
        self.d_go.next =
            !(self.d_fast.q.val() & (!self.sf.page_done.val() | self.sf.page_busy.val()));
        self.r_issue.next = (self.state.q.val() == Phase::DmaIssue)
            & !self.d_write.q.val()
            & self.d_go.val()
            & self.mem.arready.val();
        self.rids.push.next = self.r_issue.val();
        self.rids.data_in.next = self.d_id.q.val();
        if self.r_issue.val() {
            self.r_reserved.d.next =
                self.r_reserved.q.val() + bit_cast::<10, 8>(self.d_len.q.val()) + 1;
            if self.r_out.val() {
                self.r_reserved.d.next =
                    self.r_reserved.q.val() + bit_cast::<10, 8>(self.d_len.q.val());
            }
        } else if self.r_out.val() {
            self.r_reserved.d.next = self.r_reserved.q.val() - 1;
        }
        if self.r_issue.val() & !(self.r_in.val() & self.mem.rlast.val()) {
            self.mem_reads.d.next = self.mem_reads.q.val() + 1;
        }
        if !self.r_issue.val() & self.r_in.val() & self.mem.rlast.val() {
            self.mem_reads.d.next = self.mem_reads.q.val() - 1;
        }
        // DMA writes: beats of admitted bursts go into the ring.
        self.w_admit.next =
            (self.state.q.val() == Phase::DmaIssue) & self.d_write.q.val() & self.d_go.val();
        self.wq.push.next = self.w_admit.val();
        self.wq.data_in.next.addr = self.d_addr.q.val();
        self.wq.data_in.next.len = self.d_len.q.val();
        self.wq.data_in.next.size = self.d_size.q.val();
        self.wq.data_in.next.burst = self.d_burst.q.val();
        self.wq.data_in.next.id = self.d_id.q.val();
        self.dev.wready.next = self.uncollected.q.val().any() & !self.ring.full.val();
        self.w_fire.next = self.dev.wvalid.val() & self.dev.wready.val();
        self.ring.push.next = self.w_fire.val();
        self.ring.data_in.next.data = self.dev.wdata.val();
        self.ring.data_in.next.strb = self.dev.wstrb.val();
        if self.w_admit.val() & !(self.w_fire.val() & self.dev.wlast.val()) {
            self.uncollected.d.next = self.uncollected.q.val() + 1;
        }
        if !self.w_admit.val() & self.w_fire.val() & self.dev.wlast.val() {
            self.uncollected.d.next = self.uncollected.q.val() - 1;
        }
        // The write-out: a collected burst goes to memory whenever the engine does not
        // own the write channel (`SnoopDataAddress`, `LineData`,
        // `HostDataAddress`). The engine's own writes wait for the
        // write-out to finish its burst and for memory to return every DMA read issued
        // before (a later write must not reach memory before an earlier read).
        self.mem_free.next = (self.state.q.val() != Phase::SnoopDataAddress)
            & (self.state.q.val() != Phase::LineData)
            & (self.state.q.val() != Phase::HostDataAddress);
        self.engine_writes.next = (self.wo_state.q.val() == WriteOut::Idle)
            & !self.mem_reads.q.val().any()
            & !self.host_rd_mem.q.val().any();
        self.wo_may.next = self.collected.q.val().any()
            & self.mem_free.val()
            & !self.bids.full.val()
            & !self.host_rd_mem.q.val().any();
        self.wo_ahead.next = (self.wo_state.q.val() == WriteOut::Data)
            & !self.wo_next.q.val()
            & (self.wo_shown.q.val() | self.wo_may.val());
        self.wo_shown.d.next = self.wo_ahead.val() & !self.mem.awready.val();
        self.wo_aw.next = (self.wo_state.q.val() == WriteOut::Address) | self.wo_ahead.val();
        self.wo_start.next = self.wo_aw.val() & self.mem.awready.val();
        if (self.w_fire.val() & self.dev.wlast.val()) & !self.wo_start.val() {
            self.collected.d.next = self.collected.q.val() + 1;
        }
        if !(self.w_fire.val() & self.dev.wlast.val()) & self.wo_start.val() {
            self.collected.d.next = self.collected.q.val() - 1;
        }
        self.wq.pop.next = self.wo_start.val();
        self.bids.push.next = self.wo_start.val();
        self.bids.data_in.next = self.wq.data_out.val().id;
        self.ring.pop.next = false;
        if self.wo_aw.val() {
            self.mem.awvalid.next = true;
            self.mem.awid.next = 1.into();
            self.mem.awaddr.next = self.wq.data_out.val().addr;
            self.mem.awlen.next = self.wq.data_out.val().len;
            self.mem.awsize.next = self.wq.data_out.val().size;
            self.mem.awburst.next = self.wq.data_out.val().burst;
        }
        if self.wo_ahead.val() & self.mem.awready.val() {
            self.wo_next.d.next = true;
            self.wo_next_len.d.next = self.wq.data_out.val().len;
        }
        match self.wo_state.q.val() {
            WriteOut::Idle => {
                if self.wo_may.val() {
                    self.wo_state.d.next = WriteOut::Address;
                }
            }
            WriteOut::Address => {
                if self.mem.awready.val() {
                    self.wo_len.d.next = self.wq.data_out.val().len;
                    self.wo_beat.d.next = 0.into();
                    self.wo_state.d.next = WriteOut::Data;
                }
            }
            WriteOut::Data => {
                self.mem.wdata.next = self.ring.data_out.val().data;
                self.mem.wstrb.next = self.ring.data_out.val().strb;
                self.mem.wlast.next = self.wo_beat.q.val() == self.wo_len.q.val();
                self.mem.wvalid.next = !self.ring.empty.val();
                self.ring.pop.next = self.mem.wready.val();
                if !self.ring.empty.val() & self.mem.wready.val() {
                    self.wo_beat.d.next = self.wo_beat.q.val() + 1;
                    if self.wo_beat.q.val() == self.wo_len.q.val() {
                        // The next burst's beats follow at once if its AW is out; an AW
                        // still waiting is held in `Address`.
                        self.wo_beat.d.next = 0.into();
                        self.wo_next.d.next = false;
                        if self.wo_next.q.val() {
                            self.wo_len.d.next = self.wo_next_len.q.val();
                        } else if self.wo_ahead.val() & self.mem.awready.val() {
                            self.wo_len.d.next = self.wq.data_out.val().len;
                        } else if self.wo_ahead.val() {
                            self.wo_state.d.next = WriteOut::Address;
                        } else {
                            self.wo_state.d.next = WriteOut::Idle;
                        }
                    }
                }
            }
        }
        // Write responses: ID 1 is a write-out's, returned under the burst's ID.
        self.b_dma.next = self.mem.bid.val() == 1;
        self.dev.bvalid.next = self.mem.bvalid.val() & self.b_dma.val();
        self.dev.bid.next = self.bids.data_out.val();
        self.dev.bresp.next = self.mem.bresp.val();
        if self.b_dma.val() {
            self.mem.bready.next = self.dev.bready.val();
        }
        self.b_out.next = self.dev.bvalid.val() & self.dev.bready.val();
        self.bids.pop.next = self.b_out.val();
        if self.w_admit.val() & !self.b_out.val() {
            self.dma_writes.d.next = self.dma_writes.q.val() + 1;
        }
        if !self.w_admit.val() & self.b_out.val() {
            self.dma_writes.d.next = self.dma_writes.q.val() - 1;
        }
        // Taking a DMA burst: a write only with room in the write queue, a read only with
        // room for all its beats in the read buffer (the engine never waits for either).
        self.take_ar.next = self.dev.arvalid.val()
            & !self.rids.full.val()
            & ((bit_cast::<11, 10>(self.r_reserved.q.val())
                + bit_cast::<11, 8>(self.dev.arlen.val()))
                < 512);
        self.host_clear.next =
            (self.host.req_op.val() == self.clean_evict.val()) | !self.dma_writes.q.val().any();
        self.take_aw.next = self.dev.awvalid.val()
            & !self.wq.full.val()
            & !(self.enable.val()
                & self.host.req_valid.val()
                & !self.host_clear.val()
                & !self.turn.q.val())
            & (!self.take_ar.val() | self.dturn.q.val());
        // The burst in device memory, for AR and AW side by side; the take picks one.
        self.span_ar.base.next = self.base.val();
        self.span_ar.addr.next = self.dev.araddr.val();
        self.span_ar.len.next = self.dev.arlen.val();
        self.span_ar.size.next = self.dev.arsize.val();
        self.span_ar.burst.next = self.dev.arburst.val();
        self.span_aw.base.next = self.base.val();
        self.span_aw.addr.next = self.dev.awaddr.val();
        self.span_aw.len.next = self.dev.awlen.val();
        self.span_aw.size.next = self.dev.awsize.val();
        self.span_aw.burst.next = self.dev.awburst.val();
        self.d_offset.next = self.span_ar.offset.val();
        self.d_first_line.next = bit_cast::<LINE_ADDR_BITS, 64>(self.span_ar.first_byte.val() >> 6);
        self.d_end_line.next = bit_cast::<LINE_ADDR_BITS, 64>(self.span_ar.last_byte.val() >> 6);
        if self.take_aw.val() {
            self.d_offset.next = self.span_aw.offset.val();
            self.d_first_line.next =
                bit_cast::<LINE_ADDR_BITS, 64>(self.span_aw.first_byte.val() >> 6);
            self.d_end_line.next =
                bit_cast::<LINE_ADDR_BITS, 64>(self.span_aw.last_byte.val() >> 6);
        }
        self.host_go.next = self.enable.val()
            & self.host.req_valid.val()
            & self.host_clear.val()
            & (!(self.take_ar.val() | self.take_aw.val()) | !self.turn.q.val());
        // The response unit: responses in the order the engine queued them, a read's
        // header followed by its data from memory (ID 0).
        // The engine queues a read's response in `MemoryRead`, others in `Respond`.
        self.rsp_push.next = false;
        self.rsp_q.data_in.next.tag = self.tag.q.val();
        self.rsp_q.data_in.next.state = self.grant.q.val();
        self.rsp_q.data_in.next.with_data = self.state.q.val() == Phase::MemoryRead;
        self.rsp_room.next = !self.rsp_q.full.val();
        self.host.s2m_tag.next = self.rsp_q.data_out.val().tag;
        self.host.s2m_state.next = self.rsp_q.data_out.val().state;
        self.rsp_done.next = false;
        self.host_rd_last.next = false;
        if !self.ru_data.q.val() {
            self.host.s2m_valid.next = !self.rsp_q.empty.val();
            self.host.s2m_last.next = !self.rsp_q.data_out.val().with_data;
            if !self.rsp_q.empty.val() & self.host.s2m_ready.val() {
                if self.rsp_q.data_out.val().with_data {
                    self.ru_data.d.next = true;
                } else {
                    self.rsp_done.next = true;
                }
            }
        } else {
            self.host.s2m_valid.next = self.mem.rvalid.val() & !self.r_dma.val();
            self.host.s2m_last.next = self.mem.rlast.val();
            if !self.r_dma.val() {
                self.mem.rready.next = self.host.s2m_ready.val();
            }
            if self.host.s2m_valid.val() & self.host.s2m_ready.val() & self.mem.rlast.val() {
                self.ru_data.d.next = false;
                self.rsp_done.next = true;
                self.host_rd_last.next = true;
            }
        }
        self.rsp_q.pop.next = self.rsp_done.val();
        match self.state.q.val() {
            Phase::Idle => {
                // A DMA burst, unless a host request has its turn.
                if !self.host_go.val() & (self.take_ar.val() | self.take_aw.val()) {
                    self.turn.d.next = false;
                    self.dturn.d.next = !self.take_aw.val();
                    self.d_write.d.next = self.take_aw.val();
                    self.dev.awready.next = self.take_aw.val();
                    self.dev.arready.next = !self.take_aw.val();
                    self.d_addr.d.next = self.d_offset.val();
                    self.d_len.d.next = self.dev.arlen.val();
                    self.d_size.d.next = self.dev.arsize.val();
                    self.d_burst.d.next = self.dev.arburst.val();
                    self.d_id.d.next = self.dev.arid.val();
                    if self.take_aw.val() {
                        self.d_len.d.next = self.dev.awlen.val();
                        self.d_size.d.next = self.dev.awsize.val();
                        self.d_burst.d.next = self.dev.awburst.val();
                        self.d_id.d.next = self.dev.awid.val();
                    }
                    self.line.d.next = self.d_first_line.val();
                    self.d_last_line.d.next = self.d_end_line.val();
                    // The page query: its answer, in `DmaIssue`, says whether the
                    // burst's lines need looking up (`DmaLookup` on).
                    self.sf.op_valid.next = true;
                    self.sf.op_page.next = true;
                    self.sf.op_line.next = self.d_first_line.val().get_bits::<LINE_BITS>(0);
                    self.d_fast.d.next = self.sf.op_ready.val();
                    self.state.d.next = Phase::DmaLookup;
                    if self.sf.op_ready.val() {
                        self.state.d.next = Phase::PageAnswer;
                    }
                }
                // A request header.
                self.host.req_ready.next = self.host_go.val();
                if self.host_go.val() {
                    self.turn.d.next = true;
                    self.op.d.next = self.host.req_op.val();
                    self.line.d.next = self.host.req_line.val();
                    // The filter reads the line's set now, for the lookup next cycle.
                    self.sf.op_line.next = self.host.req_line.val().get_bits::<LINE_BITS>(0);
                    self.tag.d.next = self.host.req_tag.val();
                    self.grant.d.next = self.state_i.val();
                    self.state.d.next = Phase::HostLookup;
                    if self.host.req_op.val() == self.rd_current.val() {
                        // RdCurrent: no filter.
                        self.state.d.next = Phase::MemoryRead;
                    }
                    if self.req_refused.val() {
                        // Refused: answered Err, its data beats, if any, dropped.
                        self.grant.d.next = self.state_refused.val();
                        self.state.d.next = Phase::Respond;
                        if !self.host.req_last.val() {
                            self.state.d.next = Phase::DropData;
                        }
                    }
                }
            }
            Phase::HostLookup => {
                self.sf.op_valid.next = true;
                if self.sf.op_ready.val() {
                    self.state.d.next = Phase::HostResult;
                }
            }
            Phase::HostResult => {
                if self.sf.result_valid.val() {
                    self.way.d.next = self.sf.result_way.val();
                    if self.op.q.val() == self.rd_shared.val() {
                        // RdShared: insert as shared (after evicting a victim).
                        self.grant.d.next = self.state_s.val();
                        self.w_present.d.next = true;
                        self.w_any.d.next = self.sf.result_any.val();
                        self.after_write.d.next = Phase::MemoryRead;
                        self.state.d.next = Phase::FilterWrite;
                        if !self.sf.result_hit.val() {
                            self.w_any.d.next = false;
                            if self.sf.result_evict.val() {
                                self.snp_line.d.next = bit_cast::<LINE_ADDR_BITS, LINE_BITS>(
                                    self.sf.result_victim_line.val(),
                                );
                                self.snp_op.d.next = self.snp_inv.val();
                                self.state.d.next = Phase::Snoop;
                            }
                        }
                    } else if self.op.q.val() == self.rd_own.val() {
                        // RdOwn: insert or upgrade to any.
                        self.grant.d.next = self.state_e.val();
                        self.w_present.d.next = true;
                        self.w_any.d.next = true;
                        self.after_write.d.next = Phase::MemoryRead;
                        self.state.d.next = Phase::FilterWrite;
                        if !self.sf.result_hit.val() & self.sf.result_evict.val() {
                            self.snp_line.d.next = bit_cast::<LINE_ADDR_BITS, LINE_BITS>(
                                self.sf.result_victim_line.val(),
                            );
                            self.snp_op.d.next = self.snp_inv.val();
                            self.state.d.next = Phase::Snoop;
                        }
                    } else if self.op.q.val() == self.wr_back.val() {
                        // WrBack: write and drop the entry; stale if not held.
                        self.w_present.d.next = false;
                        self.w_any.d.next = false;
                        self.after_write.d.next = Phase::HostDataAddress;
                        self.state.d.next = Phase::FilterWrite;
                        if !self.sf.result_hit.val() {
                            self.state.d.next = Phase::DropData;
                        }
                    } else if self.op.q.val() == self.wr_partial.val() {
                        // WrPartial: invalidate a host copy first.
                        self.w_present.d.next = false;
                        self.w_any.d.next = false;
                        self.after_write.d.next = Phase::HostDataAddress;
                        self.state.d.next = Phase::HostDataAddress;
                        if self.sf.result_hit.val() {
                            self.snp_line.d.next = self.line.q.val();
                            self.snp_op.d.next = self.snp_inv.val();
                            self.state.d.next = Phase::Snoop;
                        }
                    } else {
                        // CleanEvict: drop the entry if held.
                        self.w_present.d.next = false;
                        self.w_any.d.next = false;
                        self.after_write.d.next = Phase::Respond;
                        self.state.d.next = Phase::Respond;
                        if self.sf.result_hit.val() {
                            self.state.d.next = Phase::FilterWrite;
                        }
                    }
                }
            }
            Phase::Snoop => {
                // Snoop header, once every response before it has gone: a grant reaches
                // the host before any snoop of its line.
                if !self.rsp_pending.q.val().any() {
                    self.host.s2m_valid.next = true;
                    self.host.s2m_snoop.next = true;
                    self.host.s2m_last.next = true;
                    if self.host.s2m_ready.val() {
                        self.state.d.next = Phase::SnoopAnswer;
                    }
                }
            }
            Phase::SnoopAnswer => {
                // Snoop answer header; dirty data follows.
                if self.host.snp_valid.val() & self.snp_match.val() {
                    self.snp_shared.d.next = self.host.snp_state.val() == self.state_s.val();
                    self.state.d.next = Phase::FilterWrite;
                    if self.host.snp_dirty.val() {
                        self.state.d.next = Phase::SnoopDataAddress;
                    }
                }
            }
            Phase::SnoopDataAddress => {
                // AW of a snoop's dirty data (the write-out may own AW meanwhile).
                if self.engine_writes.val() {
                    self.mem.awaddr.next = self.snp_addr.val();
                    self.mem.awvalid.next = true;
                }
                if self.engine_writes.val() & self.mem.awready.val() {
                    self.from_snoop.d.next = true;
                    self.state.d.next = Phase::LineData;
                }
            }
            Phase::LineData => {
                // The line's beats: a dirty snoop answer's, or a host write's.
                if self.from_snoop.q.val() {
                    self.mem.wdata.next = self.host.snp_data.val();
                    self.mem.wstrb.next = 0xffff.into();
                    self.mem.wlast.next = self.host.snp_last.val();
                    self.mem.wvalid.next = self.host.snp_valid.val();
                    self.host.snp_ready.next = self.mem.wready.val();
                } else {
                    self.mem.wvalid.next = self.host.req_valid.val();
                    self.host.req_ready.next = self.mem.wready.val();
                }
                if self.mem.wvalid.val() & self.mem.wready.val() & self.mem.wlast.val() {
                    self.state.d.next = Phase::LineResponse;
                }
            }
            Phase::LineResponse => {
                // Then on: the filter write after a snoop, the response after a host write.
                if !self.b_dma.val() {
                    self.mem.bready.next = true;
                }
                if self.mem.bvalid.val() & !self.b_dma.val() {
                    self.state.d.next = Phase::Respond;
                    if self.from_snoop.q.val() {
                        self.state.d.next = Phase::FilterWrite;
                    }
                }
            }
            Phase::FilterWrite => {
                // Filter write, then on.
                self.sf.op_valid.next = true;
                self.sf.op_write.next = true;
                if self.sf.op_ready.val() {
                    self.state.d.next = self.after_write.q.val();
                }
            }
            Phase::MemoryRead => {
                // The read goes to memory; the response unit sends its data.
                self.mem.arvalid.next = self.rsp_room.val();
                if self.rsp_room.val() & self.mem.arready.val() {
                    self.rsp_push.next = true;
                    self.state.d.next = Phase::Idle;
                }
            }
            Phase::HostDataAddress => {
                if self.engine_writes.val() {
                    self.mem.awvalid.next = true;
                }
                if self.engine_writes.val() & self.mem.awready.val() {
                    self.from_snoop.d.next = false;
                    self.state.d.next = Phase::LineData;
                }
            }
            Phase::DropData => {
                // A stale write-back's or a refused request's data goes nowhere.
                self.host.req_ready.next = true;
                if self.host.req_valid.val() & self.host.req_last.val() {
                    self.state.d.next = Phase::Respond;
                }
            }
            Phase::Respond => {
                // A response without data, behind those queued.
                self.rsp_push.next = self.rsp_room.val();
                if self.rsp_room.val() {
                    self.state.d.next = Phase::Idle;
                }
            }
            Phase::PageAnswer => {
                self.state.d.next = Phase::DmaIssue;
            }
            Phase::DmaLookup => {
                self.sf.op_valid.next = true;
                if self.sf.op_ready.val() {
                    self.state.d.next = Phase::DmaResult;
                }
            }
            Phase::DmaResult => {
                // Snoop a line the host may hold: any copy before a write, a possibly
                // dirty one before a read.
                if self.sf.result_valid.val() {
                    self.way.d.next = self.sf.result_way.val();
                    self.after_write.d.next = Phase::DmaNextLine;
                    self.state.d.next = Phase::DmaNextLine;
                    if self.sf.result_hit.val() & (self.d_write.q.val() | self.sf.result_any.val())
                    {
                        self.snp_line.d.next = self.line.q.val();
                        self.snp_op.d.next = self.snp_data.val();
                        if self.d_write.q.val() {
                            self.snp_op.d.next = self.snp_inv.val();
                        }
                        self.state.d.next = Phase::Snoop;
                    }
                }
            }
            Phase::DmaNextLine => {
                self.line.d.next = self.next_line.val();
                // The filter reads the next line's set now, for its lookup next cycle.
                self.sf.op_line.next = self.next_line.val().get_bits::<LINE_BITS>(0);
                self.state.d.next = Phase::DmaLookup;
                if self.line.q.val() == self.d_last_line.q.val() {
                    self.state.d.next = Phase::DmaIssue;
                }
            }
            Phase::DmaIssue => {
                // A read goes to memory; a write joins the write queue, its beats following
                // on their own. After a fast-path take, a busy page sends the burst to the
                // per-line lookups instead.
                self.d_fast.d.next = false;
                if self.d_fast.q.val() & self.d_go.val() {
                    self.n_dma_uncached.d.next = self.n_dma_uncached.q.val() + 1;
                }
                self.mem.araddr.next = self.d_addr.q.val();
                self.mem.arlen.next = self.d_len.q.val();
                self.mem.arsize.next = self.d_size.q.val();
                self.mem.arburst.next = self.d_burst.q.val();
                self.mem.arid.next = 1.into();
                self.mem.arvalid.next = !self.d_write.q.val() & self.d_go.val();
                if !self.d_go.val() {
                    self.state.d.next = Phase::DmaLookup;
                }
                if self.w_admit.val() | self.r_issue.val() {
                    self.state.d.next = Phase::Idle;
                }
            }
        }
        self.rsp_q.push.next = self.rsp_push.val();
        if self.rsp_push.val() & !self.rsp_done.val() {
            self.rsp_pending.d.next = self.rsp_pending.q.val() + 1;
        }
        if !self.rsp_push.val() & self.rsp_done.val() {
            self.rsp_pending.d.next = self.rsp_pending.q.val() - 1;
        }
        self.host_rd_issue.next = (self.state.q.val() == Phase::MemoryRead) & self.rsp_push.val();
        if self.host_rd_issue.val() & !self.host_rd_last.val() {
            self.host_rd_mem.d.next = self.host_rd_mem.q.val() + 1;
        }
        if !self.host_rd_issue.val() & self.host_rd_last.val() {
            self.host_rd_mem.d.next = self.host_rd_mem.q.val() - 1;
        }
        // After a snoop answer: the snooped line's entry. A victim's way takes the new
        // line (the write in `FilterWrite` fills it); a host copy the answer kept stays shared.
        if (self.state.q.val() == Phase::SnoopAnswer)
            & self.host.snp_valid.val()
            & self.snp_match.val()
            & (self.snp_line.q.val() == self.line.q.val())
        {
            self.w_present.d.next = self.host.snp_state.val() == self.state_s.val();
            self.w_any.d.next = false;
        }
        // Counters.
        if (self.state.q.val() == Phase::Idle)
            & self.host.req_valid.val()
            & self.host.req_ready.val()
        {
            if self.req_refused.val() {
                self.n_refused.d.next = self.n_refused.q.val() + 1;
            } else if self.req_read.val() {
                self.n_host_reads.d.next = self.n_host_reads.q.val() + 1;
            } else if self.req_write.val() {
                self.n_host_writes.d.next = self.n_host_writes.q.val() + 1;
            }
        }
        if self.host.s2m_snoop.val() & self.host.s2m_valid.val() & self.host.s2m_ready.val() {
            if self.snp_op.q.val() == self.snp_data.val() {
                self.n_snoops_data.d.next = self.n_snoops_data.q.val() + 1;
            } else {
                self.n_snoops_inv.d.next = self.n_snoops_inv.q.val() + 1;
            }
        }
        if (self.state.q.val() == Phase::HostResult) & self.sf.result_valid.val() {
            if ((self.op.q.val() == self.rd_shared.val()) | (self.op.q.val() == self.rd_own.val()))
                & !self.sf.result_hit.val()
                & self.sf.result_evict.val()
            {
                self.n_evictions.d.next = self.n_evictions.q.val() + 1;
            }
            if (self.op.q.val() == self.wr_back.val()) & !self.sf.result_hit.val() {
                self.n_conflicts.d.next = self.n_conflicts.q.val() + 1;
            }
        }
        if (self.state.q.val() == Phase::DmaResult)
            & self.sf.result_valid.val()
            & self.sf.result_hit.val()
            & (self.d_write.q.val() | self.sf.result_any.val())
        {
            self.n_dma_snooped.d.next = self.n_dma_snooped.q.val() + 1;
        }
        self.host_reads.next = self.n_host_reads.q.val();
        self.host_writes.next = self.n_host_writes.q.val();
        self.snoops_inv.next = self.n_snoops_inv.q.val();
        self.snoops_data.next = self.n_snoops_data.q.val();
        self.evictions.next = self.n_evictions.q.val();
        self.conflicts.next = self.n_conflicts.q.val();
        self.dma_snooped.next = self.n_dma_snooped.q.val();
        self.dma_uncached.next = self.n_dma_uncached.q.val();
        if self.snp_stray.val() {
            self.n_stray.d.next = self.n_stray.q.val() + 1;
        }
        self.refused.next = self.n_refused.q.val();
        self.stray_answers.next = self.n_stray.q.val();
        // Errors the protocol has no message for: reported, not hidden.
        // (A DMA burst's responses go back to the DMA engine as they are.)
        if ((self.state.q.val() == Phase::LineResponse)
            & self.mem.bvalid.val()
            & !self.b_dma.val()
            & (self.mem.bresp.val().any() | self.mem.bid.val().any()))
            | (self.ru_data.q.val()
                & self.host.s2m_valid.val()
                & self.host.s2m_ready.val()
                & (self.mem.rresp.val().any() | self.mem.rid.val().any()))
            | self.snp_stray.val()
            | ((self.state.q.val() == Phase::Idle)
                & self.host.req_valid.val()
                & self.host.req_ready.val()
                & self.req_refused.val())
        {
            self.error_q.d.next = true;
        }
        self.error.next = self.error_q.q.val();
        self.ready.next = self.sf.swept.val();
        if self.reset.val() {
            self.state.d.next = Phase::Idle;
            self.error_q.d.next = false;
            self.d_fast.d.next = false;
            self.r_reserved.d.next = 0.into();
            self.mem_reads.d.next = 0.into();
            self.uncollected.d.next = 0.into();
            self.collected.d.next = 0.into();
            self.dma_writes.d.next = 0.into();
            self.wo_state.d.next = WriteOut::Idle;
            self.wo_next.d.next = false;
            self.wo_shown.d.next = false;
            self.rsp_pending.d.next = 0.into();
            self.ru_data.d.next = false;
            self.host_rd_mem.d.next = 0.into();
            self.n_dma_uncached.d.next = 0.into();
            self.n_refused.d.next = 0.into();
            self.n_stray.d.next = 0.into();
            self.snp_drop.d.next = false;
            self.n_host_reads.d.next = 0.into();
            self.n_host_writes.d.next = 0.into();
            self.n_snoops_inv.d.next = 0.into();
            self.n_snoops_data.d.next = 0.into();
            self.n_evictions.d.next = 0.into();
            self.n_conflicts.d.next = 0.into();
            self.n_dma_snooped.d.next = 0.into();
        }
    }
}

crate::port_map!(HomeAgent as "home" {
    clock: clock,
    in reset,
    in host.req_valid,
    out host.req_ready,
    in host.req_op,
    in host.req_line,
    in host.req_tag,
    in host.req_data,
    in host.req_mask,
    in host.req_last,
    out host.s2m_valid,
    in host.s2m_ready,
    out host.s2m_snoop,
    out host.s2m_tag,
    out host.s2m_state,
    out host.s2m_op,
    out host.s2m_line,
    out host.s2m_data,
    out host.s2m_last,
    in host.snp_valid,
    out host.snp_ready,
    in host.snp_line,
    in host.snp_state,
    in host.snp_dirty,
    in host.snp_data,
    in host.snp_last,
    out error,
    out ready,
    out host_reads,
    out host_writes,
    out snoops_inv,
    out snoops_data,
    out evictions,
    out conflicts,
    out dma_snooped,
    out dma_uncached,
    out refused,
    out stray_answers,
    in base,
    in enable,
} axi4 { slave dev, master mem });

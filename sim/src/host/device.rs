//! The device top with its host and device memory ports on memory models (each with the
//! protocol checker) and the host CPU's cache on the coherent port (idle until a test
//! gives it loads and stores), driven through the real driver's registers, with a
//! minimal ring helper that writes descriptors into memory and rings the doorbell. DMA
//! and coherence testbenches and `cdm bench dma` and `cdm bench coherence` run the
//! device through it.

use cdm_driver::cdm;
use cdm_driver::dma::DmaMemory;
use cdm_driver::regs::{dma, global};
use cdm_driver::{Register, Regs};
use cdm_hdl::dma::engine::CHANNELS;
use cdm_regmap::descriptor::{self, Descriptor, ErrorCode};

use crate::bus::axi4_memory::{MemoryTiming, SparseMemory};
use crate::bus::axil::{Op, Timing};
use crate::bus::bridge::{CsrBridge, Peripheral};
use crate::bus::memory_port::MemoryPort;
use crate::coherent::host_cache::HostCache;
use crate::coherent::host_port::HostPort;
use crate::design::dut::Dut;
use crate::host::cpu::CpuStream;
use crate::rng::Rng;

/// The device top's ports other than its CSR port.
pub struct DevicePorts {
    /// Host memory, on the AXI4 host port.
    pub host: MemoryPort,
    /// Device memory, on the AXI4 memory port (by offset).
    pub devmem: MemoryPort,
    /// The host CPU's cache, on the coherent port.
    pub cpu: HostPort,
    /// A CPU thread that loads and stores device memory while the driver waits.
    pub background: CpuStream,
}

impl Peripheral for DevicePorts {
    // Every model drives before any samples: the coherent port's read data and ready
    // come straight from and go straight to the device memory port.
    fn drive(&mut self, dut: &mut dyn Dut) {
        self.host.memory.drive(dut);
        self.devmem.memory.drive(dut);
        self.cpu.drive(dut);
    }

    fn sample(&mut self, dut: &mut dyn Dut) {
        self.host.checker.check(dut);
        self.devmem.checker.check(dut);
        self.host.memory.sample(dut);
        self.devmem.memory.sample(dut);
        self.cpu.sample(dut);
        self.background.step(&mut self.cpu.cache, dut.cycle());
    }
}

/// Rings and other DMA buffers live in host memory, which the CPU reaches directly.
impl DmaMemory for CsrBridge<Box<dyn Dut>, DevicePorts> {
    fn write(&mut self, addr: u64, data: &[u8]) {
        self.peripheral().host.memory.mem.write(addr, data);
    }
    fn read(&mut self, addr: u64, out: &mut [u8]) {
        self.peripheral().host.memory.mem.read(addr, out);
    }
}

/// The real driver over the device top and its ports' models.
pub type DmaRegs = Regs<CsrBridge<Box<dyn Dut>, DevicePorts>>;

/// Rings live here, 1 MiB apart.
pub const RINGS: u64 = 0x7000_0000;

/// A channel's view from software: where its ring is, its size and the next index to
/// submit.
#[derive(Clone, Copy, Debug)]
pub struct Ring {
    pub base: u64,
    pub log2: u32,
    pub producer: u16,
}

/// Outcome of one descriptor as the hardware wrote it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub done: bool,
    pub error: u32,
    pub bytes: u32,
}

/// The device with a ring of `2^ring_log2` descriptors per channel, every channel
/// running, one window covering all of memory (read and write) unless a test programs
/// others.
pub struct DmaDevice {
    pub regs: DmaRegs,
    pub rings: Vec<Ring>,
    /// Where device memory appears in the DMA address space.
    devmem_base: u64,
}

impl DmaDevice {
    /// Takes `dut`, a device top out of reset; `csr` is the timing of register accesses.
    pub fn new(
        dut: Box<dyn Dut>,
        timing: MemoryTiming,
        csr: Timing,
        ring_log2: u32,
        rng: &mut Rng,
    ) -> DmaDevice {
        assert!(ring_log2 <= 15, "rings hold at most 2^15 descriptors");
        let host = MemoryPort::new(&*dut, "host$", timing, Rng::new(rng.next_u64()))
            .expect("device top has an AXI4 master host");
        let devmem = MemoryPort::new(&*dut, "mem$", timing, Rng::new(rng.next_u64()))
            .expect("device top has an AXI4 master mem");
        // A host cache of 16,384 lines: four times the snoop filter, so the filter is
        // what evicts.
        let cpu = HostPort::new(
            &*dut,
            "coh$",
            HostCache::new(12, 4),
            Rng::new(rng.next_u64()),
        )
        .expect("device top has a coherent port");
        let ports = DevicePorts {
            host,
            devmem,
            cpu,
            background: CpuStream::default(),
        };
        let bridge = CsrBridge::with(dut, "axil$", csr, Rng::new(rng.next_u64()), ports)
            .expect("device top has an AXI4-Lite port");
        let mut bench = DmaDevice {
            regs: Regs::new(bridge),
            rings: Vec::new(),
            devmem_base: 0,
        };
        bench.window(
            0,
            cdm::Window {
                base: 0,
                limit: u64::MAX,
                access: cdm::WindowAccess::ReadWrite,
            },
        );
        for ch in 0..CHANNELS {
            let base = RINGS + ch as u64 * 0x10_0000;
            let r = &mut bench.regs;
            r.write64_at::<dma::RingBase>(ch, base).unwrap();
            r.write_with_at::<dma::RingSize>(ch, |v| v.with_log2(ring_log2))
                .unwrap();
            r.write_with_at::<dma::Ctrl>(ch, |v| v.with_run(true))
                .unwrap();
            bench.rings.push(Ring {
                base,
                log2: ring_log2,
                producer: 0,
            });
        }
        bench
            .regs
            .write_with::<global::Ctrl>(|v| v.with_enable(true))
            .unwrap();
        bench
    }

    /// Programs DMA window `i` through the driver.
    pub fn window(&mut self, i: usize, w: cdm::Window) {
        cdm::set_window(self.regs.io_mut(), i, w).expect("window programmed");
    }

    /// The host memory port's model.
    pub fn port(&mut self) -> &mut MemoryPort {
        &mut self.regs.io_mut().peripheral().host
    }

    /// The device memory port's model.
    pub fn devmem_port(&mut self) -> &mut MemoryPort {
        &mut self.regs.io_mut().peripheral().devmem
    }

    /// The host CPU on the coherent port.
    pub fn cpu(&mut self) -> &mut HostPort {
        &mut self.regs.io_mut().peripheral().cpu
    }

    /// Host memory.
    pub fn mem(&mut self) -> &mut SparseMemory {
        &mut self.port().memory.mem
    }

    /// Device memory (the model holds it by offset).
    pub fn devmem(&mut self) -> &mut SparseMemory {
        &mut self.devmem_port().memory.mem
    }

    /// Reads device memory at DMA address `addr`.
    pub fn devmem_read(&mut self, addr: u64, len: usize) -> Vec<u8> {
        let at = addr - self.devmem_base;
        self.devmem().read_vec(at, len)
    }

    /// Writes device memory at DMA address `addr`.
    pub fn devmem_write(&mut self, addr: u64, bytes: &[u8]) {
        let at = addr - self.devmem_base;
        self.devmem().write(at, bytes)
    }

    /// Programs the device memory window (4 KiB aligned) through the driver: DMA
    /// addresses inside it use the device memory port.
    pub fn devmem_window(&mut self, base: u64, size: u64) {
        self.devmem_base = base;
        cdm::place_devmem(self.regs.io_mut(), cdm::Region { base, size }).expect("4 KiB granules");
    }

    /// Address of descriptor `index` of channel `ch`.
    pub fn slot(&self, ch: usize, index: u16) -> u64 {
        let mask = (1u64 << self.rings[ch].log2) - 1;
        self.rings[ch].base + (index as u64 & mask) * descriptor::SIZE
    }

    /// Writes `desc` into the next slot of channel `ch` (no doorbell); returns its index.
    pub fn push(&mut self, ch: usize, desc: Descriptor) -> u16 {
        let index = self.rings[ch].producer;
        let at = self.slot(ch, index);
        self.mem().write(at, &desc.to_bytes());
        self.rings[ch].producer = index.wrapping_add(1);
        index
    }

    /// Rings channel `ch`'s doorbell with everything pushed so far.
    pub fn doorbell(&mut self, ch: usize) {
        let p = self.rings[ch].producer;
        self.regs
            .write_with_at::<dma::Producer>(ch, |v| v.with_index(p as u32))
            .unwrap();
    }

    /// Puts channel `ch`'s doorbell on the CSR port without waiting for its response, so
    /// a benchmark's clock can start at once; returns the cycle in which the CSR block
    /// commits it (the one after its AW and W).
    pub fn post_doorbell(&mut self, ch: usize) -> u64 {
        let p = dma::ProducerValue::ZERO.with_index(self.rings[ch].producer as u32);
        let bridge = self.regs.io_mut();
        bridge.master().push(Op::Write {
            addr: (dma::Producer::ADDR + ch * dma::Producer::STRIDE) as u64,
            data: p.bits(),
            strb: 0xf,
        });
        bridge.dut().cycle() + 1
    }

    /// The write-back of descriptor `index` of channel `ch`.
    pub fn written(&mut self, ch: usize, index: u16) -> Written {
        let at = self.slot(ch, index);
        let b = self.mem().read_vec(at + descriptor::offset::STATUS, 8);
        let status = u32::from_le_bytes(b[0..4].try_into().unwrap());
        Written {
            done: status & descriptor::status::DONE != 0,
            error: (status & descriptor::status::ERROR_MASK) >> descriptor::status::ERROR_SHIFT,
            bytes: u32::from_le_bytes(b[4..8].try_into().unwrap()),
        }
    }

    pub fn consumer(&mut self, ch: usize) -> u16 {
        self.regs.read_at::<dma::Consumer>(ch).unwrap().index() as u16
    }

    pub fn status(&mut self, ch: usize) -> dma::StatusValue {
        self.regs.read_at::<dma::Status>(ch).unwrap()
    }

    /// Runs until channel `ch` has completed everything submitted, or halted; panics
    /// after `limit` cycles. Returns the cycles waited.
    pub fn wait(&mut self, ch: usize, limit: u64) -> u64 {
        self.wait_until(limit, |b| {
            let done = b.consumer(ch) == b.rings[ch].producer;
            done || b.status(ch).halted()
        })
    }

    /// Runs until every channel has completed everything submitted.
    pub fn wait_all(&mut self, limit: u64) -> u64 {
        self.wait_until(limit, |b| {
            (0..CHANNELS).all(|ch| b.consumer(ch) == b.rings[ch].producer || b.status(ch).halted())
        })
    }

    /// Runs until `done`, polling every 32 cycles; panics after `limit` cycles.
    pub fn wait_until(&mut self, limit: u64, mut done: impl FnMut(&mut DmaDevice) -> bool) -> u64 {
        let start = self.cycle();
        while !done(self) {
            self.regs.io_mut().idle(32);
            let waited = self.cycle() - start;
            assert!(waited < limit, "DMA still busy after {waited} cycles");
        }
        self.cycle() - start
    }

    /// Runs until channel `ch` is halted and holds nothing in flight.
    pub fn wait_halted(&mut self, ch: usize, limit: u64) {
        self.wait_until(limit, |b| {
            let s = b.status(ch);
            s.halted() && !s.busy()
        });
    }

    /// The halt record of channel `ch`: error, failed index, faulting address.
    pub fn halt(&mut self, ch: usize) -> (Option<ErrorCode>, u16, u64) {
        let s = self.status(ch);
        let index = self.regs.read_at::<dma::ErrIndex>(ch).unwrap().index() as u16;
        let addr = self.regs.read64_at::<dma::ErrAddr>(ch).unwrap();
        (ErrorCode::from_bits(s.error()), index, addr)
    }

    /// RETRY or SKIP on a halted channel.
    pub fn resume(&mut self, ch: usize, skip: bool) {
        self.regs
            .write_with_at::<dma::Ctrl>(ch, |v| v.with_run(true).with_skip(skip).with_retry(!skip))
            .unwrap();
    }

    /// Channel counters: bytes, descriptors, busy cycles, stall cycles.
    pub fn counters(&mut self, ch: usize) -> (u64, u32, u32, u32) {
        let r = &mut self.regs;
        let bytes = r.read64_at::<dma::Bytes>(ch).unwrap();
        let descs = r.read_at::<dma::Descs>(ch).unwrap().value();
        let busy = r.read_at::<dma::BusyCycles>(ch).unwrap().value();
        let stall = r.read_at::<dma::StallCycles>(ch).unwrap().value();
        (bytes, descs, busy, stall)
    }

    pub fn cycle(&mut self) -> u64 {
        self.regs.io_mut().dut().cycle()
    }
}

/// What a completed descriptor does to memory: the reference model of the scoreboard.
pub fn apply(reference: &mut SparseMemory, memory_before: &SparseMemory, d: &Descriptor) {
    if d.ctrl & descriptor::ctrl::OPCODE_MASK == descriptor::Opcode::Fill as u32 {
        let p = d.src.to_le_bytes();
        let bytes: Vec<u8> = (0..d.len as u64)
            .map(|i| p[((d.dst + i) % 8) as usize])
            .collect();
        reference.write(d.dst, &bytes);
    } else {
        reference.write(d.dst, &memory_before.read_vec(d.src, d.len as usize));
    }
}

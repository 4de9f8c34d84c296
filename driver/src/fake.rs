//! A fake device for the unit tests and the fuzz targets (feature `fuzzing`): a
//! register file and sparse memory, and one DMA channel that runs its descriptors the
//! moment the doorbell rings. It halts on chosen descriptors, can stay halted or never
//! run, and counts register reads, so that a test can bound every wait of the driver.

use std::collections::{BTreeMap, BTreeSet};
use std::vec;
use std::vec::Vec;

use crate::descriptor::{self, ErrorCode};
use crate::dma::DmaMemory;
use crate::io::{BusError, BusErrorKind, Offset, RegisterIo};
use crate::regs::{dma, global, SIZE};
use crate::Register;

/// Bytes per page of the sparse memory.
const CHUNK: u64 = 4096;

/// The device: `words` is the register file, read and written as is except for the
/// channel's doorbell and control; memory reads as 0 where nothing was written.
pub struct Engine {
    /// The registers, by word.
    pub words: Vec<u32>,
    /// Copies from these source addresses halt with `READ_ERROR`.
    pub bad: BTreeSet<u64>,
    /// The descriptors (numbered from 0 in the order the engine starts them, retries
    /// included) that halt, and with which code.
    pub fail: BTreeMap<usize, ErrorCode>,
    /// `SKIP` and `RETRY` leave a halt in place.
    pub stuck: bool,
    /// The engine never starts a descriptor and reports itself busy.
    pub stall: bool,
    /// Register reads so far.
    pub reads: usize,
    /// Reads beyond this many answer `SLVERR`: a wait without a bound ends in an error.
    pub read_limit: usize,
    /// Descriptors started so far.
    pub started: usize,
    channel: usize,
    memory: BTreeMap<u64, Vec<u8>>,
    producer: u16,
    consumer: u16,
}

impl Engine {
    /// A device with four channels whose channel `channel` is the working one.
    #[must_use]
    pub fn new(channel: usize) -> Engine {
        let mut words = vec![0; SIZE / 4];
        words[global::CapDma::ADDR / 4] = 4;
        Engine {
            words,
            bad: BTreeSet::new(),
            fail: BTreeMap::new(),
            stuck: false,
            stall: false,
            reads: 0,
            read_limit: usize::MAX,
            started: 0,
            channel,
            memory: BTreeMap::new(),
            producer: 0,
            consumer: 0,
        }
    }

    /// The working channel's instance of `R`.
    pub fn reg<R: Register>(&mut self) -> &mut u32 {
        let at = R::address(self.channel).expect("the channel has every DMA register");
        &mut self.words[at.word()]
    }

    /// True while the channel is halted.
    pub fn halted(&mut self) -> bool {
        dma::StatusValue::from(*self.reg::<dma::Status>()).halted()
    }

    fn halt(&mut self, code: ErrorCode, addr: u64) {
        *self.reg::<dma::Status>() =
            dma::StatusValue::HALTED_MASK | (code as u32) << dma::StatusValue::ERROR_SHIFT;
        *self.reg::<dma::ErrIndex>() = u32::from(self.consumer);
        *self.reg::<dma::ErrAddrLo>() = addr as u32;
        *self.reg::<dma::ErrAddrHi>() = (addr >> 32) as u32;
    }

    fn running(&mut self) -> bool {
        dma::CtrlValue::from(*self.reg::<dma::Ctrl>()).run() && !self.stall && !self.halted()
    }

    /// The ring slot of `index`, as the registers describe the ring.
    fn slot(&mut self, index: u16) -> u64 {
        let lo = u64::from(*self.reg::<dma::RingBaseLo>() & !0x1F);
        let hi = u64::from(*self.reg::<dma::RingBaseHi>());
        let log2 = dma::RingSizeValue::from(*self.reg::<dma::RingSize>()).log2();
        let mask = (1u64 << log2) - 1;
        (hi << 32 | lo) + (u64::from(index) & mask) * descriptor::SIZE as u64
    }

    fn advance(&mut self) {
        self.consumer = self.consumer.wrapping_add(1);
        *self.reg::<dma::Consumer>() = u32::from(self.consumer);
    }

    /// Runs descriptors until the ring is empty or the channel halts.
    fn run(&mut self) {
        while self.consumer != self.producer && self.running() {
            let at = self.slot(self.consumer);
            let mut d = [0u8; descriptor::SIZE];
            DmaMemory::read(self, at, &mut d);
            let n = self.started;
            self.started += 1;
            let (src, dst, len, ctrl) = parse(&d);
            if let Some(&code) = self.fail.get(&n) {
                self.halt(code, src);
                return;
            }
            if let Some(code) = check(src, dst, len, ctrl) {
                self.halt(code, src);
                return;
            }
            let fill = ctrl & descriptor::CTRL_OPCODE_MASK == descriptor::OPCODE_FILL;
            if !fill && self.bad.contains(&src) {
                self.halt(ErrorCode::ReadError, src);
                return;
            }
            let mut data = vec![0u8; len as usize];
            if fill {
                for (i, b) in data.iter_mut().enumerate() {
                    *b = src.to_le_bytes()[((dst + i as u64) % 8) as usize];
                }
            } else {
                DmaMemory::read(self, src, &mut data);
            }
            DmaMemory::write(self, dst, &data);
            let status = at + descriptor::OFFSET_STATUS as u64;
            DmaMemory::write(self, status, &descriptor::STATUS_DONE.to_le_bytes());
            let bytes = at + descriptor::OFFSET_BYTES as u64;
            DmaMemory::write(self, bytes, &len.to_le_bytes());
            self.advance();
        }
    }
}

/// A descriptor's SRC, DST, LEN and CTRL, as the device reads them.
pub fn parse(d: &[u8; descriptor::SIZE]) -> (u64, u64, u32, u32) {
    let u32_at = |o: usize| u32::from_le_bytes(d[o..o + 4].try_into().expect("4 bytes"));
    let u64_at = |o: usize| u64::from(u32_at(o)) | u64::from(u32_at(o + 4)) << 32;
    (
        u64_at(descriptor::OFFSET_SRC),
        u64_at(descriptor::OFFSET_DST),
        u32_at(descriptor::OFFSET_LEN),
        u32_at(descriptor::OFFSET_CTRL),
    )
}

/// The device's checks of a descriptor; a range that wraps past the top of the
/// address space is outside every window.
fn check(src: u64, dst: u64, len: u32, ctrl: u32) -> Option<ErrorCode> {
    let op = ctrl & descriptor::CTRL_OPCODE_MASK;
    let last = u64::from(len.max(1) - 1);
    Some(if len == 0 {
        ErrorCode::ZeroLength
    } else if len > descriptor::MAX_LEN {
        ErrorCode::LengthTooLarge
    } else if ctrl & descriptor::CTRL_RESERVED != 0 {
        ErrorCode::ReservedBits
    } else if op != descriptor::OPCODE_COPY && op != descriptor::OPCODE_FILL {
        ErrorCode::BadOpcode
    } else if op == descriptor::OPCODE_COPY && src.checked_add(last).is_none() {
        ErrorCode::SourceWindow
    } else if dst.checked_add(last).is_none() {
        ErrorCode::DestinationWindow
    } else {
        return None;
    })
}

impl RegisterIo for Engine {
    type Error = BusError;

    fn read32(&mut self, offset: Offset) -> Result<u32, BusError> {
        self.reads += 1;
        if self.reads > self.read_limit {
            return Err(BusError {
                offset: offset.get(),
                kind: BusErrorKind::SlvErr,
            });
        }
        if self.stall && Some(offset) == dma::Status::address(self.channel) {
            return Ok(*self.reg::<dma::Status>() | dma::StatusValue::BUSY_MASK);
        }
        Ok(self.words[offset.word()])
    }

    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), BusError> {
        if Some(offset) == dma::Producer::address(self.channel) {
            self.producer = dma::ProducerValue::from(value).index() as u16;
        } else if Some(offset) == dma::Ctrl::address(self.channel) {
            let v = dma::CtrlValue::from(value);
            let halted = self.halted();
            if halted && !self.stuck && (v.skip() || v.retry()) {
                *self.reg::<dma::Status>() = 0;
                if v.skip() {
                    self.advance();
                }
            }
            if v.abort() && !halted && !self.stall && self.consumer != self.producer {
                self.halt(ErrorCode::Aborted, 0);
            }
            *self.reg::<dma::Ctrl>() = dma::CtrlValue::ZERO.with_run(v.run()).into();
        } else {
            self.words[offset.word()] = value;
        }
        self.run();
        Ok(())
    }
}

impl DmaMemory for Engine {
    fn write(&mut self, addr: u64, data: &[u8]) {
        for piece in chunks(addr, data.len()) {
            let at = addr + piece.start as u64;
            let page = self
                .memory
                .entry(at / CHUNK)
                .or_insert_with(|| vec![0; CHUNK as usize]);
            let o = (at % CHUNK) as usize;
            page[o..o + piece.len()].copy_from_slice(&data[piece]);
        }
    }

    fn read(&mut self, addr: u64, out: &mut [u8]) {
        for piece in chunks(addr, out.len()) {
            let at = addr + piece.start as u64;
            let o = (at % CHUNK) as usize;
            let dst = &mut out[piece];
            match self.memory.get(&(at / CHUNK)) {
                Some(page) => dst.copy_from_slice(&page[o..o + dst.len()]),
                None => dst.fill(0),
            }
        }
    }
}

/// The pieces of `len` bytes at `addr` that lie in one memory page each, as ranges of
/// the buffer.
fn chunks(addr: u64, len: usize) -> impl Iterator<Item = core::ops::Range<usize>> {
    let mut done = 0;
    core::iter::from_fn(move || {
        if done == len {
            return None;
        }
        let at = addr + done as u64;
        let n = ((CHUNK - at % CHUNK) as usize).min(len - done);
        done += n;
        Some(done - n..done)
    })
}

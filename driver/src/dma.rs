//! DMA channels: ring set-up, submission, completion, errors and recovery.
//!
//! A [`Channel`] owns one hardware channel and its descriptor ring. The calls map onto
//! Linux dmaengine as a driver author expects:
//!
//! | dmaengine | here |
//! |---|---|
//! | `device_prep_dma_memcpy` / `_memset` + `dmaengine_submit` | [`Channel::prep`] (writes the descriptor, returns its [`Cookie`]) |
//! | `dma_async_issue_pending` | [`Channel::issue_pending`] (one doorbell for everything prepared) |
//! | `dmaengine_tx_status` (with residue) | [`Channel::tx_status`] |
//! | the completion callback | [`Channel::poll`], or the interrupt: [`Channel::take_interrupt`] |
//! | `dmaengine_terminate_all` | [`Channel::terminate_all`] |
//! | (error handling) | [`Channel::halt`], [`Channel::resume`] with [`Resume::Skip`] or [`Resume::Retry`] |
//!
//! Indices and cookies are the hardware's free-running 16-bit ring indices. Nothing
//! here blocks without a bound: every wait takes a poll budget and ends in
//! [`DmaError::Timeout`].

use core::fmt;

use crate::descriptor::{self, ErrorCode};
use crate::io::{Offset, RegisterIo};
use crate::regs::{dma, global, intr};
use crate::{Error, Regs};

/// Memory the device reads and writes by DMA, as the CPU sees it: where rings live.
///
/// It must be coherent with the device (or the implementation cleans and invalidates
/// caches around the accesses): a descriptor written here is what the device fetches.
pub trait DmaMemory {
    /// Writes `data` at bus address `addr`.
    fn write(&mut self, addr: u64, data: &[u8]);
    /// Reads `out.len()` bytes at bus address `addr`.
    fn read(&mut self, addr: u64, out: &mut [u8]);
}

impl<T: DmaMemory + ?Sized> DmaMemory for &mut T {
    fn write(&mut self, addr: u64, data: &[u8]) {
        (**self).write(addr, data);
    }
    fn read(&mut self, addr: u64, out: &mut [u8]) {
        (**self).read(addr, out);
    }
}

/// What the driver needs of a platform: the device's registers and DMA memory.
pub trait Bus: RegisterIo + DmaMemory {}

impl<T: RegisterIo + DmaMemory + ?Sized> Bus for T {}

/// Registers and DMA memory from two separate providers (an [`Mmio`](crate::io::Mmio)
/// and a coherent buffer allocator, say) as one [`Bus`].
#[derive(Debug)]
pub struct Platform<IO, M> {
    /// The register space.
    pub io: IO,
    /// DMA memory.
    pub memory: M,
}

impl<IO: RegisterIo, M> RegisterIo for Platform<IO, M> {
    type Error = IO::Error;

    fn read32(&mut self, offset: Offset) -> Result<u32, IO::Error> {
        self.io.read32(offset)
    }
    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), IO::Error> {
        self.io.write32(offset, value)
    }
}

impl<IO, M: DmaMemory> DmaMemory for Platform<IO, M> {
    fn write(&mut self, addr: u64, data: &[u8]) {
        self.memory.write(addr, data);
    }
    fn read(&mut self, addr: u64, out: &mut [u8]) {
        self.memory.read(addr, out);
    }
}

/// One transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// Copy `len` bytes from `src` to `dst`.
    Copy {
        /// Source bus address.
        src: u64,
        /// Destination bus address.
        dst: u64,
        /// Bytes, 1 ..= [`descriptor::MAX_LEN`].
        len: u32,
    },
    /// Tile `len` bytes at `dst` with `pattern` (byte `a` gets pattern byte `a % 8`).
    Fill {
        /// The 64-bit pattern; 0 zero-fills.
        pattern: u64,
        /// Destination bus address.
        dst: u64,
        /// Bytes, 1 ..= [`descriptor::MAX_LEN`].
        len: u32,
    },
}

impl Transfer {
    /// Bytes the transfer moves.
    #[must_use]
    pub const fn len(&self) -> u32 {
        match *self {
            Transfer::Copy { len, .. } | Transfer::Fill { len, .. } => len,
        }
    }

    /// True for a zero-length transfer (which the device rejects).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the ranges it reads and writes end below the top of the address
    /// space (a device would wrap them around to address 0). `len` must be non-zero.
    fn fits(&self) -> bool {
        let last = u64::from(self.len()) - 1;
        match *self {
            Transfer::Copy { src, dst, .. } => {
                src.checked_add(last).is_some() && dst.checked_add(last).is_some()
            }
            Transfer::Fill { dst, .. } => dst.checked_add(last).is_some(),
        }
    }

    fn to_bytes(self, flags: u32) -> [u8; descriptor::SIZE] {
        let (src, dst, len, op) = match self {
            Transfer::Copy { src, dst, len } => (src, dst, len, descriptor::OPCODE_COPY),
            Transfer::Fill { pattern, dst, len } => (pattern, dst, len, descriptor::OPCODE_FILL),
        };
        let mut b = [0u8; descriptor::SIZE];
        b[descriptor::OFFSET_SRC..][..8].copy_from_slice(&src.to_le_bytes());
        b[descriptor::OFFSET_DST..][..8].copy_from_slice(&dst.to_le_bytes());
        b[descriptor::OFFSET_LEN..][..4].copy_from_slice(&len.to_le_bytes());
        b[descriptor::OFFSET_CTRL..][..4].copy_from_slice(&(op | flags).to_le_bytes());
        b
    }
}

/// Per-descriptor options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// Count towards the channel's completion interrupt.
    pub irq: bool,
    /// Start only after every earlier descriptor of the channel has completed.
    pub fence: bool,
}

impl Flags {
    fn bits(self) -> u32 {
        let mut b = 0;
        if self.irq {
            b |= descriptor::CTRL_IRQ;
        }
        if self.fence {
            b |= descriptor::CTRL_FENCE;
        }
        b
    }
}

/// A submitted descriptor: its ring index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cookie(pub u16);

/// Where a submitted descriptor stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Not completed yet.
    InProgress,
    /// Completed without error.
    Complete,
    /// Failed (or skipped after failing): `residue` bytes were not transferred.
    Error {
        /// Why.
        code: ErrorCode,
        /// Bytes not transferred.
        residue: u32,
    },
}

impl TxStatus {
    /// The state of a descriptor the consumer index has passed, from its bytes as the
    /// device left them: complete, or failed with the bytes it did not move.
    ///
    /// # Errors
    ///
    /// The status's error code when the driver does not know it (what
    /// [`Channel::tx_status`] reports as [`DmaError::UnknownError`]).
    pub fn completed(b: &[u8; descriptor::SIZE]) -> Result<TxStatus, u32> {
        let word = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let status = word(descriptor::OFFSET_STATUS);
        let code = (status & descriptor::STATUS_ERROR_MASK) >> descriptor::STATUS_ERROR_SHIFT;
        if code == 0 && status & descriptor::STATUS_DONE != 0 {
            return Ok(TxStatus::Complete);
        }
        // A descriptor stepped past with SKIP, whether or not its status was written.
        let code = ErrorCode::from_bits(code).ok_or(code)?;
        let residue = word(descriptor::OFFSET_LEN).saturating_sub(word(descriptor::OFFSET_BYTES));
        Ok(TxStatus::Error { code, residue })
    }
}

/// The record of a halted channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Halt {
    /// Why it halted.
    pub code: ErrorCode,
    /// The descriptor it halted on.
    pub cookie: Cookie,
    /// The faulting address (see `docs/DMA.md` for which address each code reports).
    pub addr: u64,
    /// Bytes of that descriptor not known to be transferred (its LEN: a failed
    /// descriptor reports no partial progress).
    pub residue: u32,
}

/// How a halted channel goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Run the failed descriptor again.
    Retry,
    /// Step past the failed descriptor.
    Skip,
}

/// Why a DMA call failed, over a bus whose accesses fail with `B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DmaError<B> {
    /// A register access failed.
    Register(Error<B>),
    /// The ring has no free slot; reap completions first.
    RingFull,
    /// A transfer of 0 or more than [`descriptor::MAX_LEN`] bytes.
    InvalidLength(u32),
    /// A channel index beyond the device's channels, a ring size beyond 2^15 or a ring
    /// base not 32-byte aligned.
    InvalidChannel,
    /// The channel halted; see the record.
    Halted(Halt),
    /// A wait ran out of polls.
    Timeout,
    /// A cookie more than a ring behind the producer: its slot has been reused.
    Expired(Cookie),
    /// A halt record names no error code the driver knows.
    UnknownError(u32),
    /// A ring or a transfer that runs past the top of the 64-bit address space.
    AddressOverflow,
}

impl<B> From<Error<B>> for DmaError<B> {
    fn from(e: Error<B>) -> DmaError<B> {
        DmaError::Register(e)
    }
}

impl<B> From<B> for DmaError<B> {
    fn from(e: B) -> DmaError<B> {
        DmaError::Register(Error::Bus(e))
    }
}

impl<B: fmt::Display> fmt::Display for DmaError<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DmaError::Register(e) => e.fmt(f),
            DmaError::RingFull => f.write_str("descriptor ring full"),
            DmaError::InvalidLength(len) => write!(f, "transfer length {len} out of range"),
            DmaError::InvalidChannel => f.write_str("no such channel or bad ring geometry"),
            DmaError::Halted(h) => write!(
                f,
                "channel halted on descriptor {}: {:?} at {:#x} ({})",
                h.cookie.0,
                h.code,
                h.addr,
                h.code.doc()
            ),
            DmaError::Timeout => f.write_str("DMA wait timed out"),
            DmaError::Expired(c) => write!(f, "descriptor {} is more than a ring old", c.0),
            DmaError::UnknownError(code) => write!(f, "unknown DMA error code {code}"),
            DmaError::AddressOverflow => f.write_str("range past the top of the address space"),
        }
    }
}

#[cfg(feature = "std")]
impl<B: fmt::Debug + fmt::Display> std::error::Error for DmaError<B> {}

/// Largest ring: 2^15 descriptors.
pub const MAX_RING_LOG2: u32 = 15;

/// One DMA channel and its ring of `2^log2` descriptors at bus address `ring`.
#[derive(Debug)]
pub struct Channel {
    index: usize,
    ring: u64,
    log2: u32,
    /// Next index to write.
    producer: u16,
    /// Producer as last given to the doorbell.
    issued: u16,
    /// Consumer as last read.
    consumer: u16,
}

impl Channel {
    /// Brings up channel `index` with a ring of `2^log2` descriptors at bus address
    /// `ring` (32-byte aligned, `2^log2 * 32` bytes of [`DmaMemory`]) and starts it.
    /// Submission continues from the channel's current consumer index.
    ///
    /// # Errors
    ///
    /// [`DmaError::InvalidChannel`] for a bad index or geometry,
    /// [`DmaError::AddressOverflow`] for a ring past the top of the address space
    /// (nothing is written then); register errors.
    pub fn open<B: Bus>(
        bus: &mut B,
        index: usize,
        ring: u64,
        log2: u32,
    ) -> Result<Channel, DmaError<B::Error>> {
        let mut regs = Regs::new(bus);
        let channels = regs.read::<global::CapDma>()?.channels() as usize;
        if index >= channels || log2 > MAX_RING_LOG2 || ring % descriptor::SIZE as u64 != 0 {
            return Err(DmaError::InvalidChannel);
        }
        // Slots are addressed from `ring` without further checks: its last byte must exist.
        let bytes = (descriptor::SIZE as u64) << log2;
        if ring.checked_add(bytes - 1).is_none() {
            return Err(DmaError::AddressOverflow);
        }
        regs.write_with_at::<dma::Ctrl>(index, |v| v.with_run(false))?;
        regs.write64_at::<dma::RingBase>(index, ring)?;
        regs.write_with_at::<dma::RingSize>(index, |v| v.with_log2(log2))?;
        let consumer = regs.read_at::<dma::Consumer>(index)?.index() as u16;
        regs.write_with_at::<dma::Producer>(index, |v| v.with_index(u32::from(consumer)))?;
        regs.write_with_at::<dma::Ctrl>(index, |v| v.with_run(true))?;
        Ok(Channel {
            index,
            ring,
            log2,
            producer: consumer,
            issued: consumer,
            consumer,
        })
    }

    /// The hardware channel.
    #[must_use]
    pub const fn index(&self) -> usize {
        self.index
    }

    /// Descriptors the ring holds.
    #[must_use]
    pub const fn capacity(&self) -> u16 {
        // A ring of 2^15 is the largest, so this never overflows u16.
        (1u32 << self.log2) as u16
    }

    /// Descriptors prepared and not yet seen completed.
    #[must_use]
    pub const fn outstanding(&self) -> u16 {
        self.producer.wrapping_sub(self.consumer)
    }

    fn slot(&self, index: u16) -> u64 {
        let mask = (1u64 << self.log2) - 1;
        // `open` checked that the ring's last byte exists, so this does not wrap.
        self.ring + (u64::from(index) & mask) * descriptor::SIZE as u64
    }

    /// Writes `t` into the next ring slot; it runs after the next
    /// [`issue_pending`](Self::issue_pending).
    ///
    /// # Errors
    ///
    /// [`DmaError::InvalidLength`], [`DmaError::AddressOverflow`] for a source or
    /// destination range past the top of the address space, [`DmaError::RingFull`]
    /// (after one look at the consumer index), register errors.
    pub fn prep<B: Bus>(
        &mut self,
        bus: &mut B,
        t: Transfer,
        flags: Flags,
    ) -> Result<Cookie, DmaError<B::Error>> {
        if t.is_empty() || t.len() > descriptor::MAX_LEN {
            return Err(DmaError::InvalidLength(t.len()));
        }
        if !t.fits() {
            return Err(DmaError::AddressOverflow);
        }
        if self.outstanding() >= self.capacity() {
            self.poll(bus)?;
            if self.outstanding() >= self.capacity() {
                return Err(DmaError::RingFull);
            }
        }
        let cookie = Cookie(self.producer);
        bus.write(self.slot(cookie.0), &t.to_bytes(flags.bits()));
        self.producer = self.producer.wrapping_add(1);
        Ok(cookie)
    }

    /// Rings the doorbell for everything prepared (nothing if there is nothing new).
    ///
    /// # Errors
    ///
    /// Register errors.
    pub fn issue_pending<B: Bus>(&mut self, bus: &mut B) -> Result<(), DmaError<B::Error>> {
        if self.issued != self.producer {
            Regs::new(bus).write_with_at::<dma::Producer>(self.index, |v| {
                v.with_index(u32::from(self.producer))
            })?;
            self.issued = self.producer;
        }
        Ok(())
    }

    /// Reads the consumer index; returns how many descriptors are still outstanding.
    ///
    /// # Errors
    ///
    /// Register errors.
    pub fn poll<B: Bus>(&mut self, bus: &mut B) -> Result<u16, DmaError<B::Error>> {
        self.consumer = Regs::new(bus).read_at::<dma::Consumer>(self.index)?.index() as u16;
        Ok(self.outstanding())
    }

    /// True when `cookie` is behind the consumer index as last read.
    fn completed(&self, cookie: Cookie) -> bool {
        self.producer.wrapping_sub(cookie.0) > self.outstanding()
    }

    /// The state of `cookie`, with the residue of a failed one.
    ///
    /// # Errors
    ///
    /// [`DmaError::Expired`] for a cookie whose slot was reused; register errors.
    pub fn tx_status<B: Bus>(
        &mut self,
        bus: &mut B,
        cookie: Cookie,
    ) -> Result<TxStatus, DmaError<B::Error>> {
        if self.producer.wrapping_sub(cookie.0) > self.capacity() {
            return Err(DmaError::Expired(cookie));
        }
        self.poll(bus)?;
        if !self.completed(cookie) {
            return match self.halt(bus)? {
                Some(h) if h.cookie == cookie => Ok(TxStatus::Error {
                    code: h.code,
                    residue: h.residue,
                }),
                _ => Ok(TxStatus::InProgress),
            };
        }
        let mut b = [0u8; descriptor::SIZE];
        bus.read(self.slot(cookie.0), &mut b);
        TxStatus::completed(&b).map_err(DmaError::UnknownError)
    }

    /// The halt record, if the channel is halted.
    ///
    /// # Errors
    ///
    /// [`DmaError::UnknownError`] for a code the driver does not know; register errors.
    pub fn halt<B: Bus>(&mut self, bus: &mut B) -> Result<Option<Halt>, DmaError<B::Error>> {
        let mut regs = Regs::new(&mut *bus);
        let status = regs.read_at::<dma::Status>(self.index)?;
        if !status.halted() {
            return Ok(None);
        }
        let code =
            ErrorCode::from_bits(status.error()).ok_or(DmaError::UnknownError(status.error()))?;
        let cookie = Cookie(regs.read_at::<dma::ErrIndex>(self.index)?.index() as u16);
        let addr = regs.read64_at::<dma::ErrAddr>(self.index)?;
        let mut len = [0u8; 4];
        bus.read(
            self.slot(cookie.0) + descriptor::OFFSET_LEN as u64,
            &mut len,
        );
        Ok(Some(Halt {
            code,
            cookie,
            addr,
            residue: u32::from_le_bytes(len),
        }))
    }

    /// Polls until everything issued has completed, at most `polls` times.
    ///
    /// # Errors
    ///
    /// [`DmaError::Halted`] with the record when the channel halts,
    /// [`DmaError::Timeout`] when the polls run out; register errors.
    pub fn wait<B: Bus>(&mut self, bus: &mut B, polls: u32) -> Result<(), DmaError<B::Error>> {
        self.wait_until(bus, polls, |c| c.outstanding() == 0)
    }

    /// Polls until at most `left` descriptors are outstanding, at most `polls` times.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait).
    pub fn wait_for_room<B: Bus>(
        &mut self,
        bus: &mut B,
        left: u16,
        polls: u32,
    ) -> Result<(), DmaError<B::Error>> {
        self.wait_until(bus, polls, |c| c.outstanding() <= left)
    }

    fn wait_until<B: Bus>(
        &mut self,
        bus: &mut B,
        polls: u32,
        done: impl Fn(&Channel) -> bool,
    ) -> Result<(), DmaError<B::Error>> {
        for _ in 0..polls {
            self.poll(bus)?;
            if done(self) {
                return Ok(());
            }
            if let Some(h) = self.halt(bus)? {
                return Err(DmaError::Halted(h));
            }
        }
        Err(DmaError::Timeout)
    }

    /// Resumes a halted channel: runs the failed descriptor again or steps past it.
    ///
    /// # Errors
    ///
    /// Register errors.
    pub fn resume<B: Bus>(&mut self, bus: &mut B, how: Resume) -> Result<(), DmaError<B::Error>> {
        Regs::new(bus).write_with_at::<dma::Ctrl>(self.index, |v| {
            v.with_run(true)
                .with_retry(how == Resume::Retry)
                .with_skip(how == Resume::Skip)
        })?;
        Ok(())
    }

    /// Aborts the channel and drops everything not completed: the abort waits for the
    /// transfers in flight (the device never leaves an AXI transaction half done), then
    /// the ring is emptied at the consumer index and the channel runs again, idle.
    /// Returns the number of descriptors dropped.
    ///
    /// # Errors
    ///
    /// [`DmaError::Timeout`] if the channel does not stop within `polls` polls;
    /// register errors.
    pub fn terminate_all<B: Bus>(
        &mut self,
        bus: &mut B,
        polls: u32,
    ) -> Result<u16, DmaError<B::Error>> {
        let mut regs = Regs::new(&mut *bus);
        regs.write_with_at::<dma::Ctrl>(self.index, |v| v.with_run(true).with_abort(true))?;
        let mut stopped = false;
        for _ in 0..polls {
            let s = regs.read_at::<dma::Status>(self.index)?;
            if !s.busy() && (s.halted() || self.issued == self.consumer) {
                stopped = true;
                break;
            }
        }
        if !stopped {
            return Err(DmaError::Timeout);
        }
        let consumer = regs.read_at::<dma::Consumer>(self.index)?.index() as u16;
        let dropped = self.producer.wrapping_sub(consumer);
        // Stop, empty the ring, start again: the abort's halt record goes with it.
        regs.write_with_at::<dma::Ctrl>(self.index, |v| v.with_run(false))?;
        regs.write_with_at::<dma::Producer>(self.index, |v| v.with_index(u32::from(consumer)))?;
        if regs.read_at::<dma::Status>(self.index)?.halted() {
            regs.write_with_at::<dma::Ctrl>(self.index, |v| v.with_run(true).with_retry(true))?;
        } else {
            regs.write_with_at::<dma::Ctrl>(self.index, |v| v.with_run(true))?;
        }
        self.producer = consumer;
        self.issued = consumer;
        self.consumer = consumer;
        Ok(dropped)
    }

    /// Enables this channel's interrupt with coalescing: after `count` completions
    /// with [`Flags::irq`] (0 acts as 1), or `timer` cycles after the first (0: off).
    ///
    /// # Errors
    ///
    /// Register errors.
    pub fn enable_interrupt<B: Bus>(
        &mut self,
        bus: &mut B,
        count: u8,
        timer: u16,
    ) -> Result<(), DmaError<B::Error>> {
        let mut regs = Regs::new(bus);
        regs.write_with_at::<dma::Coalesce>(self.index, |v| {
            v.with_count(u32::from(count)).with_timer(u32::from(timer))
        })?;
        let bit = 1 << self.index;
        regs.modify::<intr::Enable>(|v| v.with_dma(v.dma() | bit))?;
        Ok(())
    }

    /// Acknowledges this channel's interrupt if it is pending (W1C); returns whether it
    /// was. An interrupt handler calls it, then [`poll`](Self::poll).
    ///
    /// # Errors
    ///
    /// Register errors.
    pub fn take_interrupt<B: Bus>(&mut self, bus: &mut B) -> Result<bool, DmaError<B::Error>> {
        let mut regs = Regs::new(bus);
        let bit = 1 << self.index;
        let pending = regs.read::<intr::Status>()?.dma() & bit != 0;
        if pending {
            regs.write_with::<intr::Status>(|v| v.with_dma(bit))?;
        }
        Ok(pending)
    }
}

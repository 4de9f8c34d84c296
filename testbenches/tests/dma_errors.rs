//! Error paths under load: long random descriptor streams on every channel at once,
//! crossing misalignment and 4 KiB boundaries, with SLVERR and DECERR injected on one
//! beat of any port (descriptor fetch, data read, data write, status write-back) and
//! aborts, under random back-pressure and latency.
//!
//! A byte-exact scoreboard follows every descriptor: each halt must carry the right
//! code, index and address; every descriptor before it completes with a good
//! write-back; the channel resumes by RETRY (the descriptor then completes) or SKIP
//! (its destination is left as it is, and only its destination); no byte outside a
//! completed or failed destination changes, and no channel hangs.
//!
//! `CDM_DMA_ERROR_DESCS` sets the number of descriptors (default 150 natively,
//! 40,000 on Verilator, split over the Verilator shards; CI runs 1e6); `CDM_SEED`
//! reproduces a run or a shard.

use cdm_driver::regs::dma;
use cdm_hdl::dma::engine::CHANNELS;
use cdm_regmap::descriptor::{self, ctrl, Descriptor, ErrorCode, Opcode};
use cdm_sim::bus::axi4_memory::{Direction, Fault, MemoryTiming, SparseMemory, Trigger};
use cdm_sim::host::device::{apply, DmaDevice, Written};
use cdm_sim::Rng;
use cdm_testbenches::{soak_length, soak_on_each_backend, Backend, Shard};

/// Per channel, a source region of random bytes, never written.
const SRC: u64 = 0x0010_0000;
const SRC_PER_CHANNEL: u64 = 0x0010_0000;
/// Per channel, a destination region, reused round after round.
const DST: u64 = 0x1000_0000;
const DST_PER_CHANNEL: u64 = 0x0040_0000;
/// Bytes kept free between two transfers: one beat's container never holds two
/// descriptors' bytes, so a fault on it names one descriptor.
const GAP: u64 = 64;
/// Longest descriptor of the stream.
const MAX_LEN: u64 = 9000;
/// Cycles a round may take before the run counts as hung.
const HANG: u64 = 2_000_000;

/// What goes wrong in a channel's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inject {
    Fetch,
    Read,
    Write,
    Status,
    Abort,
}

/// The descriptor an injected fault must halt on, the record it must leave, and the
/// fault itself (removed before the channel resumes).
#[derive(Clone, Copy, Debug)]
struct Victim {
    index: u16,
    code: ErrorCode,
    addr: u64,
    fault: Fault,
}

/// One channel's share of a round.
#[derive(Default)]
struct Batch {
    /// (index, descriptor) submitted and not yet scored, in ring order.
    pending: Vec<(u16, Descriptor)>,
    victim: Option<Victim>,
    /// An abort was requested and its halt not yet seen.
    abort: bool,
}

/// Halts seen, by code.
#[derive(Default)]
struct Halts {
    fetch: u64,
    read: u64,
    write: u64,
    status: u64,
    aborted: u64,
    skipped: u64,
}

struct Soak {
    bench: DmaDevice,
    /// What the destinations must hold.
    reference: SparseMemory,
    rng: Rng,
    /// Per channel, the next free source and destination address.
    src_at: [u64; CHANNELS],
    dst_at: [u64; CHANNELS],
    descriptors: u64,
    halts: Halts,
}

impl Soak {
    fn new(backend: Backend, mut rng: Rng) -> Soak {
        let mut bench = cdm_testbenches::dma::device(backend, MemoryTiming::random(30), &mut rng);
        let mut source = vec![0u8; SRC_PER_CHANNEL as usize * CHANNELS];
        source.iter_mut().for_each(|b| *b = rng.next_u32() as u8);
        bench.mem().write(SRC, &source);
        Soak {
            bench,
            reference: SparseMemory::default(),
            rng,
            src_at: std::array::from_fn(|ch| SRC + ch as u64 * SRC_PER_CHANNEL),
            dst_at: std::array::from_fn(|ch| DST + ch as u64 * DST_PER_CHANNEL),
            descriptors: 0,
            halts: Halts::default(),
        }
    }

    /// A length biased to small, with a share around 4 KiB.
    fn length(&mut self) -> u64 {
        let r = &mut self.rng;
        match r.below(10) {
            0..=3 => 1 + r.below(64),
            4..=6 => 1 + r.below(512),
            7 => 4096 - 32 + r.below(64),
            8 => 1 + r.below(4096),
            _ => 1 + r.below(MAX_LEN),
        }
    }

    /// The next `len` bytes of a region after a gap, at a random offset, sometimes just
    /// below a 4 KiB boundary; wraps to the region's start at its end.
    fn take(at: &mut u64, start: u64, size: u64, len: u64, rng: &mut Rng) -> u64 {
        let mut a = *at + GAP + rng.below(16);
        if rng.chance(20) {
            a = (((a | 0xfff) + 1) - 1 - rng.below(48)).max(*at + GAP);
        }
        if a + len + GAP > start + size {
            a = start + GAP + rng.below(16);
        }
        *at = a + len;
        a
    }

    fn descriptor(&mut self, ch: usize) -> Descriptor {
        let len = self.length();
        let dst_start = DST + ch as u64 * DST_PER_CHANNEL;
        let src_start = SRC + ch as u64 * SRC_PER_CHANNEL;
        let dst = Self::take(
            &mut self.dst_at[ch],
            dst_start,
            DST_PER_CHANNEL,
            len,
            &mut self.rng,
        );
        if self.rng.chance(15) {
            Descriptor::fill(self.rng.next_u64(), dst, len as u32)
        } else {
            let src = Self::take(
                &mut self.src_at[ch],
                src_start,
                SRC_PER_CHANNEL,
                len,
                &mut self.rng,
            );
            Descriptor::copy(src, dst, len as u32)
        }
    }

    /// Submits `n` descriptors on channel `ch`, with one fault planted on one of them, or
    /// an abort to come, or neither.
    fn submit(&mut self, ch: usize, n: usize) -> Batch {
        let mut batch = Batch::default();
        for _ in 0..n {
            let d = self.descriptor(ch);
            batch.pending.push((self.bench.push(ch, d), d));
        }
        self.descriptors += n as u64;
        let inject = match self.rng.below(10) {
            0 => Inject::Fetch,
            1 => Inject::Read,
            2 => Inject::Write,
            3 => Inject::Status,
            4 => Inject::Abort,
            _ => return batch,
        };
        let (index, d) = batch.pending[self.rng.below(n as u64) as usize];
        let slot = self.bench.slot(ch, index);
        let resp = 2 + self.rng.below(2);
        let beat = |rng: &mut Rng, base: u64, len: u64| Trigger::Beat {
            addr: base + rng.below(len),
        };
        let (direction, trigger, code, addr) = match inject {
            Inject::Abort => {
                batch.abort = true;
                return batch;
            }
            Inject::Fetch => (
                Direction::Read,
                beat(&mut self.rng, slot, descriptor::SIZE),
                ErrorCode::FetchError,
                slot,
            ),
            Inject::Read if d.ctrl & ctrl::OPCODE_MASK == Opcode::Copy as u32 => (
                Direction::Read,
                beat(&mut self.rng, d.src, d.len as u64),
                ErrorCode::ReadError,
                d.src,
            ),
            Inject::Read | Inject::Write => (
                Direction::Write,
                beat(&mut self.rng, d.dst, d.len as u64),
                ErrorCode::WriteError,
                d.dst,
            ),
            Inject::Status => {
                let status = slot + descriptor::offset::STATUS;
                let trigger = Trigger::Range {
                    first: status,
                    last: status + 7,
                };
                (Direction::Write, trigger, ErrorCode::StatusError, status)
            }
        };
        let fault = Fault {
            direction,
            trigger,
            resp,
        };
        self.bench.port().memory.faults.push(fault);
        batch.victim = Some(Victim {
            index,
            code,
            addr,
            fault,
        });
        batch
    }

    /// Scores the first `n` pending descriptors of `batch`: good write-backs, and the
    /// reference follows them.
    fn complete(&mut self, ch: usize, batch: &mut Batch, n: usize) {
        for (index, d) in batch.pending.drain(..n) {
            let w = self.bench.written(ch, index);
            let want = Written {
                done: true,
                error: 0,
                bytes: d.len,
            };
            assert_eq!(w, want, "channel {ch} descriptor {index} {d:x?}");
            apply(&mut self.reference, &self.bench.port().memory.mem, &d);
        }
    }

    /// One round: a batch on every channel, faults and aborts, every halt checked and
    /// resumed, until every channel has finished its batch.
    fn round(&mut self) {
        let mut batches: Vec<Batch> = (0..CHANNELS)
            .map(|ch| {
                let n = 1 + self.rng.below(48) as usize;
                self.submit(ch, n)
            })
            .collect();
        for ch in 0..CHANNELS {
            self.bench.doorbell(ch);
        }
        for (ch, batch) in batches.iter().enumerate() {
            if batch.abort {
                self.bench.regs.io_mut().idle(self.rng.below(400));
                let abort = dma::CtrlValue::ZERO.with_run(true).with_abort(true);
                self.bench.regs.write_at::<dma::Ctrl>(ch, abort).unwrap();
            }
        }
        let start = self.bench.cycle();
        while batches.iter().any(|b| !b.pending.is_empty() || b.abort) {
            let waited = self.bench.cycle() - start;
            assert!(waited < HANG, "channels hung for {waited} cycles");
            for (ch, batch) in batches.iter_mut().enumerate() {
                if batch.pending.is_empty() && !batch.abort {
                    continue;
                }
                let s = self.bench.status(ch);
                if s.busy() {
                    continue;
                }
                if s.halted() {
                    self.halted(ch, batch);
                } else if self.bench.consumer(ch) == self.bench.rings[ch].producer {
                    assert!(!batch.abort, "channel {ch}: ABORT did not halt the channel");
                    let n = batch.pending.len();
                    self.complete(ch, batch, n);
                }
            }
            self.bench.regs.io_mut().idle(32);
        }
    }

    /// Channel `ch` halted: checks the record against what was planted, scores what
    /// came before, checks that nothing outside the descriptors not yet completed
    /// changed, and resumes by RETRY or SKIP.
    fn halted(&mut self, ch: usize, batch: &mut Batch) {
        let (code, index, addr) = self.bench.halt(ch);
        let code = code.expect("a halted channel has an error code");
        match batch.victim.take() {
            Some(v) => {
                assert_eq!(
                    (code, index, addr),
                    (v.code, v.index, v.addr),
                    "channel {ch}: the halt record"
                );
                self.bench.port().memory.faults.retain(|f| *f != v.fault);
            }
            None => assert!(
                batch.abort && code == ErrorCode::Aborted,
                "channel {ch}: unexpected halt {code:?} at {index} ({addr:#x})"
            ),
        }
        batch.abort = false;
        assert_eq!(
            self.bench.consumer(ch),
            index,
            "channel {ch}: CONSUMER at the halt ({code:?})"
        );
        // An abort of a channel that had finished halts it at the producer.
        let done = batch
            .pending
            .iter()
            .position(|&(i, _)| i == index)
            .unwrap_or(batch.pending.len());
        assert!(
            done < batch.pending.len() || index == self.bench.rings[ch].producer,
            "channel {ch}: halted at {index}, outside its batch"
        );
        self.complete(ch, batch, done);
        // Whatever has not completed may have run in part (docs/DMA.md); nothing
        // else in the channel's region may have changed.
        let open: Vec<Descriptor> = batch.pending.iter().map(|&(_, d)| d).collect();
        self.check_outside(ch..ch + 1, &open);
        match code {
            ErrorCode::FetchError => self.halts.fetch += 1,
            ErrorCode::ReadError => self.halts.read += 1,
            ErrorCode::WriteError => self.halts.write += 1,
            ErrorCode::StatusError => self.halts.status += 1,
            _ => self.halts.aborted += 1,
        }
        let Some(&(_, d)) = batch.pending.first() else {
            self.bench.resume(ch, false);
            return;
        };
        let w = self.bench.written(ch, index);
        match code {
            // An unreadable descriptor gets no write-back, nor does a failed one.
            ErrorCode::FetchError | ErrorCode::StatusError => {
                assert!(!w.done, "channel {ch}: {code:?} written back: {w:?}")
            }
            ErrorCode::ReadError | ErrorCode::WriteError => assert_eq!(
                (w.error, w.bytes),
                (code as u32, 0),
                "channel {ch}: write-back of the failed descriptor"
            ),
            _ => {}
        }
        let skip = self.rng.chance(50);
        if skip {
            // The destination keeps what the failed copy left in it.
            self.halts.skipped += 1;
            let left = self.bench.mem().read_vec(d.dst, d.len as usize);
            self.reference.write(d.dst, &left);
            batch.pending.remove(0);
        }
        self.bench.resume(ch, skip);
    }

    /// Every byte of the destination regions of `channels` outside `open` equals the
    /// reference.
    fn check_outside(&mut self, channels: std::ops::Range<usize>, open: &[Descriptor]) {
        let mem = &self.bench.port().memory.mem;
        let region = |ch: usize| DST + ch as u64 * DST_PER_CHANNEL;
        let (mut at, hi) = (region(channels.start), region(channels.end));
        while let Some(a) = mem.first_difference(&self.reference, at, hi) {
            let Some(d) = open
                .iter()
                .find(|d| (d.dst..d.dst + d.len as u64).contains(&a))
            else {
                let (got, want) = (mem.read_vec(a, 1)[0], self.reference.read_vec(a, 1)[0]);
                panic!("byte {a:#x} is {got:#04x}, expected {want:#04x}: written outside");
            };
            at = d.dst + d.len as u64;
        }
    }
}

fn error_soak(backend: Backend, shard: Shard) {
    let default = if backend == Backend::Verilator {
        40_000
    } else {
        150
    };
    let total = shard.share(soak_length("CDM_DMA_ERROR_DESCS", default));
    let mut soak = Soak::new(backend, shard.rng("dma_errors"));
    let mut rounds = 0u64;
    while soak.descriptors < total {
        soak.round();
        soak.check_outside(0..CHANNELS, &[]);
        rounds += 1;
    }
    soak.bench.port().checker.assert_quiet();
    let h = &soak.halts;
    eprintln!(
        "dma_errors: {} descriptors in {rounds} rounds, {} cycles; halts: {} fetch, {} read, \
         {} write, {} status, {} aborted; {} skipped, the rest retried",
        soak.descriptors,
        soak.bench.cycle(),
        h.fetch,
        h.read,
        h.write,
        h.status,
        h.aborted,
        h.skipped
    );
}

soak_on_each_backend!(error_soak);

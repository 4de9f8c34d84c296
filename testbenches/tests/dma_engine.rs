//! The DMA engine in the device top, through the real driver's registers and the ring
//! helper, against the AXI4 memory model with the protocol checker on its port.
//!
//! A byte-exact reference memory scores every destination byte, including guard bytes
//! around every transfer; each descriptor's status write-back, the consumer index and
//! the counters are checked against what was submitted. Errors of every kind halt the
//! channel with the right record, touch no memory they must not, and resume by skip or
//! retry while the other channels keep running.

use cdm_driver::cdm::{Window, WindowAccess};
use cdm_driver::regs::{dma, global, intr};
use cdm_hdl::device::DeviceTop;
use cdm_hdl::dma::engine::CHANNELS;
use cdm_regmap::descriptor::{ctrl, Descriptor, ErrorCode, Opcode, MAX_LEN};
use cdm_sim::bus::axi4_memory::{Direction, Fault, MemoryTiming, SparseMemory, Trigger};
use cdm_sim::bus::axil::Timing;
use cdm_sim::host::device::{apply, DmaDevice, Written};
use cdm_sim::Rng;
use cdm_testbenches::dma::RING_LOG2;
use cdm_testbenches::{on_each_backend, open, Backend};

/// Sources, pre-filled with random bytes; never written.
const SRC: u64 = 0x0010_0000;
const SRC_SIZE: u64 = 0x0030_0000;
/// Destinations.
const DST: u64 = 0x1000_0000;
/// Builds a bad descriptor around a destination address.
type MakeBad = fn(u64) -> Descriptor;

/// Outside every window of the malformed-descriptor test.
const OUTSIDE: u64 = 0x9000_0000;
/// Bytes checked on each side of every destination.
const GUARD: u64 = 64;

struct Run {
    bench: DmaDevice,
    reference: SparseMemory,
    /// Per channel: (index, descriptor) submitted and not yet scored.
    submitted: Vec<Vec<(u16, Descriptor)>>,
    rng: Rng,
}

impl Run {
    fn new(backend: Backend, timing: MemoryTiming, seed_name: &str) -> Run {
        let mut rng = Rng::from_env(seed_name);
        let bench = cdm_testbenches::dma::device(backend, timing, &mut rng);
        Run::on(bench, rng)
    }

    /// Register accesses answered at once, so that a poll sees the engine's timing.
    fn eager(backend: Backend, timing: MemoryTiming, seed_name: &str) -> Run {
        let mut rng = Rng::from_env(seed_name);
        let bench = DmaDevice::new(
            open::<DeviceTop>(backend),
            timing,
            Timing::EAGER,
            RING_LOG2,
            &mut rng,
        );
        Run::on(bench, rng)
    }

    fn on(mut bench: DmaDevice, mut rng: Rng) -> Run {
        let mut source = vec![0u8; SRC_SIZE as usize];
        source.iter_mut().for_each(|b| *b = rng.next_u32() as u8);
        bench.mem().write(SRC, &source);
        Run {
            bench,
            reference: SparseMemory::default(),
            submitted: vec![Vec::new(); CHANNELS],
            rng,
        }
    }

    fn submit(&mut self, ch: usize, d: Descriptor) -> u16 {
        let index = self.bench.push(ch, d);
        self.submitted[ch].push((index, d));
        index
    }

    /// Every descriptor submitted since the last score completed without error: its
    /// status write-back and the consumer index; the reference memory follows it.
    fn score(&mut self) {
        for ch in 0..CHANNELS {
            let submitted = std::mem::take(&mut self.submitted[ch]);
            if submitted.is_empty() {
                continue;
            }
            for (index, d) in submitted {
                let w = self.bench.written(ch, index);
                assert_eq!(
                    w,
                    Written {
                        done: true,
                        error: 0,
                        bytes: d.len
                    },
                    "channel {ch} descriptor {index} {d:x?}"
                );
                apply(&mut self.reference, &self.bench.port().memory.mem, &d);
            }
            assert_eq!(self.bench.consumer(ch), self.bench.rings[ch].producer);
        }
    }

    /// Every byte of `[dst - GUARD, dst + len + GUARD)` equals the reference.
    fn check_destination(&mut self, d: &Descriptor) {
        let lo = d.dst.saturating_sub(GUARD);
        let hi = d.dst + d.len as u64 + GUARD;
        let got = self.bench.mem().read_vec(lo, (hi - lo) as usize);
        let want = self.reference.read_vec(lo, (hi - lo) as usize);
        if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
            panic!(
                "{d:x?}: byte at {:#x} is {:#04x}, expected {:#04x}",
                lo + i as u64,
                got[i],
                want[i]
            );
        }
    }

    /// Channel counters equal the scoreboard's totals.
    fn check_counters(&mut self, ch: usize, bytes: u64, descs: u32) {
        let (b, n, busy, stall) = self.bench.counters(ch);
        assert_eq!((b, n), (bytes, descs), "channel {ch} counters");
        assert!(stall <= busy, "channel {ch}: stall {stall} > busy {busy}");
        assert!(descs == 0 || busy > 0, "channel {ch} never busy");
    }
}

/// Copies with every listed length and alignment, FILLs, all on channel 0.
fn directed(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(20), "dma_engine directed");
    let mut all = Vec::new();
    let mut at = DST;
    let mut next = |src_off: u64, dst_off: u64, len: u64, fill: Option<u64>, n: usize| {
        at = (at + len + 2 * GUARD + 0x1000) & !0xfff;
        let src = SRC + 0x1000 * (n as u64 % 64) + src_off;
        match fill {
            Some(p) => Descriptor::fill(p, at + dst_off, len as u32),
            None => Descriptor::copy(src, at + dst_off, len as u32),
        }
    };
    let mut list = Vec::new();
    for len in (1..=64).chain([127, 128, 129, 4095, 4096, 4097]) {
        list.push((len % 16, (len * 7) % 16, len, None));
    }
    for &(s, d) in &[
        (0, 0),
        (1, 0),
        (0, 1),
        (8, 15),
        (15, 8),
        (0xff0, 0),
        (0, 0xff0),
        (0xfff, 0x1),
        (0x1, 0xfff),
    ] {
        for len in [1, 17, 300] {
            list.push((s, d, len, None));
        }
    }
    for &(d, len) in &[(0, 1), (3, 5), (8, 64), (0xff5, 100), (1, 4097)] {
        list.push((0, d, len, Some(0x0807_0605_0403_0201)));
    }
    if backend == Backend::Verilator {
        list.push((3, 5, 2 << 20, None));
    }
    for (n, &(s, d, len, fill)) in list.iter().enumerate() {
        let desc = next(s, d, len, fill, n);
        all.push(desc);
    }
    // The ring holds 256: submit in batches with one doorbell each.
    let (mut bytes, mut descs) = (0, 0);
    for batch in all.chunks(100) {
        for d in batch {
            run.submit(0, *d);
            bytes += d.len as u64;
            descs += 1;
        }
        run.bench.doorbell(0);
        run.bench.wait(0, 2_000_000);
        assert!(!run.bench.status(0).halted(), "{:?}", run.bench.halt(0));
        run.score();
    }
    for d in &all {
        run.check_destination(d);
    }
    run.check_counters(0, bytes, descs);
    run.bench.port().checker.assert_quiet();
}

/// A random descriptor: COPY or FILL, any length up to 9 KiB (biased to small), any
/// alignment, sometimes IRQ or FENCE.
fn random_descriptor(rng: &mut Rng, dst: u64) -> Descriptor {
    let len = match rng.below(4) {
        0 => 1 + rng.below(64),
        1 => 1 + rng.below(512),
        2 => 1 + rng.below(4096),
        _ => 1 + rng.below(9000),
    };
    let mut d = if rng.chance(20) {
        Descriptor::fill(rng.next_u64(), dst + rng.below(16), len as u32)
    } else {
        let src = SRC + rng.below(SRC_SIZE - len);
        Descriptor::copy(src, dst + rng.below(16), len as u32)
    };
    if rng.chance(20) {
        d.ctrl |= ctrl::IRQ;
    }
    if rng.chance(5) {
        d.ctrl |= ctrl::FENCE;
    }
    d
}

/// Long descriptor streams on all channels at once under random latency and
/// back-pressure.
fn random_streams(backend: Backend) {
    let per_channel = if backend == Backend::Verilator {
        600
    } else {
        40
    };
    let mut run = Run::new(backend, MemoryTiming::random(30), "dma_engine random");
    let mut at = DST;
    let mut totals = [(0u64, 0u32); CHANNELS];
    let mut all = Vec::new();
    let mut left = [per_channel; CHANNELS];
    while left.iter().any(|&n| n > 0) {
        for ch in 0..CHANNELS {
            let n = left[ch].min(1 + run.rng.below(120) as usize);
            for _ in 0..n {
                let d = random_descriptor(&mut run.rng, at);
                at = (at + d.len as u64 + 16 + 2 * GUARD + 0xff) & !0xff;
                run.submit(ch, d);
                totals[ch].0 += d.len as u64;
                totals[ch].1 += 1;
                all.push(d);
            }
            left[ch] -= n;
            run.bench.doorbell(ch);
        }
        run.bench.wait_all(5_000_000);
        for ch in 0..CHANNELS {
            assert!(
                !run.bench.status(ch).halted(),
                "channel {ch}: {:?}",
                run.bench.halt(ch)
            );
        }
        run.score();
    }
    for d in &all {
        run.check_destination(d);
    }
    for (ch, &(bytes, descs)) in totals.iter().enumerate() {
        run.check_counters(ch, bytes, descs);
    }
    run.bench.port().checker.assert_quiet();
}

/// A stream on channel 1 with one bad descriptor in it, while channel 2 runs a clean
/// stream: channel 1 halts on the bad one with its record, touching nothing; SKIP runs
/// the rest. Every check error in turn.
fn malformed_descriptors_halt_and_skip(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(10), "dma_engine malformed");
    // Window 0 covers sources, destinations and rings; window 1 is read-only.
    run.bench.window(
        0,
        Window {
            base: 0,
            limit: 0x7fff_ffff,
            access: WindowAccess::ReadWrite,
        },
    );
    run.bench.window(
        1,
        Window {
            base: 0xa000_0000,
            limit: 0xa0ff_ffff,
            access: WindowAccess::Read,
        },
    );
    let mut at = DST;
    let cases: [(ErrorCode, MakeBad); 7] = [
        (ErrorCode::ZeroLength, |d| Descriptor::copy(SRC, d, 0)),
        (ErrorCode::LengthTooLarge, |d| {
            Descriptor::copy(SRC, d, MAX_LEN as u32 + 1)
        }),
        (ErrorCode::ReservedBits, |d| {
            let mut x = Descriptor::copy(SRC, d, 64);
            x.ctrl |= 1 << 20;
            x
        }),
        (ErrorCode::BadOpcode, |d| Descriptor {
            ctrl: 2,
            ..Descriptor::copy(SRC, d, 64)
        }),
        (ErrorCode::SourceWindow, |d| {
            Descriptor::copy(OUTSIDE, d, 64)
        }),
        (ErrorCode::DestinationWindow, |_| {
            Descriptor::copy(SRC, 0xa000_0100, 64)
        }),
        (ErrorCode::DestinationWindow, |_| {
            Descriptor::fill(7, 0x7fff_fff0, 64)
        }),
    ];
    for (code, make) in &cases {
        let mut stream = Vec::new();
        for k in 0..4 {
            at = (at + 0x2000) & !0xfff;
            stream.push(if k == 2 {
                make(at)
            } else {
                Descriptor::copy(SRC + 0x100 * k, at + 3, 200 + k as u32)
            });
        }
        let bad = stream[2];
        let first = run.bench.rings[1].producer;
        for d in &stream {
            run.bench.push(1, *d);
        }
        for k in 0..8u64 {
            run.submit(
                2,
                Descriptor::copy(SRC + 0x40 * k, at + 0x1000 + 0x80 * k, 100),
            );
        }
        run.bench.doorbell(1);
        run.bench.doorbell(2);
        run.bench.wait_halted(1, 200_000);
        let (got, index, addr) = run.bench.halt(1);
        let bad_index = first.wrapping_add(2);
        let want_addr = match code {
            ErrorCode::SourceWindow => bad.src,
            ErrorCode::DestinationWindow => bad.dst,
            _ => run.bench.slot(1, bad_index),
        };
        assert_eq!(
            (got, index, addr),
            (Some(*code), bad_index, want_addr),
            "{bad:x?}"
        );
        assert_eq!(
            run.bench.consumer(1),
            bad_index,
            "the failed descriptor is not consumed"
        );
        assert_eq!(
            run.bench.written(1, bad_index),
            Written {
                done: true,
                error: *code as u32,
                bytes: 0
            }
        );
        // Nothing of the failed descriptor or the one after it was written.
        for d in &stream[2..] {
            if d.len > 0 && d.len < 0x10_0000 && d.dst < 0x7000_0000 {
                let got = run.bench.mem().read_vec(d.dst, d.len as usize);
                assert!(got.iter().all(|&b| b == 0), "{d:x?} touched memory");
            }
        }
        // The other channel was not held up.
        run.bench.wait(2, 200_000);
        run.score();
        // SKIP: the descriptor after the bad one runs.
        run.bench.resume(1, true);
        run.bench.wait(1, 200_000);
        assert!(!run.bench.status(1).halted());
        assert_eq!(run.bench.consumer(1), first.wrapping_add(4));
        for (k, d) in stream.iter().enumerate() {
            if k != 2 {
                apply(&mut run.reference, &run.bench.port().memory.mem, d);
                run.check_destination(d);
            }
        }
    }
    run.bench.port().checker.assert_quiet();
}

/// SLVERR/DECERR on the descriptor fetch, the data read, the data write and the status
/// write-back: the channel halts with the right code and address; RETRY after the fault
/// is gone completes the descriptor with the right data.
fn bus_errors_halt_and_retry(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(15), "dma_engine bus errors");
    let ch = 3;
    let mut at = DST;
    for (n, phase) in ["fetch", "read", "write", "status"].iter().enumerate() {
        at = (at + 0x4000) & !0xfff;
        let d = Descriptor::copy(SRC + 0x1234 * n as u64, at + 5, 3000);
        let good = Descriptor::copy(SRC, at + 0x2000, 100);
        let index = run.bench.rings[ch].producer;
        let slot = run.bench.slot(ch, index);
        let (direction, first, last, code, addr) = match *phase {
            "fetch" => (
                Direction::Read,
                slot,
                slot + 31,
                ErrorCode::FetchError,
                slot,
            ),
            "read" => (
                Direction::Read,
                d.src + 1000,
                d.src + 1000,
                ErrorCode::ReadError,
                d.src,
            ),
            "write" => (
                Direction::Write,
                d.dst + 2000,
                d.dst + 2000,
                ErrorCode::WriteError,
                d.dst,
            ),
            _ => (
                Direction::Write,
                slot + 0x18,
                slot + 0x1f,
                ErrorCode::StatusError,
                slot + 0x18,
            ),
        };
        let resp = 2 + (n as u64 % 2);
        run.bench.port().memory.faults = vec![Fault {
            direction,
            trigger: Trigger::Range { first, last },
            resp,
        }];
        run.submit(ch, d);
        run.submit(ch, good);
        run.bench.doorbell(ch);
        run.bench.wait_halted(ch, 200_000);
        assert_eq!(
            run.bench.halt(ch),
            (Some(code), index, addr),
            "{phase} error"
        );
        assert_eq!(run.bench.consumer(ch), index);
        let w = run.bench.written(ch, index);
        match *phase {
            // An unreadable descriptor gets no write-back; a failed write-back none either.
            "fetch" | "status" => assert!(!w.done, "{phase}: {w:?}"),
            _ => assert_eq!(
                w,
                Written {
                    done: true,
                    error: code as u32,
                    bytes: 0
                }
            ),
        }
        if *phase == "read" {
            // Beats of a failed read are written with no strobes: nothing stale lands.
            let got = run.bench.mem().read_vec(d.dst + 992, 32);
            assert!(got.iter().all(|&b| b == 0), "{phase}: stale data written");
        }
        run.bench.port().memory.faults.clear();
        run.bench.resume(ch, false);
        run.bench.wait(ch, 200_000);
        assert!(
            !run.bench.status(ch).halted(),
            "{phase}: {:?}",
            run.bench.halt(ch)
        );
        run.score();
        run.check_destination(&d);
        run.check_destination(&good);
    }
    run.bench.port().checker.assert_quiet();
}

/// ABORT during a long copy: the channel halts with ABORTED once its bursts in flight
/// end, with no AXI transaction left open; the other channel finishes; RETRY redoes
/// the copy.
fn abort_mid_burst(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(20), "dma_engine abort");
    let big = Descriptor::copy(SRC + 7, DST + 3, 256 * 1024);
    let index = run.submit(0, big);
    for k in 0..16u64 {
        run.submit(
            1,
            Descriptor::copy(SRC + 0x100 * k, DST + 0x10_0000 + 0x200 * k, 300),
        );
    }
    run.bench.doorbell(0);
    run.bench.doorbell(1);
    run.bench.regs.io_mut().idle(3000);
    run.bench
        .regs
        .write_with_at::<dma::Ctrl>(0, |v| v.with_run(true).with_abort(true))
        .unwrap();
    let t0 = run.bench.cycle();
    run.bench.wait_halted(0, 100_000);
    let stopped = run.bench.cycle() - t0;
    assert_eq!(run.bench.halt(0).0, Some(ErrorCode::Aborted));
    assert_eq!(run.bench.consumer(0), index);
    // Bounded: the bursts already queued, at most the transfer itself.
    assert!(stopped < 40_000, "abort took {stopped} cycles");
    // Channel 1's copies queued behind the big one in the mover; once they are done,
    // no transaction is left open.
    run.bench.wait(1, 200_000);
    run.bench.regs.io_mut().idle(100);
    assert!(
        run.bench.port().memory.idle(),
        "transactions left open after abort"
    );
    run.bench.resume(0, false);
    run.bench.wait(0, 400_000);
    run.score();
    run.check_destination(&big);
    run.bench.port().checker.assert_quiet();
}

/// ABORT at every moment of a short stream, up to after its end: the record names the
/// first descriptor not completed (CONSUMER = ERR_INDEX, even when descriptors already
/// in the mover complete after the abort), and SKIP steps past exactly that one; on a
/// channel that had finished, SKIP has nothing to step past and the channel stays
/// usable.
fn abort_record_names_the_first_descriptor_not_completed(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(10), "dma_engine abort record");
    let trials = if backend == Backend::Verilator {
        120
    } else {
        30
    };
    let mut at = DST;
    for t in 0..trials {
        let first = run.bench.rings[0].producer;
        let descs: Vec<Descriptor> = (0..6u64)
            .map(|k| {
                at = (at + 0x400) & !0xff;
                Descriptor::copy(SRC + 0x300 * k + t, at + k % 16, 200 + 16 * k as u32)
            })
            .collect();
        for d in &descs {
            run.bench.push(0, *d);
        }
        run.bench.doorbell(0);
        run.bench.regs.io_mut().idle(t * 13 % 700);
        run.bench
            .regs
            .write_with_at::<dma::Ctrl>(0, |v| v.with_run(true).with_abort(true))
            .unwrap();
        run.bench.wait_halted(0, 100_000);
        let (code, index, _) = run.bench.halt(0);
        assert_eq!(code, Some(ErrorCode::Aborted), "trial {t}");
        assert_eq!(
            run.bench.consumer(0),
            index,
            "trial {t}: CONSUMER and ERR_INDEX"
        );
        let done = index.wrapping_sub(first) as usize;
        assert!(
            done <= descs.len(),
            "trial {t}: ERR_INDEX {index} outside the stream"
        );
        for (k, d) in descs.iter().enumerate() {
            let w = run.bench.written(0, first.wrapping_add(k as u16));
            assert_eq!(w.done, k < done, "trial {t}: descriptor {k} of {d:x?}");
        }
        run.bench.resume(0, true);
        run.bench.wait(0, 200_000);
        assert!(!run.bench.status(0).halted(), "trial {t}");
        assert_eq!(
            run.bench.consumer(0),
            run.bench.rings[0].producer,
            "trial {t}"
        );
        for (k, d) in descs.iter().enumerate() {
            let w = run.bench.written(0, first.wrapping_add(k as u16));
            assert_eq!(w.done, k != done, "trial {t}: descriptor {k} after SKIP");
            if k != done {
                let before = run.bench.port().memory.mem.clone();
                apply(&mut run.reference, &before, d);
                run.check_destination(d);
            }
        }
    }
    run.bench.port().checker.assert_quiet();
}

/// The watchdog halts a channel whose reads get no answer for too long; once the bus
/// answers, RETRY completes the descriptor.
fn watchdog_times_out(backend: Backend) {
    let mut timing = MemoryTiming::ideal(2_000);
    timing.max_reads = 4;
    let mut run = Run::new(backend, timing, "dma_engine watchdog");
    run.bench
        .regs
        .write::<global::DmaWatchdog>(global::DmaWatchdogValue::ZERO.with_cycles(500))
        .unwrap();
    let d = Descriptor::copy(SRC, DST, 256);
    let index = run.submit(0, d);
    run.bench.doorbell(0);
    run.bench.wait_halted(0, 100_000);
    assert_eq!(
        run.bench.halt(0),
        (Some(ErrorCode::Timeout), index, run.bench.slot(0, index))
    );
    run.bench
        .regs
        .write::<global::DmaWatchdog>(global::DmaWatchdogValue::ZERO)
        .unwrap();
    run.bench.resume(0, false);
    run.bench.wait(0, 100_000);
    run.score();
    run.check_destination(&d);
}

/// Interrupt coalescing by count and by timer, and a halt interrupting at once.
fn interrupt_coalescing(backend: Backend) {
    let mut run = Run::new(backend, MemoryTiming::random(5), "dma_engine coalescing");
    let ch = 2;
    let bit = 1 << ch;
    let r = &mut run.bench.regs;
    r.write_with::<intr::Enable>(|v| v.with_dma(bit)).unwrap();
    r.write_at::<dma::Coalesce>(ch, dma::CoalesceValue::ZERO.with_count(4))
        .unwrap();
    let irq_desc = |k: u64| {
        let mut d = Descriptor::copy(SRC + 64 * k, DST + 0x1000 * k, 64);
        d.ctrl |= ctrl::IRQ;
        d
    };
    let pending = |b: &mut DmaDevice| b.regs.read::<intr::Status>().unwrap().dma() & bit != 0;
    // By count: three completions do not interrupt, the fourth does.
    for k in 0..3 {
        run.submit(ch, irq_desc(k));
    }
    run.submit(ch, Descriptor::copy(SRC, DST + 0x8000, 64));
    run.bench.doorbell(ch);
    run.bench.wait(ch, 100_000);
    run.bench.regs.io_mut().idle(100);
    assert!(
        !pending(&mut run.bench),
        "interrupt before the count was reached"
    );
    run.submit(ch, irq_desc(3));
    run.bench.doorbell(ch);
    run.bench.wait(ch, 100_000);
    run.bench.regs.io_mut().idle(8);
    assert!(pending(&mut run.bench), "no interrupt at the count");
    assert_eq!(line(&mut run.bench), 1);
    run.bench
        .regs
        .write_with::<intr::Status>(|v| v.with_dma(bit))
        .unwrap();
    assert_eq!(line(&mut run.bench), 0);
    // By timer: one completion, then the interrupt about TIMER cycles later.
    run.bench
        .regs
        .write_at::<dma::Coalesce>(
            ch,
            dma::CoalesceValue::ZERO.with_count(100).with_timer(3000),
        )
        .unwrap();
    run.submit(ch, irq_desc(4));
    run.bench.doorbell(ch);
    run.bench.wait(ch, 100_000);
    let seen = run.bench.cycle();
    assert!(!pending(&mut run.bench), "timer fired early");
    run.bench.wait_until(10_000, |b| pending(b));
    let after = run.bench.cycle() - seen;
    assert!(
        (2_700..=3_200).contains(&after),
        "timer fired {after} cycles after completion"
    );
    run.bench
        .regs
        .write_with::<intr::Status>(|v| v.with_dma(bit))
        .unwrap();
    run.score();
    // A halt interrupts at once, whatever the coalescing.
    run.bench.push(ch, Descriptor::copy(SRC, DST, 0));
    run.bench.doorbell(ch);
    run.bench.wait_halted(ch, 100_000);
    assert!(pending(&mut run.bench), "halt did not interrupt");
}

/// Copies between host and device memory in all four directions and a FILL into device
/// memory, on all channels at once: each address reaches the port of its side only.
fn device_memory_window_routes_by_address(backend: Backend) {
    const DEV: u64 = 0x2_0000_0000;
    let mut run = Run::new(backend, MemoryTiming::random(25), "dma_engine devmem");
    run.bench.devmem_window(DEV, 16 << 20);
    let mut dev_bytes = vec![0u8; 0x1_0000];
    dev_bytes
        .iter_mut()
        .for_each(|b| *b = run.rng.next_u32() as u8);
    run.bench.devmem_write(DEV, &dev_bytes);
    let pattern = 0x1122_3344_5566_7788u64;
    let transfers = [
        Descriptor::copy(SRC + 5, DEV + 0x2_0003, 5000),
        Descriptor::copy(DEV + 0x107, DST + 9, 7000),
        Descriptor::copy(DEV + 0x33, DEV + 0x40_0001, 3000),
        Descriptor::fill(pattern, DEV + 0x50_0003, 777),
        Descriptor::copy(SRC, DST + 0x10_0000, 100),
    ];
    let indexes: Vec<(usize, u16)> = transfers
        .iter()
        .enumerate()
        .map(|(k, d)| (k % CHANNELS, run.bench.push(k % CHANNELS, *d)))
        .collect();
    for ch in 0..CHANNELS {
        run.bench.doorbell(ch);
    }
    run.bench.wait_all(200_000);
    for (d, &(ch, index)) in transfers.iter().zip(&indexes) {
        let w = run.bench.written(ch, index);
        assert_eq!((w.done, w.error, w.bytes), (true, 0, d.len), "{d:x?}");
        let len = d.len as usize;
        let in_dev = |a: u64| (DEV..DEV + (16 << 20)).contains(&a);
        let want = if d.ctrl == Opcode::Fill as u32 {
            (0..d.len as u64)
                .map(|i| pattern.to_le_bytes()[((d.dst + i) % 8) as usize])
                .collect()
        } else if in_dev(d.src) {
            dev_bytes[(d.src - DEV) as usize..][..len].to_vec()
        } else {
            run.bench.mem().read_vec(d.src, len)
        };
        let (here, there) = if in_dev(d.dst) {
            (
                run.bench.devmem_read(d.dst, len),
                run.bench.mem().read_vec(d.dst, len),
            )
        } else {
            // The device memory model holds offsets: the same bytes would sit at dst - DEV.
            (
                run.bench.mem().read_vec(d.dst, len),
                run.bench.devmem().read_vec(d.dst.wrapping_sub(DEV), len),
            )
        };
        assert!(here == want, "{d:x?}: wrong data on its own side");
        assert!(
            there.iter().all(|&b| b == 0),
            "{d:x?}: written on the other port"
        );
    }
    run.bench.port().checker.assert_quiet();
    run.bench.devmem_port().checker.assert_quiet();
}

fn line(bench: &mut DmaDevice) -> u64 {
    let dut = bench.regs.io_mut().dut();
    let p = dut.port("irq").unwrap();
    dut.get(p)
}

/// Issue order is not completion order: a descriptor's status write-back goes out within
/// 8 cycles of its data's last write response, and CONSUMER passes it within the write
/// response latency and 16 cycles after that, however much data is queued behind it. 48 copies and fills of 64 B to 8 KiB from one doorbell, memory read
/// latency 100, write response 50; CONSUMER is polled throughout, and every poll that
/// starts once a descriptor's bound has passed must see it completed.
fn status_follows_its_data_however_deep_the_queue(backend: Backend) {
    const READ_LATENCY: u64 = 100;
    const WRITE_LATENCY: u64 = 50;
    /// Cycles from the data's last write response to the status write's AW.
    const ISSUE: u64 = 8;
    /// Cycles from the status write's AW to CONSUMER passing it, beyond the write
    /// response (the write half lets at most `W_AHEAD`, 12, W beats go before its own).
    const RETIRE: u64 = 16;
    let timing = MemoryTiming {
        write_latency: WRITE_LATENCY,
        ..MemoryTiming::ideal(READ_LATENCY)
    };
    let mut run = Run::eager(backend, timing, "dma_engine status bound");
    let mut descs = Vec::new();
    let mut at = DST;
    for k in 0..48u64 {
        let len = match run.rng.below(4) {
            0 => 64,
            1 => 1 + run.rng.below(1024),
            _ => 1 + run.rng.below(8192),
        };
        let dst = at + GUARD + run.rng.below(16);
        at = (dst + len + GUARD).next_multiple_of(0x1000);
        let d = if run.rng.chance(20) {
            Descriptor::fill(run.rng.next_u64(), dst, len as u32)
        } else {
            Descriptor::copy(SRC + 0x1000 * k + run.rng.below(64), dst, len as u32)
        };
        descs.push((run.submit(0, d), d));
    }
    run.bench.port().memory.write_log = Some(Vec::new());
    let start = run.bench.cycle();
    run.bench.doorbell(0);
    // (cycle the read started, CONSUMER it returned).
    let mut polls = Vec::new();
    let producer = run.bench.rings[0].producer;
    loop {
        let t = run.bench.cycle();
        let consumer = run.bench.consumer(0);
        polls.push((t, consumer));
        if consumer == producer {
            break;
        }
        assert!(t - start < 2_000_000, "the copies do not complete");
    }
    let log = run.bench.port().memory.write_log.take().unwrap();
    let mut worst = (0, 0);
    for (n, &(index, d)) in descs.iter().enumerate() {
        let slot = run.bench.slot(0, index);
        let data_done = log
            .iter()
            .filter(|w| w.addr < d.dst + d.len as u64 && w.addr + 128 > d.dst)
            .map(|w| w.cycle)
            .max()
            .expect("the data was written");
        let status = log
            .iter()
            .find(|w| (slot..slot + 32).contains(&w.addr))
            .expect("the status was written");
        let issue = status.aw_cycle - data_done;
        assert!(
            issue <= ISSUE,
            "descriptor {n}: status issued {issue} cycles after its data's last response"
        );
        // The poll that starts once the bound has passed sees it completed (the last
        // poll saw every descriptor completed).
        let bound = status.aw_cycle + WRITE_LATENCY + RETIRE;
        let (t, seen) = *polls
            .iter()
            .find(|&&(t, _)| t >= bound)
            .unwrap_or(polls.last().expect("polled"));
        // A fresh ring: indices count from 0.
        assert!(
            seen > index,
            "descriptor {n} ({d:x?}): CONSUMER {seen} at cycle {t}, {} cycles after its status \
             was issued",
            t - status.aw_cycle
        );
        worst = (
            worst.0.max(issue),
            worst.1.max(status.cycle - status.aw_cycle),
        );
    }
    println!(
        "{} descriptors: status issued at most {} cycles after its data, answered at most {} \
         after its AW",
        descs.len(),
        worst.0,
        worst.1
    );
    run.score();
    for &(_, d) in &descs {
        run.check_destination(&d);
    }
}

/// HALTED rises only once the record is final: the moment software sees it, CONSUMER
/// equals ERR_INDEX, BUSY is low and the interrupt is pending, even while a long copy
/// was still moving when the channel halted: before a descriptor that fails its check
/// (the copy completes), or under an abort (the abort waits for it, and it does not
/// complete). Polled every few cycles.
fn halted_shows_a_final_record(backend: Backend) {
    let mut run = Run::eager(backend, MemoryTiming::ideal(50), "dma_engine final halt");
    run.bench
        .regs
        .write_with::<intr::Enable>(|v| v.with_dma(1))
        .unwrap();
    for abort in [false, true] {
        let first = run.bench.rings[0].producer;
        let base = DST + if abort { 0x10_0000 } else { 0 };
        run.bench.push(0, Descriptor::copy(SRC, base, 64 << 10));
        // Fails its check; or, for the abort, waits for the copy (so the abort drops it).
        let mut bad = Descriptor::copy(SRC, base + 0x2_0000, 64);
        bad.ctrl = if abort { ctrl::FENCE } else { 0xf };
        run.bench.push(0, bad);
        run.bench.doorbell(0);
        if abort {
            run.bench.regs.io_mut().idle(300);
            run.bench
                .regs
                .write_with_at::<dma::Ctrl>(0, |v| v.with_run(true).with_abort(true))
                .unwrap();
        }
        let start = run.bench.cycle();
        while !run.bench.status(0).halted() {
            assert!(run.bench.cycle() - start < 100_000, "never halts");
        }
        let seen = run.bench.cycle() - start;
        let status = run.bench.status(0);
        let (code, index, _) = run.bench.halt(0);
        let consumer = run.bench.consumer(0);
        let pending = run.bench.regs.read::<intr::Status>().unwrap().dma() & 1 != 0;
        let want = if abort {
            ErrorCode::Aborted
        } else {
            ErrorCode::BadOpcode
        };
        assert_eq!(code, Some(want));
        // An abort does not complete the copy it waited for.
        let failed = first.wrapping_add(!abort as u16);
        assert_eq!(
            (consumer, index, status.busy(), pending),
            (failed, failed, false, true),
            "abort {abort}: CONSUMER, ERR_INDEX, BUSY and the interrupt when HALTED shows \
             ({seen} cycles in)"
        );
        assert_eq!(run.bench.written(0, first).done, !abort);
        run.bench.resume(0, true);
        run.bench.wait(0, 100_000);
        run.bench
            .regs
            .write_with::<intr::Status>(|v| v.with_dma(1))
            .unwrap();
    }
}

on_each_backend!(
    directed,
    random_streams,
    malformed_descriptors_halt_and_skip,
    bus_errors_halt_and_retry,
    abort_mid_burst,
    abort_record_names_the_first_descriptor_not_completed,
    watchdog_times_out,
    interrupt_coalescing,
    device_memory_window_routes_by_address,
    status_follows_its_data_however_deep_the_queue,
    halted_shows_a_final_record,
);

//! One DMA channel alone, against a cycle-exact model of what its documentation says:
//! ring indexes (the fetch index walks to PRODUCER, its slot address a cycle later),
//! live descriptors, the first halt's record (HALTED and its interrupt shown once
//! nothing is live, a timeout's at once), abort's record that follows the
//! completions, resume by RETRY or SKIP once nothing fetched before the halt is live,
//! interrupt coalescing by count and by timer, and the counters. The test plays a
//! well-behaved engine (fetches only when the channel is eligible, retires what it
//! fetched, in order) and software (doorbells within the ring, aborts, RUN dropping,
//! resumes), with random coalescing settings; every output is compared every cycle.

use std::collections::VecDeque;

use cdm_hdl::dma::channel::DmaChannel;
use cdm_regmap::descriptor::ErrorCode;
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// What the channel is told in one cycle.
#[derive(Clone, Copy, Debug, Default)]
struct Inputs {
    ring_base: u64,
    log2: u32,
    producer: u16,
    run: bool,
    retry: bool,
    skip: bool,
    abort: bool,
    count: u8,
    timer: u16,
    fetched: bool,
    dropped: bool,
    retired: bool,
    completed: bool,
    completed_irq: bool,
    completed_bytes: u32,
    stop: bool,
    halt: bool,
    halt_code: u8,
    halt_index: u16,
    halt_addr: u64,
    beat: bool,
}

/// What it shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Outputs {
    fetch_index: u16,
    fetch_addr: u64,
    eligible: bool,
    stopping: bool,
    halted: bool,
    /// `STATUS.HALTED`: halted, and the record final.
    csr_halted: bool,
    consumer: u16,
    busy: bool,
    error: u8,
    err_index: u16,
    err_addr: u64,
    bytes: u64,
    descs: u32,
    busy_cycles: u32,
    stall_cycles: u32,
    interrupt: bool,
}

/// The channel's registers, as its documentation describes them.
#[derive(Clone, Copy, Debug, Default)]
struct Model {
    fetch: u16,
    consumer: u16,
    live: u8,
    stopping: bool,
    halted: bool,
    settled: bool,
    retry: bool,
    skip: bool,
    error: u8,
    err_index: u16,
    err_addr: u64,
    pending: u8,
    timer: u16,
    bytes: u64,
    descs: u32,
    busy_cycles: u32,
    stall_cycles: u32,
    raise: bool,
    /// The slot address of the fetch index, a cycle behind it.
    slot_addr: u64,
    /// Last cycle the ring held a descriptor not yet fetched, and the fetch index
    /// stayed.
    work: bool,
    /// Last cycle's completion: (IRQ, bytes).
    late: Option<(bool, u32)>,
}

const ABORTED: u8 = ErrorCode::Aborted as u8;
const TIMEOUT: u8 = ErrorCode::Timeout as u8;

impl Model {
    fn outputs(&self, i: &Inputs) -> Outputs {
        let eligible = i.run && !self.stopping && self.work;
        Outputs {
            fetch_index: self.fetch,
            fetch_addr: self.slot_addr,
            eligible,
            stopping: self.stopping,
            halted: self.halted,
            csr_halted: self.settled,
            consumer: self.consumer,
            busy: self.live > 0 || (i.run && !self.stopping && self.fetch != i.producer),
            error: self.error,
            err_index: self.err_index,
            err_addr: self.err_addr,
            bytes: self.bytes,
            descs: self.descs,
            busy_cycles: self.busy_cycles,
            stall_cycles: self.stall_cycles,
            interrupt: self.raise,
        }
    }

    fn step(&mut self, i: &Inputs) {
        let out = self.outputs(i);
        let now = *self;
        let mask = (1u64 << i.log2) - 1;
        self.slot_addr = i.ring_base + ((u64::from(now.fetch) & mask) << 5);
        if i.fetched {
            self.fetch = now.fetch.wrapping_add(1);
        }
        let completed_to = now.consumer.wrapping_add(i.completed as u16);
        self.consumer = completed_to;
        self.live = now
            .live
            .wrapping_add(i.fetched as u8)
            .wrapping_sub(i.dropped as u8)
            .wrapping_sub(i.retired as u8);
        // The first halt wins, and so does an abort of a channel not halted.
        let halting = i.halt && !now.halted;
        let aborting = i.abort && !now.halted && !i.halt;
        if i.stop || halting || aborting {
            self.stopping = true;
        }
        if halting {
            self.halted = true;
            self.error = i.halt_code;
            self.err_index = i.halt_index;
            self.err_addr = i.halt_addr;
        }
        // An abort's record follows the completions of what was already moving.
        if aborting || (now.halted && now.error == ABORTED) {
            self.err_index = completed_to;
        }
        if aborting {
            self.halted = true;
            self.error = ABORTED;
            self.err_addr = 0;
        }
        if now.halted && i.retry {
            self.retry = true;
        }
        if now.halted && i.skip {
            self.skip = true;
        }
        let resuming = now.halted && (now.retry || now.skip) && now.live == 0;
        self.work = now.fetch != i.producer && !i.fetched && !resuming;
        if resuming {
            self.halted = false;
            self.stopping = false;
            self.retry = false;
            self.skip = false;
            self.error = 0;
            self.fetch = now.consumer;
            if now.skip && now.consumer != i.producer {
                self.consumer = now.consumer.wrapping_add(1);
                self.fetch = now.consumer.wrapping_add(1);
            }
        }
        // Coalescing, on last cycle's completion.
        let threshold = if i.count == 0 { 1 } else { i.count };
        self.late = i.completed.then_some((i.completed_irq, i.completed_bytes));
        let irq_done = matches!(now.late, Some((true, _)));
        let counted = now.pending.wrapping_add(irq_done as u8);
        let by_count = irq_done && counted >= threshold;
        let waited = now.timer.wrapping_add(1);
        let by_timer = now.pending > 0 && i.timer > 0 && waited >= i.timer;
        self.pending = counted;
        if now.pending > 0 && i.timer > 0 {
            self.timer = waited;
        }
        // A halt shows, and signals, once nothing is live (a timeout's at once).
        let settling = now.halted && (now.live == 0 || now.error == TIMEOUT);
        self.settled = settling && !resuming;
        self.raise = by_count || by_timer || (settling && !now.settled);
        if by_count || by_timer {
            self.pending = 0;
            self.timer = 0;
        }
        if let Some((_, bytes)) = now.late {
            self.bytes = now.bytes.wrapping_add(u64::from(bytes));
            self.descs = now.descs.wrapping_add(1);
        }
        if out.busy {
            self.busy_cycles = now.busy_cycles.wrapping_add(1);
            if !i.beat {
                self.stall_cycles = now.stall_cycles.wrapping_add(1);
            }
        }
    }
}

/// The engine's side: what it has fetched and not yet retired, oldest first.
struct Engine {
    live: VecDeque<u16>,
}

impl Engine {
    /// This cycle's pulses, from what the channel shows and what software does.
    fn drive(&mut self, rng: &mut Rng, out: &Outputs, i: &mut Inputs) {
        i.fetched = out.eligible && self.live.len() < 6 && rng.chance(60);
        if i.fetched {
            self.live.push_back(out.fetch_index);
        }
        i.stop = rng.chance(1);
        if let Some(&index) = self.live.front().filter(|_| rng.chance(40)) {
            self.live.pop_front();
            if out.stopping && rng.chance(50) {
                i.dropped = true;
            } else if rng.chance(8) {
                i.halt = true;
                i.halt_code = 5 + rng.below(7) as u8;
                i.halt_index = index;
                i.halt_addr = rng.next_u64();
                i.retired = true;
            } else {
                i.completed = true;
                i.completed_irq = rng.chance(70);
                i.completed_bytes = rng.next_u32() >> rng.below(32);
                i.retired = true;
            }
        }
        i.beat = rng.chance(50);
    }
}

fn run(mut dut: Box<dyn Dut>, cycles: u64, name: &str) {
    let mut rng = Rng::from_env(name);
    cdm_testbenches::reset(&mut *dut);
    let port = |n: &str| dut.port(n).unwrap_or_else(|e| panic!("{e}"));
    let set_ports = [
        "csr$ring_base_lo",
        "csr$ring_base_hi",
        "csr$ring_log2",
        "csr$producer",
        "csr$run",
        "csr$retry",
        "csr$skip",
        "csr$abort",
        "csr$coalesce_count",
        "csr$coalesce_timer",
        "fetched",
        "dropped",
        "retired",
        "completed",
        "completed_irq",
        "completed_bytes",
        "stop",
        "halt",
        "halt_code",
        "halt_index",
        "halt_addr",
        "beat",
    ]
    .map(port);
    let get_ports = [
        "fetch_index",
        "fetch_addr",
        "eligible",
        "stopping",
        "halted",
        "consumer",
        "csr$consumer",
        "csr$halted",
        "csr$busy",
        "csr$error",
        "csr$err_index",
        "csr$err_addr_lo",
        "csr$err_addr_hi",
        "csr$bytes_lo",
        "csr$bytes_hi",
        "csr$descs",
        "csr$busy_cycles",
        "csr$stall_cycles",
        "csr$interrupt",
    ]
    .map(port);
    let mut model = Model::default();
    let mut engine = Engine {
        live: VecDeque::new(),
    };
    let mut settings = Inputs::default();
    let (mut halts, mut resumes, mut interrupts) = (0, 0, 0);
    for cycle in 0..cycles {
        // A new ring and coalescing now and then, while the channel is idle.
        if cycle % 3000 == 0 && model.live == 0 && engine.live.is_empty() {
            settings.ring_base = rng.next_u64() & !0x1f;
            settings.log2 = rng.below(16) as u32;
            settings.count = [0, 1, 3, 8][rng.below(4) as usize];
            settings.timer = [0, 0, 5, 40][rng.below(4) as usize];
        }
        let mut i = Inputs {
            run: !rng.chance(3),
            ..settings
        };
        // Doorbells within the ring.
        let room = (1u32 << i.log2)
            .saturating_sub(u32::from(settings.producer.wrapping_sub(model.consumer)));
        if room > 0 && rng.chance(20) {
            let n = 1 + rng.below(u64::from(room.min(4))) as u16;
            settings.producer = settings.producer.wrapping_add(n);
        }
        i.producer = settings.producer;
        i.abort = rng.chance(1);
        i.retry = model.halted && rng.chance(10);
        i.skip = model.halted && !i.retry && rng.chance(10);
        let before = model.outputs(&i);
        engine.drive(&mut rng, &before, &mut i);
        let want = model.outputs(&i);
        let values = [
            i.ring_base >> 5 & ((1 << 27) - 1),
            i.ring_base >> 32,
            u64::from(i.log2),
            u64::from(i.producer),
            i.run as u64,
            i.retry as u64,
            i.skip as u64,
            i.abort as u64,
            u64::from(i.count),
            u64::from(i.timer),
            i.fetched as u64,
            i.dropped as u64,
            i.retired as u64,
            i.completed as u64,
            i.completed_irq as u64,
            u64::from(i.completed_bytes),
            i.stop as u64,
            i.halt as u64,
            u64::from(i.halt_code),
            u64::from(i.halt_index),
            i.halt_addr,
            i.beat as u64,
        ];
        for (&p, v) in set_ports.iter().zip(values) {
            dut.set(p, v);
        }
        let g: Vec<u64> = get_ports.iter().map(|&p| dut.get(p)).collect();
        let got = Outputs {
            fetch_index: g[0] as u16,
            fetch_addr: g[1],
            eligible: g[2] == 1,
            stopping: g[3] == 1,
            halted: g[4] == 1,
            csr_halted: g[7] == 1,
            consumer: g[5] as u16,
            busy: g[8] == 1,
            error: g[9] as u8,
            err_index: g[10] as u16,
            err_addr: g[11] | g[12] << 32,
            bytes: g[13] | g[14] << 32,
            descs: g[15] as u32,
            busy_cycles: g[16] as u32,
            stall_cycles: g[17] as u32,
            interrupt: g[18] == 1,
        };
        assert_eq!(got, want, "cycle {cycle}, inputs {i:?}");
        assert_eq!(g[6] as u16, got.consumer, "the CSR copy, cycle {cycle}");
        halts += (i.halt && !model.halted) as u32;
        interrupts += got.interrupt as u32;
        let was_halted = model.halted;
        model.step(&i);
        resumes += (was_halted && !model.halted) as u32;
        dut.step();
    }
    assert!(
        halts > 0 && resumes > 0 && interrupts > 0,
        "halts {halts}, resumes {resumes}, interrupts {interrupts}"
    );
    println!(
        "{cycles} cycles: {} descriptors completed, {halts} halts, {resumes} resumes, {interrupts} interrupts",
        model.descs
    );
}

fn matches_the_model_every_cycle(backend: Backend) {
    let cycles = match backend {
        Backend::Native => 20_000,
        Backend::Verilator => 1_000_000,
    };
    run(open::<DmaChannel>(backend), cycles, "dma_channel");
}

on_each_backend!(matches_the_model_every_cycle);

#[test]
fn channel_verilog_is_cycle_equivalent() {
    run(
        Box::new(Checked::<DmaChannel>::new()),
        6_000,
        "dma_channel_equivalence",
    );
}

//! The data mover against the AXI4 memory model, with the protocol checker on its port:
//! directed lengths and alignments, FILL, random streams under random latency and
//! back-pressure, and read and write faults. A byte-exact reference of the destination
//! region checks every byte, including the guard bytes around every transfer.

use std::collections::VecDeque;

use cdm_hdl::dma::mover::DmaMover;
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_memory::{
    Axi4Memory, Direction, Fault, MemoryTiming, SparseMemory, Trigger,
};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Sources live here, pre-filled with random bytes.
const SRC: u64 = 0x0010_0000;
const SRC_SIZE: u64 = 0x0030_0000;
/// Destinations live here; reads never touch it, so overlapping transfers are ordered.
const DST: u64 = 0x1000_0000;

#[derive(Clone, Copy, Debug)]
struct Transfer {
    src: u64,
    dst: u64,
    len: u64,
    fill: Option<u64>,
}

struct Bench {
    dut: Box<dyn Dut>,
    memory: Axi4Memory,
    checker: Axi4Checker,
    reference: SparseMemory,
    rng: Rng,
    ports: [PortId; 12],
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Outcome {
    done: u64,
    read_errors: u64,
    write_errors: u64,
    cycles: u64,
}

impl Bench {
    fn new(backend: Backend, timing: MemoryTiming, seed_name: &str) -> Bench {
        Bench::on(open::<DmaMover>(backend), timing, seed_name)
    }

    fn on(dut: Box<dyn Dut>, timing: MemoryTiming, seed_name: &str) -> Bench {
        let mut rng = Rng::from_env(seed_name);
        let mut memory = Axi4Memory::new(&*dut, "m$", timing, Rng::new(rng.next_u64())).unwrap();
        let checker = Axi4Checker::new(&*dut, "m$", "mover port").unwrap();
        let mut source = vec![0u8; SRC_SIZE as usize];
        source.iter_mut().for_each(|b| *b = rng.next_u32() as u8);
        memory.mem.write(SRC, &source);
        let ports = [
            "cmd_valid",
            "cmd_ready",
            "cmd_src",
            "cmd_dst",
            "cmd_len",
            "cmd_fill",
            "cmd_pattern",
            "done_valid",
            "done_ready",
            "done_read_err",
            "done_write_err",
            "reset",
        ]
        .map(|n| dut.port(n).unwrap());
        Bench {
            dut,
            memory,
            checker,
            reference: SparseMemory::default(),
            rng,
            ports,
        }
    }

    /// Runs the transfers to completion; the reference follows every transfer that
    /// completes without error.
    fn run(&mut self, transfers: &[Transfer], ready_stall: u32) -> Outcome {
        let [cmd_valid, cmd_ready, src, dst, len, fill, pattern, done_valid, done_ready, rerr, werr, _] =
            self.ports;
        let mut queue: VecDeque<Transfer> = transfers.iter().copied().collect();
        let mut pending: VecDeque<Transfer> = VecDeque::new();
        let mut out = Outcome::default();
        let start = self.dut.cycle();
        let limit = start + 200_000 + transfers.iter().map(|t| t.len).sum::<u64>();
        while out.done < transfers.len() as u64 {
            let dut = &mut *self.dut;
            let offer = queue.front().copied();
            dut.set(cmd_valid, offer.is_some() as u64);
            if let Some(t) = offer {
                dut.set(src, t.src);
                dut.set(dst, t.dst);
                dut.set(len, t.len);
                dut.set(fill, t.fill.is_some() as u64);
                dut.set(pattern, t.fill.unwrap_or(0));
            }
            let take_done = !self.rng.chance(ready_stall);
            dut.set(done_ready, take_done as u64);
            self.memory.drive(dut);
            self.checker.check(dut);
            self.memory.sample(dut);
            if offer.is_some() && dut.get(cmd_ready) == 1 {
                pending.push_back(queue.pop_front().expect("offered"));
            }
            if take_done && dut.get(done_valid) == 1 {
                let t = pending.pop_front().expect("a completion for a command");
                let (r, w) = (dut.get(rerr) == 1, dut.get(werr) == 1);
                out.read_errors += r as u64;
                out.write_errors += w as u64;
                if !r && !w {
                    apply(&mut self.reference, &self.memory.mem, &t);
                }
                out.done += 1;
            }
            dut.step();
            assert!(
                dut.cycle() < limit,
                "mover stalled: {} of {} transfers done",
                out.done,
                transfers.len()
            );
        }
        out.cycles = self.dut.cycle() - start;
        out
    }

    /// Every byte of the destination region equals the reference.
    fn check_destination(&self, transfers: &[Transfer]) {
        for t in transfers {
            let (lo, hi) = (t.dst.saturating_sub(64), t.dst + t.len + 64);
            let got = self.memory.mem.read_vec(lo, (hi - lo) as usize);
            let want = self.reference.read_vec(lo, (hi - lo) as usize);
            if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
                panic!(
                    "{t:?}: byte at {:#x} is {:#04x}, expected {:#04x}",
                    lo + i as u64,
                    got[i],
                    want[i]
                );
            }
        }
    }
}

fn apply(reference: &mut SparseMemory, memory: &SparseMemory, t: &Transfer) {
    match t.fill {
        Some(p) => {
            let bytes: Vec<u8> = (0..t.len)
                .map(|i| p.to_le_bytes()[((t.dst + i) % 8) as usize])
                .collect();
            reference.write(t.dst, &bytes);
        }
        // Sources are never written, so the memory model still holds them.
        None => reference.write(t.dst, &memory.read_vec(t.src, t.len as usize)),
    }
}

fn directed(backend: Backend) {
    let mut bench = Bench::new(backend, MemoryTiming::random(20), "dma_mover directed");
    let mut transfers = Vec::new();
    let mut at = DST;
    let mut add = |src_off: u64, dst_off: u64, len: u64, fill: Option<u64>| {
        at = (at + len + 0x1000) & !0xfff;
        transfers.push(Transfer {
            src: SRC + 0x1000 * (transfers.len() as u64 % 64) + src_off,
            dst: at + dst_off,
            len,
            fill,
        });
    };
    for len in (1..=64).chain([127, 128, 129, 4095, 4096, 4097]) {
        add(len % 16, (len * 7) % 16, len, None);
    }
    for &(s, d) in &[
        (0, 0),
        (1, 0),
        (0, 1),
        (8, 15),
        (15, 8),
        (15, 15),
        (0xff0, 0),
        (0, 0xff0),
        (0xff8, 0xffc),
        (0xfff, 0x1),
    ] {
        for len in [1, 16, 17, 40, 300] {
            add(s, d, len, None);
        }
    }
    for &(d, len) in &[(0, 1), (3, 5), (8, 64), (0xff5, 100), (1, 4097)] {
        add(0, d, len, Some(0x0807_0605_0403_0201));
    }
    let out = bench.run(&transfers, 20);
    assert_eq!((out.read_errors, out.write_errors), (0, 0));
    bench.check_destination(&transfers);
    bench.checker.assert_quiet();
    eprintln!(
        "dma_mover directed on {backend}: {} transfers in {} cycles",
        out.done, out.cycles
    );
}

fn random_stream(backend: Backend) {
    let (count, max_len) = match backend {
        Backend::Native => (60, 600),
        Backend::Verilator => (3000, 9000),
    };
    random_transfers(
        Bench::new(backend, MemoryTiming::random(50), "dma_mover random"),
        count,
        max_len,
        backend.name(),
    );
}

#[test]
fn mover_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<DmaMover>::new());
    cdm_testbenches::reset(&mut dut);
    let bench = Bench::on(dut, MemoryTiming::random(30), "dma_mover equivalence");
    random_transfers(bench, 20, 300, "native, replayed in Icarus and Verilator");
}

fn random_transfers(mut bench: Bench, count: u64, max_len: u64, backend: &str) {
    let mut transfers = Vec::new();
    for _ in 0..count {
        let len = 1 + bench.rng.below(max_len);
        let src = SRC + bench.rng.below(SRC_SIZE - len);
        let dst = DST + bench.rng.below(0x40000);
        let fill = bench.rng.chance(10).then(|| bench.rng.next_u64());
        transfers.push(Transfer {
            src,
            dst,
            len,
            fill,
        });
    }
    let out = bench.run(&transfers, 30);
    assert_eq!((out.read_errors, out.write_errors), (0, 0));
    bench.check_destination(&transfers);
    bench.checker.assert_quiet();
    eprintln!(
        "dma_mover random on {backend}: {} transfers in {} cycles",
        out.done, out.cycles
    );
}

fn faults_are_reported_and_write_nothing(backend: Backend) {
    let mut bench = Bench::new(backend, MemoryTiming::random(10), "dma_mover faults");
    // Reads of one source page fail; writes to one destination page fail.
    bench.memory.faults.push(Fault {
        direction: Direction::Read,
        trigger: Trigger::Range {
            first: SRC + 0x5000,
            last: SRC + 0x5fff,
        },
        resp: 2,
    });
    bench.memory.faults.push(Fault {
        direction: Direction::Write,
        trigger: Trigger::Range {
            first: DST + 0x9000,
            last: DST + 0x9fff,
        },
        resp: 3,
    });
    let transfers = [
        Transfer {
            src: SRC + 0x100,
            dst: DST + 0x100,
            len: 500,
            fill: None,
        },
        Transfer {
            src: SRC + 0x5004,
            dst: DST + 0x2000,
            len: 300,
            fill: None,
        },
        Transfer {
            src: SRC + 0x200,
            dst: DST + 0x9010,
            len: 64,
            fill: None,
        },
        Transfer {
            src: SRC + 0x300,
            dst: DST + 0x3003,
            len: 77,
            fill: None,
        },
    ];
    let out = bench.run(&transfers, 0);
    assert_eq!((out.done, out.read_errors, out.write_errors), (4, 1, 1));
    // The failed copy wrote no stale data: its destination is still untouched.
    assert_eq!(bench.memory.mem.read_vec(DST + 0x2000, 300), vec![0; 300]);
    bench.check_destination(&[transfers[0], transfers[3]]);
    bench.checker.assert_quiet();
}

/// A read that starts on good memory and runs into a failing page: every destination byte
/// is either the right source byte or untouched, never stale or garbage, and no byte that
/// comes from the failing page is written.
fn read_fault_part_way_writes_no_stale_data(backend: Backend) {
    let mut bench = Bench::new(backend, MemoryTiming::random(10), "dma_mover partial fault");
    let (first, last) = (SRC + 0x5000, SRC + 0x5fff);
    bench.memory.faults.push(Fault {
        direction: Direction::Read,
        trigger: Trigger::Range { first, last },
        resp: 2,
    });
    for (src_off, dst_off) in [(0x4f08, 3), (0x4f03, 8), (0x4e00, 0), (0x4f0f, 0x0f)] {
        let t = Transfer {
            src: SRC + src_off,
            dst: DST + 0x10_0000 + src_off * 4 + dst_off,
            len: 0x300,
            fill: None,
        };
        // Untouched destination bytes keep this marker (a failed read returns zeros).
        const UNTOUCHED: u8 = 0xee;
        bench.memory.mem.write(t.dst, &[UNTOUCHED; 0x300]);
        let out = bench.run(&[t], 0);
        assert_eq!((out.done, out.read_errors), (1, 1), "{t:?}");
        let got = bench.memory.mem.read_vec(t.dst, t.len as usize);
        let want = bench.memory.mem.read_vec(t.src, t.len as usize);
        for k in 0..t.len as usize {
            let from_bad_page = (first..=last).contains(&(t.src + k as u64));
            if from_bad_page {
                assert_eq!(
                    got[k], UNTOUCHED,
                    "{t:?}: byte {k} comes from the failing page and must not be written"
                );
            } else {
                assert!(
                    got[k] == UNTOUCHED || got[k] == want[k],
                    "{t:?}: byte {k} is neither untouched nor correct"
                );
            }
        }
        assert!(
            got[..8].iter().zip(&want[..8]).all(|(g, w)| g == w),
            "{t:?}: the first bytes precede the fault"
        );
    }
    bench.checker.assert_quiet();
}

on_each_backend!(
    directed,
    random_stream,
    faults_are_reported_and_write_nothing,
    read_fault_part_way_writes_no_stale_data
);

/// Whole 2 MiB pages, aligned and not, copied and filled (Verilator: 131,072 beats each).
#[test]
fn two_mib_pages() {
    if !Backend::Verilator.usable("two_mib_pages") {
        return;
    }
    let mut bench = Bench::new(
        Backend::Verilator,
        MemoryTiming::random(100),
        "dma_mover 2 MiB",
    );
    let page = 2 << 20;
    let transfers = [
        Transfer {
            src: SRC,
            dst: DST,
            len: page,
            fill: None,
        },
        Transfer {
            src: SRC + 0x5_0005,
            dst: DST + 0x40_0003,
            len: page,
            fill: None,
        },
        Transfer {
            src: 0,
            dst: DST + 0x80_0001,
            len: page,
            fill: Some(0x1122_3344_5566_7788),
        },
    ];
    let out = bench.run(&transfers, 10);
    assert_eq!((out.read_errors, out.write_errors), (0, 0));
    bench.check_destination(&transfers);
    bench.checker.assert_quiet();
}

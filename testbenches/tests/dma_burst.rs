//! The burst splitters alone, against the rule each implements: INCR bursts that never
//! cross a boundary of 256 beats (4 KiB, the AXI4 limits: the read half's) or of
//! [`WRITE_BURST_BEATS`] (the write half's). Random transfers anywhere in the 64-bit space (a third
//! of them just below a boundary, some at the top of the address space), loaded back to
//! back or after gaps, bursts taken after random delays, resets in the middle; the
//! current burst is checked in every cycle.

use std::collections::VecDeque;

use cdm_hdl::dma::burst::{PageBursts, WriteBursts, WRITE_BURST_BEATS};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// One burst: beat-aligned address, AxLEN (beats - 1), last of its transfer.
type Burst = (u64, u64, bool);

/// The bursts of `beats` beats from `start`, never across a boundary of `boundary`
/// beats (a power of two).
fn bursts(start: u64, beats: u64, boundary: u64) -> Vec<Burst> {
    let mut addr = start & !15;
    let mut left = beats;
    let mut out = Vec::new();
    while left > 0 {
        let to_page_end = boundary - ((addr >> 4) & (boundary - 1));
        let take = left.min(to_page_end);
        left -= take;
        out.push((addr, take - 1, left == 0));
        addr = addr.wrapping_add(take << 4);
    }
    out
}

fn transfer(rng: &mut Rng, max_beats: u64, boundary: u64) -> (u64, u64) {
    let span = 16 * boundary;
    let page = rng.next_u64() & !(span - 1);
    let start = match rng.below(6) {
        0 | 1 => page | (span - 16 * (1 + rng.below(4))) | rng.below(16),
        2 => u64::MAX - rng.below(0x3000),
        _ => rng.next_u64(),
    };
    let beats = match rng.below(4) {
        0 => 1 + rng.below(4),
        1 => 250 + rng.below(20),
        _ => 1 + rng.below(max_beats),
    };
    (start, beats)
}

fn run(mut dut: Box<dyn Dut>, boundary: u64, transfers: u64, max_beats: u64, name: &str) {
    let mut rng = Rng::from_env("dma_burst");
    let port = |dut: &dyn Dut, n: &str| dut.port(n).unwrap();
    let [reset, load, start, beats, busy, burst_addr, burst_len, burst_beats, last, advance] = [
        "reset",
        "load",
        "start",
        "beats",
        "busy",
        "burst_addr",
        "burst_len",
        "burst_beats",
        "last",
        "advance",
    ]
    .map(|n| port(&*dut, n));
    let mut expected: VecDeque<Burst> = VecDeque::new();
    let (mut loaded, mut issued, mut cycle) = (0u64, 0u64, 0u64);
    while loaded < transfers || !expected.is_empty() {
        assert_eq!(
            dut.get(busy) == 1,
            !expected.is_empty(),
            "{name}: busy in cycle {cycle}"
        );
        let advancing = !expected.is_empty() && rng.chance(70);
        if let Some(&(addr, len, is_last)) = expected.front() {
            let got = (dut.get(burst_addr), dut.get(burst_len), dut.get(last) == 1);
            assert_eq!(got, (addr, len, is_last), "{name}: burst in cycle {cycle}");
            assert_eq!(
                dut.get(burst_beats),
                len + 1,
                "{name}: beats in cycle {cycle}"
            );
        }
        dut.set(advance, advancing as u64);
        // The owner loads when idle, or while advancing past the last burst.
        let may_load = expected.is_empty() || (advancing && expected.len() == 1);
        let loading = may_load && loaded < transfers && rng.chance(50);
        dut.set(load, loading as u64);
        let resetting = !loading && rng.chance(1) && rng.chance(20);
        dut.set(reset, resetting as u64);
        if advancing {
            expected.pop_front();
            issued += 1;
        }
        if loading {
            let (s, b) = transfer(&mut rng, max_beats, boundary);
            dut.set(start, s);
            dut.set(beats, b);
            expected.extend(bursts(s, b, boundary));
            loaded += 1;
        }
        if resetting {
            expected.clear();
        }
        dut.step();
        cycle += 1;
    }
    assert!(
        issued > transfers,
        "{name}: {issued} bursts for {transfers} transfers"
    );
}

fn read_bursts_follow_the_4k_rule(backend: Backend) {
    let (transfers, max_beats) = match backend {
        Backend::Native => (3_000, 600),
        Backend::Verilator => (200_000, 5_000),
    };
    run(
        open::<PageBursts>(backend),
        256,
        transfers,
        max_beats,
        backend.name(),
    );
}

fn write_bursts_stay_within_their_boundary(backend: Backend) {
    let (transfers, max_beats) = match backend {
        Backend::Native => (3_000, 100),
        Backend::Verilator => (200_000, 600),
    };
    run(
        open::<WriteBursts>(backend),
        WRITE_BURST_BEATS,
        transfers,
        max_beats,
        backend.name(),
    );
}

on_each_backend!(
    read_bursts_follow_the_4k_rule,
    write_bursts_stay_within_their_boundary
);

#[test]
fn burst_splitters_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<PageBursts>::new());
    cdm_testbenches::reset(&mut dut);
    run(
        dut,
        256,
        300,
        600,
        "native, replayed in Icarus and Verilator",
    );
    let mut dut: Box<dyn Dut> = Box::new(Checked::<WriteBursts>::new());
    cdm_testbenches::reset(&mut dut);
    run(
        dut,
        WRITE_BURST_BEATS,
        300,
        60,
        "write bursts, replayed in Icarus and Verilator",
    );
}

#[test]
fn the_model_splits_at_boundaries() {
    assert_eq!(
        bursts(0x0FF0, 2, 256),
        vec![(0x0FF0, 0, false), (0x1000, 0, true)]
    );
    assert_eq!(
        bursts(0x1000, 300, 256),
        vec![(0x1000, 255, false), (0x2000, 43, true)]
    );
    assert_eq!(bursts(0x1234, 1, 256), vec![(0x1230, 0, true)]);
    assert_eq!(
        bursts(u64::MAX - 15, 2, 256),
        vec![(u64::MAX - 15, 0, false), (0, 0, true)]
    );
    assert_eq!(
        bursts(0x1070, 6, 4),
        vec![(0x1070, 0, false), (0x1080, 3, false), (0x10c0, 0, true)]
    );
}

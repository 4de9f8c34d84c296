//! The home agent at its pins: the host cache model drives the coherent port with random
//! loads, stores, evictions and uncached accesses on lines that crowd a few snoop-filter
//! sets (so victims are back-invalidated), with random stalls on every channel, device
//! memory behind the AXI4 model and the protocol checker. Every message the home agent
//! sends is compared, in order and with its data, with the reference home agent's
//! (`cdm_sim::coherence::home_model`) for the same requests and snoop answers; the host
//! cache stays inside the filter; everything drains; memory ends equal.

use std::collections::VecDeque;

use cdm_hdl::coherent::home_agent::HomeAgent;
use cdm_hdl::coherent::snoop_filter::{SETS_LOG2, WAYS};
use cdm_sim::axi4_checker::Axi4Checker;
use cdm_sim::axi4_memory::{Axi4Memory, MemoryTiming};
use cdm_sim::coherence::home_model::{HomeModel, S2m};
use cdm_sim::coherence::host_cache::HostCache;
use cdm_sim::coherence::host_port::{Arrived, HostPort};
use cdm_sim::coherence::protocol::{State, LINE};
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Lines: 8 tags in each of 3 filter sets.
fn line_of(i: u64) -> u64 {
    (i / 3) << SETS_LOG2 | (i % 3)
}

fn random_host_traffic_matches_the_reference(backend: Backend) {
    let ops = if backend == Backend::Verilator {
        40_000
    } else {
        4_000
    };
    let mut rng = Rng::from_env("home_agent");
    let mut dut = open::<HomeAgent>(backend);
    let mut memory = Axi4Memory::new(
        &*dut,
        "mem$",
        MemoryTiming::random(8),
        Rng::new(rng.next_u64()),
    )
    .unwrap();
    let mut checker = Axi4Checker::new(&*dut, "mem$", "memory port").unwrap();
    let mut port = HostPort::new(&*dut, HostCache::new(2, 4), Rng::new(rng.next_u64())).unwrap();
    let mut model = HomeModel::new(SETS_LOG2 as u32, WAYS);
    let mut answers = VecDeque::new();
    let (mut issued, mut compared) = (0u64, 0u64);
    let start = dut.cycle();
    loop {
        if issued < ops && port.cache.outstanding() < 8 {
            let line = line_of(rng.below(24));
            let off = rng.below(LINE as u64 - 8) as usize;
            match rng.below(8) {
                0..=2 => {
                    port.cache.load(line, off, 8);
                }
                3..=4 => {
                    port.cache.store(line, off, &rng.next_u64().to_le_bytes());
                }
                5 => port.cache.evict(line),
                _ => {
                    if port.cache.state(line) == State::I && !port.cache.busy(line) {
                        if rng.chance(50) {
                            port.cache.read_current(line);
                        } else {
                            let mut d = [0u8; LINE];
                            d.iter_mut().for_each(|b| *b = rng.next_u32() as u8);
                            port.cache.write_partial(line, &d, rng.next_u64());
                        }
                    }
                }
            }
            issued += 1;
        }
        memory.drive(&mut *dut);
        port.drive(&mut *dut);
        checker.check(&mut *dut);
        memory.sample(&mut *dut);
        port.sample(&mut *dut);
        dut.step();
        model.req.extend(port.sent.drain(..));
        answers.extend(port.answered.drain(..));
        while let Some(got) = port.arrived.pop_front() {
            let mut steps = 0;
            let want = loop {
                if let Some(m) = model.s2m.pop_front() {
                    break m;
                }
                if model.waiting() {
                    if let Some(a) = answers.pop_front() {
                        model.on_snp_rsp(a);
                    }
                }
                model.step();
                steps += 1;
                assert!(
                    steps < 100,
                    "the reference sends nothing where the hardware sent {got:?}"
                );
            };
            let want = match want {
                S2m::Rsp(r) => Arrived::Rsp(r),
                S2m::Snp(s) => Arrived::Snp(s),
            };
            assert_eq!(got, want, "message {compared} (cycle {})", dut.cycle());
            compared += 1;
        }
        for (line, state) in port.cache.lines() {
            let filter = model.filter_state(line);
            assert!(
                filter == Some(true) || (filter == Some(false) && state == State::S),
                "line {line:#x} is {state:?} in the host cache, {filter:?} in the filter"
            );
        }
        if issued >= ops && port.quiet() && port.cache.outstanding() == 0 && memory.idle() {
            break;
        }
        assert!(
            dut.cycle() - start < 200 * ops + 10_000,
            "the home agent stopped answering"
        );
    }
    checker.assert_quiet();
    let error = dut.port("error").unwrap();
    assert_eq!(dut.get(error), 0, "the home agent flagged an error");
    for i in 0..24 {
        let line = line_of(i);
        let got = memory.mem.read_vec(line * LINE as u64, LINE);
        assert_eq!(got, model.line(line), "memory of line {line:#x}");
    }
    println!(
        "home agent: {compared} messages compared; reference {:?}; host cache {:?}",
        model.stats, port.cache.stats
    );
    let (h, c) = (model.stats, port.cache.stats);
    assert!(
        h.evictions > 20 && c.snoops_dirty > 5 && h.stale_writebacks > 0,
        "weak stimulus"
    );
}

on_each_backend!(random_host_traffic_matches_the_reference);

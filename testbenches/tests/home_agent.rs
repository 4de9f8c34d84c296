//! The home agent at its pins: the host cache model drives the coherent port with random
//! loads, stores, evictions and uncached accesses, and an AXI4 master model drives the
//! DMA device port with read and write bursts (random length and strobes) over the same
//! lines, which crowd a few snoop-filter sets (so victims are back-invalidated), with
//! random stalls on every channel, device memory behind the AXI4 model and protocol
//! checkers on both AXI4 ports. The reference home agent
//! (`cdm_sim::model::home_agent`) serves the same requests and DMA lines in the order
//! the hardware took them: every message the hardware sends and every DMA read's data is
//! compared with it; the host cache stays inside the filter; everything drains; memory
//! ends equal.

use std::collections::VecDeque;

use cdm_hdl::coherent::home_agent::HomeAgent;
use cdm_hdl::coherent::snoop_filter::{SETS_LOG2, WAYS};
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_link::Request;
use cdm_sim::bus::axi4_master::{Axi4Master, Burst, MasterTiming};
use cdm_sim::bus::axi4_memory::{Axi4Memory, MemoryTiming};
use cdm_sim::coherent::host_cache::{Access, HostCache};
use cdm_sim::coherent::host_port::{Arrived, HostPort};
use cdm_sim::coherent::protocol::{State, LINE};
use cdm_sim::model::home_agent::{DmaOp, HomeModel, S2m};
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Lines: 8 tags in each of 3 filter sets.
fn line_of(i: u64) -> u64 {
    (i / 3) << SETS_LOG2 | (i % 3)
}

/// Device memory in the DMA engine's address space.
const BASE: u64 = 0x2_0000_0000;

/// The line accesses of a DMA burst of 16-byte beats, in order.
fn line_ops(burst: &Burst) -> Vec<DmaOp> {
    let (req, data, strb) = match burst {
        Burst::Read(req) => (req, None, None),
        Burst::Write { req, data, strb } => (req, Some(data), Some(strb)),
    };
    let first = (req.addr - BASE) / LINE as u64;
    let last = (req.addr - BASE + 16 * req.beats() - 1) / LINE as u64;
    (first..=last)
        .map(|line| match (data, strb) {
            (Some(data), Some(strb)) => {
                let mut bytes = [0u8; LINE];
                let mut mask = 0u64;
                for beat in 0..req.beats() {
                    let at = req.addr - BASE + 16 * beat;
                    if at / LINE as u64 != line {
                        continue;
                    }
                    let off = (at % LINE as u64) as usize;
                    let lanes = strb[beat as usize];
                    for b in 0..16 {
                        if lanes >> b & 1 == 1 {
                            bytes[off + b] = data[16 * beat as usize + b];
                            mask |= 1 << (off + b);
                        }
                    }
                }
                DmaOp::Write {
                    line,
                    data: Box::new(bytes),
                    mask,
                }
            }
            _ => DmaOp::Read { line },
        })
        .collect()
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
    let mut dev_checker = Axi4Checker::new(&*dut, "dev$", "device port").unwrap();
    let timing = MasterTiming {
        max_valid_delay: 3,
        ready_stall_percent: 25,
        max_outstanding: 2,
    };
    let mut dma = Axi4Master::new(&*dut, "dev$", timing, Rng::new(rng.next_u64())).unwrap();
    let base = dut.port("base").unwrap();
    dut.set(base, BASE);
    let enable = dut.port("enable").unwrap();
    dut.set(enable, 1);
    let (arvalid, arready) = (
        dut.port("dev$arvalid").unwrap(),
        dut.port("dev$arready").unwrap(),
    );
    let (awvalid, awready) = (
        dut.port("dev$awvalid").unwrap(),
        dut.port("dev$awready").unwrap(),
    );
    let (mut reads, mut writes) = (VecDeque::new(), VecDeque::new());
    let mut read_lines: VecDeque<VecDeque<u64>> = VecDeque::new();
    let mut port = HostPort::new(
        &*dut,
        "host$",
        HostCache::new(2, 4),
        Rng::new(rng.next_u64()),
    )
    .unwrap();
    let mut model = HomeModel::new(SETS_LOG2 as u32, WAYS);
    model.scripted = true;
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
        if issued < ops && dma.idle() && rng.chance(20) {
            let line = line_of(rng.below(24));
            let beats = 1 + rng.below(8);
            let req = Request {
                id: 0,
                addr: BASE + line * LINE as u64 + 16 * rng.below(4),
                len: beats - 1,
                size: 4,
                burst: 1,
            };
            let burst = if rng.chance(50) {
                reads.push_back(Burst::Read(req));
                Burst::Read(req)
            } else {
                let mut data = vec![0u8; 16 * beats as usize];
                data.iter_mut().for_each(|b| *b = rng.next_u32() as u8);
                let strb = (0..beats)
                    .map(|_| rng.next_u64() as u128 & 0xffff)
                    .collect();
                let w = Burst::Write { req, data, strb };
                writes.push_back(w.clone());
                w
            };
            dma.push(burst);
            issued += 1;
        }
        memory.drive(&mut *dut);
        port.drive(&mut *dut);
        dma.drive(&mut *dut);
        checker.check(&mut *dut);
        dev_checker.check(&mut *dut);
        let taken = port.taken;
        let (ar, aw) = (
            dut.get(arvalid) == 1 && dut.get(arready) == 1,
            dut.get(awvalid) == 1 && dut.get(awready) == 1,
        );
        memory.sample(&mut *dut);
        port.sample(&mut *dut);
        dma.sample(&mut *dut);
        dut.step();
        // The reference serves what the hardware took, in the same order.
        model.req.extend(port.sent.drain(..));
        for _ in taken..port.taken {
            model.order.push_back(true);
        }
        if ar || aw {
            let burst = if ar {
                reads.pop_front()
            } else {
                writes.pop_front()
            };
            let ops = line_ops(&burst.expect("a burst was submitted"));
            if ar {
                read_lines.push_back(
                    ops.iter()
                        .map(|o| match o {
                            DmaOp::Read { line } => *line,
                            _ => unreachable!(),
                        })
                        .collect(),
                );
            }
            for op in ops {
                model.order.push_back(false);
                model.dma.push_back(op);
            }
        }
        while let Some(done) = dma.pop() {
            assert_eq!(done.resp, 0, "DMA burst failed: {done:?}");
            if let Burst::Read(req) = &done.burst {
                let lines = read_lines.pop_front().expect("a read was taken");
                let mut want = Vec::new();
                for line in lines {
                    let mut steps = 0;
                    let data = loop {
                        if let Some((l, d)) = model.dma_read_data.pop_front() {
                            assert_eq!(l, line);
                            break d;
                        }
                        if model.waiting() {
                            if let Some(a) = answers.pop_front() {
                                model.on_snp_rsp(a);
                            }
                        }
                        model.step();
                        steps += 1;
                        assert!(steps < 100, "the reference never read line {line:#x}");
                    };
                    want.extend_from_slice(&*data);
                }
                let from = (req.addr - BASE) as usize % LINE;
                assert_eq!(
                    done.data,
                    want[from..from + done.data.len()].to_vec(),
                    "DMA read {req:?}"
                );
            }
        }
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
                    "the reference sends nothing where the hardware sent {got:?} (order {:?}, {} requests, {} DMA, waiting {})",
                    model.order,
                    model.req.len(),
                    model.dma.len(),
                    model.waiting()
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
        if issued >= ops
            && port.quiet()
            && port.cache.outstanding() == 0
            && memory.idle()
            && dma.idle()
        {
            break;
        }
        assert!(
            dut.cycle() - start < 200 * ops + 10_000,
            "the home agent stopped answering"
        );
    }
    checker.assert_quiet();
    dev_checker.assert_quiet();
    // The reference finishes the DMA writes the hardware took last.
    while !model.order.is_empty() || model.waiting() {
        if let Some(a) = answers.pop_front() {
            model.on_snp_rsp(a);
        }
        model.step();
    }
    let error = dut.port("error").unwrap();
    assert_eq!(dut.get(error), 0, "the home agent flagged an error");
    // The event counters count what the reference did (DMA write responses included,
    // which once cleared them).
    let h = model.stats;
    let want = [
        ("host_reads", h.requests[0] + h.requests[1] + h.requests[2]),
        ("host_writes", h.requests[3] + h.requests[4]),
        ("snoops_inv", h.snoops_inv),
        ("snoops_data", h.snoops_data),
        ("evictions", h.evictions),
        ("conflicts", h.stale_writebacks),
        ("dma_snooped", h.dma_snooped),
    ];
    for (name, count) in want {
        let port = dut.port(name).unwrap();
        assert_eq!(dut.get(port), count, "counter {name}");
    }
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

/// Regression: a DMA write offered while an earlier one's beats still filled the
/// (then single) burst buffer was taken and its beats never accepted. Back-to-back
/// writes, one of them a full 256 beats, must all land through the write ring.
fn back_to_back_dma_writes_wait_for_the_burst_buffer(backend: Backend) {
    let mut dut = open::<HomeAgent>(backend);
    let mut memory = Axi4Memory::new(&*dut, "mem$", MemoryTiming::random(8), Rng::new(1)).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "dev$", "device port").unwrap();
    let timing = MasterTiming {
        max_valid_delay: 0,
        ready_stall_percent: 0,
        max_outstanding: 4,
    };
    let mut dma = Axi4Master::new(&*dut, "dev$", timing, Rng::new(2)).unwrap();
    let base = dut.port("base").unwrap();
    dut.set(base, BASE);
    let enable = dut.port("enable").unwrap();
    dut.set(enable, 1);
    let bursts = [
        (0x2_0000u64, 256u64, 7u8),
        (0x2_1000, 57, 9),
        (0x2_1400, 3, 11),
    ];
    for (offset, beats, byte) in bursts {
        let req = Request {
            id: 0,
            addr: BASE + offset,
            len: beats - 1,
            size: 4,
            burst: 1,
        };
        let data = vec![byte; 16 * beats as usize];
        dma.push(Burst::Write {
            req,
            data,
            strb: vec![0xffff; beats as usize],
        });
    }
    let mut done = 0;
    while done < bursts.len() {
        memory.drive(&mut *dut);
        dma.drive(&mut *dut);
        checker.check(&mut *dut);
        memory.sample(&mut *dut);
        dma.sample(&mut *dut);
        dut.step();
        while let Some(d) = dma.pop() {
            assert_eq!(d.resp, 0);
            done += 1;
        }
        assert!(
            dut.cycle() < 20_000,
            "only {done} of {} writes finished",
            bursts.len()
        );
    }
    for (offset, beats, byte) in bursts {
        let got = memory.mem.read_vec(offset, 16 * beats as usize);
        assert!(got.iter().all(|&b| b == byte), "burst at {offset:#x}");
    }
}

/// Regression: the write-out of a collected DMA burst could claim the memory port's AW in
/// the cycle the engine entered the AW state of a snoop's dirty data, and the waiting
/// engine then dropped AWVALID and overwrote the address under it. Each trial writes a
/// line by DMA while a DMA read snoops a line the host holds modified, at random
/// relative timing, with the protocol checker on the memory port.
fn dirty_snoop_meets_dma_write_out(backend: Backend) {
    let mut rng = Rng::from_env("dirty snoop meets write-out");
    let mut dut = open::<HomeAgent>(backend);
    let mut memory = Axi4Memory::new(&*dut, "mem$", MemoryTiming::ideal(4), Rng::new(1)).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "mem$", "memory port").unwrap();
    let timing = MasterTiming {
        max_valid_delay: 8,
        ready_stall_percent: 0,
        max_outstanding: 2,
    };
    let mut dma = Axi4Master::new(&*dut, "dev$", timing, Rng::new(rng.next_u64())).unwrap();
    let mut port = HostPort::new(
        &*dut,
        "host$",
        HostCache::new(8, 4),
        Rng::new(rng.next_u64()),
    )
    .unwrap();
    for (name, value) in [("base", BASE), ("enable", 1)] {
        let p = dut.port(name).unwrap();
        dut.set(p, value);
    }
    let mut tick = |dut: &mut Box<dyn Dut>,
                    memory: &mut Axi4Memory,
                    port: &mut HostPort,
                    dma: &mut Axi4Master| {
        memory.drive(&mut **dut);
        port.drive(&mut **dut);
        dma.drive(&mut **dut);
        checker.check(&mut **dut);
        memory.sample(&mut **dut);
        port.sample(&mut **dut);
        dma.sample(&mut **dut);
        dut.step();
    };
    for trial in 0..200u64 {
        // The written line and the snooped one, in different pages.
        let (written, snooped) = (trial * 0x40, 0x10_0000 + trial * 0x40);
        let start = dut.cycle();
        while port.cache.store(snooped, 0, &[trial as u8; 8]) == Access::Wait {
            tick(&mut dut, &mut memory, &mut port, &mut dma);
            assert!(
                dut.cycle() - start < 5_000,
                "trial {trial}: host store hangs"
            );
        }
        let req = |line: u64| Request {
            id: 0,
            addr: BASE + line * LINE as u64,
            len: 3,
            size: 4,
            burst: 1,
        };
        dma.push(Burst::Write {
            req: req(written),
            data: vec![0xd0 ^ trial as u8; LINE],
            strb: vec![0xffff; 4],
        });
        for _ in 0..rng.below(12) {
            tick(&mut dut, &mut memory, &mut port, &mut dma);
        }
        dma.push(Burst::Read(req(snooped)));
        let mut done = 0;
        while done < 2 {
            tick(&mut dut, &mut memory, &mut port, &mut dma);
            assert!(dut.cycle() - start < 5_000, "trial {trial}: DMA hangs");
            if let Some(d) = dma.pop() {
                assert_eq!(d.resp, 0, "trial {trial}");
                if let Burst::Read(_) = d.burst {
                    assert_eq!(&d.data[..8], &[trial as u8; 8], "trial {trial}: DMA read");
                }
                done += 1;
            }
        }
        let mem = |line: u64| memory.mem.read_vec(line * LINE as u64, LINE);
        assert_eq!(
            mem(written),
            vec![0xd0 ^ trial as u8; LINE],
            "trial {trial}"
        );
    }
    checker.assert_quiet();
}

on_each_backend!(
    random_host_traffic_matches_the_reference,
    back_to_back_dma_writes_wait_for_the_burst_buffer,
    dirty_snoop_meets_dma_write_out
);

//! Random register traffic and hardware events against the reference model.
//!
//! Every cycle the hardware-side ports of the CSR block are compared with the model;
//! every response (status and read data) is checked; W1P pulses must appear exactly in
//! the commit cycle. The seed is printed; `CDM_SEED` reproduces a run and
//! `CDM_CSR_RANDOM_OPS` sets its length.

use std::collections::VecDeque;

use cdm_regmap::{device_map, Access};
use cdm_sim::bus::axil::{AxiLiteMaster, Op, Resp, Timing};
use cdm_sim::model::csr::RegModel;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{csr_block, on_each_backend, Backend};

/// A hardware-side port the testbench drives or checks.
struct HwPort {
    id: PortId,
    /// Index into `RegModel::fields`.
    field: usize,
    mask: u64,
}

fn random_address(rng: &mut Rng, model: &RegModel) -> u64 {
    match rng.below(10) {
        // Mostly mapped registers, sometimes unmapped or misaligned ones.
        0 => rng.below(0x1000),
        1 => {
            model.fields[rng.below(model.fields.len() as u64) as usize].address as u64
                + 1
                + rng.below(3)
        }
        _ => model.fields[rng.below(model.fields.len() as u64) as usize].address as u64,
    }
}

/// Accesses per run: `CDM_CSR_RANDOM_OPS`, or a default sized for the backend's speed.
fn ops(backend: Backend) -> u64 {
    let default = match backend {
        Backend::Native => 20_000,
        Backend::Verilator => 200_000,
    };
    cdm_testbenches::soak_length("CDM_CSR_RANDOM_OPS", default)
}

fn random_traffic_matches_the_reference_model(backend: Backend) {
    let ops = ops(backend);
    let mut rng = Rng::from_env("csr_random");
    let map = device_map();
    let mut model = RegModel::new(&map);
    let mut dut = csr_block(backend);
    let mut master =
        AxiLiteMaster::new(&*dut, "axil$", Timing::RANDOM, Rng::new(rng.next_u64())).unwrap();
    let bvalid = dut.port("axil$bvalid").unwrap();
    let reset = dut.port("reset").unwrap();

    let port = |dut: &dyn Dut, name: &str, field: usize, width: u32| HwPort {
        id: dut.port(name).unwrap(),
        field,
        mask: (1u64 << width) - 1,
    };
    let (mut sets, mut clears, mut inputs, mut stored, mut pulses) =
        (vec![], vec![], vec![], vec![], vec![]);
    for (i, f) in model.fields.iter().enumerate() {
        let (name, w) = (f.port.as_str(), f.field.width);
        match f.field.access {
            Access::RO if f.field.constant => {}
            Access::RO => inputs.push(port(&*dut, name, i, w)),
            Access::W1P => pulses.push(port(&*dut, name, i, w)),
            access => {
                stored.push(port(&*dut, name, i, w));
                if access == Access::W1C {
                    sets.push(port(&*dut, &format!("{name}_set"), i, w));
                }
                if access == Access::W1S && f.field.hw_clear {
                    clears.push(port(&*dut, &format!("{name}_clr"), i, w));
                }
            }
        }
    }

    let mut current: Option<Op> = None;
    let mut expected_resp: VecDeque<(Resp, u32)> = VecDeque::new();
    // Expected read data by cycle of the AR handshake, for the read in flight.
    let mut read_candidates: VecDeque<(u64, Option<u32>)> = VecDeque::new();
    let mut last_events: Vec<(usize, bool, u64)> = Vec::new();
    let mut last_pulses: Vec<u64> = vec![0; pulses.len()];
    let mut last_bvalid = 0;
    let (mut done, mut reads, mut errors, mut w1c_races, mut resets) =
        (0u64, 0u64, 0u64, 0u64, 0u64);

    while done < ops {
        let cycle = dut.cycle();
        // 1. Resolve the previous cycle: a commit there (BVALID rose now), then its events.
        let b = dut.get(bvalid);
        let committed = b == 1 && last_bvalid == 0;
        last_bvalid = b;
        let mut model_pulses = vec![0u64; pulses.len()];
        // Same-cycle rules: a software set beats a hardware clear (W1S), and a
        // hardware set beats a software clear (W1C).
        for &(f, set, bits) in &last_events {
            if !set {
                let name = model.fields[f].port.clone();
                model.hw_clear(&name, bits as u32);
            }
        }
        if committed {
            let Some(Op::Write { addr, data, strb }) = current else {
                panic!("cycle {cycle}: BVALID rose with no write in flight")
            };
            match model.write(addr as u32, data, strb) {
                Some(ps) => {
                    expected_resp.push_back((Resp::Okay, 0));
                    for (name, bits) in ps {
                        let i = pulses
                            .iter()
                            .position(|p| model.fields[p.field].port == name)
                            .unwrap();
                        model_pulses[i] = bits as u64;
                    }
                }
                None => expected_resp.push_back((Resp::SlvErr, 0)),
            }
            if last_events
                .iter()
                .any(|&(f, set, bits)| set && bits != 0 && model.fields[f].address == addr as u32)
            {
                w1c_races += 1;
            }
        }
        assert_eq!(
            last_pulses,
            model_pulses,
            "cycle {}: W1P outputs",
            cycle - 1
        );
        for &(f, set, bits) in &last_events {
            if set {
                let name = model.fields[f].port.clone();
                model.hw_set(&name, bits as u32);
            }
        }
        // Now and then a reset between accesses: every register returns to its reset
        // value, the window lock included, so windows are exercised locked and unlocked.
        if master.idle() && current.is_none() && rng.chance(1) && rng.chance(20) {
            for p in sets.iter().chain(&clears) {
                dut.set(p.id, 0);
            }
            dut.set(reset, 1);
            dut.step();
            dut.set(reset, 0);
            model.reset();
            last_events.clear();
            last_pulses.iter_mut().for_each(|p| *p = 0);
            last_bvalid = 0;
            resets += 1;
            continue;
        }
        // 2. Hardware inputs of this cycle.
        for p in &inputs {
            if rng.chance(10) {
                let v = rng.next_u64() & p.mask;
                dut.set(p.id, v);
                let name = model.fields[p.field].port.clone();
                model.set_input(&name, v as u32);
            }
        }
        // 3. Every stored field, as hardware sees it, equals the model.
        for p in &stored {
            let f = &model.fields[p.field];
            assert_eq!(
                dut.get(p.id),
                f.value as u64,
                "cycle {cycle}: port {}",
                f.port
            );
        }
        // 4. Hardware events of this cycle, applied to the model next cycle.
        last_events.clear();
        for (list, set) in [(&sets, true), (&clears, false)] {
            for p in list {
                let bits = if rng.chance(8) {
                    rng.next_u64() & p.mask
                } else {
                    0
                };
                dut.set(p.id, bits);
                last_events.push((p.field, set, bits));
            }
        }
        // 5. Bus traffic.
        if master.idle() {
            let addr = random_address(&mut rng, &model);
            let op = if rng.chance(50) {
                Op::Read { addr }
            } else {
                Op::Write {
                    addr,
                    data: rng.next_u32(),
                    strb: if rng.chance(70) {
                        0xf
                    } else {
                        rng.below(16) as u8
                    },
                }
            };
            master.push(op);
            current = Some(op);
        }
        master.tick(&mut dut);
        if let Some(Op::Read { addr }) = current {
            read_candidates.push_back((cycle, model.read(addr as u32)));
            if read_candidates.len() > 64 {
                read_candidates.pop_front();
            }
        }
        for (i, p) in pulses.iter().enumerate() {
            last_pulses[i] = dut.get(p.id);
        }
        if let Some(c) = master.pop() {
            match c.op {
                Op::Read { addr } => {
                    let expect = read_candidates
                        .iter()
                        // The block registers ARADDR in the AR handshake cycle and
                        // samples the register in the next.
                        .find(|(at, _)| *at == c.issued + 1)
                        .map(|(_, v)| *v)
                        .expect("read sampled within the window");
                    match expect {
                        Some(v) => assert_eq!(
                            (c.resp, c.data),
                            (Resp::Okay, v),
                            "read {addr:#x} issued at cycle {}",
                            c.issued
                        ),
                        None => assert_eq!(c.resp, Resp::SlvErr, "read {addr:#x}"),
                    }
                    reads += 1;
                    read_candidates.clear();
                }
                Op::Write { addr, .. } => {
                    let (resp, _) = expected_resp
                        .pop_front()
                        .expect("a commit preceded the response");
                    assert_eq!(c.resp, resp, "write {addr:#x}");
                }
            }
            if c.resp != Resp::Okay {
                errors += 1;
            }
            current = None;
            done += 1;
        }
        dut.step();
        assert!(dut.cycle() < 100 * ops + 1000, "traffic stalled");
    }
    eprintln!(
        "csr_random on {backend}: {done} accesses ({reads} reads, {errors} SLVERR), {w1c_races} writes racing a hardware set, {resets} resets, {} cycles",
        dut.cycle()
    );
    assert!(
        errors > 0 && reads > 0 && resets > 0,
        "the traffic must cover reads, errors and resets"
    );
}

on_each_backend!(random_traffic_matches_the_reference_model);

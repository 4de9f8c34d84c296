//! The MIG bridge (the device memory port on the XEM7010's DDR3) against a model of the
//! MIG user interface: random INCR and WRAP bursts with random strobes, back-pressure on
//! both sides, writes in flight together and then reads of what they wrote, checked
//! against a reference memory; the model flags anything a MIG would not accept.

use cdm_hdl::mig_bridge::MigBridge;
use cdm_sim::axi4::Request;
use cdm_sim::axi4_checker::Axi4Checker;
use cdm_sim::axi4_master::{Axi4Master, Burst, MasterTiming};
use cdm_sim::axi4_memory::SparseMemory;
use cdm_sim::mig_model::MigModel;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

const BEAT: u64 = 16;

/// Address of beat `i` of a full-width INCR or WRAP burst.
fn beat_addr(r: &Request, i: u64) -> u64 {
    if r.burst == 2 {
        let block = r.beats() * BEAT;
        (r.addr & !(block - 1)) | ((r.addr + i * BEAT) & (block - 1))
    } else {
        r.addr + i * BEAT
    }
}

fn random_request(rng: &mut Rng, id: u64) -> Request {
    if rng.chance(30) {
        let len = [1, 3, 7, 15][rng.below(4) as usize];
        Request {
            id,
            addr: rng.below(1 << 20) & !(BEAT - 1),
            len,
            size: 4,
            burst: 2,
        }
    } else {
        let addr = rng.below(1 << 20) & !(BEAT - 1);
        let room = (4096 - addr % 4096) / BEAT;
        Request {
            id,
            addr,
            len: rng.below(room.min(256)),
            size: 4,
            burst: 1,
        }
    }
}

fn random_bursts_match_the_reference(backend: Backend) {
    let mut rng = Rng::from_env("mig_bridge");
    let mut dut = open::<MigBridge>(backend);
    let mut mig = MigModel::new(&*dut, "app$", 24, 30, Rng::new(rng.next_u64())).unwrap();
    let timing = MasterTiming {
        max_valid_delay: 3,
        ready_stall_percent: 30,
        max_outstanding: 4,
    };
    let mut master = Axi4Master::new(&*dut, "axi$", timing, Rng::new(rng.next_u64())).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "axi$", "MIG bridge").unwrap();
    let mut reference = SparseMemory::default();
    let rounds = if backend == Backend::Native { 6 } else { 60 };
    let mut beats_checked = 0;
    for round in 0..rounds {
        let mut written = Vec::new();
        for k in 0..4 {
            let req = random_request(&mut rng, k);
            let data: Vec<u8> = (0..req.beats() * BEAT)
                .map(|_| rng.next_u32() as u8)
                .collect();
            let strb: Vec<u128> = (0..req.beats())
                .map(|_| {
                    if rng.chance(70) {
                        0xffff
                    } else {
                        rng.next_u32() as u128 & 0xffff
                    }
                })
                .collect();
            for i in 0..req.beats() {
                for b in 0..BEAT {
                    if strb[i as usize] >> b & 1 == 1 {
                        let byte = data[(i * BEAT + b) as usize];
                        reference.write(beat_addr(&req, i) + b, &[byte]);
                    }
                }
            }
            written.push(req);
            master.push(Burst::Write { req, data, strb });
        }
        // Read back what was written, and a few places anywhere.
        let mut reads: Vec<Request> = written.clone();
        reads.push(random_request(&mut rng, 9));
        run(&mut *dut, &mut master, &mut mig, &mut checker);
        for r in &reads {
            master.push(Burst::Read(*r));
        }
        run(&mut *dut, &mut master, &mut mig, &mut checker);
        while let Some(done) = master.pop() {
            assert_eq!(done.resp, 0, "round {round}: error response");
            if let Burst::Read(req) = done.burst {
                for i in 0..req.beats() {
                    let want = reference.read_vec(beat_addr(&req, i), BEAT as usize);
                    let got = &done.data[(i * BEAT) as usize..][..BEAT as usize];
                    assert_eq!(got, want.as_slice(), "round {round}: {req:?} beat {i}");
                    beats_checked += 1;
                }
            }
        }
    }
    assert!(mig.violations.is_empty(), "{}", mig.violations.join("\n"));
    println!(
        "{beats_checked} beats checked, {} MIG commands",
        mig.commands
    );
}

fn run(dut: &mut dyn Dut, master: &mut Axi4Master, mig: &mut MigModel, checker: &mut Axi4Checker) {
    let start = dut.cycle();
    while !master.idle() || !mig.idle() {
        master.drive(dut);
        mig.drive(dut);
        checker.check(dut);
        master.sample(dut);
        mig.sample(dut);
        dut.step();
        assert!(dut.cycle() - start < 200_000, "bridge stuck");
    }
}

on_each_backend!(random_bursts_match_the_reference);

//! The board's memories: the MIG bridge (the device memory port on the XEM7010's DDR3)
//! against a model of the MIG user interface, and the block RAM that stands in for host
//! memory. Random INCR and WRAP bursts with random strobes, back-pressure, writes in
//! flight together and then reads of what they wrote, checked against a reference
//! memory; the MIG model flags anything a MIG would not accept.

use cdm_hdl::board::bram_memory::BramMemory;
use cdm_hdl::board::mig_bridge::MigBridge;
use cdm_hdl::export::ports::PortMap;
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_link::Request;
use cdm_sim::bus::axi4_master::{Axi4Master, Burst, MasterTiming};
use cdm_sim::bus::axi4_memory::SparseMemory;
use cdm_sim::bus::mig_model::MigModel;
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

/// A random full-width burst inside the first `span` bytes.
fn random_request(rng: &mut Rng, id: u64, span: u64) -> Request {
    if rng.chance(30) {
        let len = [1, 3, 7, 15][rng.below(4) as usize];
        Request {
            id,
            addr: rng.below(span) & !(BEAT - 1),
            len,
            size: 4,
            burst: 2,
        }
    } else {
        let addr = rng.below(span) & !(BEAT - 1);
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

/// Rounds of four random writes in flight, then reads of them and of one more burst,
/// through the AXI4 slave `axi` of top `T`, within `span` bytes; the MIG model serves
/// `T`'s MIG interface when `with_mig`.
fn exercise<T: PortMap + 'static>(backend: Backend, name: &str, with_mig: bool, span: u64) {
    let mut rng = Rng::from_env(name);
    let mut dut = open::<T>(backend);
    let mut mig =
        with_mig.then(|| MigModel::new(&*dut, "app$", 24, 30, Rng::new(rng.next_u64())).unwrap());
    let timing = MasterTiming {
        max_valid_delay: 3,
        ready_stall_percent: 30,
        max_outstanding: 4,
    };
    let mut master = Axi4Master::new(&*dut, "axi$", timing, Rng::new(rng.next_u64())).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "axi$", name).unwrap();
    let mut reference = SparseMemory::default();
    let rounds = if backend == Backend::Native { 6 } else { 60 };
    let mut beats_checked = 0;
    for round in 0..rounds {
        let mut written = Vec::new();
        for k in 0..4 {
            let req = random_request(&mut rng, k, span);
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
        run(&mut *dut, &mut master, mig.as_mut(), &mut checker);
        for r in written.iter().chain([&random_request(&mut rng, 9, span)]) {
            master.push(Burst::Read(*r));
        }
        run(&mut *dut, &mut master, mig.as_mut(), &mut checker);
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
    if let Some(mig) = mig {
        assert!(mig.violations.is_empty(), "{}", mig.violations.join("\n"));
        println!("{} MIG commands", mig.commands);
    }
    println!("{beats_checked} beats checked in {} cycles", dut.cycle());
}

fn run(
    dut: &mut dyn Dut,
    master: &mut Axi4Master,
    mut mig: Option<&mut MigModel>,
    checker: &mut Axi4Checker,
) {
    let start = dut.cycle();
    while !master.idle() || mig.as_ref().is_some_and(|m| !m.idle()) {
        master.drive(dut);
        if let Some(m) = mig.as_mut() {
            m.drive(dut);
        }
        checker.check(dut);
        master.sample(dut);
        if let Some(m) = mig.as_mut() {
            m.sample(dut);
        }
        dut.step();
        assert!(dut.cycle() - start < 200_000, "memory stuck");
    }
}

fn mig_bridge_matches_the_reference(backend: Backend) {
    exercise::<MigBridge>(backend, "mig_bridge", true, 1 << 20);
}

fn bram_memory_matches_the_reference(backend: Backend) {
    // Its 64 KiB, where addresses would otherwise wrap.
    exercise::<BramMemory>(backend, "bram_memory", false, 1 << 16);
}

on_each_backend!(
    mig_bridge_matches_the_reference,
    bram_memory_matches_the_reference
);

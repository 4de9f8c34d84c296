//! The AXI4 models against each other: a master and the memory on plain wires, with the
//! protocol checker watching, a byte-exact reference, fault injection, and checks that
//! the checker catches what it claims to.

use std::collections::HashMap;

use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_link::{lanes, Request};
use cdm_sim::bus::axi4_master::{Axi4Master, Burst, MasterTiming};
use cdm_sim::bus::axi4_memory::{Axi4Memory, Direction, Fault, MemoryTiming, Trigger};
use cdm_sim::design::wires::Wires;
use cdm_sim::{Dut, Rng};

const BYTES: usize = 16;

struct Link {
    wires: Wires,
    master: Axi4Master,
    memory: Axi4Memory,
    checker: Axi4Checker,
}

impl Link {
    fn new(timing: MemoryTiming, master: MasterTiming, rng: &mut Rng) -> Link {
        let wires = Wires::axi4("m$", 4, 64, 128);
        let master = Axi4Master::new(&wires, "m$", master, Rng::new(rng.next_u64())).unwrap();
        let memory = Axi4Memory::new(&wires, "m$", timing, Rng::new(rng.next_u64())).unwrap();
        let checker = Axi4Checker::new(&wires, "m$", "test link").unwrap();
        Link {
            wires,
            master,
            memory,
            checker,
        }
    }

    fn cycle(&mut self) {
        self.master.drive(&mut self.wires);
        self.memory.drive(&mut self.wires);
        self.checker.check(&mut self.wires);
        self.master.sample(&mut self.wires);
        self.memory.sample(&mut self.wires);
        self.wires.step();
    }

    fn run_until_idle(&mut self) -> Vec<cdm_sim::bus::axi4_master::BurstDone> {
        let mut done = Vec::new();
        for _ in 0..1_000_000 {
            self.cycle();
            while let Some(d) = self.master.pop() {
                done.push(d);
            }
            if self.master.idle() && self.memory.idle() {
                self.checker.assert_quiet();
                return done;
            }
        }
        panic!("the link did not drain");
    }
}

fn random_request(rng: &mut Rng, id: u64) -> Request {
    loop {
        let addr = rng.below(0x8000);
        let len = rng.below(20);
        let r = Request {
            id,
            addr,
            len,
            size: 4,
            burst: 1,
        };
        if !r.crosses_4k() {
            return r;
        }
    }
}

#[test]
fn random_bursts_read_back_what_was_written() {
    let mut rng = Rng::from_env("axi4_models");
    let timing = MasterTiming {
        max_valid_delay: 2,
        ready_stall_percent: 30,
        max_outstanding: 4,
    };
    let mut link = Link::new(MemoryTiming::random(7), timing, &mut rng);
    let mut reference: HashMap<u64, u8> = HashMap::new();
    for i in 0..200 {
        let req = random_request(&mut rng, i % 16);
        let data: Vec<u8> = (0..req.beats() as usize * BYTES)
            .map(|_| rng.next_u32() as u8)
            .collect();
        let strb: Vec<u128> = (0..req.beats())
            .map(|b| lanes(&req, b, BYTES) & rng.next_u64() as u128)
            .collect();
        for b in 0..req.beats() {
            let base = req.beat_addr(b) & !(BYTES as u64 - 1);
            for lane in 0..BYTES {
                if strb[b as usize] >> lane & 1 != 0 {
                    reference.insert(base + lane as u64, data[b as usize * BYTES + lane]);
                }
            }
        }
        link.master.push(Burst::Write { req, data, strb });
    }
    let writes = link.run_until_idle();
    assert_eq!(writes.len(), 200);
    assert!(writes.iter().all(|d| d.resp == 0));
    for i in 0..200 {
        link.master
            .push(Burst::Read(random_request(&mut rng, i % 16)));
    }
    let reads = link.run_until_idle();
    assert_eq!(reads.len(), 200);
    for d in reads {
        let Burst::Read(req) = d.burst else {
            unreachable!()
        };
        for b in 0..req.beats() {
            let base = req.beat_addr(b) & !(BYTES as u64 - 1);
            let lanes = lanes(&req, b, BYTES);
            for lane in 0..BYTES {
                let got = d.data[b as usize * BYTES + lane];
                let want = if lanes >> lane & 1 != 0 {
                    *reference.get(&(base + lane as u64)).unwrap_or(&0)
                } else {
                    0
                };
                assert_eq!(got, want, "{req:?} beat {b} lane {lane}");
            }
        }
    }
    assert!(link.checker.bursts_checked >= 400);
}

#[test]
fn pipelined_reads_hide_the_latency() {
    let mut rng = Rng::new(3);
    let timing = MasterTiming {
        max_valid_delay: 0,
        ready_stall_percent: 0,
        max_outstanding: 16,
    };
    let mut link = Link::new(MemoryTiming::ideal(100), timing, &mut rng);
    for i in 0..16 {
        link.master.push(Burst::Read(Request {
            id: 0,
            addr: i * 256,
            len: 15,
            size: 4,
            burst: 1,
        }));
    }
    let start = link.wires.cycle();
    let done = link.run_until_idle();
    let cycles = link.wires.cycle() - start;
    assert_eq!(done.len(), 16);
    // 256 beats after 100 cycles of latency, one beat per cycle.
    assert!((356..=362).contains(&cycles), "took {cycles} cycles");
}

#[test]
fn faults_answer_errors_and_write_nothing() {
    let mut rng = Rng::new(5);
    let timing = MasterTiming {
        max_valid_delay: 1,
        ready_stall_percent: 10,
        max_outstanding: 4,
    };
    let mut link = Link::new(MemoryTiming::random(3), timing, &mut rng);
    link.memory.faults.push(Fault {
        direction: Direction::Both,
        trigger: Trigger::Range {
            first: 0x1000,
            last: 0x1fff,
        },
        resp: 2,
    });
    link.memory.faults.push(Fault {
        direction: Direction::Read,
        trigger: Trigger::Nth(1),
        resp: 3,
    });
    let full = |req: Request| Burst::Write {
        data: vec![0xab; req.beats() as usize * BYTES],
        strb: vec![0xffff; req.beats() as usize],
        req,
    };
    link.master.push(full(Request {
        id: 1,
        addr: 0x0f00,
        len: 15,
        size: 4,
        burst: 1,
    }));
    link.master.push(full(Request {
        id: 2,
        addr: 0x1f00,
        len: 15,
        size: 4,
        burst: 1,
    }));
    let done = link.run_until_idle();
    let resp: Vec<u64> = done.iter().map(|d| d.resp).collect();
    assert_eq!(resp, [0, 2]);
    assert_eq!(
        link.memory.mem.read_vec(0x1f00, 4),
        [0; 4],
        "a failed write must not reach memory"
    );
    assert_eq!(link.memory.mem.read_vec(0x0f00, 4), [0xab; 4]);
    for addr in [0x0f00, 0x0e00, 0x1800] {
        link.master.push(Burst::Read(Request {
            id: 0,
            addr,
            len: 0,
            size: 4,
            burst: 1,
        }));
    }
    let resp: Vec<u64> = link.run_until_idle().iter().map(|d| d.resp).collect();
    assert_eq!(resp, [0, 3, 2], "second read hits Nth(1), third the range");
    let stats = link.memory.stats;
    assert_eq!((stats.read_bursts, stats.read_errors), (3, 2));
    assert_eq!(
        (stats.write_bursts, stats.write_errors, stats.write_beats),
        (2, 1, 32)
    );
}

#[test]
fn random_faults_hit_about_their_share() {
    let mut rng = Rng::new(11);
    let timing = MasterTiming {
        max_valid_delay: 0,
        ready_stall_percent: 0,
        max_outstanding: 8,
    };
    let mut link = Link::new(MemoryTiming::ideal(2), timing, &mut rng);
    link.memory.faults.push(Fault {
        direction: Direction::Read,
        trigger: Trigger::Random(25),
        resp: 2,
    });
    for i in 0..400 {
        link.master.push(Burst::Read(Request {
            id: 0,
            addr: i * 16,
            len: 0,
            size: 4,
            burst: 1,
        }));
    }
    let failed = link.run_until_idle().iter().filter(|d| d.resp == 2).count() as u64;
    assert_eq!(failed, link.memory.stats.read_errors);
    assert!(
        (60..=140).contains(&failed),
        "{failed} of 400 failed at 25%"
    );
}

/// Runs hand-written stimulus through the checker alone.
fn checker_sees(steps: &[&[(&str, u64)]]) {
    let mut wires = Wires::axi4("m$", 4, 64, 128);
    let mut checker = Axi4Checker::new(&wires, "m$", "link").unwrap();
    for step in steps {
        for &(name, v) in step.iter() {
            let id = wires.port(&format!("m${name}")).unwrap();
            wires.set(id, v);
        }
        checker.check(&mut wires);
        wires.step();
    }
}

#[test]
#[should_panic(expected = "ARVALID dropped before ARREADY")]
fn checker_catches_a_dropped_valid() {
    checker_sees(&[
        &[("arvalid", 1), ("arlen", 0), ("arsize", 4), ("arburst", 1)],
        &[("arvalid", 0)],
    ]);
}

#[test]
#[should_panic(expected = "AW payload changed while stalled")]
fn checker_catches_a_changing_payload() {
    checker_sees(&[
        &[
            ("awvalid", 1),
            ("awaddr", 0x100),
            ("awsize", 4),
            ("awburst", 1),
        ],
        &[("awaddr", 0x200)],
    ]);
}

#[test]
#[should_panic(expected = "crosses a 4 KiB boundary")]
fn checker_catches_a_4k_crossing() {
    checker_sees(&[&[
        ("arvalid", 1),
        ("arready", 1),
        ("araddr", 0xff0),
        ("arlen", 1),
        ("arsize", 4),
        ("arburst", 1),
    ]]);
}

#[test]
#[should_panic(expected = "WLAST=0 on beat 2 of a 2-beat burst")]
fn checker_catches_a_missing_wlast() {
    checker_sees(&[
        &[
            ("awvalid", 1),
            ("awready", 1),
            ("awlen", 1),
            ("awsize", 4),
            ("awburst", 1),
        ],
        &[("awvalid", 0), ("wvalid", 1), ("wready", 1)],
        &[],
    ]);
}

#[test]
#[should_panic(expected = "B for ID 0 without a completed write burst")]
fn checker_catches_a_response_without_request() {
    checker_sees(&[&[("bvalid", 1), ("bready", 1)]]);
}

#[test]
#[should_panic(expected = "RLAST=0 with 0 beats of the burst left")]
fn checker_catches_a_missing_rlast() {
    checker_sees(&[
        &[
            ("arvalid", 1),
            ("arready", 1),
            ("arlen", 0),
            ("arsize", 4),
            ("arburst", 1),
        ],
        &[("arvalid", 0), ("rvalid", 1), ("rready", 1)],
    ]);
}

#[test]
#[should_panic(expected = "size 2^5 is wider than the 16-byte bus")]
fn checker_catches_an_oversized_beat() {
    checker_sees(&[&[
        ("arvalid", 1),
        ("arready", 1),
        ("arsize", 5),
        ("arburst", 1),
    ]]);
}

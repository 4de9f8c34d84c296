//! The address split alone: one AXI4 master in front, a host memory and a device memory
//! behind, each a random-timing model with its own contents. In every round a new device
//! window (empty, one page, a few, at the top of the address space), then write bursts
//! and then read bursts at the pages that matter (either side of each edge of the window
//! and inside it). The reference: a burst belongs to the device port exactly when its
//! page is in `base_page .. base_page + size_pages`. Writes must land in that side's
//! memory only, reads must return that side's data in request order, each port must see
//! exactly its own bursts, and an error one memory answers for a page must reach the
//! master for the bursts of that page and no other. AXI4 protocol checkers watch all
//! three ports.
//!
//! The split is also the register slice on the DMA engine's port: no output may follow
//! an input within a cycle, and with memories that never stall, bursts alternating
//! between the ports must still move a beat per cycle.

use cdm_hdl::bus::axi4_split::Axi4Split;
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_link::Request;
use cdm_sim::bus::axi4_master::{Axi4Master, Burst, MasterTiming};
use cdm_sim::bus::axi4_memory::{
    Axi4Memory, Direction, Fault, MemoryTiming, SparseMemory, Trigger,
};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, PortDir, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

const BEAT: u64 = 16;
const PAGE: u64 = 4096;
/// Page numbers are address bits 63:12.
const PAGES: u64 = 1 << 52;

/// A device window and the pages a round exercises around it.
#[derive(Clone, Copy, Debug)]
struct Window {
    base: u64,
    size: u64,
}

impl Window {
    fn holds(&self, page: u64) -> bool {
        page >= self.base && page - self.base < self.size
    }

    fn random(rng: &mut Rng) -> Window {
        match rng.below(6) {
            0 => Window {
                base: rng.below(PAGES),
                size: 0,
            },
            1 => Window {
                base: 1 + rng.below(1 << 20),
                size: 1,
            },
            // Up to the last page of the address space: the end is 2^52, one past any page.
            2 => {
                let size = 1 + rng.below(16);
                Window {
                    base: PAGES - size,
                    size,
                }
            }
            _ => Window {
                base: 1 + rng.below(1 << 40),
                size: 1 + rng.below(64),
            },
        }
    }

    /// Both sides of both edges, and a page inside.
    fn pages(&self, rng: &mut Rng) -> Vec<u64> {
        let end = self.base + self.size;
        let mut pages = vec![
            self.base.wrapping_sub(1),
            self.base,
            end.wrapping_sub(1),
            end,
        ];
        if self.size > 0 {
            pages.push(self.base + rng.below(self.size));
        }
        pages.push(rng.below(PAGES));
        pages.retain(|&p| p < PAGES);
        pages.sort_unstable();
        pages.dedup();
        pages
    }
}

/// A random full-width INCR burst inside `page`.
fn burst_in(rng: &mut Rng, page: u64, id: u64) -> Request {
    let beat = rng.below(PAGE / BEAT);
    Request {
        id,
        addr: page * PAGE + beat * BEAT,
        len: rng.below((PAGE / BEAT - beat).min(16)),
        size: 4,
        burst: 1,
    }
}

struct Bench {
    dut: Box<dyn Dut>,
    master: Axi4Master,
    host: Axi4Memory,
    dev: Axi4Memory,
    checkers: Vec<Axi4Checker>,
    base_page: PortId,
    size_pages: PortId,
}

impl Bench {
    /// A master that waits and stalls at random, memories of random timing.
    fn new(dut: Box<dyn Dut>, rng: &mut Rng) -> Bench {
        let timing = MasterTiming {
            max_valid_delay: 3,
            ready_stall_percent: 30,
            max_outstanding: 8,
        };
        Bench::with(dut, rng, timing, |rng| {
            MemoryTiming::random(1 + rng.below(12))
        })
    }

    fn with(
        mut dut: Box<dyn Dut>,
        rng: &mut Rng,
        timing: MasterTiming,
        memory: impl Fn(&mut Rng) -> MemoryTiming,
    ) -> Bench {
        cdm_testbenches::reset(&mut *dut);
        let master = Axi4Master::new(&*dut, "s$", timing, Rng::new(rng.next_u64())).unwrap();
        let host = Axi4Memory::new(&*dut, "host$", memory(rng), Rng::new(rng.next_u64())).unwrap();
        let dev = Axi4Memory::new(&*dut, "dev$", memory(rng), Rng::new(rng.next_u64())).unwrap();
        let checkers = ["s$", "host$", "dev$"]
            .iter()
            .map(|p| Axi4Checker::new(&*dut, p, &format!("split {p}")).unwrap())
            .collect();
        Bench {
            base_page: dut.port("base_page").unwrap(),
            size_pages: dut.port("size_pages").unwrap(),
            dut,
            master,
            host,
            dev,
            checkers,
        }
    }

    /// Sets the window while everything is idle; it takes effect a cycle later.
    fn set_window(&mut self, w: Window) {
        self.dut.set(self.base_page, w.base);
        self.dut.set(self.size_pages, w.size);
        self.run();
        self.dut.step();
    }

    /// Runs until the master and both memories are idle.
    fn run(&mut self) {
        let start = self.dut.cycle();
        loop {
            let dut = &mut *self.dut;
            self.master.drive(dut);
            self.host.drive(dut);
            self.dev.drive(dut);
            for c in &mut self.checkers {
                c.check(dut);
            }
            self.master.sample(dut);
            self.host.sample(dut);
            self.dev.sample(dut);
            dut.step();
            if self.master.idle() && self.host.idle() && self.dev.idle() {
                return;
            }
            assert!(dut.cycle() - start < 100_000, "the split hangs");
        }
    }
}

fn random_bytes(rng: &mut Rng, n: u64) -> Vec<u8> {
    (0..n).map(|_| rng.next_u32() as u8).collect()
}

fn routes_by_page_in_order(mut bench: Bench, rng: &mut Rng, rounds: u32) {
    let mut golden = [SparseMemory::default(), SparseMemory::default()];
    let (mut expected_reads, mut expected_writes) = ([0u64; 2], [0u64; 2]);
    let mut beats_checked = 0;
    for round in 0..rounds {
        let w = Window::random(rng);
        bench.set_window(w);
        let pages = w.pages(rng);
        // Each page starts out different on the two sides.
        for &p in &pages {
            for (side, g) in golden.iter_mut().enumerate() {
                let bytes = random_bytes(rng, PAGE);
                g.write(p * PAGE, &bytes);
                let memory = if side == 1 {
                    &mut bench.dev
                } else {
                    &mut bench.host
                };
                memory.mem.write(p * PAGE, &bytes);
            }
        }
        // An error for one page, answered by the side that owns it.
        let faulty = pages[rng.below(pages.len() as u64) as usize];
        let resp = 2 + rng.below(2);
        let owner = w.holds(faulty);
        let fault = Fault {
            direction: Direction::Both,
            trigger: Trigger::Range {
                first: faulty * PAGE,
                last: faulty * PAGE + (PAGE - 1),
            },
            resp,
        };
        bench.host.faults = if owner { vec![] } else { vec![fault] };
        bench.dev.faults = if owner { vec![fault] } else { vec![] };

        for _ in 0..8 {
            let page = pages[rng.below(pages.len() as u64) as usize];
            let id = rng.below(16);
            let req = burst_in(rng, page, id);
            let data = random_bytes(rng, req.beats() * BEAT);
            let side = usize::from(w.holds(page));
            expected_writes[side] += 1;
            if page != faulty {
                golden[side].write(req.addr, &data);
            }
            let strb = vec![0xffff; req.beats() as usize];
            bench.master.push(Burst::Write { req, data, strb });
        }
        bench.run();
        for _ in 0..8 {
            let page = pages[rng.below(pages.len() as u64) as usize];
            let id = rng.below(16);
            let req = burst_in(rng, page, id);
            expected_reads[usize::from(w.holds(page))] += 1;
            bench.master.push(Burst::Read(req));
        }
        bench.run();
        while let Some(done) = bench.master.pop() {
            let (req, is_read) = match &done.burst {
                Burst::Read(r) => (*r, true),
                Burst::Write { req, .. } => (*req, false),
            };
            let page = req.addr / PAGE;
            let want_resp = if page == faulty { resp } else { 0 };
            assert_eq!(
                done.resp, want_resp,
                "round {round}, window {w:?}: response of {req:?}"
            );
            if is_read && want_resp == 0 {
                let side = usize::from(w.holds(page));
                let want = golden[side].read_vec(req.addr, (req.beats() * BEAT) as usize);
                assert_eq!(
                    done.data, want,
                    "round {round}, window {w:?}: read {req:?} from the wrong side or out of order"
                );
                beats_checked += req.beats();
            }
        }
        for &p in &pages {
            for (name, side, memory) in [("host", 0, &bench.host), ("device", 1, &bench.dev)] {
                assert!(
                    memory.mem.read_vec(p * PAGE, PAGE as usize)
                        == golden[side].read_vec(p * PAGE, PAGE as usize),
                    "round {round}, window {w:?}: {name} memory differs in page {p:#x}"
                );
            }
        }
    }
    let stats = [bench.host.stats, bench.dev.stats];
    for (side, s) in stats.iter().enumerate() {
        assert_eq!(
            (s.read_bursts, s.write_bursts),
            (expected_reads[side], expected_writes[side]),
            "bursts seen by the {} port",
            ["host", "device"][side]
        );
    }
    println!(
        "{beats_checked} read beats checked; host {:?}, device {:?}",
        stats[0], stats[1]
    );
}

fn every_burst_goes_to_its_side_in_order(backend: Backend) {
    let mut rng = Rng::from_env("axi4_split");
    let rounds = match backend {
        Backend::Native => 12,
        Backend::Verilator => 2_000,
    };
    let bench = Bench::new(open::<Axi4Split>(backend), &mut rng);
    routes_by_page_in_order(bench, &mut rng, rounds);
}

/// Random values on every input, twice in each cycle: the outputs must not move between
/// the two (each comes from a register), whatever the inputs do to the state.
fn outputs_come_from_registers(backend: Backend) {
    let mut dut = open::<Axi4Split>(backend);
    let mut rng = Rng::from_env("axi4_split_registered");
    cdm_testbenches::reset(&mut *dut);
    let reset = dut.port("reset").unwrap();
    let (inputs, outputs): (Vec<PortId>, Vec<PortId>) = {
        let ports = dut.ports();
        let of = |dir: PortDir| {
            (0..ports.len())
                .filter(|&p| ports[p].dir == dir && p != reset)
                .collect::<Vec<_>>()
        };
        (of(PortDir::Input), of(PortDir::Output))
    };
    let randomize = |dut: &mut dyn Dut, rng: &mut Rng| {
        for &p in &inputs {
            let width = dut.ports()[p].width;
            let words: Vec<u64> = (0..dut.ports()[p].words())
                .map(|w| rng.next_u64() & (u64::MAX >> (64 - (width - 64 * w).min(64))))
                .collect();
            dut.set_words(p, &words);
        }
    };
    let read = |dut: &mut dyn Dut| -> Vec<Vec<u64>> {
        outputs
            .iter()
            .map(|&p| {
                let mut w = vec![0; dut.ports()[p].words()];
                dut.get_words(p, &mut w);
                w
            })
            .collect()
    };
    for cycle in 0..2_000 {
        randomize(&mut *dut, &mut rng);
        let before = read(&mut *dut);
        randomize(&mut *dut, &mut rng);
        let after = read(&mut *dut);
        for ((a, b), &p) in before.iter().zip(&after).zip(&outputs) {
            assert_eq!(
                a,
                b,
                "{} followed the inputs in cycle {cycle}",
                dut.ports()[p].name
            );
        }
        dut.step();
    }
}

/// Memories that never stall and a master that never waits: 64 bursts of 16 beats,
/// alternating between the host and the device port, read and then written. Each
/// direction moves a beat per cycle after the memory's latency and the split's two
/// registers.
fn alternating_ports_move_a_beat_per_cycle(backend: Backend) {
    const LATENCY: u64 = 20;
    const BURSTS: u64 = 64;
    const BEATS: u64 = 16;
    let mut rng = Rng::from_env("axi4_split_rate");
    let timing = MasterTiming {
        max_valid_delay: 0,
        ready_stall_percent: 0,
        max_outstanding: 16,
    };
    let mut bench = Bench::with(open::<Axi4Split>(backend), &mut rng, timing, |_| {
        MemoryTiming::ideal(LATENCY)
    });
    let window = Window { base: 16, size: 16 };
    bench.set_window(window);
    let page = |i: u64| {
        if i.is_multiple_of(2) {
            8 + i % 8
        } else {
            16 + i % 16
        }
    };
    let burst = |i: u64| Request {
        id: i % 16,
        addr: page(i) * PAGE,
        len: BEATS - 1,
        size: 4,
        burst: 1,
    };
    for i in 0..BURSTS {
        bench.master.push(Burst::Read(burst(i)));
    }
    let start = bench.dut.cycle();
    bench.run();
    let reads = bench.dut.cycle() - start;
    for i in 0..BURSTS {
        let data = vec![i as u8; (BEATS * BEAT) as usize];
        let strb = vec![0xffff; BEATS as usize];
        bench.master.push(Burst::Write {
            req: burst(i),
            data,
            strb,
        });
    }
    let start = bench.dut.cycle();
    bench.run();
    let writes = bench.dut.cycle() - start;
    let beats = BURSTS * BEATS;
    println!("{beats} beats: reads in {reads} cycles, writes in {writes}");
    for (what, cycles) in [("reads", reads), ("writes", writes)] {
        assert!(
            cycles <= beats + LATENCY + 8,
            "{what}: {beats} beats took {cycles} cycles (memory latency {LATENCY})"
        );
    }
    let stats = [bench.host.stats, bench.dev.stats];
    assert_eq!(
        stats.map(|s| (s.read_bursts, s.write_bursts)),
        [(BURSTS / 2, BURSTS / 2); 2],
        "bursts per port"
    );
}

on_each_backend!(
    every_burst_goes_to_its_side_in_order,
    outputs_come_from_registers,
    alternating_ports_move_a_beat_per_cycle
);

#[test]
fn split_verilog_is_cycle_equivalent() {
    let mut rng = Rng::from_env("axi4_split_equivalence");
    let bench = Bench::new(Box::new(Checked::<Axi4Split>::new()), &mut rng);
    routes_by_page_in_order(bench, &mut rng, 3);
}

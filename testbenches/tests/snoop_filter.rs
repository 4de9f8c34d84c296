//! The snoop filter against a reference model under random lookups and writes that
//! follow the home agent's discipline (look a line up, then fill, update or drop its
//! way), on few sets so that sets fill and victims rotate, with page queries between
//! them. Checks every result field, every page answer against the model's entries, that
//! a reset empties the filter, and each lookup's latency: two cycles when the line's set
//! was on `op_line` in the cycle before the take (half the lookups present it so), three
//! otherwise.

use std::cell::Cell;
use std::collections::HashMap;

use cdm_hdl::coherent::snoop_filter::{SnoopFilter, PAGE_HASH_BITS, SETS_LOG2, WAYS};
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    line: u64,
    any: bool,
}

/// What a lookup reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Found {
    hit: bool,
    way: u64,
    any: bool,
    /// Miss in a full set: the victim's line.
    evict: Option<u64>,
}

#[derive(Default)]
struct Model {
    sets: HashMap<u64, [Option<Entry>; WAYS]>,
    rr: u64,
    /// The latest lookup chose a victim.
    evicting: bool,
}

impl Model {
    fn set(line: u64) -> u64 {
        line & ((1 << SETS_LOG2) - 1)
    }

    fn lookup(&mut self, line: u64) -> Found {
        self.evicting = false;
        let ways = self.sets.entry(Model::set(line)).or_default();
        if let Some(w) = ways.iter().position(|e| e.is_some_and(|e| e.line == line)) {
            let any = ways[w].is_some_and(|e| e.any);
            return Found {
                hit: true,
                way: w as u64,
                any,
                evict: None,
            };
        }
        if let Some(w) = ways.iter().position(|e| e.is_none()) {
            return Found {
                hit: false,
                way: w as u64,
                any: false,
                evict: None,
            };
        }
        self.evicting = true;
        let w = self.rr;
        Found {
            hit: false,
            way: w,
            any: false,
            evict: ways[w as usize].map(|e| e.line),
        }
    }

    /// The bucket of a line's 4 KiB page.
    fn page_hash(line: u64) -> u64 {
        (line >> 6) & ((1 << PAGE_HASH_BITS) - 1)
    }

    /// Whether an entry shares `line`'s page bucket.
    fn page_busy(&self, line: u64) -> bool {
        self.sets
            .values()
            .flatten()
            .flatten()
            .any(|e| Model::page_hash(e.line) == Model::page_hash(line))
    }

    /// Refilling the victim's way moves the round robin on.
    fn write(&mut self, line: u64, way: u64, entry: Option<Entry>) {
        if self.evicting && entry.is_some() {
            self.rr = (self.rr + 1) % WAYS as u64;
        }
        self.sets.entry(Model::set(line)).or_default()[way as usize] = entry;
    }
}

struct Ports {
    valid: PortId,
    ready: PortId,
    write: PortId,
    line: PortId,
    way: PortId,
    present: PortId,
    any: PortId,
    page: PortId,
    page_done: PortId,
    page_busy: PortId,
    r_valid: PortId,
    r_hit: PortId,
    r_way: PortId,
    r_any: PortId,
    r_evict: PortId,
    r_victim_line: PortId,
    swept: PortId,
    /// The line driven on `op_line`, and whether a write takes in this cycle.
    driven: Cell<u64>,
    writing: Cell<bool>,
    /// The set the filter read in the last cycle, unless the RAM was written then.
    addressed: Cell<Option<u64>>,
}

impl Ports {
    fn new(dut: &dyn Dut) -> Ports {
        let p = |n: &str| dut.port(n).expect("snoop filter port");
        Ports {
            valid: p("op_valid"),
            ready: p("op_ready"),
            write: p("op_write"),
            line: p("op_line"),
            way: p("op_way"),
            present: p("op_present"),
            any: p("op_any"),
            page: p("op_page"),
            page_done: p("page_done"),
            page_busy: p("page_busy"),
            r_valid: p("result_valid"),
            r_hit: p("result_hit"),
            r_way: p("result_way"),
            r_any: p("result_any"),
            r_evict: p("result_evict"),
            r_victim_line: p("result_victim_line"),
            swept: p("swept"),
            driven: Cell::new(0),
            writing: Cell::new(false),
            addressed: Cell::new(None),
        }
    }

    /// One clock edge, noting which set the filter read in the cycle.
    fn tick(&self, dut: &mut dyn Dut) {
        let clean = dut.get(self.swept) == 1 && !self.writing.get();
        self.addressed
            .set(clean.then(|| Model::set(self.driven.get())));
        dut.step();
    }

    /// Drives `line` for a cycle with no operation, so a lookup of it can compare at once.
    fn present(&self, dut: &mut dyn Dut, line: u64) {
        dut.set(self.line, line);
        self.driven.set(line);
        self.tick(dut);
    }

    /// Waits for `op_ready` (the reset sweep), then presents one operation for a cycle.
    /// Returns whether the filter read `line`'s set in the cycle before the take.
    fn op(
        &self,
        dut: &mut dyn Dut,
        write: bool,
        line: u64,
        way: u64,
        entry: Option<Entry>,
    ) -> bool {
        let mut waited = 0;
        while dut.get(self.ready) == 0 {
            self.tick(dut);
            waited += 1;
            assert!(waited <= (1 << SETS_LOG2) + 4, "snoop filter never ready");
        }
        dut.set(self.valid, 1);
        dut.set(self.write, write as u64);
        dut.set(self.line, line);
        dut.set(self.way, way);
        dut.set(self.present, entry.is_some() as u64);
        dut.set(self.any, entry.is_some_and(|e| e.any) as u64);
        let early = self.addressed.get() == Some(Model::set(line));
        self.driven.set(line);
        self.writing.set(write);
        self.tick(dut);
        self.writing.set(false);
        dut.set(self.valid, 0);
        early
    }

    /// Whether a line of `line`'s page may be held (answered two cycles after the take).
    fn page(&self, dut: &mut dyn Dut, line: u64) -> bool {
        dut.set(self.page, 1);
        self.op(dut, false, line, 0, None);
        dut.set(self.page, 0);
        assert_eq!(dut.get(self.page_done), 0, "page answer a cycle early");
        self.tick(dut);
        assert_eq!(
            dut.get(self.page_done),
            1,
            "no page answer after two cycles"
        );
        dut.get(self.page_busy) == 1
    }

    /// A lookup's result, and whether it came after two cycles (else three).
    fn lookup(&self, dut: &mut dyn Dut, line: u64) -> (Found, bool) {
        let early = self.op(dut, false, line, 0, None);
        let latency = if early { 2 } else { 3 };
        for cycle in 1..latency {
            assert_eq!(
                dut.get(self.r_valid),
                0,
                "result {cycle} cycle(s) after the take, due after {latency}"
            );
            self.tick(dut);
        }
        assert_eq!(
            dut.get(self.r_valid),
            1,
            "no result {latency} cycles after the lookup"
        );
        let found = Found {
            hit: dut.get(self.r_hit) == 1,
            way: dut.get(self.r_way),
            any: dut.get(self.r_hit) == 1 && dut.get(self.r_any) == 1,
            evict: (dut.get(self.r_evict) == 1).then(|| dut.get(self.r_victim_line)),
        };
        (found, early)
    }
}

fn random_against_the_model(backend: Backend) {
    let ops = if backend == Backend::Verilator {
        200_000
    } else {
        20_000
    };
    let mut rng = Rng::from_env("snoop_filter");
    let mut dut = open::<SnoopFilter>(backend);
    let ports = Ports::new(&*dut);
    let mut model = Model::default();
    // Lines in 3 sets with 8 tags each: sets fill, victims rotate, tags repeat.
    let pool: Vec<u64> = (0..24)
        .map(|i| (rng.below(1 << 20) << SETS_LOG2) | ((i % 3) * 0x155))
        .collect();
    let (mut hits, mut evictions) = (0, 0);
    let mut pages = [0u64; 2];
    let mut latencies = [0u64; 2];
    for n in 0..ops {
        let line = pool[rng.below(pool.len() as u64) as usize];
        if rng.chance(50) {
            ports.present(&mut *dut, line);
        }
        let want = model.lookup(line);
        let (got, early) = ports.lookup(&mut *dut, line);
        latencies[early as usize] += 1;
        assert_eq!(got, want, "operation {n}: lookup of line {line:#x}");
        hits += want.hit as u64;
        evictions += want.evict.is_some() as u64;
        // The home agent's follow-up: fill on a miss, update or drop on a hit.
        let entry = if !want.hit || rng.chance(60) {
            Some(Entry {
                line,
                any: rng.chance(50),
            })
        } else {
            None
        };
        if rng.chance(90) {
            model.write(line, want.way, entry);
            ports.op(&mut *dut, true, line, want.way, entry);
        }
        if rng.chance(50) {
            // A line of a pool line's page, of an aliasing page 64 KiB away, or anywhere.
            let near = pool[rng.below(pool.len() as u64) as usize] ^ rng.below(64);
            let query = match rng.below(3) {
                0 => near,
                1 => near ^ (1 << (6 + PAGE_HASH_BITS)),
                _ => rng.below(1 << 30),
            };
            let want = model.page_busy(query);
            assert_eq!(
                ports.page(&mut *dut, query),
                want,
                "operation {n}: page of line {query:#x}"
            );
            pages[want as usize] += 1;
        }
        if rng.chance(1) {
            cdm_testbenches::reset(&mut *dut);
            model = Model::default();
        }
    }
    assert!(
        hits > ops / 10 && evictions > ops / 20,
        "weak stimulus: {hits} hits, {evictions} evictions"
    );
    assert!(
        latencies[0] > ops / 5 && latencies[1] > ops / 5,
        "weak latency stimulus: {latencies:?} (three cycles, two)"
    );
    assert!(
        pages[0] > ops / 20 && pages[1] > ops / 20,
        "weak page stimulus: {pages:?} (free, busy)"
    );
}

on_each_backend!(random_against_the_model);

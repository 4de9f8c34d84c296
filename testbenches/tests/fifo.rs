//! The FIFO and the registered FIFO alone, against a cycle-exact model of each: random
//! pushes and pops at every occupancy (full and empty often: 8 entries), resets in the
//! middle; `full`, `empty` and the head are checked in every cycle.

use std::collections::VecDeque;

use cdm_hdl::queue::fifo::Fifo16;
use cdm_hdl::queue::registered_fifo::RegisteredFifo16;
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Entries of the FIFO under test.
const DEPTH: u64 = 8;

/// What the testbench needs of a model: the outputs before an edge, and the edge.
trait Model: Default {
    fn full(&self) -> bool;
    fn empty(&self) -> bool;
    /// The oldest entry, while not empty.
    fn head(&self) -> Option<u64>;
    fn step(&mut self, push: Option<u64>, pop: bool);
}

/// The FIFO's pointers as the hardware keeps them: a push is seen by the read side one
/// cycle after the write pointer moves, so an entry pushed in cycle `c` can be popped
/// from `c + 2`.
#[derive(Default)]
struct FifoModel {
    entries: VecDeque<u64>,
    written: u64,
    seen: u64,
    read: u64,
}

impl Model for FifoModel {
    fn full(&self) -> bool {
        self.written - self.read == DEPTH
    }

    fn empty(&self) -> bool {
        self.seen == self.read
    }

    fn head(&self) -> Option<u64> {
        (!self.empty()).then(|| self.entries[0])
    }

    fn step(&mut self, push: Option<u64>, pop: bool) {
        let pushed = push.filter(|_| !self.full());
        let popped = pop && !self.empty();
        self.seen = self.written;
        if popped {
            self.entries.pop_front();
            self.read += 1;
        }
        if let Some(v) = pushed {
            self.entries.push_back(v);
            self.written += 1;
        }
    }
}

/// The registered FIFO: the FIFO above with its oldest entry moved into a register,
/// refilled when the register is empty or leaving.
#[derive(Default)]
struct RegisteredModel {
    ram: FifoModel,
    head: Option<u64>,
}

impl Model for RegisteredModel {
    fn full(&self) -> bool {
        self.ram.full()
    }

    fn empty(&self) -> bool {
        self.head.is_none()
    }

    fn head(&self) -> Option<u64> {
        self.head
    }

    fn step(&mut self, push: Option<u64>, pop: bool) {
        let popped = pop && self.head.is_some();
        let refill = !self.ram.empty() && (self.head.is_none() || popped);
        let next = self.ram.head();
        self.ram.step(push, refill);
        if refill {
            self.head = next;
        } else if popped {
            self.head = None;
        }
    }
}

fn run<M: Model>(mut dut: Box<dyn Dut>, cycles: u64, name: &str) {
    let mut rng = Rng::from_env("fifo");
    let port = |dut: &dyn Dut, n: &str| dut.port(n).unwrap();
    let [reset, push, data_in, full, pop, data_out, empty] = [
        "reset", "push", "data_in", "full", "pop", "data_out", "empty",
    ]
    .map(|n| port(&*dut, n));
    let mut model = M::default();
    let (mut pushes, mut pops) = (0u64, 0u64);
    for cycle in 0..cycles {
        assert_eq!(
            dut.get(full) == 1,
            model.full(),
            "{name}: full in cycle {cycle}"
        );
        assert_eq!(
            dut.get(empty) == 1,
            model.empty(),
            "{name}: empty in cycle {cycle}"
        );
        if let Some(head) = model.head() {
            assert_eq!(dut.get(data_out), head, "{name}: head in cycle {cycle}");
        }
        // Phases that fill, drain, or hover, so both ends are reached often.
        let push_rate = [90, 50, 10][(cycle / 64 % 3) as usize];
        let value = rng.below(1 << 16);
        let pushing = rng.chance(push_rate);
        let popping = rng.chance(60);
        dut.set(push, pushing as u64);
        dut.set(data_in, value);
        dut.set(pop, popping as u64);
        let resetting = rng.chance(1);
        dut.set(reset, resetting as u64);
        pushes += (pushing && !model.full()) as u64;
        pops += (popping && !model.empty()) as u64;
        dut.step();
        if resetting {
            model = M::default();
        } else {
            model.step(pushing.then_some(value), popping);
        }
    }
    dut.set(reset, 0);
    assert!(
        pushes > cycles / 4 && pops > cycles / 4,
        "{name}: {pushes} pushes and {pops} pops in {cycles} cycles"
    );
}

fn cycles(backend: Backend) -> u64 {
    match backend {
        Backend::Native => 5_000,
        Backend::Verilator => 200_000,
    }
}

fn fifo_matches_the_model(backend: Backend) {
    run::<FifoModel>(open::<Fifo16>(backend), cycles(backend), "fifo");
}

fn registered_fifo_matches_the_model(backend: Backend) {
    run::<RegisteredModel>(
        open::<RegisteredFifo16>(backend),
        cycles(backend),
        "registered_fifo",
    );
}

on_each_backend!(fifo_matches_the_model, registered_fifo_matches_the_model);

#[test]
fn fifo_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<Fifo16>::new());
    cdm_testbenches::reset(&mut dut);
    run::<FifoModel>(dut, 2_000, "fifo, replayed in Icarus and Verilator");
    let mut dut: Box<dyn Dut> = Box::new(Checked::<RegisteredFifo16>::new());
    cdm_testbenches::reset(&mut dut);
    run::<RegisteredModel>(
        dut,
        2_000,
        "registered_fifo, replayed in Icarus and Verilator",
    );
}

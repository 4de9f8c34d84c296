//! The data mover's read half alone: random transfers (every source and destination
//! alignment, lengths from one byte to several pages) queued back to back, a memory
//! with random timing and error beats, and random back-pressure on the realigned output.
//! The reference: each transfer comes out as exactly `ceil((dst_low + len) / 16)`
//! destination-aligned beats, in order; every byte of the transfer sits in its lane and
//! equals the source; a beat is marked failed exactly when some read beat it depends on,
//! or an earlier one of its transfer, carried an error response.

use std::collections::VecDeque;

use cdm_hdl::dma::read::DmaReadTop;
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_memory::{from_words, Axi4Memory, Direction, Fault, MemoryTiming, Trigger};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

const BEAT: u64 = 16;
/// Each transfer reads from a region of its own.
const REGION: u64 = 1 << 16;

/// One transfer and what must come out of it.
struct Transfer {
    src: u64,
    len: u64,
    dst_low: u64,
    /// Per destination beat: the expected bytes (`None` outside the transfer) and
    /// whether it is marked failed.
    beats: VecDeque<([Option<u8>; 16], bool)>,
}

impl Transfer {
    /// The expected beats, given the source bytes and which source-aligned read beats
    /// carry an error.
    fn expect(&mut self, source: &[u8], read_err: &[bool]) {
        let src_low = self.src % BEAT;
        let beats = (self.dst_low + self.len).div_ceil(BEAT);
        for k in 0..beats {
            let mut bytes = [None; 16];
            for (b, byte) in bytes.iter_mut().enumerate() {
                let p = (k * BEAT + b as u64).checked_sub(self.dst_low);
                if let Some(p) = p.filter(|&p| p < self.len) {
                    *byte = Some(source[p as usize]);
                }
            }
            // The last source byte this beat needs, and the read beat that holds it.
            let last = (k * BEAT + BEAT - 1 - self.dst_low).min(self.len - 1);
            let needs = ((src_low + last) / BEAT) as usize;
            let failed = read_err[..=needs].iter().any(|&e| e);
            self.beats.push_back((bytes, failed));
        }
    }
}

struct Ports {
    cmd_valid: PortId,
    cmd_ready: PortId,
    cmd_src: PortId,
    cmd_len: PortId,
    cmd_dst_low: PortId,
    out_valid: PortId,
    out_ready: PortId,
    out_data: PortId,
    out_err: PortId,
}

fn run(mut dut: Box<dyn Dut>, transfers: usize, name: &str) {
    let mut rng = Rng::from_env(name);
    cdm_testbenches::reset(&mut *dut);
    let port = |n: &str| dut.port(n).unwrap();
    let p = Ports {
        cmd_valid: port("cmd_valid"),
        cmd_ready: port("cmd_ready"),
        cmd_src: port("cmd_src"),
        cmd_len: port("cmd_len"),
        cmd_dst_low: port("cmd_dst_low"),
        out_valid: port("out_valid"),
        out_ready: port("out_ready"),
        out_data: port("out_data"),
        out_err: port("out_err"),
    };
    let timing = MemoryTiming::random(1 + rng.below(30));
    let mut memory = Axi4Memory::new(&*dut, "m$", timing, Rng::new(rng.next_u64())).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "m$", name).unwrap();

    // The transfers, their sources in memory, and an error beat in some of them.
    let mut pending: VecDeque<Transfer> = VecDeque::new();
    for t in 0..transfers as u64 {
        let len = match rng.below(10) {
            0 => 1 + rng.below(16),
            1..=6 => 1 + rng.below(300),
            _ => 1 + rng.below(3 * 4096),
        };
        let src = (t + 1) * REGION + rng.below(4096 + BEAT);
        let source: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
        memory.mem.write(src, &source);
        let first = src & !(BEAT - 1);
        let reads = (src % BEAT + len).div_ceil(BEAT);
        let mut read_err = vec![false; reads as usize];
        if rng.chance(15) {
            // One error beat; at most one per 4 KiB page, so it is the only fault of its burst.
            let j = rng.below(reads);
            read_err[j as usize] = true;
            memory.faults.push(Fault {
                direction: Direction::Read,
                trigger: Trigger::Beat {
                    addr: first + j * BEAT,
                },
                resp: 2 + rng.below(2),
            });
        }
        let mut tr = Transfer {
            src,
            len,
            dst_low: rng.below(BEAT),
            beats: VecDeque::new(),
        };
        tr.expect(&source, &read_err);
        pending.push_back(tr);
    }

    let mut checking: VecDeque<Transfer> = VecDeque::new();
    let mut beats = 0u64;
    let stall = rng.below(60) as u32;
    let start = dut.cycle();
    while !pending.is_empty() || !checking.is_empty() {
        let offer = !pending.is_empty() && rng.chance(70);
        dut.set(p.cmd_valid, offer as u64);
        if let Some(t) = pending.front().filter(|_| offer) {
            dut.set(p.cmd_src, t.src);
            dut.set(p.cmd_len, t.len);
            dut.set(p.cmd_dst_low, t.dst_low);
        }
        dut.set(p.out_ready, rng.chance(100 - stall) as u64);
        memory.drive(&mut *dut);
        checker.check(&mut *dut);
        memory.sample(&mut *dut);
        if offer && dut.get(p.cmd_ready) == 1 {
            checking.extend(pending.pop_front());
        }
        if dut.get(p.out_valid) == 1 && dut.get(p.out_ready) == 1 {
            let t = checking
                .front_mut()
                .unwrap_or_else(|| panic!("a beat of no transfer, cycle {}", dut.cycle()));
            let (want, failed) = t.beats.pop_front().expect("a transfer with beats left");
            let mut words = [0u64; 2];
            dut.get_words(p.out_data, &mut words);
            let got = from_words(&words);
            let err = dut.get(p.out_err) == 1;
            let at = format!(
                "transfer src {:#x} len {} dst_low {}, beat {beats}",
                t.src, t.len, t.dst_low
            );
            assert_eq!(err, failed, "{at}: failed flag");
            if !failed {
                for (b, want) in want.iter().enumerate() {
                    if let Some(w) = want {
                        assert_eq!(got[b], *w, "{at}: lane {b}");
                    }
                }
            }
            beats += 1;
            if t.beats.is_empty() {
                checking.pop_front();
            }
        }
        dut.step();
        assert!(dut.cycle() - start < 2_000_000, "the read half hangs");
    }
    assert!(memory.idle(), "reads left over");
    println!(
        "{transfers} transfers, {beats} beats in {} cycles; memory {:?}",
        dut.cycle() - start,
        memory.stats
    );
}

fn every_byte_in_its_lane_with_its_errors(backend: Backend) {
    let transfers = match backend {
        Backend::Native => 40,
        Backend::Verilator => 3_000,
    };
    run(open::<DmaReadTop>(backend), transfers, "dma_read");
}

on_each_backend!(every_byte_in_its_lane_with_its_errors);

#[test]
fn read_half_verilog_is_cycle_equivalent() {
    run(
        Box::new(Checked::<DmaReadTop>::new()),
        12,
        "dma_read_equivalence",
    );
}

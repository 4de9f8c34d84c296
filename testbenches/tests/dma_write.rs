//! The data mover's write half alone: random COPY and FILL transfers (every destination
//! alignment, lengths from one byte to several pages) queued back to back, their
//! destination-aligned data offered with random gaps and some beats marked failed, a
//! memory with random timing that answers errors for some pages, and random
//! back-pressure on completions; `in_count` tells of the data buffered as a producer
//! delivers it at a random rate. Between them, status write-backs (8 bytes, in either half
//! of a beat) offered at random times, some to addresses the memory fails. The
//! reference: every byte of a transfer is written with its data (a FILL's pattern byte
//! `a % 8` at address `a`) unless its beat was marked failed or its page's bursts failed,
//! each status write's 8 bytes unless it failed, and no other byte is touched; one
//! completion per transfer, in order, flags read and write errors exactly when there were
//! any, and one per status write, in order, flags its error.

use std::collections::VecDeque;

use cdm_hdl::dma::write::DmaWriteTop;
use cdm_sim::bus::axi4_checker::Axi4Checker;
use cdm_sim::bus::axi4_memory::{
    to_words, Axi4Memory, Direction, Fault, MemoryTiming, SparseMemory, Trigger,
};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

const BEAT: u64 = 16;
const PAGE: u64 = 4096;
/// Each transfer writes to a region of its own.
const REGION: u64 = 1 << 16;
/// Bytes either side of each transfer that must stay as they were.
const GUARD: u64 = 64;
/// Status write-backs go to 32-byte slots from here, away from the transfers.
const STATUS_BASE: u64 = 1 << 40;
/// Beats the producer buffers at most: the mover's data FIFO.
const BUFFER: u64 = 33;

struct StatusWrite {
    addr: u64,
    pattern: u64,
    failed: bool,
}

struct Command {
    dst: u64,
    len: u64,
    fill: bool,
    pattern: u64,
    /// (read error, write error) the completion must report.
    done: (bool, bool),
}

struct Ports {
    cmd_valid: PortId,
    cmd_ready: PortId,
    cmd_dst: PortId,
    cmd_len: PortId,
    cmd_fill: PortId,
    cmd_pattern: PortId,
    in_valid: PortId,
    in_ready: PortId,
    in_data: PortId,
    in_err: PortId,
    in_count: PortId,
    status_valid: PortId,
    status_ready: PortId,
    status_addr: PortId,
    status_pattern: PortId,
    status_done_valid: PortId,
    status_done_ready: PortId,
    status_done_err: PortId,
    done_valid: PortId,
    done_ready: PortId,
    done_read_err: PortId,
    done_write_err: PortId,
}

fn run(mut dut: Box<dyn Dut>, transfers: usize, name: &str) {
    let mut rng = Rng::from_env(name);
    cdm_testbenches::reset(&mut *dut);
    let port = |n: &str| dut.port(n).unwrap();
    let p = Ports {
        cmd_valid: port("cmd_valid"),
        cmd_ready: port("cmd_ready"),
        cmd_dst: port("cmd_dst"),
        cmd_len: port("cmd_len"),
        cmd_fill: port("cmd_fill"),
        cmd_pattern: port("cmd_pattern"),
        in_valid: port("in_valid"),
        in_ready: port("in_ready"),
        in_data: port("in_data"),
        in_err: port("in_err"),
        in_count: port("in_count"),
        status_valid: port("status_valid"),
        status_ready: port("status_ready"),
        status_addr: port("status_addr"),
        status_pattern: port("status_pattern"),
        status_done_valid: port("status_done_valid"),
        status_done_ready: port("status_done_ready"),
        status_done_err: port("status_done_err"),
        done_valid: port("done_valid"),
        done_ready: port("done_ready"),
        done_read_err: port("done_read_err"),
        done_write_err: port("done_write_err"),
    };
    let timing = MemoryTiming::random(1 + rng.below(30));
    let mut memory = Axi4Memory::new(&*dut, "m$", timing, Rng::new(rng.next_u64())).unwrap();
    let mut checker = Axi4Checker::new(&*dut, "m$", name).unwrap();
    let mut golden = SparseMemory::default();

    let mut commands: VecDeque<Command> = VecDeque::new();
    // Destination-aligned data beats of the COPY transfers, in order: (data, failed).
    let mut data: VecDeque<([u8; 16], bool)> = VecDeque::new();
    let mut ranges = Vec::new();
    for t in 0..transfers as u64 {
        let len = match rng.below(10) {
            0 => 1 + rng.below(16),
            1..=6 => 1 + rng.below(300),
            _ => 1 + rng.below(3 * PAGE),
        };
        let dst = (t + 1) * REGION + GUARD + rng.below(PAGE + BEAT);
        let fill = rng.chance(30);
        let pattern = rng.next_u64();
        // What was there before, on both sides.
        let background: Vec<u8> = (0..len + 2 * GUARD).map(|_| rng.next_u32() as u8).collect();
        memory.mem.write(dst - GUARD, &background);
        golden.write(dst - GUARD, &background);
        ranges.push((dst - GUARD, len + 2 * GUARD));
        // A page of the transfer whose bursts the memory fails.
        let failed_page = rng
            .chance(10)
            .then(|| (dst + rng.below(len)) / PAGE)
            .inspect(|&page| {
                memory.faults.push(Fault {
                    direction: Direction::Write,
                    trigger: Trigger::Range {
                        first: page * PAGE,
                        last: page * PAGE + (PAGE - 1),
                    },
                    resp: 2 + rng.below(2),
                });
            });
        let bytes: Vec<u8> = if fill {
            (dst..dst + len)
                .map(|a| (pattern >> (8 * (a % 8))) as u8)
                .collect()
        } else {
            (0..len).map(|_| rng.next_u32() as u8).collect()
        };
        // COPY beats, one of them perhaps marked failed.
        let dst_low = dst % BEAT;
        let beats = (dst_low + len).div_ceil(BEAT);
        let bad_beat = (!fill && rng.chance(10)).then(|| rng.below(beats));
        if !fill {
            for k in 0..beats {
                let mut beat = [0u8; 16];
                for (b, byte) in beat.iter_mut().enumerate() {
                    *byte = rng.next_u32() as u8;
                    let at = (k * BEAT + b as u64).checked_sub(dst_low);
                    if let Some(i) = at.filter(|&i| i < len) {
                        *byte = bytes[i as usize];
                    }
                }
                data.push_back((beat, bad_beat == Some(k)));
            }
        }
        for (i, &byte) in bytes.iter().enumerate() {
            let a = dst + i as u64;
            let beat = (dst_low + i as u64) / BEAT;
            if bad_beat != Some(beat) && failed_page != Some(a / PAGE) {
                golden.write(a, &[byte]);
            }
        }
        commands.push_back(Command {
            dst,
            len,
            fill,
            pattern,
            done: (bad_beat.is_some(), failed_page.is_some()),
        });
    }

    // Status writes, about one per transfer, to every other 8 bytes of a slot.
    let statuses: Vec<StatusWrite> = (0..transfers as u64)
        .map(|k| {
            let addr = STATUS_BASE + 32 * k + 8 * (1 + 2 * rng.below(2));
            let pattern = rng.next_u64();
            let failed = rng.chance(10);
            let background: Vec<u8> = (0..32).map(|_| rng.next_u32() as u8).collect();
            memory.mem.write(STATUS_BASE + 32 * k, &background);
            golden.write(STATUS_BASE + 32 * k, &background);
            ranges.push((STATUS_BASE + 32 * k, 32));
            if failed {
                memory.faults.push(Fault {
                    direction: Direction::Write,
                    trigger: Trigger::Range {
                        first: addr,
                        last: addr + 7,
                    },
                    resp: 2 + rng.below(2),
                });
            } else {
                golden.write(addr, &pattern.to_le_bytes());
            }
            StatusWrite {
                addr,
                pattern,
                failed,
            }
        })
        .collect();
    let (mut status_issued, mut status_completed) = (0, 0);
    let mut status_offered = false;
    // Beats the producer has delivered and the write half not yet taken.
    let mut buffered = 0u64;
    let supply = 20 + rng.below(81) as u32;

    let mut issued = 0;
    let mut completed = 0;
    let (gaps, stall) = (rng.below(50) as u32, rng.below(60) as u32);
    let start = dut.cycle();
    let mut offered: Option<([u8; 16], bool)> = None;
    while completed < transfers || status_completed < statuses.len() {
        let offer = issued < commands.len() && rng.chance(70);
        dut.set(p.cmd_valid, offer as u64);
        if offer {
            let c = &commands[issued];
            dut.set(p.cmd_dst, c.dst);
            dut.set(p.cmd_len, c.len);
            dut.set(p.cmd_fill, c.fill as u64);
            dut.set(p.cmd_pattern, c.pattern);
        }
        let undelivered = data.len() as u64 + offered.is_some() as u64 - buffered;
        if buffered < BUFFER && undelivered > 0 && rng.chance(supply) {
            buffered += 1;
        }
        if offered.is_none() && buffered > 0 && rng.chance(100 - gaps) {
            offered = data.pop_front();
        }
        // The buffered beats, the offered one included (it may show a cycle or two late).
        dut.set(p.in_count, buffered);
        dut.set(p.in_valid, offered.is_some() as u64);
        if let Some((beat, failed)) = offered {
            dut.set_words(p.in_data, &to_words(&beat));
            dut.set(p.in_err, failed as u64);
        }
        dut.set(p.done_ready, rng.chance(100 - stall) as u64);
        // A status write, once offered, is held until taken.
        status_offered |= status_issued < statuses.len() && rng.chance(10);
        dut.set(p.status_valid, status_offered as u64);
        if let Some(st) = statuses.get(status_issued) {
            dut.set(p.status_addr, st.addr);
            dut.set(p.status_pattern, st.pattern);
        }
        dut.set(p.status_done_ready, rng.chance(100 - stall) as u64);
        memory.drive(&mut *dut);
        checker.check(&mut *dut);
        memory.sample(&mut *dut);
        if offer && dut.get(p.cmd_ready) == 1 {
            issued += 1;
        }
        if offered.is_some() && dut.get(p.in_ready) == 1 {
            offered = None;
            buffered -= 1;
        }
        if status_offered && dut.get(p.status_ready) == 1 {
            status_issued += 1;
            status_offered = false;
        }
        if dut.get(p.status_done_valid) == 1 && dut.get(p.status_done_ready) == 1 {
            assert!(
                status_completed < status_issued,
                "a status completion before its write"
            );
            let st = &statuses[status_completed];
            assert_eq!(
                dut.get(p.status_done_err) == 1,
                st.failed,
                "status write {status_completed} ({:#x}): error",
                st.addr
            );
            status_completed += 1;
        }
        if dut.get(p.done_valid) == 1 && dut.get(p.done_ready) == 1 {
            assert!(completed < issued, "a completion before its command");
            let c = &commands[completed];
            let got = (
                dut.get(p.done_read_err) == 1,
                dut.get(p.done_write_err) == 1,
            );
            assert_eq!(
                got, c.done,
                "transfer {completed} (dst {:#x}, len {}, fill {}): (read error, write error)",
                c.dst, c.len, c.fill
            );
            completed += 1;
        }
        dut.step();
        assert!(dut.cycle() - start < 2_000_000, "the write half hangs");
    }
    assert!(offered.is_none() && data.is_empty(), "data beats left over");
    for (t, &(lo, n)) in ranges.iter().enumerate() {
        if let Some(d) = memory.mem.first_difference(&golden, lo, lo + n) {
            if t >= commands.len() {
                let st = &statuses[t - commands.len()];
                panic!("status write to {:#x}: byte {d:#x} differs", st.addr);
            }
            let c = &commands[t];
            panic!(
                "transfer {t} (dst {:#x}, len {}, fill {}): byte {d:#x} is {:#04x}, not {:#04x}",
                c.dst,
                c.len,
                c.fill,
                memory.mem.read_vec(d, 1)[0],
                golden.read_vec(d, 1)[0]
            );
        }
    }
    println!(
        "{transfers} transfers in {} cycles; memory {:?}",
        dut.cycle() - start,
        memory.stats
    );
}

fn every_byte_written_once_with_its_errors(backend: Backend) {
    let transfers = match backend {
        Backend::Native => 40,
        Backend::Verilator => 3_000,
    };
    run(open::<DmaWriteTop>(backend), transfers, "dma_write");
}

on_each_backend!(every_byte_written_once_with_its_errors);

#[test]
fn write_half_verilog_is_cycle_equivalent() {
    run(
        Box::new(Checked::<DmaWriteTop>::new()),
        12,
        "dma_write_equivalence",
    );
}

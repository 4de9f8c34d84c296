//! The home agent, case by case: every host request and response kind, every snoop case
//! (DMA read against a modified line, DMA write against a shared or modified one, a
//! capacity victim) and a forced crossing of a snoop with a write-back, each checked for
//! the messages the host receives, the host's resulting state, the data returned and what
//! memory holds afterwards; and bad input from a faulty host (reserved ops, lines beyond
//! device memory, malformed headers, stray snoop answers), each with its documented answer.

use cdm_hdl::coherent::home_agent::HomeAgent;
use cdm_hdl::coherent::snoop_filter::{SETS_LOG2, WAYS};
use cdm_sim::bus::axi4_master::Burst;
use cdm_sim::coherent::home_bench::HomeBench;
use cdm_sim::coherent::host_cache::{merge, Access};
use cdm_sim::coherent::host_port::Arrived;
use cdm_sim::coherent::protocol::{LineData, PortState, ReqOp, Rsp, Snp, SnpOp, State, LINE};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Device memory in the DMA port's address space.
const BASE: u64 = 0x2_0000_0000;

/// What memory holds in line `line` before the test writes it.
fn initial(line: u64) -> LineData {
    let mut d = [0u8; LINE];
    for (i, b) in d.iter_mut().enumerate() {
        *b = (line as u8).wrapping_mul(31) ^ i as u8;
    }
    d
}

fn memory(b: &HomeBench, line: u64) -> Vec<u8> {
    b.memory.mem.read_vec(line * LINE as u64, LINE)
}

/// Messages that reached the host since the last call.
fn arrived(b: &mut HomeBench) -> Vec<Arrived> {
    b.host.arrived.drain(..).collect()
}

fn rsp(state: State, data: Option<LineData>) -> impl Fn(&Arrived) -> bool {
    move |m| matches!(m, Arrived::Rsp(Rsp { state: s, data: d, .. }) if *s == state && d.as_deref() == data.as_ref())
}

fn snp(op: SnpOp, line: u64) -> Arrived {
    Arrived::Snp(Snp { op, line })
}

/// Makes `line` modified in the host cache with `byte` in its first 8 bytes.
fn own(b: &mut HomeBench, line: u64, byte: u8) -> LineData {
    b.host_request(|c| {
        c.store(line, 0, &[byte; 8]);
    });
    assert_eq!(
        b.host.cache.store(line, 0, &[byte; 8]),
        Access::Done(Vec::new())
    );
    assert_eq!(b.host.cache.state(line), State::M);
    arrived(b);
    let mut d = initial(line);
    d[..8].copy_from_slice(&[byte; 8]);
    d
}

fn write_burst(b: &HomeBench, line: u64, data: &LineData, strb: [u16; 4]) -> Burst {
    Burst::Write {
        req: b.line_request(line),
        data: data.to_vec(),
        strb: strb.iter().map(|&s| s as u128).collect(),
    }
}

fn directed_cases(backend: Backend) {
    let mut b = HomeBench::new(open::<HomeAgent>(backend), BASE, 8, 6);
    let sets = 1u64 << SETS_LOG2;
    for line in 0..0x100 {
        b.memory.mem.write(line * LINE as u64, &initial(line));
    }
    for i in 0..WAYS as u64 + 1 {
        let line = 0x30 + i * sets;
        b.memory.mem.write(line * LINE as u64, &initial(line));
    }

    // RdShared: granted shared with memory's data.
    b.host_request(|c| {
        c.load(0x10, 0, 8);
    });
    let got = arrived(&mut b);
    assert!(
        got.len() == 1 && rsp(State::S, Some(initial(0x10)))(&got[0]),
        "{got:?}"
    );
    assert_eq!(b.host.cache.state(0x10), State::S);

    // RdOwn from shared (a filter hit): exclusive, no snoop; the store makes it M.
    b.host_request(|c| {
        c.store(0x10, 0, &[0xee; 8]);
    });
    let got = arrived(&mut b);
    assert!(
        got.len() == 1 && rsp(State::E, Some(initial(0x10)))(&got[0]),
        "{got:?}"
    );
    assert_eq!(
        b.host.cache.store(0x10, 0, &[0xee; 8]),
        Access::Done(Vec::new())
    );

    // RdCurrent: the data, nothing cached.
    b.host_request(|c| c.read_current(0x11));
    let got = arrived(&mut b);
    assert!(
        got.len() == 1 && rsp(State::I, Some(initial(0x11)))(&got[0]),
        "{got:?}"
    );
    assert_eq!(b.host.cache.state(0x11), State::I);

    // WrPartial: the masked bytes merge into memory.
    let data = [0x5a; LINE];
    let mask = 0x00ff_0000_0000_ff0f;
    b.host_request(|c| c.write_partial(0x12, &data, mask));
    let got = arrived(&mut b);
    assert!(got.len() == 1 && rsp(State::I, None)(&got[0]), "{got:?}");
    let mut want = initial(0x12);
    merge(&mut want, &data, mask);
    assert_eq!(memory(&b, 0x12), want);

    // MemWrBack: the modified line goes to memory.
    b.host_request(|c| c.evict(0x10));
    let got = arrived(&mut b);
    assert!(got.len() == 1 && rsp(State::I, None)(&got[0]), "{got:?}");
    let mut want = initial(0x10);
    want[..8].copy_from_slice(&[0xee; 8]);
    assert_eq!(memory(&b, 0x10), want);

    // CleanEvict: the filter drops the line, so a DMA write to it snoops nothing.
    b.host_request(|c| {
        c.load(0x13, 0, 8);
    });
    b.host_request(|c| c.evict(0x13));
    let got = arrived(&mut b);
    assert!(got.len() == 2 && rsp(State::I, None)(&got[1]), "{got:?}");
    let (done, _) = b.dma_burst(write_burst(&b, 0x13, &[0x13; LINE], [0xffff; 4]));
    assert_eq!(done.resp, 0);
    assert_eq!(
        arrived(&mut b),
        vec![],
        "a snoop of a line the host gave up"
    );
    assert_eq!(memory(&b, 0x13), vec![0x13; LINE]);

    // DMA read of a modified line: SnpData, the host keeps it shared, the DMA and memory
    // get its dirty data.
    let dirty = own(&mut b, 0x14, 0x14);
    let (done, _) = b.dma_burst(Burst::Read(b.line_request(0x14)));
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Data, 0x14)]);
    assert_eq!(done.data, dirty.to_vec());
    assert_eq!(b.host.cache.state(0x14), State::S);
    assert_eq!(memory(&b, 0x14), dirty.to_vec());

    // DMA read of a shared line: no snoop.
    b.host_request(|c| {
        c.load(0x15, 0, 8);
    });
    arrived(&mut b);
    let (done, _) = b.dma_burst(Burst::Read(b.line_request(0x15)));
    assert_eq!(arrived(&mut b), vec![], "a snoop for a clean shared line");
    assert_eq!(done.data, initial(0x15).to_vec());

    // DMA write to a shared line: SnpInv, the host loses it.
    b.host_request(|c| {
        c.load(0x16, 0, 8);
    });
    arrived(&mut b);
    b.dma_burst(write_burst(&b, 0x16, &[0x16; LINE], [0xffff; 4]));
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Inv, 0x16)]);
    assert_eq!(b.host.cache.state(0x16), State::I);
    assert_eq!(memory(&b, 0x16), vec![0x16; LINE]);

    // Partial DMA write to a modified line: SnpInv, and the DMA's bytes merge over the
    // host's dirty data.
    let dirty = own(&mut b, 0x17, 0x17);
    let strb = [0x00f0, 0xffff, 0x0000, 0x8001];
    b.dma_burst(write_burst(&b, 0x17, &[0x71; LINE], strb));
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Inv, 0x17)]);
    assert_eq!(b.host.cache.state(0x17), State::I);
    let mut want = dirty;
    for (beat, s) in strb.iter().enumerate() {
        for lane in 0..16 {
            if s >> lane & 1 == 1 {
                want[16 * beat + lane] = 0x71;
            }
        }
    }
    assert_eq!(memory(&b, 0x17), want.to_vec());

    // A full set: the next line back-invalidates a victim first (its dirty data goes to
    // memory), then is granted.
    let set: Vec<u64> = (0..WAYS as u64 + 1).map(|i| 0x30 + i * sets).collect();
    for &line in &set[..WAYS - 1] {
        b.host_request(|c| {
            c.load(line, 0, 8);
        });
    }
    let dirty = own(&mut b, set[WAYS - 1], 0x30);
    arrived(&mut b);
    b.host_request(|c| {
        c.load(set[WAYS], 0, 8);
    });
    let got = arrived(&mut b);
    let Some(Arrived::Snp(Snp {
        op: SnpOp::Inv,
        line: victim,
    })) = got.first().cloned()
    else {
        panic!("no back-invalidation before the grant: {got:?}")
    };
    assert!(
        set[..WAYS].contains(&victim),
        "victim {victim:#x} not in the set"
    );
    assert!(
        got.len() == 2 && rsp(State::S, Some(initial(set[WAYS])))(&got[1]),
        "{got:?}"
    );
    assert_eq!(b.host.cache.state(victim), State::I);
    if victim == set[WAYS - 1] {
        assert_eq!(memory(&b, victim), dirty.to_vec());
    }
    assert_eq!(b.output("evictions"), 1);

    // A forced crossing: the host writes a modified line back while the home agent
    // snoops it for a DMA write. The host answers from its write-back buffer, the
    // write-back arrives stale and is dropped, and the DMA's bytes land over the dirty
    // data.
    let dirty = own(&mut b, 0x18, 0x18);
    b.dma
        .push(write_burst(&b, 0x18, &[0x81; LINE], [0xff00, 0, 0, 0]));
    b.tick();
    b.host.cache.evict(0x18);
    b.run_until(
        |b| b.dma.idle() && b.host.cache.outstanding() == 0 && b.host.quiet(),
        10_000,
    );
    while b.dma.pop().is_some() {}
    let got = arrived(&mut b);
    assert_eq!(got[0], snp(SnpOp::Inv, 0x18), "{got:?}");
    assert!(got.len() == 2 && rsp(State::I, None)(&got[1]), "{got:?}");
    assert_eq!(b.host.cache.stats.snoops_crossed, 1);
    assert_eq!(b.output("conflicts"), 1);
    let mut want = dirty;
    want[8..16].copy_from_slice(&[0x81; 8]);
    assert_eq!(memory(&b, 0x18), want.to_vec());

    // A WRAP read starting in a line's upper half of a 128-byte block snoops the block's
    // first line too, which its beats wrap around to.
    own(&mut b, 0x1a, 0x1a);
    let mut req = b.line_request(0x1b);
    req.len = 7;
    req.burst = 2;
    b.dma_burst(Burst::Read(req));
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Data, 0x1a)]);
    assert_eq!(b.host.cache.state(0x1a), State::S);

    assert_eq!(b.output("error"), 0);
    b.checker.assert_quiet();
}

/// Sends a raw request and runs until the home agent has answered it; returns what
/// reached the host.
fn raw(b: &mut HomeBench, op: u64, line: u64, tag: u8, data: &[[u8; 16]]) -> Vec<Arrived> {
    b.host.send_raw(op, line, tag, data);
    let cycles = b.run_until(|b| b.host.quiet() && !b.host.arrived.is_empty(), 10_000);
    assert!(cycles < 10_000, "op {op} line {line:#x}: no answer");
    arrived(b)
}

/// Memory bursts so far (reads, writes).
fn bursts(b: &HomeBench) -> (u64, u64) {
    (b.memory.stats.read_bursts, b.memory.stats.write_bursts)
}

fn bad_input_cases(backend: Backend) {
    let mut b = HomeBench::new(open::<HomeAgent>(backend), BASE, 8, 6);
    for line in 0..0x40 {
        b.memory.mem.write(line * LINE as u64, &initial(line));
    }
    let beats = |byte: u8| [[byte; 16]; 4];
    let mut refused = 0;

    // A reserved op on a line the host holds: refused, and the filter keeps the line, so
    // a DMA write to it still invalidates the host's copy.
    b.host_request(|c| {
        c.load(0x20, 0, 8);
    });
    arrived(&mut b);
    let before = bursts(&b);
    assert_eq!(
        raw(&mut b, ReqOp::RESERVED, 0x20, 0xa0, &[]),
        vec![Arrived::Refused(0xa0)]
    );
    refused += 1;
    assert_eq!(bursts(&b), before, "a refused request reached memory");
    b.dma_burst(write_burst(&b, 0x20, &[0x20; LINE], [0xffff; 4]));
    assert_eq!(
        arrived(&mut b),
        vec![snp(SnpOp::Inv, 0x20)],
        "the reserved op dropped the filter's entry"
    );
    assert_eq!(b.host.cache.state(0x20), State::I);

    // A reserved op followed by data beats: refused, the beats dropped.
    assert_eq!(
        raw(&mut b, ReqOp::RESERVED + 1, 0x21, 0xa1, &beats(0x77)),
        vec![Arrived::Refused(0xa1)]
    );
    refused += 1;
    assert_eq!(memory(&b, 0x21), initial(0x21).to_vec());

    // Lines beyond device memory, whatever the op: refused, nothing read or written, and
    // nothing entered in the filter (line 2^30 + 0x22 shares the filter's tag bits with
    // line 0x22, so a DMA write to 0x22 would snoop it).
    let far = [1 << 23, (1 << 30) | 0x22, (1 << 57) | 0x22];
    for line in far {
        for op in ReqOp::ALL {
            let data = if op.writes() {
                &beats(0x66)[..]
            } else {
                &[][..]
            };
            let before = bursts(&b);
            assert_eq!(
                raw(&mut b, op.code(), line, 0xb0 + op.code() as u8, data),
                vec![Arrived::Refused(0xb0 + op.code() as u8)],
                "{op:?} line {line:#x}"
            );
            refused += 1;
            assert_eq!(bursts(&b), before, "{op:?} line {line:#x} reached memory");
        }
    }
    b.dma_burst(write_burst(&b, 0x22, &[0x22; LINE], [0xffff; 4]));
    assert_eq!(
        arrived(&mut b),
        vec![],
        "a line beyond memory entered the filter"
    );

    // A write-back of a line the filter does not hold: stale (the crossing rule),
    // answered I, its data dropped, counted as a conflict.
    let got = raw(&mut b, ReqOp::WrBack.code(), 0x23, 0xa3, &beats(0x55));
    assert!(got.len() == 1 && rsp(State::I, None)(&got[0]), "{got:?}");
    assert_eq!(memory(&b, 0x23), initial(0x23).to_vec());
    assert_eq!(b.output("conflicts"), 1);

    // Headers whose last bit contradicts their op (a write-back without data, a read
    // followed by data): refused, and the next request is served as usual.
    assert_eq!(
        raw(&mut b, ReqOp::WrBack.code(), 0x24, 0xa4, &[]),
        vec![Arrived::Refused(0xa4)]
    );
    assert_eq!(
        raw(&mut b, ReqOp::RdShared.code(), 0x24, 0xa5, &beats(0x44)),
        vec![Arrived::Refused(0xa5)]
    );
    refused += 2;
    b.host_request(|c| {
        c.load(0x24, 0, 8);
    });
    let got = arrived(&mut b);
    assert!(
        got.len() == 1 && rsp(State::S, Some(initial(0x24)))(&got[0]),
        "{got:?}"
    );
    assert_eq!(memory(&b, 0x24), initial(0x24).to_vec());

    // A dirty snoop answer with no snoop outstanding: taken and dropped with its data,
    // and the next snoop is answered by its own answer.
    b.host
        .answer_raw(0x25, PortState::I.code(), true, &beats(0x99));
    b.run_until(|b| b.host.quiet(), 1_000);
    assert!(b.host.quiet(), "a stray answer was never taken");
    assert_eq!(memory(&b, 0x25), initial(0x25).to_vec());
    let dirty = own(&mut b, 0x26, 0x26);
    let (done, _) = b.dma_burst(Burst::Read(b.line_request(0x26)));
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Data, 0x26)]);
    assert_eq!(
        done.data,
        dirty.to_vec(),
        "a stray answer taken for a snoop's"
    );

    // A stray answer for another line ahead of the real one while the snoop waits:
    // dropped, and the real answer's data lands.
    let dirty = own(&mut b, 0x27, 0x27);
    b.host.hold_answers = true;
    b.host
        .answer_raw(0x28, PortState::I.code(), true, &beats(0x88));
    b.dma.push(Burst::Read(b.line_request(0x27)));
    b.run_until(|b| !b.host.arrived.is_empty(), 10_000);
    b.run_until(|_| false, 20);
    b.host.hold_answers = false;
    let mut done = None;
    b.run_until(
        |b| {
            done = done.take().or_else(|| b.dma.pop());
            done.is_some()
        },
        10_000,
    );
    assert_eq!(arrived(&mut b), vec![snp(SnpOp::Data, 0x27)]);
    assert_eq!(done.expect("DMA read unanswered").data, dirty.to_vec());
    assert_eq!(memory(&b, 0x27), dirty.to_vec());
    assert_eq!(memory(&b, 0x28), initial(0x28).to_vec());

    assert_eq!(b.output("stray_answers"), 2);
    assert_eq!(b.output("refused"), refused);
    assert_eq!(b.output("error"), 1, "bad input is not reported");
    b.checker.assert_quiet();
}

on_each_backend!(directed_cases, bad_input_cases);

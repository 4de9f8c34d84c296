//! The home agent, case by case: every host request and response kind, every snoop case
//! (DMA read against a modified line, DMA write against a shared or modified one, a
//! capacity victim) and a forced crossing of a snoop with a write-back, each checked for
//! the messages the host receives, the host's resulting state, the data returned and what
//! memory holds afterwards.

use cdm_hdl::coherent::home_agent::HomeAgent;
use cdm_hdl::coherent::snoop_filter::{SETS_LOG2, WAYS};
use cdm_sim::axi4_master::Burst;
use cdm_sim::coherence::home_bench::HomeBench;
use cdm_sim::coherence::host_cache::{merge, Access};
use cdm_sim::coherence::host_port::Arrived;
use cdm_sim::coherence::protocol::{LineData, Rsp, Snp, SnpOp, State, LINE};
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

on_each_backend!(directed_cases);

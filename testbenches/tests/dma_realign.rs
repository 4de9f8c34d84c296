//! The realigner alone: random transfers of every source and destination alignment,
//! with random gaps on the input and back-pressure on the output; every destination byte
//! is checked against the source.

use cdm_hdl::dma::realign::{plan, Realigner};
use cdm_sim::bus::axi4_memory::{from_words, to_words};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

fn transfers(backend: Backend) {
    let count = match backend {
        Backend::Native => 150,
        Backend::Verilator => 2000,
    };
    run(open::<Realigner>(backend), count, backend.name());
}

#[test]
fn realigner_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<Realigner>::new());
    cdm_testbenches::reset(&mut dut);
    run(dut, 60, "native, replayed in Icarus and Verilator");
}

fn run(mut dut: Box<dyn Dut>, count: u64, backend: &str) {
    let mut rng = Rng::from_env("dma_realign");
    let port = |dut: &dyn Dut, n: &str| dut.port(n).unwrap();
    let [cmd_valid, cmd_ready, rotate, skip, in_beats, out_beats] = [
        "cmd_valid",
        "cmd_ready",
        "cmd_rotate",
        "cmd_skip_first",
        "cmd_in_beats",
        "cmd_out_beats",
    ]
    .map(|n| port(&*dut, n));
    let [in_valid, in_ready, in_data, in_err, out_valid, out_ready, out_data] = [
        "in_valid",
        "in_ready",
        "in_data",
        "in_err",
        "out_valid",
        "out_ready",
        "out_data",
    ]
    .map(|n| port(&*dut, n));
    let mut cycles = 0u64;
    for t in 0..count {
        let src = rng.below(16);
        let dst = rng.below(16);
        let len = if t < 40 { 1 + t } else { 1 + rng.below(200) };
        let source: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
        let (r, s, nin, nout) = plan(src, dst, len);
        // Source-aligned input beats (bytes outside the transfer are junk).
        let mut beats = vec![[0u8; 16]; nin as usize];
        for (i, b) in beats.iter_mut().flatten().enumerate() {
            let k = i as i64 - src as i64;
            *b = if k >= 0 && (k as u64) < len {
                source[k as usize]
            } else {
                rng.next_u32() as u8
            };
        }
        // Command.
        dut.set(cmd_valid, 1);
        dut.set(rotate, r);
        dut.set(skip, s as u64);
        dut.set(in_beats, nin);
        dut.set(out_beats, nout);
        while dut.get(cmd_ready) == 0 {
            dut.step();
        }
        dut.step();
        dut.set(cmd_valid, 0);
        let mut fed = 0usize;
        let mut out: Vec<[u8; 16]> = Vec::new();
        let mut guard = 0;
        while out.len() < nout as usize {
            let offer = fed < beats.len() && !rng.chance(20);
            dut.set(in_valid, offer as u64);
            if offer {
                let mut bytes = beats[fed].to_vec();
                bytes.resize(16, 0);
                dut.set_words(in_data, &to_words(&bytes));
                dut.set(in_err, 0);
            }
            let take = !rng.chance(20);
            dut.set(out_ready, take as u64);
            if offer && dut.get(in_ready) == 1 {
                fed += 1;
            }
            if take && dut.get(out_valid) == 1 {
                let mut w = [0u64; 2];
                dut.get_words(out_data, &mut w);
                out.push(from_words(&w).try_into().unwrap());
            }
            dut.step();
            guard += 1;
            assert!(
                guard < 10_000,
                "transfer {t} stalled: fed {fed}/{nin}, got {}/{nout}",
                out.len()
            );
        }
        dut.set(in_valid, 0);
        dut.set(out_ready, 0);
        assert_eq!(fed, nin as usize, "transfer {t}: every input beat consumed");
        for k in 0..len {
            let p = dst + k;
            assert_eq!(
                out[(p / 16) as usize][(p % 16) as usize],
                source[k as usize],
                "transfer {t} (src {src}, dst {dst}, len {len}): byte {k}"
            );
        }
        cycles = dut.cycle();
    }
    eprintln!("dma_realign on {backend}: {count} transfers in {cycles} cycles");
}

on_each_backend!(transfers);

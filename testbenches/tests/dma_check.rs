//! The descriptor checker against the reference (`cdm_regmap::descriptor::check`):
//! random descriptors and windows, biased to the edges (lengths 0, 16 MiB and one more,
//! ranges that start or end one byte inside or outside a window, wrap past 2^64,
//! reserved bits, unknown opcodes, disabled windows and missing permissions).

use cdm_hdl::dma::check::{DescriptorCheck, DONE_AFTER};
use cdm_regmap::descriptor::{check, ErrorCode, Window, MAX_LEN};
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

fn edge(rng: &mut Rng, w: &Window) -> u64 {
    match rng.below(6) {
        0 => w.base,
        1 => w.base.wrapping_sub(1),
        2 => w.limit,
        3 => w.limit.wrapping_add(1),
        4 => u64::MAX - rng.below(64),
        _ => rng.next_u64(),
    }
}

fn random_descriptors(backend: Backend) {
    let count = match backend {
        Backend::Native => 3000,
        Backend::Verilator => 100_000,
    };
    run(open::<DescriptorCheck>(backend), count);
}

#[test]
fn checker_verilog_is_cycle_equivalent() {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<DescriptorCheck>::new());
    cdm_testbenches::reset(&mut dut);
    run(dut, 1500);
}

fn run(mut dut: Box<dyn Dut>, count: u64) {
    let mut rng = Rng::from_env("dma_check");
    let p = |dut: &dyn Dut, n: &str| dut.port(n).unwrap();
    let [src, dst, len, ctrl, error, start, done, busy] = [
        "src", "dst", "len", "ctrl", "error", "start", "done", "busy",
    ]
    .map(|n| p(&*dut, n));
    let mut seen = std::collections::HashSet::new();
    for _ in 0..count {
        let windows: Vec<Window> = (0..4)
            .map(|_| {
                let base = if rng.chance(20) {
                    u64::MAX - rng.below(1 << 20)
                } else {
                    rng.below(1 << 40)
                };
                Window {
                    base,
                    limit: base.saturating_add(rng.below(1 << 26)),
                    enable: !rng.chance(10),
                    read: !rng.chance(20),
                    write: !rng.chance(20),
                }
            })
            .collect();
        let w = windows[rng.below(4) as usize];
        let l = match rng.below(8) {
            0 => 0,
            1 => MAX_LEN,
            2 => MAX_LEN + 1,
            3 => rng.next_u32() as u64,
            _ => 1 + rng.below(1 << 16),
        };
        let s = if rng.chance(50) {
            edge(&mut rng, &w)
        } else {
            edge(&mut rng, &w).wrapping_sub(l).wrapping_add(1)
        };
        let d = if rng.chance(50) {
            edge(&mut rng, &w)
        } else {
            edge(&mut rng, &w).wrapping_sub(l).wrapping_add(1)
        };
        let c = match rng.below(6) {
            0 => rng.next_u32(),
            1 => rng.below(16) as u32,
            _ => (rng.below(2) as u32) | (rng.next_u32() & (3 << 8)),
        };
        for (i, win) in windows.iter().enumerate() {
            for (field, value) in [
                ("base_lo", win.base & 0xFFFF_FFFF),
                ("base_hi", win.base >> 32),
                ("limit_lo", win.limit & 0xFFFF_FFFF),
                ("limit_hi", win.limit >> 32),
                ("enable", win.enable as u64),
                ("read", win.read as u64),
                ("write", win.write as u64),
            ] {
                let id = dut.port(&format!("windows${i}${field}")).unwrap();
                dut.set(id, value);
            }
        }
        dut.set(src, s);
        dut.set(dst, d);
        dut.set(len, l);
        dut.set(ctrl, c as u64);
        let want = check(s, d, l, c, &windows);
        seen.insert(want);
        dut.set(start, 1);
        dut.step();
        dut.set(start, 0);
        let mut cycles = 1;
        while dut.get(done) == 0 {
            assert_eq!(dut.get(busy), 1, "busy until done");
            dut.step();
            cycles += 1;
            assert!(cycles <= DONE_AFTER, "done {DONE_AFTER} cycles after start");
        }
        assert_eq!(cycles, DONE_AFTER, "done {DONE_AFTER} cycles after start");
        // The done cycle is the check's last: the next one starts after it (below).
        assert_eq!(
            ErrorCode::from_bits(dut.get(error) as u32),
            Some(want),
            "src {s:#x} dst {d:#x} len {l:#x} ctrl {c:#x} windows {windows:x?}"
        );
        dut.step();
    }
    for e in &ErrorCode::ALL[..7] {
        assert!(seen.contains(e), "stimulus never produced {e:?}");
    }
}

on_each_backend!(random_descriptors);

//! The exported Verilog: synthesis (yosys), lint (Verilator, documented waivers only),
//! Icarus, and cycle equivalence: random runs of every top recorded on the rust-hdl
//! model and replayed in Icarus and Verilator, every output compared in every cycle.
//!
//! Each check skips with a notice when its tool is missing, and fails instead under
//! `CDM_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use cdm_hdl::csr::CsrBlock;
use cdm_hdl::ports::PortMap;
use cdm_hdl::top::DeviceTop;
use cdm_regmap::{device_map, Access};
use cdm_sim::axil::{AxiLiteMaster, Op, Timing};
use cdm_sim::trace::{first_mismatch, Recorder, Trace};
use cdm_sim::{equivalence, replay, tools, Backend, Dut, Native, Rng};

fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn waivers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hdl/lint/verilator.vlt")
}

fn write_design(name: &str, verilog: &str) -> PathBuf {
    let dir = workdir(name);
    let file = dir.join("design.v");
    std::fs::write(&file, verilog).unwrap();
    file
}

#[test]
fn device_top_synthesizes_for_xc7_with_yosys() {
    if !tools::available("yosys synth_xilinx", &["yosys"]) {
        return;
    }
    let file = write_design("yosys", &cdm_hdl::verilog::<DeviceTop>());
    let script = format!(
        "read_verilog {}; hierarchy -check -top top; proc; check -assert; synth_xilinx -family xc7 -top top; stat",
        file.display()
    );
    let log = tools::run(Command::new("yosys").args(["-q", "-p", &script]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!log.contains("ERROR"), "{log}");
    assert!(
        !log.to_lowercase().contains("latch inferred"),
        "latches in the design:\n{log}"
    );
}

fn lint(name: &str, verilog: &str) {
    let file = write_design(name, verilog);
    tools::run(
        Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", "top"])
            .arg(waivers())
            .arg(&file),
    )
    .unwrap_or_else(|e| panic!("verilator lint of {name}:\n{e}"));
}

#[test]
fn exported_verilog_lints_clean_with_verilator() {
    if !tools::available("verilator lint", &["verilator"]) {
        return;
    }
    lint("lint-device", &cdm_hdl::verilog::<DeviceTop>());
    lint("lint-csr", &cdm_hdl::verilog::<CsrBlock>());
    lint(
        "lint-realign",
        &cdm_hdl::verilog::<cdm_hdl::dma::realign::Realigner>(),
    );
    lint(
        "lint-mover",
        &cdm_hdl::verilog::<cdm_hdl::dma::mover::DmaMover>(),
    );
}

#[test]
fn exported_verilog_compiles_in_icarus() {
    if !tools::available("iverilog compile", &["iverilog"]) {
        return;
    }
    let file = write_design("icarus", &cdm_hdl::verilog::<DeviceTop>());
    tools::run(
        Command::new("iverilog")
            .args(["-g2012", "-o"])
            .arg(file.with_extension("vvp"))
            .arg(&file),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Records a run of random register traffic with random hardware inputs.
fn record<T: PortMap>(cycles: u64, seed_name: &str) -> Trace {
    let mut rng = Rng::from_env(seed_name);
    let mut dut = Recorder::new(Native::<T>::new());
    let reset = dut.port("reset").unwrap();
    dut.set(reset, 1);
    dut.run(2);
    dut.set(reset, 0);
    let mut master =
        AxiLiteMaster::new(&dut, "axil$", Timing::RANDOM, Rng::new(rng.next_u64())).unwrap();
    let others: Vec<_> = dut
        .ports()
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.dir == cdm_sim::PortDir::Input && !p.name.starts_with("axil$") && p.name != "reset"
        })
        .map(|(id, p)| (id, p.width))
        .collect();
    let addresses: Vec<u64> = device_map()
        .instances()
        .iter()
        .map(|i| i.address as u64)
        .collect();
    let w1p: Vec<u64> = device_map()
        .instances()
        .iter()
        .filter(|i| i.register.fields.iter().any(|f| f.access == Access::W1P))
        .map(|i| i.address as u64)
        .collect();
    for _ in 0..cycles {
        for &(id, width) in &others {
            if rng.chance(5) {
                let mask = if width >= 64 {
                    u64::MAX
                } else {
                    (1 << width) - 1
                };
                dut.set(id, rng.next_u64() & mask);
            }
        }
        if master.idle() {
            let addr = match rng.below(8) {
                0 => rng.below(0x1000),
                1 => w1p[rng.below(w1p.len() as u64) as usize],
                _ => addresses[rng.below(addresses.len() as u64) as usize],
            };
            master.push(if rng.chance(50) {
                Op::Read { addr }
            } else {
                Op::Write {
                    addr,
                    data: rng.next_u32(),
                    strb: rng.below(16) as u8,
                }
            });
        }
        master.tick(&mut dut);
        while master.pop().is_some() {}
        dut.step();
    }
    dut.into_trace()
}

fn equivalent<T: PortMap>(cycles: u64) {
    let trace = record::<T>(cycles, T::NAME);
    if let Err(e) = equivalence::check::<T>(&trace) {
        panic!("{e}");
    }
}

#[test]
fn csr_block_verilog_matches_the_model_cycle_by_cycle() {
    equivalent::<CsrBlock>(4000);
}

#[test]
fn device_top_verilog_matches_the_model_cycle_by_cycle() {
    equivalent::<DeviceTop>(4000);
}

#[test]
fn replay_reports_a_difference() {
    // The comparison must be able to fail: corrupt one recorded output and replay.
    let mut trace = record::<CsrBlock>(200, "replay-corrupt");
    let rdata = trace
        .ports
        .iter()
        .position(|p| p.name == "axil$rdata")
        .unwrap();
    trace.cycles[150][rdata][0] ^= 4;
    if tools::available("Icarus replay", &["iverilog", "vvp"]) {
        let outputs = replay::icarus(
            &cdm_hdl::verilog::<CsrBlock>(),
            "top",
            &trace,
            &workdir("replay-corrupt"),
        )
        .unwrap();
        let m = first_mismatch(&trace, &outputs).expect("a corrupted trace must differ");
        assert_eq!((m.cycle, m.port.as_str()), (150, "axil$rdata"));
    }
    if Backend::Verilator.usable("Verilator replay") {
        let mut dut = Backend::Verilator.open::<CsrBlock>().unwrap();
        let outputs = replay::on(&mut *dut, &trace);
        let m = first_mismatch(&trace, &outputs).expect("a corrupted trace must differ");
        assert_eq!((m.cycle, m.port.as_str()), (150, "axil$rdata"));
    }
    let err = equivalence::check::<CsrBlock>(&trace).expect_err("the check must fail");
    assert!(
        err.contains("cycle 150") && err.contains("axil$rdata"),
        "{err}"
    );
}

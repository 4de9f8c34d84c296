//! The exported Verilog: yosys checks (and synthesis with `CDM_SYNTH=1`), lint (Verilator, documented waivers only),
//! Icarus, and cycle equivalence: random runs of every top recorded on the rust-hdl
//! model and replayed in Icarus and Verilator, every output compared in every cycle.
//!
//! Each check skips with a notice when its tool is missing, and fails instead under
//! `CDM_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use cdm_hdl::csr::CsrBlock;
use cdm_hdl::device::DeviceTop;
use cdm_hdl::export::ports::PortMap;
use cdm_hdl::export::tops::{self, Top};
use cdm_regmap::{device_map, Access};
use cdm_sim::bus::axil::{AxiLiteMaster, Op, Timing};
use cdm_sim::equivalence::trace::{first_mismatch, Recorder, Trace};
use cdm_sim::equivalence::{self, replay};
use cdm_sim::{tools, Backend, Dut, Native, Rng};

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

/// Runs `passes` of yosys on every top after its front end (`hierarchy -check; proc;
/// check -assert`), and fails on an error or an inferred latch. Each run writes its
/// designs under `stem-<top>`, so that runs in parallel processes (CI runs synth_xilinx
/// beside `cargo test`) never read a file another is writing.
fn yosys_on_every_top(what: &str, stem: &str, passes: impl Fn(&str) -> String) {
    if !tools::available(what, &["yosys"]) {
        return;
    }
    for top in tops::all() {
        let file = write_design(&format!("{stem}-{}", top.name), &top.verilog);
        let script = format!(
            "read_verilog {}; hierarchy -check -top {m}; proc; check -assert; {}",
            file.display(),
            passes(top.module),
            m = top.module
        );
        let log = tools::run(Command::new("yosys").args(["-q", "-p", &script]))
            .unwrap_or_else(|e| panic!("{}: {e}", top.name));
        assert!(!log.contains("ERROR"), "{}: {log}", top.name);
        assert!(
            !log.to_lowercase().contains("latch inferred"),
            "{}: latches:\n{log}",
            top.name
        );
    }
}

#[test]
fn every_top_passes_yosys_checks() {
    yosys_on_every_top("yosys", "yosys", |_| String::new());
}

/// The whole mapping takes about 9 minutes on one core, so it runs with `CDM_SYNTH=1`
/// (CI sets it, beside the other long runs); the front-end checks above always run.
#[test]
fn every_top_synthesizes_for_xc7() {
    if std::env::var("CDM_SYNTH").as_deref() != Ok("1") {
        eprintln!(
            "\n*** SKIPPED synth_xilinx of every top: CDM_SYNTH=1 runs it (about 9 minutes). ***\n"
        );
        return;
    }
    yosys_on_every_top("yosys synth_xilinx", "synth", |m| {
        format!("synth_xilinx -family xc7 -top {m}; stat")
    });
}

#[test]
fn every_top_lints_clean_with_verilator() {
    if !tools::available("verilator lint", &["verilator"]) {
        return;
    }
    for top in tops::all() {
        let file = write_design(&format!("lint-{}", top.name), &top.verilog);
        tools::run(
            Command::new("verilator")
                .args(["--lint-only", "-Wall", "--top-module", top.module])
                .arg(waivers())
                .arg(&file),
        )
        .unwrap_or_else(|e| panic!("verilator lint of {}:\n{e}", top.name));
    }
}

/// The standard-port wrapper lints clean under `-Wall` without any waiver: every
/// warning Verilator gives without the waiver file is in rust-hdl's design, none in the
/// wrapper.
#[test]
fn device_wrapper_lints_clean_without_waivers() {
    if !tools::available("verilator lint", &["verilator"]) {
        return;
    }
    let device = Top::of::<DeviceTop>();
    let core = cdm_hdl::verilog::<DeviceTop>();
    let wrapper = device
        .verilog
        .strip_prefix(core.as_str())
        .expect("core, then wrapper");
    let dir = workdir("lint-wrapper");
    std::fs::write(dir.join("core.v"), &core).unwrap();
    // Named after its module, as -Wall's DECLFILENAME wants.
    let wrapper_file = format!("{}.v", device.module);
    std::fs::write(dir.join(&wrapper_file), wrapper).unwrap();
    let out = Command::new("verilator")
        .current_dir(&dir)
        .args([
            "--lint-only",
            "-Wall",
            "--top-module",
            device.module,
            "core.v",
        ])
        .arg(&wrapper_file)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("%Warning"),
        "without waivers the core warns: {log}"
    );
    let in_wrapper: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("%Warning") && l.contains(wrapper_file.as_str()))
        .collect();
    assert!(in_wrapper.is_empty(), "{}", in_wrapper.join("\n"));
}

#[test]
fn every_top_compiles_in_icarus() {
    if !tools::available("iverilog compile", &["iverilog"]) {
        return;
    }
    for top in tops::all() {
        let file = write_design(&format!("icarus-{}", top.name), &top.verilog);
        tools::run(
            Command::new("iverilog")
                .args(["-g2012", "-o"])
                .arg(file.with_extension("vvp"))
                .arg(&file),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", top.name));
    }
}

/// A port missing from a port map would never be driven or compared: each map must list
/// exactly the ports of the exported module (`top`, or the device's wrapper).
#[test]
fn every_port_map_lists_every_verilog_port() {
    for top in tops::all() {
        let header = top
            .verilog
            .split(&format!("module {}(", top.module))
            .nth(1)
            .expect("the exported module")
            .split(')')
            .next()
            .unwrap();
        // `name` alone (rust-hdl) or a declaration ending in the name (the wrapper).
        let mut verilog: Vec<&str> = header
            .split(',')
            .filter_map(|p| p.split_whitespace().last())
            .filter(|p| *p != top.clock)
            .collect();
        let mut mapped: Vec<&str> = top.names.iter().map(String::as_str).collect();
        verilog.sort_unstable();
        mapped.sort_unstable();
        assert_eq!(mapped, verilog, "port map of `{}`", top.name);
    }
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
                let words: Vec<u64> = (0..width.div_ceil(64))
                    .map(|w| {
                        let bits = (width - 64 * w).min(64);
                        rng.next_u64() & (u64::MAX >> (64 - bits))
                    })
                    .collect();
                dut.set_words(id, &words);
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
    let icarus = tools::available("Icarus replay", &["iverilog", "vvp"]);
    let verilator = Backend::Verilator.usable("Verilator replay");
    if icarus {
        let outputs =
            replay::icarus(&Top::of::<CsrBlock>(), &trace, &workdir("replay-corrupt")).unwrap();
        let m = first_mismatch(&trace, &outputs).expect("a corrupted trace must differ");
        assert_eq!((m.cycle, m.port.as_str()), (150, "axil$rdata"));
    }
    if verilator {
        let mut dut = Backend::Verilator.open::<CsrBlock>().unwrap();
        let outputs = replay::on(&mut *dut, &trace);
        let m = first_mismatch(&trace, &outputs).expect("a corrupted trace must differ");
        assert_eq!((m.cycle, m.port.as_str()), (150, "axil$rdata"));
    }
    // The whole check runs both simulators; the notices above said what is skipped.
    if !(icarus && verilator) {
        return;
    }
    let err = equivalence::check::<CsrBlock>(&trace).expect_err("the check must fail");
    assert!(
        err.contains("cycle 150") && err.contains("axil$rdata"),
        "{err}"
    );
}

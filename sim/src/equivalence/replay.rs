//! Replays a recorded [`Trace`] into the exported Verilog under Icarus Verilog and
//! returns the outputs it produced, for a cycle-by-cycle comparison with the model.
//!
//! The generated testbench applies each cycle's inputs, waits for the logic to settle,
//! samples every output, then pulses the clock: the same protocol as [`crate::Dut`].

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cdm_hdl::export::tops::Top;

use crate::design::dut::Dut;
use crate::equivalence::trace::Trace;
use crate::tools::run;

/// Packs port values into one hex number, first port in the most significant bits.
fn pack(values: &[&[u64]], widths: &[usize]) -> String {
    let total: usize = widths.iter().sum();
    let mut bits = vec![false; total];
    let mut at = 0;
    for (v, &w) in values.iter().zip(widths).rev() {
        for i in 0..w {
            bits[at + i] = (v[i / 64] >> (i % 64)) & 1 != 0;
        }
        at += w;
    }
    let digits = total.div_ceil(4).max(1);
    (0..digits)
        .rev()
        .map(|d| {
            let nibble = (0..4).fold(0u32, |acc, b| {
                let i = d * 4 + b;
                acc | ((i < total && bits[i]) as u32) << b
            });
            char::from_digit(nibble, 16).expect("nibble")
        })
        .collect()
}

/// Unpacks a hex number produced by `$fdisplay("%h", {...})` into port values.
fn unpack(line: &str, widths: &[usize]) -> Result<Vec<Vec<u64>>, String> {
    let total: usize = widths.iter().sum();
    let mut bits = vec![false; total];
    for (d, c) in line.trim().chars().rev().enumerate() {
        let nibble = c
            .to_digit(16)
            .ok_or_else(|| format!("undefined output value `{line}` (X or Z)"))?;
        for b in 0..4 {
            if d * 4 + b < total {
                bits[d * 4 + b] = (nibble >> b) & 1 != 0;
            }
        }
    }
    let mut out: Vec<Vec<u64>> = Vec::with_capacity(widths.len());
    let mut at = 0;
    for &w in widths.iter().rev() {
        let mut v = vec![0u64; w.div_ceil(64)];
        for i in 0..w {
            if bits[at + i] {
                v[i / 64] |= 1 << (i % 64);
            }
        }
        at += w;
        out.push(v);
    }
    out.reverse();
    Ok(out)
}

/// Writes the replay testbench for `top`'s exported module and the stimulus file into
/// `dir`.
fn write_testbench(trace: &Trace, top: &Top, dir: &Path) -> Result<(), String> {
    let inputs: Vec<_> = trace.inputs().collect();
    let outputs: Vec<_> = trace.outputs().collect();
    let in_width: usize = inputs.iter().map(|(_, p)| p.width).sum();
    let mut tb = String::new();
    let w = &mut tb;
    writeln!(w, "`timescale 1ns/1ps\nmodule replay;").unwrap();
    writeln!(w, "  reg clock = 0;").unwrap();
    writeln!(
        w,
        "  reg [{}:0] stimulus [0:{}];",
        in_width.max(1) - 1,
        trace.cycles.len().max(1) - 1
    )
    .unwrap();
    for (id, p) in &inputs {
        writeln!(w, "  reg [{}:0] in{id};", p.width - 1).unwrap();
    }
    for (id, p) in &outputs {
        writeln!(w, "  wire [{}:0] out{id};", p.width - 1).unwrap();
    }
    let conns: Vec<String> = std::iter::once(format!("    .\\{} (clock)", top.clock))
        .chain(trace.ports.iter().enumerate().map(|(id, p)| {
            let sig = if p.dir == crate::design::dut::PortDir::Input {
                "in"
            } else {
                "out"
            };
            format!("    .\\{} ({sig}{id})", top.names[id])
        }))
        .collect();
    writeln!(w, "  {} dut(\n{}\n  );", top.module, conns.join(",\n")).unwrap();
    let in_names: Vec<String> = inputs.iter().map(|(id, _)| format!("in{id}")).collect();
    let out_names: Vec<String> = outputs.iter().map(|(id, _)| format!("out{id}")).collect();
    writeln!(w, "  integer i, fd;").unwrap();
    writeln!(w, "  initial begin").unwrap();
    writeln!(w, "    $readmemh(\"stimulus.hex\", stimulus);").unwrap();
    writeln!(w, "    fd = $fopen(\"outputs.hex\", \"w\");").unwrap();
    writeln!(
        w,
        "    for (i = 0; i < {}; i = i + 1) begin",
        trace.cycles.len()
    )
    .unwrap();
    writeln!(w, "      {{{}}} = stimulus[i];", in_names.join(", ")).unwrap();
    writeln!(w, "      #1;").unwrap();
    writeln!(
        w,
        "      $fdisplay(fd, \"%h\", {{{}}});",
        out_names.join(", ")
    )
    .unwrap();
    // Flushed every FLUSH_EVERY cycles, so `vvp_watched` sees how far the run has got.
    writeln!(w, "      if (i % {FLUSH_EVERY} == 0) $fflush(fd);").unwrap();
    writeln!(
        w,
        "      clock = 1;\n      #1;\n      clock = 0;\n      #1;"
    )
    .unwrap();
    writeln!(
        w,
        "    end\n    $fclose(fd);\n    $finish;\n  end\nendmodule"
    )
    .unwrap();
    std::fs::write(dir.join("replay.v"), tb).map_err(|e| e.to_string())?;

    let widths: Vec<usize> = inputs.iter().map(|(_, p)| p.width).collect();
    let mut stim = String::new();
    for cycle in &trace.cycles {
        let values: Vec<&[u64]> = inputs.iter().map(|(id, _)| cycle[*id].as_slice()).collect();
        stim.push_str(&pack(&values, &widths));
        stim.push('\n');
    }
    std::fs::write(dir.join("stimulus.hex"), stim).map_err(|e| e.to_string())
}

/// Cycles between flushes of the replay's output file.
const FLUSH_EVERY: usize = 256;

/// Time the replay may go without writing a cycle before it counts as stuck. A whole
/// device replays about a thousand cycles a second, so this is long past a slow machine.
const STALL: Duration = Duration::from_secs(30);

/// Runs the compiled replay in `dir` and fails if it stops advancing: a zero-delay loop
/// between two `always` blocks (each assigning an output twice, each reading the
/// other's) makes Icarus re-run them without end in one time step, where Verilator and
/// the rust-hdl model settle. Without this the replay would hang the test.
fn vvp_watched(dir: &Path, cycles: usize) -> Result<(), String> {
    // Its messages go to a file: a full pipe would stall it like a loop does.
    let log = dir.join("vvp.log");
    let file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let mut child = Command::new("vvp")
        .current_dir(dir)
        .args(["-n", "replay.vvp"])
        .stdout(file.try_clone().map_err(|e| e.to_string())?)
        .stderr(file)
        .spawn()
        .map_err(|e| format!("cannot run vvp: {e}"))?;
    let outputs = dir.join("outputs.hex");
    let written = || std::fs::metadata(&outputs).map_or(0, |m| m.len());
    let (mut last, mut since) = (written(), Instant::now());
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let now = written();
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() > STALL {
            let _ = child.kill();
            let _ = child.wait();
            let reached = std::fs::read_to_string(&outputs).map_or(0, |t| t.lines().count());
            return Err(format!(
                "Icarus stopped advancing near cycle {reached} of {cycles} (no output for \
                 {} s): a zero-delay loop between always blocks (files in {})",
                STALL.as_secs(),
                dir.display()
            ));
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "vvp failed ({status}):\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ))
    }
}

/// Runs `trace`'s inputs through `top`'s exported Verilog (its module as users
/// instantiate it) in Icarus Verilog and returns the outputs per cycle, laid out like
/// `trace.cycles` (input slots left empty). A cycle in which some output is undefined
/// (X or Z) comes back as an empty row.
pub fn icarus(top: &Top, trace: &Trace, dir: &Path) -> Result<Vec<Vec<Vec<u64>>>, String> {
    assert_eq!(
        top.ports.len(),
        trace.ports.len(),
        "replay into a top with other ports"
    );
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("design.v"), &top.verilog).map_err(|e| e.to_string())?;
    write_testbench(trace, top, dir)?;
    run(Command::new("iverilog").current_dir(dir).args([
        "-g2012",
        "-o",
        "replay.vvp",
        "-s",
        "replay",
        "replay.v",
        "design.v",
    ]))?;
    vvp_watched(dir, trace.cycles.len())?;
    let text = std::fs::read_to_string(dir.join("outputs.hex")).map_err(|e| e.to_string())?;
    let outputs: Vec<_> = trace.outputs().collect();
    let widths: Vec<usize> = outputs.iter().map(|(_, p)| p.width).collect();
    Ok(text
        .lines()
        .map(|line| match unpack(line, &widths) {
            Ok(values) => {
                let mut row = vec![Vec::new(); trace.ports.len()];
                for ((id, _), v) in outputs.iter().zip(values) {
                    row[*id] = v;
                }
                row
            }
            // Some output is X or Z: an empty row says so to `first_mismatch`.
            Err(_) => Vec::new(),
        })
        .collect())
}

/// Runs `trace`'s inputs through another backend and returns its outputs per cycle,
/// laid out like `trace.cycles`.
pub fn on(dut: &mut dyn Dut, trace: &Trace) -> Vec<Vec<Vec<u64>>> {
    assert_eq!(
        dut.ports(),
        trace.ports.as_slice(),
        "replay into a design with other ports"
    );
    trace
        .cycles
        .iter()
        .map(|cycle| {
            for (id, _) in trace.inputs() {
                dut.set_words(id, &cycle[id]);
            }
            let row = trace
                .ports
                .iter()
                .enumerate()
                .map(|(id, p)| {
                    let mut w = vec![0; p.words()];
                    if p.dir == crate::design::dut::PortDir::Output {
                        dut.get_words(id, &mut w);
                    }
                    w
                })
                .collect();
            dut.step();
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_and_unpack_round_trip() {
        let widths = [1, 12, 70, 3];
        let values: Vec<Vec<u64>> = vec![vec![1], vec![0xabc], vec![u64::MAX, 0x2a], vec![5]];
        let refs: Vec<&[u64]> = values.iter().map(|v| v.as_slice()).collect();
        let hex = pack(&refs, &widths);
        assert_eq!(unpack(&hex, &widths).unwrap(), values);
    }
}

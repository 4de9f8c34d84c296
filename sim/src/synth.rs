//! FPGA resource estimates: `yosys synth_xilinx -family xc7` on a design's exported
//! Verilog, summarized as the resources an Artix-7 (xc7a50t) has.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::tools::run;

/// Resources of one synthesized design.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Area {
    pub top: String,
    /// LUTs used as logic.
    pub lut: u64,
    /// LUTs used as distributed RAM or shift registers.
    pub lutram: u64,
    pub ff: u64,
    /// Block RAM in 36 Kb tiles (an 18 Kb half counts 0.5).
    pub bram36: f64,
    pub carry4: u64,
    pub muxf7_f8: u64,
    pub dsp: u64,
}

/// LUT sites a distributed-RAM or shift-register primitive occupies.
fn lutram_sites(cell: &str) -> Option<u64> {
    Some(match cell {
        "RAM32M" | "RAM64M" | "RAM128X1D" | "RAM256X1S" | "RAM32M16" | "RAM64M8" => 4,
        "RAM32X1D" | "RAM64X1D" | "RAM128X1S" => 2,
        "RAM32X1S" | "RAM64X1S" | "SRL16E" | "SRLC32E" | "SRLC16E" => 1,
        _ => return None,
    })
}

/// Parses the cell counts of the last `stat` in a yosys log (the whole design).
pub fn parse_stat(top: &str, log: &str) -> Area {
    let tail = log.rsplit("=== design hierarchy ===").next().unwrap_or(log);
    let mut area = Area {
        top: top.to_string(),
        ..Area::default()
    };
    for line in tail.lines() {
        let mut words = line.split_whitespace();
        let (Some(cell), Some(count), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = count.parse::<u64>() else {
            continue;
        };
        match cell {
            c if c.starts_with("LUT") && c.len() == 4 => area.lut += n,
            c if c.starts_with("FD") => area.ff += n,
            "RAMB36E1" => area.bram36 += n as f64,
            "RAMB18E1" => area.bram36 += 0.5 * n as f64,
            "CARRY4" => area.carry4 += n,
            "MUXF7" | "MUXF8" => area.muxf7_f8 += n,
            "DSP48E1" => area.dsp += n,
            c => {
                if let Some(sites) = lutram_sites(c) {
                    area.lutram += sites * n;
                }
            }
        }
    }
    area
}

/// Synthesizes `verilog` (module `top`) for the 7 series in `dir`.
pub fn synth_xilinx(top: &str, verilog: &str, dir: &Path) -> Result<Area, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("{top}.v"));
    std::fs::write(&file, verilog).map_err(|e| e.to_string())?;
    let script = format!(
        "read_verilog {}; synth_xilinx -family xc7 -top top; stat",
        file.display()
    );
    let log = run(Command::new("yosys").arg("-p").arg(script))?;
    std::fs::write(dir.join(format!("{top}.log")), &log).map_err(|e| e.to_string())?;
    Ok(parse_stat(top, &log))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_totals_are_read_from_the_last_summary() {
        let log = "=== design hierarchy ===\n  top 1\n  Number of cells: 9\n  LUT6 1\n\n\
                   === design hierarchy ===\n   top   1\n     sub   1\n\n   Number of cells:   42\n\
                   \x20    CARRY4   3\n     FDRE   10\n     FDSE   2\n     LUT2   4\n     LUT6   5\n\
                   \x20    MUXF7   2\n     RAM32M   2\n     RAMB18E1   1\n";
        let a = parse_stat("t", log);
        assert_eq!(
            (a.lut, a.ff, a.carry4, a.muxf7_f8, a.lutram, a.bram36),
            (9, 12, 3, 2, 8, 0.5)
        );
    }
}

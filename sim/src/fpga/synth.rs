//! FPGA resource estimates: `yosys synth_xilinx -family xc7` on a top's exported Verilog,
//! summarized as the resources an Artix-7 (xc7a50t) has, per block of the hierarchy, with
//! the logic depth (LUT levels between registers) as a proxy for the clock it can reach.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use cdm_hdl::export::tops::Top;
use serde::Serialize;
use serde_json::Value;

use crate::tools::run;

/// What the xc7a50t has.
pub const XC7A50T: Area = Area {
    top: String::new(),
    lut: 32_600,
    lutram: 9_600,
    ff: 65_200,
    bram36: 75.0,
    carry4: 8_150,
    muxf7_f8: 0,
    dsp: 120,
};

/// Resources of one synthesized design or block.
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

impl Area {
    fn add_cells(&mut self, cell: &str, n: u64) {
        match cell {
            c if c.starts_with("LUT") && c.len() == 4 => self.lut += n,
            c if c.starts_with("FD") => self.ff += n,
            "RAMB36E1" => self.bram36 += n as f64,
            "RAMB18E1" => self.bram36 += 0.5 * n as f64,
            "CARRY4" => self.carry4 += n,
            "MUXF7" | "MUXF8" => self.muxf7_f8 += n,
            "DSP48E1" => self.dsp += n,
            c => {
                if let Some(sites) = lutram_sites(c) {
                    self.lutram += sites * n;
                }
            }
        }
    }
}

/// A top's synthesis: totals, the blocks under the top (device: CSR, DMA, coherent
/// controller, glue) and the logic depth.
#[derive(Clone, Debug, Serialize)]
pub struct Synthesis {
    pub area: Area,
    pub blocks: Vec<Area>,
    pub depth: Depth,
}

/// The longest register-to-register path in LUT levels (CARRY4 and MUXF7/F8 on the
/// path add delay but no level), with the cells on it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Depth {
    pub lut_levels: u32,
    pub path: Vec<String>,
    /// Structural combinational loops cut to measure (0 in a clean netlist).
    pub loops_cut: u32,
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

/// Cell counts per `=== module ===` section of a yosys `stat` log (the last `stat`).
fn sections(log: &str) -> Vec<(String, Vec<(String, u64)>)> {
    let mut out: Vec<(String, Vec<(String, u64)>)> = Vec::new();
    for line in log.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("=== ").and_then(|r| r.strip_suffix(" ===")) {
            if out.iter().any(|(n, _)| n == name) {
                // A later `stat`: start over.
                out.clear();
            }
            out.push((name.to_string(), Vec::new()));
            continue;
        }
        let mut words = t.split_whitespace();
        let (Some(cell), Some(count), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if let (Ok(n), Some((_, cells))) = (count.parse::<u64>(), out.last_mut()) {
            cells.push((cell.to_string(), n));
        }
    }
    out
}

/// Totals of the last `stat` in a yosys log: its design hierarchy summary, or its
/// only module.
pub fn parse_stat(top: &str, log: &str) -> Area {
    let mut area = Area {
        top: top.to_string(),
        ..Area::default()
    };
    let all = sections(log);
    if let Some((_, cells)) = all
        .iter()
        .find(|(n, _)| n == "design hierarchy")
        .or(all.last())
    {
        for (cell, n) in cells {
            area.add_cells(cell, *n);
        }
    }
    area
}

/// Per-block areas of a hierarchical (`-noflatten`) synthesis of the rust-hdl design
/// `top`: each child instance of `top` (module `top$name`) with everything below it,
/// and `top`'s own logic (with the wrapper, which has none) as `glue`.
pub fn parse_blocks(log: &str) -> Vec<Area> {
    let all = sections(log);
    let modules: Vec<&String> = all.iter().map(|(n, _)| n).collect();
    let mut blocks: Vec<Area> = Vec::new();
    for (module, cells) in all.iter().filter(|(n, _)| n != "design hierarchy") {
        let block = match module.strip_prefix("top$") {
            Some(rest) => rest.split('$').next().unwrap_or(rest).to_string(),
            None => "glue".to_string(),
        };
        let i = match blocks.iter().position(|b| b.top == block) {
            Some(i) => i,
            None => {
                blocks.push(Area {
                    top: block,
                    ..Area::default()
                });
                blocks.len() - 1
            }
        };
        for (cell, n) in cells.iter().filter(|(c, _)| !modules.contains(&c)) {
            blocks[i].add_cells(cell, *n);
        }
    }
    blocks
}

/// Cell types that end a path: registers, block RAM, DSPs.
fn sequential(kind: &str) -> bool {
    kind.starts_with("FD")
        || kind.starts_with("RAMB")
        || kind.starts_with("DSP")
        || kind.starts_with("SRL")
}

/// Inputs of distributed RAM whose value reaches the outputs without a clock edge.
fn lutram_read_input(kind: &str, port: &str) -> bool {
    lutram_sites(kind).is_some()
        && (port.starts_with("ADDR")
            || port.starts_with("DPRA")
            || (port.starts_with('A') && port[1..].chars().all(|c| c.is_ascii_digit())))
}

/// The longest register-to-register path of a flattened netlist (`write_json`), in LUT
/// levels; distributed RAM reads count as a level.
pub fn logic_depth(netlist: &str, module: &str) -> Result<Depth, String> {
    let json: Value = serde_json::from_str(netlist).map_err(|e| e.to_string())?;
    let cells = json["modules"][module]["cells"]
        .as_object()
        .ok_or_else(|| format!("no module {module} in the netlist"))?;
    // Per cell: name, level weight, combinational input bits; per bit: its driver.
    struct Cell<'a> {
        name: &'a str,
        weight: u32,
        inputs: Vec<u64>,
    }
    let mut list: Vec<Cell> = Vec::new();
    let mut driver: HashMap<u64, usize> = HashMap::new();
    for (name, c) in cells {
        let kind = c["type"].as_str().unwrap_or("");
        let dirs = &c["port_directions"];
        let conns = c["connections"]
            .as_object()
            .ok_or("cell without connections")?;
        let index = list.len();
        let mut inputs = Vec::new();
        for (port, bits) in conns {
            let bits = bits
                .as_array()
                .ok_or("bad connection")?
                .iter()
                .filter_map(Value::as_u64);
            match dirs[port].as_str() {
                Some("output") if !sequential(kind) => {
                    for b in bits {
                        driver.insert(b, index);
                    }
                }
                Some("input")
                    if !sequential(kind)
                        && (lutram_sites(kind).is_none() || lutram_read_input(kind, port)) =>
                {
                    inputs.extend(bits);
                }
                _ => {}
            }
        }
        let weight = u32::from(kind.starts_with("LUT") || lutram_sites(kind).is_some());
        list.push(Cell {
            name,
            weight,
            inputs,
        });
    }
    // Longest path ending at each combinational cell: a depth-first walk without
    // recursion. A cell met again while its own inputs are being walked closes a
    // structural loop (rust-hdl's one-process-per-block muxes leave some that are false
    // logically): like a timing tool, the walk cuts that edge and counts it.
    let mut best: Vec<Option<(u32, Option<usize>)>> = vec![None; list.len()];
    let mut open = vec![false; list.len()];
    let mut cut = 0u32;
    for start in 0..list.len() {
        let mut stack = vec![start];
        while let Some(&c) = stack.last() {
            if best[c].is_some() {
                stack.pop();
                continue;
            }
            let drivers = list[c].inputs.iter().filter_map(|b| driver.get(b).copied());
            if !open[c] {
                open[c] = true;
                for d in drivers.filter(|&d| best[d].is_none()) {
                    if open[d] {
                        cut += 1;
                    } else {
                        stack.push(d);
                    }
                }
                continue;
            }
            let (depth, from) = drivers
                .filter_map(|d| best[d].map(|b| (b.0, Some(d))))
                .max()
                .unwrap_or((0, None));
            best[c] = Some((depth + list[c].weight, from));
            open[c] = false;
            stack.pop();
        }
    }
    let Some((end, &Some((levels, _)))) =
        best.iter().enumerate().max_by_key(|(_, b)| b.map(|b| b.0))
    else {
        return Ok(Depth::default());
    };
    let mut path = Vec::new();
    let mut at = Some(end);
    while let Some(c) = at {
        if list[c].weight > 0 {
            path.push(list[c].name.to_string());
        }
        at = best[c].and_then(|b| b.1);
    }
    path.reverse();
    Ok(Depth {
        lut_levels: levels,
        path,
        loops_cut: cut,
    })
}

/// Synthesizes `top` for the 7 series in `dir`. yosys keeps the hierarchy, so one run
/// gives the blocks (`stat` per module) and, flattened afterwards, the netlist the
/// depth is measured on.
pub fn synth_xilinx(top: &Top, dir: &Path) -> Result<Synthesis, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("{}.v", top.name));
    std::fs::write(&file, &top.verilog).map_err(|e| e.to_string())?;
    let netlist = dir.join(format!("{}.json", top.name));
    let script = format!(
        "read_verilog {}; synth_xilinx -family xc7 -top {}; stat; flatten; write_json {}",
        file.display(),
        top.module,
        netlist.display()
    );
    let log = run(Command::new("yosys").arg("-p").arg(script))?;
    std::fs::write(dir.join(format!("{}.log", top.name)), &log).map_err(|e| e.to_string())?;
    let json = std::fs::read_to_string(&netlist).map_err(|e| e.to_string())?;
    Ok(Synthesis {
        area: parse_stat(top.name, &log),
        blocks: parse_blocks(&log),
        depth: logic_depth(&json, top.module)?,
    })
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

    #[test]
    fn blocks_gather_their_submodules() {
        let log = "=== top$csr ===\n   FDRE 4\n   LUT3 2\n=== top$dma ===\n   top$dma$fetch 1\n   \
                   LUT6 5\n=== top$dma$fetch ===\n   FDRE 7\n=== top ===\n   top$csr 1\n   top$dma 1\n   \
                   LUT2 1\n=== design hierarchy ===\n   LUT6 99\n";
        let b = parse_blocks(log);
        let get = |n: &str| b.iter().find(|a| a.top == n).unwrap();
        assert_eq!((get("csr").ff, get("csr").lut), (4, 2));
        assert_eq!((get("dma").ff, get("dma").lut), (7, 5));
        assert_eq!(get("glue").lut, 1);
    }

    #[test]
    fn depth_counts_luts_between_registers() {
        // q0 -> LUT a -> CARRY c -> LUT b -> q1, and a shorter LUT d.
        let net = r#"{"modules":{"m":{"cells":{
            "q0":{"type":"FDRE","port_directions":{"D":"input","Q":"output"},"connections":{"D":[9],"Q":[2]}},
            "a":{"type":"LUT2","port_directions":{"I0":"input","I1":"input","O":"output"},"connections":{"I0":[2],"I1":[2],"O":[3]}},
            "c":{"type":"CARRY4","port_directions":{"S":"input","O":"output"},"connections":{"S":[3],"O":[4]}},
            "b":{"type":"LUT1","port_directions":{"I0":"input","O":"output"},"connections":{"I0":[4],"O":[5]}},
            "d":{"type":"LUT1","port_directions":{"I0":"input","O":"output"},"connections":{"I0":[2],"O":[6]}},
            "q1":{"type":"FDRE","port_directions":{"D":"input","Q":"output"},"connections":{"D":[5],"Q":[9]}}
        }}}}"#;
        let d = logic_depth(net, "m").unwrap();
        assert_eq!(d.lut_levels, 2);
        assert_eq!(d.path, vec!["a".to_string(), "b".to_string()]);
    }
}

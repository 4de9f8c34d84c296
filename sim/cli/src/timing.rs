//! `cdm timing`: post-route Fmax of the device and its blocks with the open ECP5 flow
//! (`cdm_sim::fpga::timing`), as a table and optionally JSON.

use std::path::PathBuf;

use cdm_hdl::device::DeviceTop;
use cdm_sim::fpga::timing::{place_and_route, Tools, BLOCKS, TARGET_MHZ};
use clap::Args;

use crate::args::Output;
use crate::Outcome;

#[derive(Args)]
pub struct TimingArgs {
    /// Blocks to run (split, csr, home, dma, device); all of them by default,
    /// the whole device last.
    pub blocks: Vec<String>,
    /// Placer seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Keep each run's files (netlist, logs, nextpnr report) under this directory.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

pub fn timing(args: TimingArgs) -> Outcome {
    let chosen: Vec<(&str, &str)> = if args.blocks.is_empty() {
        BLOCKS.to_vec()
    } else {
        args.blocks
            .iter()
            .map(|b| {
                BLOCKS
                    .iter()
                    .copied()
                    .find(|(name, _)| name == b)
                    .ok_or_else(|| {
                        let names: Vec<&str> = BLOCKS.iter().map(|(n, _)| *n).collect();
                        format!("no block `{b}`: choose from {}", names.join(", "))
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let json = Output::maybe(args.json.as_ref())?;
    let tools = Tools::find(&std::env::current_dir().map_err(|e| e.to_string())?)?;
    let verilog = cdm_hdl::export::tops::Top::of::<DeviceTop>().verilog;
    let dir = match &args.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("cdm-timing-{}", std::process::id())),
    };
    println!(
        "yosys synth_ecp5 + nextpnr-ecp5, LFE5UM-85F speed 6, constraint {TARGET_MHZ} MHz, \
         placer seed {}; every port registered in a shell",
        args.seed
    );
    println!(
        "{:<8} {:>9} {:>6} {:>7} {:>7} {:>6} {:>6} {:>7} {:>7} {:>8}",
        "block",
        "Fmax MHz",
        "slack",
        "LUT4",
        "FF",
        "CCU2C",
        "DP16KD",
        "DPR16X4",
        "synth s",
        "P&R s"
    );
    let mut results = Vec::new();
    for (block, module) in chosen {
        let t = place_and_route(&tools, block, module, &verilog, &dir.join(block), args.seed)?;
        println!(
            "{:<8} {:>9.1} {:>5.0}% {:>7} {:>7} {:>6} {:>6} {:>7} {:>7.0} {:>8.0}",
            t.block,
            t.fmax_mhz,
            (t.fmax_mhz / t.target_mhz - 1.0) * 100.0,
            t.cells.lut4,
            t.cells.ff,
            t.cells.ccu2c,
            t.cells.dp16kd,
            t.cells.dpr16x4,
            t.synth_seconds,
            t.pnr_seconds
        );
        let c = &t.critical;
        println!(
            "         critical path {:.1} ns ({:.1} logic, {:.1} routing; {} LUT levels, {} carry cells): {} -> {}",
            c.delay_ns, c.logic_ns, c.routing_ns, c.logic_levels, c.carry_cells, c.from, c.to
        );
        results.push(t);
    }
    if let Some(out) = json {
        let doc = serde_json::json!({
            "flow": "yosys synth_ecp5 + nextpnr-ecp5 (yowasp)",
            "part": "LFE5UM-85F-6 CABGA381",
            "target_mhz": TARGET_MHZ,
            "results": results,
        });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

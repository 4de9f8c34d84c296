//! `cdm`: the project's command-line tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cdm_regmap::{device_map, gen};
use cdm_sim::bench;

#[derive(Parser)]
#[command(
    name = "cdm",
    version,
    about = "Coherent device memory controller: exports, register map, benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the register map as a table.
    Regs,
    /// Write the device's Verilog, C header, SVD, Markdown reference and JSON map.
    Export {
        /// Output directory (created if missing).
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Run a benchmark.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Simulation speed of each backend on each top, under random AXI4-Lite traffic.
    Sim {
        /// Cycles per run on the cycle driver.
        #[arg(long, default_value_t = 200_000)]
        cycles: u64,
        /// Cycles per run on rust-hdl's threaded Simulation (much slower).
        #[arg(long, default_value_t = 20_000)]
        simulation_cycles: u64,
        /// Seed of the workload.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write the results as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

fn regs() {
    let map = device_map();
    println!("{:<8} {:<24} {:<10} fields", "address", "register", "reset");
    for inst in map.instances() {
        let fields: Vec<String> = inst
            .register
            .fields
            .iter()
            .rev()
            .map(|f| {
                let bits = if f.width == 1 {
                    format!("{}", f.lsb)
                } else {
                    format!("{}:{}", f.msb(), f.lsb)
                };
                format!("{}[{bits}] {}", f.name, f.access.name())
            })
            .collect();
        println!(
            "{:#06x}   {:<24} {:#010x} {}",
            inst.address,
            inst.path(),
            inst.register.reset(),
            fields.join(", ")
        );
    }
}

fn export(out: &PathBuf) -> std::io::Result<()> {
    let map = device_map();
    std::fs::create_dir_all(out)?;
    let files = [
        (
            "cdm_device.v",
            cdm_hdl::verilog::<cdm_hdl::top::DeviceTop>(),
        ),
        ("cdm_regs.h", gen::c_header::c_header(&map)),
        ("cdm.svd", gen::svd::svd(&map)),
        ("REGISTERS.md", gen::markdown::markdown(&map)),
        ("regmap.json", gen::json(&map)),
    ];
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn bench_sim(
    cycles: u64,
    simulation_cycles: u64,
    seed: u64,
    json: Option<PathBuf>,
) -> std::io::Result<()> {
    let native = bench::native_csr(cycles, seed);
    let threaded = bench::rust_hdl_simulation_csr(simulation_cycles, seed);
    let results = [native, threaded];
    println!(
        "{:<6} {:<24} {:>10} {:>9} {:>14} {:>14}",
        "top", "backend", "cycles", "seconds", "cycles/s", "sim time (us)"
    );
    for r in &results {
        println!(
            "{:<6} {:<24} {:>10} {:>9.3} {:>14.0} {:>14.1}",
            r.top, r.backend, r.cycles, r.seconds, r.cycles_per_second, r.simulated_us
        );
    }
    let ratio = results[0].cycles_per_second / results[1].cycles_per_second;
    println!("cycle driver / rust-hdl Simulation: {ratio:.1}x");
    if let Some(path) = json {
        let doc = serde_json::json!({ "benchmark": "sim", "results": results, "native_over_simulation": ratio });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("JSON"))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Regs => {
            regs();
            Ok(())
        }
        Command::Export { out } => export(&out),
        Command::Bench {
            which:
                Bench::Sim {
                    cycles,
                    simulation_cycles,
                    seed,
                    json,
                },
        } => bench_sim(cycles, simulation_cycles, seed, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cdm: {e}");
            ExitCode::FAILURE
        }
    }
}

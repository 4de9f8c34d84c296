//! Verilates every top of the device and compiles the models into this crate.
//!
//! For each top of `cdm_hdl::export::tops::all`, the build exports its Verilog with rust-hdl, runs
//! Verilator on it, generates the C glue (a setter and a getter per port, any width)
//! and the matching Rust table of ports, and compiles it all with the `cc` crate. A new
//! top needs one line in `cdm_hdl::export::tops::all` and nothing else. Without Verilator the crate builds
//! with no models and says so at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use cdm_hdl::export::ports::PortDir;
use cdm_hdl::export::tops::{self, Top};

fn find_in_path(tool: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Verilator's C++ name of a Verilog port (`axil$awaddr` -> `axil__024awaddr`).
fn cpp_name(verilog: &str) -> String {
    verilog.replace('$', "__024")
}

fn glue(top: &Top) -> String {
    let n = top.name;
    let class = format!("V{n}");
    let mut c = String::new();
    let w = &mut c;
    writeln!(w, "#include \"{class}.h\"\n#include <cstdint>\n").unwrap();
    writeln!(
        w,
        "namespace {{ struct Model_{n} {{ VerilatedContext ctx; {class}* top; }}; }}\n"
    )
    .unwrap();
    writeln!(w, "extern \"C\" {{").unwrap();
    let clock = cpp_name(top.clock);
    writeln!(w, "void* cdm_{n}_new() {{ auto* m = new Model_{n}; m->top = new {class}(&m->ctx, \"top\"); m->top->{clock} = 0; m->top->eval(); return m; }}").unwrap();
    writeln!(w, "void cdm_{n}_free(void* p) {{ auto* m = static_cast<Model_{n}*>(p); m->top->final(); delete m->top; delete m; }}").unwrap();
    writeln!(
        w,
        "void cdm_{n}_eval(void* p) {{ static_cast<Model_{n}*>(p)->top->eval(); }}"
    )
    .unwrap();
    writeln!(
        w,
        "void cdm_{n}_clock(void* p, uint8_t v) {{ static_cast<Model_{n}*>(p)->top->{clock} = v; }}"
    )
    .unwrap();
    for (setter, input) in [("set", true), ("get", false)] {
        let (qual, arg) = if input { ("const ", "w") } else { ("", "w") };
        writeln!(
            w,
            "void cdm_{n}_{setter}(void* p, uint32_t port, {qual}uint64_t* {arg}) {{"
        )
        .unwrap();
        writeln!(
            w,
            "  auto* t = static_cast<Model_{n}*>(p)->top;\n  switch (port) {{"
        )
        .unwrap();
        for (i, (_, width, dir)) in top.ports.iter().enumerate() {
            let is_input = *dir == PortDir::Input;
            if input && !is_input {
                continue;
            }
            // Accessed by its name on the exported module, listed by its rust-hdl name.
            let m = cpp_name(&top.names[i]);
            let body = match (input, *width) {
                (true, w) if w <= 64 => format!("t->{m} = w[0];"),
                (false, w) if w <= 64 => format!("w[0] = t->{m};"),
                (true, w) => format!(
                    "for (int i = 0; i < {}; ++i) t->{m}[i] = (uint32_t)(w[i / 2] >> (32 * (i % 2)));",
                    w.div_ceil(32)
                ),
                (false, w) => format!(
                    "for (int i = 0; i < {}; ++i) w[i] = 0; for (int i = 0; i < {}; ++i) w[i / 2] |= (uint64_t)t->{m}[i] << (32 * (i % 2));",
                    w.div_ceil(64),
                    w.div_ceil(32)
                ),
            };
            writeln!(w, "  case {i}: {body} break;").unwrap();
        }
        writeln!(w, "  default: break;\n  }}\n}}").unwrap();
    }
    writeln!(w, "}}").unwrap();
    c
}

fn rust_table(tops: &[Top]) -> String {
    let mut r = String::new();
    let w = &mut r;
    for t in tops {
        let n = t.name;
        writeln!(w, "extern \"C\" {{").unwrap();
        writeln!(w, "    fn cdm_{n}_new() -> *mut c_void;").unwrap();
        writeln!(w, "    fn cdm_{n}_free(m: *mut c_void);").unwrap();
        writeln!(w, "    fn cdm_{n}_eval(m: *mut c_void);").unwrap();
        writeln!(w, "    fn cdm_{n}_clock(m: *mut c_void, v: u8);").unwrap();
        writeln!(
            w,
            "    fn cdm_{n}_set(m: *mut c_void, port: u32, w: *const u64);"
        )
        .unwrap();
        writeln!(
            w,
            "    fn cdm_{n}_get(m: *mut c_void, port: u32, w: *mut u64);"
        )
        .unwrap();
        writeln!(w, "}}").unwrap();
    }
    writeln!(
        w,
        "/// Every verilated top.\npub static MODELS: &[ModelInfo] = &["
    )
    .unwrap();
    for t in tops {
        let n = t.name;
        writeln!(
            w,
            "    ModelInfo {{\n        name: {n:?},\n        ports: &["
        )
        .unwrap();
        for (name, width, dir) in &t.ports {
            let input = *dir == PortDir::Input;
            writeln!(
                w,
                "            PortDesc {{ name: {name:?}, width: {width}, input: {input} }},"
            )
            .unwrap();
        }
        writeln!(w, "        ],").unwrap();
        writeln!(w, "        vtable: VTable {{ new: cdm_{n}_new, free: cdm_{n}_free, eval: cdm_{n}_eval, clock: cdm_{n}_clock, set: cdm_{n}_set, get: cdm_{n}_get }},").unwrap();
        writeln!(w, "    }},").unwrap();
    }
    writeln!(w, "];").unwrap();
    r
}

/// The model table when nothing could be verilated.
const NO_MODELS: &str = "/// No top was verilated.\npub static MODELS: &[ModelInfo] = &[];\n";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cdm_no_verilator)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../../hdl/src");
    println!("cargo::rerun-if-changed=../../hdl/regmap/src");
    println!("cargo::rerun-if-env-changed=PATH");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let Some(verilator) = find_in_path("verilator") else {
        // Installing verilator later changes a directory of PATH, not PATH itself:
        // watch the directories so the next build finds it.
        for dir in env::split_paths(&env::var_os("PATH").unwrap_or_default()) {
            if dir.is_dir() {
                println!("cargo::rerun-if-changed={}", dir.display());
            }
        }
        println!("cargo::warning=verilator not found: the Verilator backend is unavailable (apt-get install -y verilator, then rebuild)");
        println!("cargo::rustc-cfg=cdm_no_verilator");
        fs::write(
            out.join("models.rs"),
            "/// No top was verilated.\npub static MODELS: &[ModelInfo] = &[];\n",
        )
        .unwrap();
        return;
    };
    println!("cargo::rerun-if-changed={}", verilator.display());
    // The glue uses VerilatedContext (Verilator 4.200 and later).
    let version = run(Command::new(&verilator).arg("--version"));
    let number: Vec<u32> = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .split('.')
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    if number.as_slice() < [4, 200].as_slice() {
        println!("cargo::warning=Verilator 4.200 or later is needed ({}): the Verilator backend is unavailable", version.trim());
        println!("cargo::rustc-cfg=cdm_no_verilator");
        fs::write(out.join("models.rs"), NO_MODELS).unwrap();
        return;
    }
    let root = run(Command::new(&verilator).args(["--getenv", "VERILATOR_ROOT"]));
    let include = Path::new(root.trim()).join("include");

    let tops = tops::all();
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .opt_level(3)
        .debug(false)
        .warnings(false)
        .include(&include)
        .include(include.join("vltstd"))
        .file(include.join("verilated.cpp"))
        .file(include.join("verilated_threads.cpp"));
    for t in &tops {
        let dir = out.join(t.name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let design = dir.join("design.v");
        fs::write(&design, &t.verilog).unwrap();
        run(Command::new(&verilator)
            .args([
                "--cc",
                "--top-module",
                t.module,
                "-O3",
                "--x-assign",
                "0",
                "--x-initial",
                "0",
            ])
            .args(["-Wno-fatal", "-Wno-lint", "-Wno-style"])
            .arg("--prefix")
            .arg(format!("V{}", t.name))
            .arg("--Mdir")
            .arg(&dir)
            .arg(&design));
        fs::write(dir.join("glue.cpp"), glue(t)).unwrap();
        build.include(&dir);
        let mut sources: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "cpp"))
            .collect();
        sources.sort();
        build.files(sources);
    }
    build.compile("cdm_verilated");
    println!("cargo::rustc-link-lib=pthread");
    fs::write(out.join("models.rs"), rust_table(&tops)).unwrap();
}

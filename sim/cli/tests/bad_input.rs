//! Bad input to `cdm`: each gets a clear error naming the value or the file and a
//! non-zero exit status, before any simulation starts, never a panic, a hang or a run
//! out of memory.

use std::process::{Command, Output};

fn cdm(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cdm"));
    cmd.args(args).env_remove("CDM_SIM");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run cdm")
}

/// The command fails with exit status 1 and a `cdm:` message containing `what`.
fn refuses(args: &[&str], env: &[(&str, &str)], what: &str) {
    let out = cdm(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "{args:?}: {:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    assert!(
        stderr.contains(what),
        "{args:?}: expected {what:?} in:\n{stderr}"
    );
}

#[test]
fn a_bad_cdm_sim_is_an_error_where_a_simulator_is_used_and_ignored_elsewhere() {
    let bad = [("CDM_SIM", "verilater")];
    for args in [
        &["migrate"][..],
        &["bench", "dma"],
        &["bench", "coherence"],
        &["bench", "migrate"],
        &["bench", "sim"],
    ] {
        refuses(args, &bad, "CDM_SIM: unknown simulator backend `verilater`");
    }
    let out = cdm(&["regs"], &bad);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn migrate_sizes_are_checked_before_anything_runs() {
    for (size, what) in [
        (
            "18446744073709551615",
            "not a positive multiple of the 4 KiB page",
        ),
        ("9223372036854775808", "more than the 256 MiB"),
        ("1099511627776", "more than the 256 MiB"),
        ("18446744073709551616", "does not fit in 64 bits"),
        ("0", "not a positive multiple"),
        ("3", "size 3 bytes"),
        ("64X", "unknown unit `X`"),
    ] {
        refuses(&["migrate", "--size", size], &[], what);
    }
}

#[test]
fn latencies_beyond_the_watchdog_are_refused() {
    for args in [
        &["migrate", "--latency", "100000"][..],
        &["bench", "migrate", "--latency", "100000"],
        &["bench", "coherence", "--latency", "100000"],
    ] {
        refuses(args, &[], "at most 10000");
    }
}

#[test]
fn benchmark_counts_are_checked() {
    refuses(
        &["bench", "migrate", "--max-huge", "18446744073709551615"],
        &[],
        "not a power of two from 1 to 128",
    );
    refuses(&["bench", "migrate", "--max-huge", "3"], &[], "max-huge 3");
    refuses(
        &["bench", "migrate", "--max-huge", "256"],
        &[],
        "max-huge 256",
    );
    refuses(&["bench", "coherence", "--copies", "0"], &[], "--copies");
    refuses(&["bench", "coherence", "--copies", "5000"], &[], "1..=4095");
}

#[test]
fn output_paths_are_checked_first_and_named() {
    let missing = std::env::temp_dir().join("cdm-no-such-dir").join("x.json");
    let path = missing.to_str().unwrap();
    for args in [
        &["migrate", "--json", path][..],
        &["bench", "dma", "--json", path],
        &["bench", "dma", "--svg", path],
        &["bench", "coherence", "--json", path],
        &["bench", "migrate", "--json", path],
        &["bench", "sim", "--json", path],
        &["synth", "--json", path],
    ] {
        refuses(args, &[], &format!("cannot write {path}"));
    }
    let file = std::env::temp_dir().join(format!("cdm-export-{}", std::process::id()));
    std::fs::write(&file, "").unwrap();
    let name = file.to_str().unwrap();
    refuses(
        &["export", "--out", name],
        &[],
        &format!("cannot create the directory {name}"),
    );
    std::fs::remove_file(&file).unwrap();
}

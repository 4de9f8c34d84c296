//! External tools (iverilog, verilator, yosys): find them, or skip loudly.
//!
//! A check that needs a missing tool prints how to install it and is skipped, except
//! under `CDM_REQUIRE_TOOLS=1` (set by CI), where a missing tool is a failure.

use std::path::Path;
use std::process::Command;

/// True when `tool` can be run from `PATH`.
pub fn found(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(tool).is_file()))
        .unwrap_or(false)
}

/// True when tools must not be skipped (`CDM_REQUIRE_TOOLS=1`).
pub fn required() -> bool {
    std::env::var("CDM_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Returns true when every tool is present. Otherwise prints a notice and returns false,
/// or panics under `CDM_REQUIRE_TOOLS=1`.
pub fn available(check: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !found(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let install = "apt-get install -y iverilog verilator yosys";
    if required() {
        panic!(
            "{check}: {} not installed and CDM_REQUIRE_TOOLS=1 ({install})",
            missing.join(", ")
        );
    }
    eprintln!(
        "\n*** SKIPPED {check}: {} not installed. Install with `{install}`; \
         set CDM_REQUIRE_TOOLS=1 to make this a failure. ***\n",
        missing.join(", ")
    );
    false
}

/// Runs a command, returning its combined output, or an error with that output.
pub fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{:?} failed ({}):\n{text}",
            cmd.get_program(),
            out.status
        ))
    }
}

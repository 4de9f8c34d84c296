//! The generated files committed to the tree, and the check that keeps them current.
//!
//! Like OpenTitan's reggen outputs, each artefact derived from the map is committed
//! where a reader looks for it: the CSR block beside the hardware, the driver's
//! registers beside the driver, the references under `docs/generated/`. A test
//! (`tests/generated.rs`) regenerates every file and fails on any difference;
//! `CDM_BLESS=1` makes it write them instead. Nothing here depends on the hardware
//! crate, so the files regenerate even when the hardware no longer compiles against
//! the old ones.

use std::path::{Path, PathBuf};

use crate::device_map;
use crate::gen::{c_header, csr_hdl, descriptor, driver, json, markdown, svd};
use crate::model::Access::{RO, RW, W1C, W1P, W1S, WO};
use crate::model::{Block, Field, RegMap, Register};

/// The environment variable that makes [`check_or_bless`] write instead of compare.
pub const BLESS: &str = "CDM_BLESS";

/// One committed file: its path from the workspace root and its contents.
pub struct Committed {
    pub path: &'static str,
    pub text: String,
}

/// Every file generated from the register map alone (`docs/generated/INTERFACE.md`
/// also needs the device's ports, so `cdm-hdl`'s test `generated` checks it).
pub fn committed() -> Vec<Committed> {
    let map = device_map();
    let corners = corner_map();
    let rust = |text: String| {
        format!("// Regenerate: {BLESS}=1 cargo test -p cdm-regmap --test generated\n{text}")
    };
    vec![
        Committed {
            path: "hdl/src/generated/csr_block.rs",
            text: rust(csr_hdl::rust_hdl(&map)),
        },
        Committed {
            path: "driver/src/generated/regs.rs",
            text: rust(driver::rust_driver(&map)),
        },
        Committed {
            path: "driver/src/generated/descriptor.rs",
            text: rust(descriptor::rust_descriptor()),
        },
        Committed {
            path: "driver/src/generated/corner_regs.rs",
            text: rust(driver::rust_driver(&corners)),
        },
        Committed {
            path: "docs/generated/REGISTERS.md",
            text: markdown::markdown(&map),
        },
        Committed {
            path: "docs/generated/cdm_regs.h",
            text: c_header::c_header(&map),
        },
        Committed {
            path: "docs/generated/cdm.svd",
            text: svd::svd(&map),
        },
        Committed {
            path: "docs/generated/regmap.json",
            text: json(&map) + "\n",
        },
    ]
}

/// The workspace root, from a crate's `CARGO_MANIFEST_DIR` and its depth below it.
pub fn workspace_root(manifest_dir: &str, depth: usize) -> PathBuf {
    let mut root = PathBuf::from(manifest_dir);
    for _ in 0..depth {
        root.pop();
    }
    root
}

/// Compares `path` with `text`; under `CDM_BLESS=1` writes `text` to it instead. The
/// error names the file and says how to regenerate it.
pub fn check_or_bless(path: &Path, text: &str, regenerate: &str) -> Result<(), String> {
    if std::env::var(BLESS).as_deref() == Ok("1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        return std::fs::write(path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    if on_disk == text {
        return Ok(());
    }
    let line = on_disk
        .lines()
        .zip(text.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| on_disk.lines().count().min(text.lines().count()))
        + 1;
    Err(format!(
        "{} is out of date (first difference at line {line}); regenerate it with `{BLESS}=1 {regenerate}` and commit the result",
        path.display()
    ))
}

/// A map that exercises the driver generator's corners (enumerations, keyword names,
/// 32-bit fields, arrays, every access kind); `cdm-driver` compiles its output in its
/// unit tests (`driver/src/tests/generator.rs`).
pub fn corner_map() -> RegMap {
    RegMap::new("TEST", 0x100, "Generator test map.")
        .block(
            Block::new("TYPE", 0x00, "A block named by a keyword.")
                .register(
                    Register::new("MATCH", 0x0, "Enumerations and keywords.")
                        .field(
                            Field::new("MODE", 0, 2, RW, "Exhaustive enumeration.")
                                .reset(1)
                                .value("IDLE", 0, "Idle.")
                                .value("RUN", 1, "Running.")
                                .value("SELF", 2, "A variant named by a keyword.")
                                .value("HALT", 3, "Halted."),
                        )
                        .field(
                            Field::new("TYPE", 4, 3, RW, "Partial enumeration named by a keyword.")
                                .reset(5)
                                .value("A", 0, "Kind a.")
                                .value("B", 5, "Kind b."),
                        )
                        .field(
                            Field::new("LOOP", 7, 1, RO, "One-bit enumeration, read-only.")
                                .value("OFF", 0, "Off.")
                                .value("ON", 1, "On."),
                        )
                        .field(Field::new("SELF", 8, 1, W1P, "A pulse named by a keyword."))
                        .field(Field::new("CRATE", 12, 4, WO, "Write-only."))
                        .field(Field::new("FN", 16, 16, RW, "Upper half.").reset(0xBEEF)),
                )
                .register(
                    Register::new("OPTION", 0x4, "A name shadowing a prelude type.").field(
                        Field::new("WORD", 0, 32, RW, "A full-width field.").reset(0xDEAD_BEEF),
                    ),
                )
                .register(Register::new("LOCK", 0x8, "Lock bit.").field(Field::new(
                    "LOCK",
                    0,
                    1,
                    W1S,
                    "Locks CHAN.CFG.",
                ))),
        )
        .block(
            Block::new("CHAN", 0x40, "An array.")
                .array(3, 0x10)
                .register(
                    Register::new("CFG", 0x0, "Configuration.")
                        .field(Field::new("SIZE", 4, 28, RW, "Upper bits."))
                        .locked_by("TYPE.LOCK.LOCK"),
                )
                .register(
                    Register::new("EVENTS", 0x4, "Events.")
                        .field(Field::new("DONE", 0, 1, W1C, "Done."))
                        .field(Field::new("ERR", 1, 1, W1C, "Error."))
                        .field(
                            Field::new("KICK", 2, 1, W1S, "Kick; hardware clears it.").hw_clear(),
                        )
                        .field(Field::new("LEVEL", 8, 4, RO, "Level.").reset(3)),
                )
                .register(
                    Register::new("PUSH", 0x8, "Write-only register.")
                        .field(Field::new("DATA", 0, 16, WO, "Data.")),
                ),
        )
}

//! Generates the `regs` module from the register map and the `descriptor` module
//! from the descriptor format.
//!
//! A map that fails validation fails the build, with the culprit in the message.
//! Besides `regs.rs` (the device) the script writes `test_regs.rs`: a synthetic map
//! that uses every feature of the generator (enumerations, keywords, 32-bit fields,
//! arrays, every access kind), compiled only by the crate's unit tests.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use cdm_regmap::gen::descriptor::rust_descriptor;
use cdm_regmap::gen::driver::rust_driver;
use cdm_regmap::Access::{RO, RW, W1C, W1P, W1S, WO};
use cdm_regmap::{device_map, Block, Field, RegMap, Register};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../hdl/regmap/src");

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts"));
    generate(&device_map(), &out.join("regs.rs"));
    generate(&test_map(), &out.join("test_regs.rs"));
    let descriptor = out.join("descriptor.rs");
    if let Err(e) = fs::write(&descriptor, rust_descriptor()) {
        panic!("cannot write {}: {e}", descriptor.display());
    }
}

fn generate(map: &RegMap, path: &Path) {
    if let Err(e) = map.validate() {
        panic!("register map `{}` is invalid: {e}", map.name);
    }
    if let Err(e) = fs::write(path, rust_driver(map)) {
        panic!("cannot write {}: {e}", path.display());
    }
}

/// A map exercising the generator's corners; see `src/tests/generator.rs`.
fn test_map() -> RegMap {
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

//! Generates the CSR block from the register map; a broken map fails the build here.

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=regmap/src");
    let map = cdm_regmap::device_map();
    if let Err(e) = map.validate() {
        panic!("register map is invalid: {e}");
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(
        out.join("csr_block.rs"),
        cdm_regmap::gen::csr_hdl::rust_hdl(&map),
    )
    .expect("write csr_block.rs");
}

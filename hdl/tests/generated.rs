//! `docs/generated/INTERFACE.md`, the wrapper's port document, matches the device's
//! ports today (the register map's files are checked by `cdm-regmap`'s own test).
//! `CDM_BLESS=1 cargo test -p cdm-hdl --test generated` rewrites it.

use cdm_hdl::device::DeviceTop;
use cdm_hdl::export::ports::PortMap;
use cdm_hdl::export::wrapper::interface_doc;
use cdm_regmap::gen::committed::{check_or_bless, workspace_root};

#[test]
fn the_interface_document_in_the_tree_is_current() {
    let ports: Vec<_> = DeviceTop::ports()
        .iter()
        .map(|p| (p.name.clone(), p.width, p.dir))
        .collect();
    let path = workspace_root(env!("CARGO_MANIFEST_DIR"), 1).join("docs/generated/INTERFACE.md");
    if let Err(e) = check_or_bless(
        &path,
        &interface_doc(&ports),
        "cargo test -p cdm-hdl --test generated",
    ) {
        panic!("{e}");
    }
}

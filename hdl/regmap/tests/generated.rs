//! The generated files in the tree match what the generators make of the map today.
//! `CDM_BLESS=1 cargo test -p cdm-regmap --test generated` rewrites them.

use cdm_regmap::device_map;
use cdm_regmap::gen::committed::{check_or_bless, committed, corner_map, workspace_root};

#[test]
fn the_maps_are_valid() {
    // The build scripts used to reject a broken map; the committed files make this
    // the place that does.
    device_map().validate().expect("the device map is valid");
    corner_map()
        .validate()
        .expect("the generator's corner map is valid");
}

#[test]
fn every_generated_file_in_the_tree_is_current() {
    let root = workspace_root(env!("CARGO_MANIFEST_DIR"), 2);
    let stale: Vec<String> = committed()
        .iter()
        .filter_map(|file| {
            check_or_bless(
                &root.join(file.path),
                &file.text,
                "cargo test -p cdm-regmap --test generated",
            )
            .err()
        })
        .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

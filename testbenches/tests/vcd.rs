//! Waveforms: the VCD writer streams the filtered ports, and the file reads back.

use cdm_sim::bus::axil::Timing;
use cdm_sim::bus::bridge::CsrBridge;
use cdm_sim::design::vcd::{SignalFilter, VcdTrace};
use cdm_sim::Rng;
use cdm_testbenches::{on_each_backend, Backend};

fn vcd_holds_the_filtered_ports_and_their_values(backend: Backend) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("csr-{backend}.vcd"));
    let dut = VcdTrace::new(
        cdm_testbenches::csr_block(backend),
        &path,
        &SignalFilter::new("axil$w*,global_scratch_value"),
    )
    .unwrap();
    let mut bridge = CsrBridge::new(dut, "axil$", Timing::EAGER, Rng::new(7)).unwrap();
    bridge.write_any(0x14, 0xcafe_f00d).unwrap();
    bridge.idle(2);
    drop(bridge);

    let mut parser = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let header = parser.parse_header().unwrap();
    let names: Vec<String> = header
        .items
        .iter()
        .flat_map(|item| match item {
            vcd::ScopeItem::Scope(s) => s.items.clone(),
            other => vec![other.clone()],
        })
        .filter_map(|item| match item {
            vcd::ScopeItem::Var(v) => Some(v.reference),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"axil.wdata".to_string()), "{names:?}");
    assert!(
        names.contains(&"global_scratch_value".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("axil.ar")),
        "filtered out: {names:?}"
    );
    let scratch = header
        .find_var(&["top", "global_scratch_value"])
        .unwrap()
        .code;
    let last = parser
        .filter_map(Result::ok)
        .filter_map(|cmd| match cmd {
            vcd::Command::ChangeVector(code, v) if code == scratch => Some(v),
            _ => None,
        })
        .last()
        .expect("scratch changes");
    let value = last
        .iter()
        .fold(0u64, |acc, b| (acc << 1) | (b == vcd::Value::V1) as u64);
    assert_eq!(value, 0xcafe_f00d);
}

on_each_backend!(vcd_holds_the_filtered_ports_and_their_values);

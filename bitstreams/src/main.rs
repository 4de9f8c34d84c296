//! `cargo run --release -- verilog [FILE]`: writes the board top's Verilog (the MIG and
//! the FrontPanel endpoints as black boxes) without running Vivado.
//! `cargo run --release -- bitstream [DIR]`: synthesizes the board top with Vivado into
//! `DIR/top.bit` (default `target/xem7010`).
//! `cargo run --release -- smoke BITFILE [SERIAL]`: loads the bitstream and talks to the
//! device through the driver: identification, scratch register, device memory probe.

use cdm_bitstreams::frontpanel::FrontPanelIo;
use cdm_driver::regs::global;
use cdm_driver::Regs;
use rust_hdl::prelude::Block;
use rust_hdl_bsp_ok_xem7010::xem7010::XEM7010;
use rust_hdl_ok_core::core::prelude::OpalKellyBSP;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("verilog") => {
            let path = args.get(2).map_or("target/xem7010/top.v", String::as_str);
            let mut top = cdm_bitstreams::top::board();
            top.connect_all();
            std::fs::write(path, rust_hdl::prelude::generate_verilog(&top))
                .unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
            println!("wrote {path}");
        }
        Some("bitstream") => {
            let dir = args.get(2).map_or("target/xem7010", String::as_str);
            XEM7010::synth(cdm_bitstreams::top::board(), dir);
            println!("wrote {dir}/top.bit");
        }
        Some("smoke") => {
            let bit = args.get(2).expect("usage: smoke BITFILE [SERIAL]");
            let io = FrontPanelIo::open(bit, args.get(3).map(String::as_str))
                .unwrap_or_else(|e| panic!("cannot open the XEM7010: FrontPanel error {}", e.code));
            let mut regs = Regs::new(io);
            let id = regs.read::<global::Id>().expect("ID");
            println!("device {:#06x} by vendor {:#06x}", id.device(), id.vendor());
            let v = 0x5A5A_1234;
            regs.write_with::<global::Scratch>(|s| s.with_value(v))
                .expect("SCRATCH");
            assert_eq!(regs.read::<global::Scratch>().expect("SCRATCH").value(), v);
            let mut bus = regs.into_inner();
            let region =
                cdm_driver::cdm::probe(&mut bus, 0x8000_0000, 10_000).expect("device memory probe");
            println!(
                "device memory: {} MiB at {:#x}; registers OK",
                region.size >> 20,
                region.base
            );
        }
        _ => eprintln!(
            "usage: cdm-bitstreams verilog [FILE] | bitstream [DIR] | smoke BITFILE [SERIAL]"
        ),
    }
}

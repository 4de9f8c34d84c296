fn main() {
    std::fs::write("/tmp/top.v", cdm_hdl::top::device_verilog()).unwrap();
}

//! FPGA targets (placeholder until the FPGA flow lands).

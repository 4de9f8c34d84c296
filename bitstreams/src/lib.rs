//! The device on an Opal Kelly XEM7010 (Artix-7 xc7a50t, 512 MiB DDR3).
//!
//! - [`top`]: the board top: FrontPanel wires to the CSR slave, the MIG's DDR3 as device
//!   memory, 64 KiB of block RAM standing in for host memory, status on the LEDs.
//! - [`frontpanel`]: the driver's `RegisterIo` over FrontPanel, so the same driver code
//!   runs on the board from the host PC.
//! - [`endpoints`]: the FrontPanel endpoint map both sides use.

pub mod frontpanel;
pub mod top;

/// FrontPanel endpoints of the register path (`cdm_hdl::board::wire_csr`).
pub mod endpoints {
    /// Wire-in: CSR byte offset (bits 11:0).
    pub const ADDR: i32 = 0x00;
    /// Wire-ins: write data, bits 15:0 and 31:16.
    pub const WDATA_LO: i32 = 0x01;
    pub const WDATA_HI: i32 = 0x02;
    /// Wire-in: bit 0 write (else read); bit 1 holds the MIG (and so the device) in reset.
    pub const CTRL: i32 = 0x03;
    pub const CTRL_WRITE: u16 = 1 << 0;
    pub const CTRL_RESET: u16 = 1 << 1;
    /// Trigger-in: bit 0 starts an access.
    pub const GO: i32 = 0x40;
    /// Wire-outs: read data, bits 15:0 and 31:16.
    pub const RDATA_LO: i32 = 0x20;
    pub const RDATA_HI: i32 = 0x21;
    /// Wire-out: bit 0 done (flips per access), bits 2:1 the AXI response, bit 3 the
    /// interrupt line, bit 4 DDR3 calibration done.
    pub const STATUS: i32 = 0x22;
    pub const STATUS_DONE: u16 = 1 << 0;
    pub const STATUS_RESP_SHIFT: u16 = 1;
    pub const STATUS_IRQ: u16 = 1 << 3;
    pub const STATUS_CALIBRATED: u16 = 1 << 4;
}

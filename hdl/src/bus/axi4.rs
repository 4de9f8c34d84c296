//! AXI4 signal bundles for burst masters and slaves (DMA data movers, memory ports).
//!
//! `ID`, `A` and `D` are the ID, address and data widths; `S = D / 8` is the strobe
//! width (a separate parameter because stable Rust cannot compute it from `D`).
//! Lock, cache, prot, QoS, region and user signals are left out: no block of this
//! device uses them, and a board wrapper ties them to their defaults.

use rust_hdl::prelude::*;

/// Master side of an AXI4 link.
#[derive(LogicInterface, Default)]
#[join = "Axi4Slave"]
pub struct Axi4Master<const ID: usize, const A: usize, const D: usize, const S: usize> {
    pub awid: Signal<Out, Bits<ID>>,
    pub awaddr: Signal<Out, Bits<A>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<D>>,
    pub wstrb: Signal<Out, Bits<S>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bid: Signal<In, Bits<ID>>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    pub arid: Signal<Out, Bits<ID>>,
    pub araddr: Signal<Out, Bits<A>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rid: Signal<In, Bits<ID>>,
    pub rdata: Signal<In, Bits<D>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
}

/// Slave side of an AXI4 link.
#[derive(LogicInterface, Default)]
#[join = "Axi4Master"]
pub struct Axi4Slave<const ID: usize, const A: usize, const D: usize, const S: usize> {
    pub awid: Signal<In, Bits<ID>>,
    pub awaddr: Signal<In, Bits<A>>,
    pub awlen: Signal<In, Bits<8>>,
    pub awsize: Signal<In, Bits<3>>,
    pub awburst: Signal<In, Bits<2>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<D>>,
    pub wstrb: Signal<In, Bits<S>>,
    pub wlast: Signal<In, Bit>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bid: Signal<Out, Bits<ID>>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub arid: Signal<In, Bits<ID>>,
    pub araddr: Signal<In, Bits<A>>,
    pub arlen: Signal<In, Bits<8>>,
    pub arsize: Signal<In, Bits<3>>,
    pub arburst: Signal<In, Bits<2>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rid: Signal<Out, Bits<ID>>,
    pub rdata: Signal<Out, Bits<D>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,
}

/// The read channels (AR, R) of an AXI4 master: the read half of a DMA engine.
#[derive(LogicInterface, Default)]
pub struct Axi4ReadMaster<const ID: usize, const A: usize, const D: usize> {
    pub arid: Signal<Out, Bits<ID>>,
    pub araddr: Signal<Out, Bits<A>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rid: Signal<In, Bits<ID>>,
    pub rdata: Signal<In, Bits<D>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
}

/// The write channels (AW, W, B) of an AXI4 master: the write half of a DMA engine.
#[derive(LogicInterface, Default)]
pub struct Axi4WriteMaster<const ID: usize, const A: usize, const D: usize, const S: usize> {
    pub awid: Signal<Out, Bits<ID>>,
    pub awaddr: Signal<Out, Bits<A>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<D>>,
    pub wstrb: Signal<Out, Bits<S>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bid: Signal<In, Bits<ID>>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
}

/// A W beat (128-bit data).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct WriteBeat {
    pub data: Bits<128>,
    pub strb: Bits<16>,
    pub last: Bit,
}

/// A B beat.
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct WriteResponse {
    pub id: Bits<4>,
    pub resp: Bits<2>,
}

/// An R beat (128-bit data).
#[derive(Copy, Clone, Default, Debug, PartialEq, LogicStruct)]
pub struct ReadBeat {
    pub id: Bits<4>,
    pub data: Bits<128>,
    pub resp: Bits<2>,
    pub last: Bit,
}

/// AXI response codes (`xRESP`).
pub mod resp {
    pub const OKAY: u64 = 0b00;
    pub const EXOKAY: u64 = 0b01;
    pub const SLVERR: u64 = 0b10;
    pub const DECERR: u64 = 0b11;
}

/// AXI burst types (`AxBURST`).
pub mod burst {
    pub const FIXED: u64 = 0b00;
    pub const INCR: u64 = 0b01;
    pub const WRAP: u64 = 0b10;
}

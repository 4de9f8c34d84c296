//! Co-simulation bridge: the driver's register trait over the simulated CSR port.
//!
//! The real `cdm-driver` code runs unchanged against the simulated hardware: each
//! `read32`/`write32` becomes an AXI4-Lite transaction of the master model, and the
//! simulation runs until it completes.

use cdm_driver::io::{BusError, BusErrorKind, Offset, RegisterIo};

use crate::bus::axil::{AxiLiteMaster, Completion, Op, Resp, Timing};
use crate::design::dut::{Dut, NoSuchPort};
use crate::rng::Rng;

/// Cycles a register access may take before the bridge declares the hardware hung.
const ACCESS_TIMEOUT: u64 = 10_000;

/// A model on the device's other ports (a memory, a host cache), stepped with the CSR
/// master in every cycle the bridge runs. Every model drives before any samples, so
/// the simulator settles the design once per cycle.
pub trait Peripheral {
    /// Drives this cycle's inputs.
    fn drive(&mut self, dut: &mut dyn Dut);
    /// Takes the handshakes of the coming clock edge.
    fn sample(&mut self, dut: &mut dyn Dut);

    /// Drives, then samples: for a model alone on the design's inputs.
    fn tick(&mut self, dut: &mut dyn Dut) {
        self.drive(dut);
        self.sample(dut);
    }
}

impl Peripheral for () {
    fn drive(&mut self, _: &mut dyn Dut) {}
    fn sample(&mut self, _: &mut dyn Dut) {}
}

/// Two models on disjoint ports, such as the host and device memory ports.
impl<A: Peripheral, B: Peripheral> Peripheral for (A, B) {
    fn drive(&mut self, dut: &mut dyn Dut) {
        self.0.drive(dut);
        self.1.drive(dut);
    }

    fn sample(&mut self, dut: &mut dyn Dut) {
        self.0.sample(dut);
        self.1.sample(dut);
    }
}

/// A simulated device reachable through the driver's [`RegisterIo`], with a
/// [`Peripheral`] on its other ports.
pub struct CsrBridge<D: Dut, P: Peripheral = ()> {
    dut: D,
    master: AxiLiteMaster,
    peripheral: P,
}

impl<D: Dut> CsrBridge<D> {
    /// Attaches an AXI4-Lite master to the ports `<prefix>awaddr` and so on.
    pub fn new(dut: D, prefix: &str, timing: Timing, rng: Rng) -> Result<Self, NoSuchPort> {
        CsrBridge::with(dut, prefix, timing, rng, ())
    }
}

impl<D: Dut, P: Peripheral> CsrBridge<D, P> {
    /// Like [`CsrBridge::new`], and steps `peripheral` every cycle.
    pub fn with(
        dut: D,
        prefix: &str,
        timing: Timing,
        rng: Rng,
        peripheral: P,
    ) -> Result<Self, NoSuchPort> {
        let master = AxiLiteMaster::new(&dut, prefix, timing, rng)?;
        Ok(CsrBridge {
            dut,
            master,
            peripheral,
        })
    }

    pub fn peripheral(&mut self) -> &mut P {
        &mut self.peripheral
    }

    pub fn dut(&mut self) -> &mut D {
        &mut self.dut
    }

    pub fn master(&mut self) -> &mut AxiLiteMaster {
        &mut self.master
    }

    /// One clock cycle: the master and the peripheral drive, then sample, then the
    /// edge. Testbenches drive other inputs through [`CsrBridge::dut`] between ticks.
    pub fn tick(&mut self) {
        self.master.drive(&mut self.dut);
        self.peripheral.drive(&mut self.dut);
        self.master.sample(&mut self.dut);
        self.peripheral.sample(&mut self.dut);
        self.dut.step();
    }

    /// Runs `n` cycles.
    pub fn idle(&mut self, n: u64) {
        for _ in 0..n {
            self.tick();
        }
    }

    /// Performs one access and returns its completion.
    ///
    /// Panics when the hardware does not answer within 10,000 cycles: in a testbench a
    /// hung bus is a hardware bug to report, not a condition to recover from.
    pub fn access(&mut self, op: Op) -> Completion {
        self.master.push(op);
        let start = self.dut.cycle();
        loop {
            self.tick();
            if let Some(done) = self.master.pop() {
                return done;
            }
            assert!(
                self.dut.cycle() - start < ACCESS_TIMEOUT,
                "{op:?} got no response within {ACCESS_TIMEOUT} cycles (cycle {})",
                self.dut.cycle()
            );
        }
    }
}

fn check(offset: usize, resp: Resp) -> Result<(), BusError> {
    let kind = match resp {
        Resp::Okay | Resp::ExOkay => return Ok(()),
        Resp::SlvErr => BusErrorKind::SlvErr,
        Resp::DecErr => BusErrorKind::DecErr,
    };
    Err(BusError { offset, kind })
}

impl<D: Dut, P: Peripheral> CsrBridge<D, P> {
    /// Reads the word at any byte address, aligned or not, inside the register space
    /// or not: what a testbench of the CSR block's decoding needs and a driver's
    /// [`Offset`] cannot express.
    pub fn read_any(&mut self, addr: usize) -> Result<u32, BusError> {
        let done = self.access(Op::Read { addr: addr as u64 });
        check(addr, done.resp).map(|()| done.data)
    }

    /// Writes `value` (all byte lanes) at any byte address; see [`read_any`](Self::read_any).
    pub fn write_any(&mut self, addr: usize, value: u32) -> Result<(), BusError> {
        let done = self.access(Op::Write {
            addr: addr as u64,
            data: value,
            strb: 0xf,
        });
        check(addr, done.resp)
    }
}

impl<D: Dut, P: Peripheral> RegisterIo for CsrBridge<D, P> {
    type Error = BusError;

    fn read32(&mut self, offset: Offset) -> Result<u32, BusError> {
        self.read_any(offset.get())
    }

    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), BusError> {
        self.write_any(offset.get(), value)
    }
}
